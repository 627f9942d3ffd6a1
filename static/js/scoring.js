/* The scoring page (templates/scoring/assessment/page.html): autosave per item with a
   visible state and retry with backoff, unsaved edits kept in localStorage (keyed by item and
   version) until the server confirms them, a conflict banner on a stale save, points and
   totals estimated as you type with the same rules as the server (scoring/engine.py) and
   confirmed by its answer, filters, folding, history and evidence dialogs, and the cutoff:
   at the deadline every input turns read-only (the server refuses late writes anyway).
   Saving: 0.7 s after typing, when leaving a field (change) and on Ctrl+S; the row says
   "đã lưu hh:mm", "chưa lưu" or the error. Keyboard: one Tab stop per input (score, then
   explanation, then the next item): the row's other controls (guide, evidence, history) leave
   the Tab order and Ctrl+Enter brings them in for the row being typed (Esc goes back).
   Without this script every row still saves with its own "Lưu" button (<noscript>). */
(function () {
  "use strict";

  var root = document.getElementById("sa");
  if (!root) return;
  var blob = JSON.parse(document.getElementById("sa-tree").textContent);
  var lang = document.documentElement.lang;
  var STORE = "cchc:sa:";
  var DEBOUNCE = 700;
  var editable = root.getAttribute("data-editable") === "1";

  function msg(key) { return root.getAttribute("data-msg-" + key) || key; }
  function csrf() {
    var el = document.querySelector("[name=csrfmiddlewaretoken]");
    return el ? el.value : "";
  }

  /* ------------------------------------------------------------ numbers */
  function num(value) {
    if (value === null || value === undefined) return null;
    var text = String(value).trim().replace(",", ".");
    if (text === "" || !/^-?(\d+(\.\d*)?|\.\d+)$/.test(text)) return null;
    return Number(text);
  }
  /* What was typed in a number input, read by the portal's one parser (static/js/portal.js). */
  function typed(value, integer) {
    var r = window.Portal.parseNumber(value, integer);
    return r.ok ? r.value : null;
  }
  /* The first number of the row that cannot be read (its message), marking the input; null if none. */
  function invalidNumber(row) {
    var error = null;
    row.tr.querySelectorAll("[form='" + row.formId + "'][data-number]").forEach(function (el) {
      var r = window.Portal.parseNumber(el.value, el.getAttribute("data-number") === "integer");
      var bad = !r.ok && !r.empty;
      el.setAttribute("aria-invalid", bad ? "true" : "false");
      if (bad && !error) error = r.error;
    });
    return error;
  }
  function round2(x) { return Math.round(x * 100 + 1e-7) / 100; }  // half-up, as the engine
  var MINUS = "\u2212";
  function fmt(x) {
    var fixed = (Math.round(x * 100) / 100).toFixed(2), parts = fixed.split(".");
    var sep = lang === "en" ? "," : ".", dec = lang === "en" ? "." : ",";
    return parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, sep) + dec + parts[1];
  }
  /* Points with the sign of their kind, as the server's signed_points: a penalty's points are
     positive (taken off) and show "−4,50"; a bonus "+2,00"; a mixed branch its net. */
  function sfmt(x, k) {
    if (x === null || x === undefined || isNaN(x)) return "–";
    if (k !== "bonus" && k !== "penalty" && k !== "mixed") return fmt(x);
    if (Math.abs(x) < 0.005) return fmt(0);
    return (((x < 0) !== (k === "penalty")) ? MINUS : "+") + fmt(Math.abs(x));
  }
  function paint(el, x, k) {
    var text = sfmt(x, k);
    el.textContent = text;
    el.classList.toggle("pts-minus", text.charAt(0) === MINUS);
    el.classList.toggle("pts-plus", text.charAt(0) === "+");
  }

  /* ------------------------------------------------------------ the tree */
  var nodes = {}, order = [], children = {};
  blob.nodes.forEach(function (n) {
    n.max = num(n.max); n.amax = num(n.amax); n.value = num(n.value); n.ext = num(n.ext);
    nodes[n.code] = n; order.push(n.code); children[n.code] = [];
  });
  function parentOf(code) { var i = code.lastIndexOf("."); return i < 0 ? null : code.slice(0, i); }
  order.forEach(function (code) { var p = parentOf(code); if (p && children[p]) children[p].push(code); });
  var kind = {};
  order.slice().reverse().forEach(function (code) {
    var kids = children[code];
    if (!kids.length) { var r = nodes[code].rule; kind[code] = (r === "bonus" || r === "penalty") ? r : "base"; return; }
    var kinds = {};
    kids.forEach(function (k) { kinds[kind[k]] = true; });
    var list = Object.keys(kinds);
    kind[code] = kinds.base ? "base" : (list.length === 1 ? list[0] : "mixed");
  });

  function fieldsOf(row) {
    var out = {};
    row.tr.querySelectorAll("[form='" + row.formId + "']").forEach(function (el) {
      if (el.name && el.name !== "version") out[el.name] = el.value;
    });
    return out;
  }

  function levelPoints(params, label) {
    var key = String(label).trim().toLowerCase(), found = null;
    (params.levels || []).forEach(function (l) { if (String(l.label).trim().toLowerCase() === key) found = num(l.points); });
    return found;
  }
  function inBand(b, pct) {
    var lo = num(b.min), hi = num(b.max);
    if (lo !== null && (pct < lo || (pct === lo && b.min_inclusive === false))) return false;
    if (hi !== null && (pct > hi || (pct === hi && b.max_inclusive === false))) return false;
    return true;
  }

  /* A leaf's points for the typed values: the engine's rules, as an estimate. */
  function estimateLeaf(node, f, hasEvidence) {
    if (node.na) return 0;
    if (node.rule === "survey") return node.ext || 0;
    if (node.rule === "imported" && node.ext !== null) return Math.min(Math.max(round2(node.ext), 0), node.max);
    var empty = Object.keys(f).every(function (k) { return k === "explanation" || !String(f[k] || "").trim(); });
    if (empty) return 0;
    if (node.ev && !hasEvidence) return 0;
    var p = node.params || {}, value = null;
    if (["manual", "bonus", "penalty", "imported"].indexOf(node.rule) >= 0) {
      value = typed(f.score);
      if (value === null || value < 0 || value > node.max) return 0;
    } else if (node.rule === "levels") {
      value = levelPoints(p, f.level);
    } else if (node.rule === "deduction") {
      var count = typed(f.count, true), per = num(p.per);
      if (count === null || count < 0 || per === null) return 0;
      value = Math.max(node.max - per * count, 0);
    } else if (node.rule === "bands" || node.rule === "ratio") {
      var a = typed(f.numerator), b = typed(f.denominator);
      if (a === null || b === null || b <= 0 || a < 0 || (a > b && p.over === "refuse")) return 0;
      if (a > b) a = b;  // over 100 % counts as 100 % (rule param over=cap, the default)
      if (node.rule === "ratio") {
        value = node.max * a * 100 / (b * (num(p.target) || 100));
      } else {
        var pct = a * 100 / b;
        (p.bands || []).forEach(function (band) { if (value === null && inBand(band, pct)) value = num(band.points); });
      }
    }
    if (value === null) return 0;
    return Math.min(Math.max(round2(value), 0), node.max);
  }

  /* Branches and the total from the leaves' values, as engine.score does. */
  function recompute() {
    var value = {};
    order.slice().reverse().forEach(function (code) {
      var n = nodes[code], kids = children[code];
      if (!kids.length) { value[code] = n.na ? 0 : n.value; return; }
      if (n.na) { value[code] = 0; return; }
      if (kind[code] === "mixed") {
        var net = 0;
        kids.forEach(function (k) { net += (kind[k] === "penalty" ? -1 : 1) * value[k]; });
        value[code] = net;
        return;
      }
      var sum = 0;
      kids.forEach(function (k) { if (kind[k] === kind[code] && !nodes[k].na) sum += value[k]; });
      value[code] = Math.min(sum, n.amax);
    });
    var base = 0, amax = 0, bonus = 0, penalty = 0;
    order.forEach(function (code) {
      var p = parentOf(code), k = kind[code];
      if (!p && k === "base") { base += value[code]; amax += nodes[code].amax; }
      if ((k === "bonus" || k === "penalty") && (!p || kind[p] !== k)) {
        if (k === "bonus") bonus += value[code]; else penalty += value[code];
      }
    });
    if (blob.bonus_cap !== null) bonus = Math.min(bonus, num(blob.bonus_cap));
    if (blob.penalty_cap !== null) penalty = Math.min(penalty, num(blob.penalty_cap));
    var total = Math.max(base + bonus - penalty, 0);
    return {value: value, total: total, amax: amax, index: amax > 0 ? round2(total * 100 / amax) : null,
            bonus: bonus, penalty: penalty};
  }

  /* Bonus and penalty under a base field, before the caps (engine.Result.outside). */
  function outsideOf(code, values) {
    var out = {bonus: 0, penalty: 0};
    order.forEach(function (c) {
      var k = kind[c], p = parentOf(c);
      if ((k !== "bonus" && k !== "penalty") || c.indexOf(code + ".") !== 0 || nodes[c].na) return;
      if (p && kind[p] === k) return;
      out[k] += values[c] || 0;
    });
    return out;
  }

  function showTotals(values, total, index, estimate, bonus, penalty) {
    Object.keys(values).forEach(function (code) {
      document.querySelectorAll("[data-node='" + code + "']").forEach(function (el) { paint(el, values[code], kind[code]); });
    });
    document.querySelectorAll("[data-out]").forEach(function (box) {
      var out = outsideOf(box.getAttribute("data-out"), values);
      ["bonus", "penalty"].forEach(function (k) {
        var part = box.querySelector("[data-out-" + k + "]");
        paint(part.querySelector("[data-out-value]"), out[k], k);
        part.hidden = out[k] < 0.005;
      });
      box.hidden = out.bonus < 0.005 && out.penalty < 0.005;
    });
    document.querySelectorAll("[data-bonus]").forEach(function (el) { paint(el, bonus, "bonus"); });
    document.querySelectorAll("[data-penalty]").forEach(function (el) { paint(el, penalty, "penalty"); });
    document.querySelectorAll("[data-total]").forEach(function (el) { el.textContent = fmt(total); });
    document.querySelectorAll("[data-index]").forEach(function (el) { el.textContent = index === null ? "–" : fmt(index) + "%"; });
    document.querySelectorAll("[data-estimate]").forEach(function (el) { el.hidden = !estimate; });
  }

  /* ------------------------------------------------------------ rows */
  var rows = [];
  document.querySelectorAll("tr.leaf[data-item]").forEach(function (tr) {
    var row = {
      tr: tr, id: tr.getAttribute("data-item"), code: tr.getAttribute("data-code"),
      node: nodes[tr.getAttribute("data-code")], form: document.getElementById("f" + tr.getAttribute("data-item")),
      state: "saved", timer: null, delay: 0, inflight: false, again: false, conflict: null,
    };
    row.formId = "f" + row.id;
    row.stateEl = tr.querySelector("[data-state]");
    row.pointsEl = tr.querySelector("[data-points]");
    row.reasonEl = tr.querySelector("[data-reason]");
    row.zeroEl = tr.querySelector("[data-zero]");
    row.pctEl = tr.querySelector("[data-pct]");
    row.editable = tr.getAttribute("data-editable") === "1";
    rows.push(row);
  });
  var byCode = {};
  rows.forEach(function (row) { byCode[row.code] = row; });

  function version(row) { return row.form.querySelector("[name=version]").value; }
  function storeKey(row, v) { return STORE + row.id + ":v" + (v || version(row)); }
  function hasEvidence(row) { return Number(row.tr.getAttribute("data-docs")) > 0; }
  function scored(f) {
    return Object.keys(f).some(function (k) { return k !== "explanation" && String(f[k] || "").trim() !== ""; });
  }

  function setState(row, state, text) {
    row.state = state;
    row.tr.setAttribute("data-save-state", state);
    row.stateEl.textContent = text || msg(state);
  }

  function refreshRow(row) {
    var f = fieldsOf(row);
    if (row.pctEl) {
      var a = typed(f.numerator), b = typed(f.denominator);
      row.pctEl.textContent = a !== null && b ? fmt(a * 100 / b) + "%" : "";
    }
    row.tr.setAttribute("data-scored", scored(f) ? "1" : "0");
    var zero = row.node.ev && !hasEvidence(row) && scored(f) && !row.node.na;
    row.zeroEl.hidden = !zero;
    row.tr.setAttribute("data-missing", row.node.ev && !hasEvidence(row) && !row.node.na ? "1" : "0");
  }

  function estimate(row) {
    var f = fieldsOf(row);
    row.node.value = estimateLeaf(row.node, f, hasEvidence(row));
    paint(row.pointsEl, row.node.value, kind[row.code]);
    refreshRow(row);
    var r = recompute();
    showTotals(r.value, r.total, r.index, true, r.bonus, r.penalty);
  }

  function confirmFromServer(row, data) {
    row.form.querySelector("[name=version]").value = data.version;
    row.tr.setAttribute("data-version", data.version);
    if (data.documents) renderDocs(row, data.documents);
    Object.keys(data.nodes).forEach(function (code) { if (nodes[code]) nodes[code].value = num(data.nodes[code]); });
    paint(row.pointsEl, num(data.self_points) || 0, kind[row.code]);
    row.reasonEl.textContent = (data.reasons && data.reasons[row.code]) || data.reason || "";
    refreshRow(row);
    var values = {};
    Object.keys(data.nodes).forEach(function (code) { values[code] = num(data.nodes[code]); });
    showTotals(values, num(data.total), data.index === null ? null : num(data.index), false,
               num(data.bonus) || 0, num(data.penalty) || 0);
    // where the assessment stands, as the server counts it for every page
    var progress = document.querySelector("[data-progress]"), status = document.getElementById("sa-status");
    if (data.progress && progress) progress.textContent = data.progress.done + "/" + data.progress.total;
    if (data.stage && status) { status.textContent = data.stage_label; status.className = "pill pill-" + data.stage; }
  }

  function remember(row) {
    try { localStorage.setItem(storeKey(row), JSON.stringify(fieldsOf(row))); } catch (e) { /* storage full or off */ }
  }
  function forget(row, v) {
    try { localStorage.removeItem(storeKey(row, v)); } catch (e) { /* ignore */ }
  }

  /* A fraction with one of its two numbers typed is not ready to send (the server would
     refuse it): it waits, kept on this machine, for the other one. */
  function incomplete(row) {
    var f = fieldsOf(row);
    if (!("numerator" in f)) return false;
    return !String(f.numerator || "").trim() !== !String(f.denominator || "").trim();
  }

  function changed(row) {
    if (!row.editable || !editable) return;
    row.edits = (row.edits || 0) + 1;
    remember(row);
    estimate(row);
    setState(row, "unsaved");
    clearTimeout(row.timer);
    if (!incomplete(row)) row.timer = setTimeout(function () { save(row); }, DEBOUNCE);
  }

  function retryLater(row) {
    row.delay = Math.min(row.delay ? row.delay * 2 : 2, 60);
    setState(row, "error", msg("error") + " – " + msg("retry").replace("%s", row.delay));
    clearTimeout(row.timer);
    row.timer = setTimeout(function () { save(row); }, row.delay * 1000);
  }

  function save(row) {
    if (!editable || !row.editable) return;
    if (row.inflight) { row.again = true; return; }
    clearTimeout(row.timer);
    var bad = invalidNumber(row);
    if (bad) { setState(row, "invalid", bad); return; }  // the text stays as typed; nothing is sent
    row.inflight = true;
    row.again = false;
    var sentVersion = version(row), sentEdits = row.edits;
    var body = new FormData(row.form);
    setState(row, "saving");
    fetch(row.form.action, {
      method: "POST", body: body, credentials: "same-origin",
      headers: {"Accept": "application/json", "X-CSRFToken": csrf()},
    }).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (data) { return {status: resp.status, data: data}; });
    }).then(function (r) {
      row.inflight = false;
      if (r.status === 200) {
        forget(row, sentVersion);
        row.delay = 0;
        hideConflict(row);
        confirmFromServer(row, r.data);
        // typed on while this save was on its way: send that too (never say "đã lưu" over it)
        if (row.again || row.edits !== sentEdits) { remember(row); save(row); return; }
        setState(row, "saved", msg("saved") + (r.data.saved_at ? " " + r.data.saved_at : ""));
      } else if (r.status === 409 && r.data.current) {
        showConflict(row, r.data);
      } else if (r.status === 409 || r.status === 403) {
        setState(row, "invalid", r.data.detail || msg("error"));
        if (r.data.deadline) cutoff(r.data.detail);
      } else if (r.status === 400 || r.status === 404) {
        setState(row, "invalid", r.data.detail || msg("invalid"));
      } else {
        retryLater(row);
      }
    }).catch(function () {
      row.inflight = false;
      offlineNote(true);
      retryLater(row);
    });
  }

  function offlineNote(show) {
    var el = document.getElementById("sa-offline");
    if (!el && show) {
      el = document.createElement("div");
      el.id = "sa-offline";
      el.className = "msg msg-warning";
      el.setAttribute("role", "status");
      el.textContent = msg("offline");
      root.parentNode.insertBefore(el, root);
    }
    if (el) el.hidden = !show;
  }
  window.addEventListener("online", function () {
    offlineNote(false);
    rows.forEach(function (row) { if (row.state === "error") save(row); });
  });

  /* ------------------------------------------------------------ conflicts */
  function inputText(input) {
    if (!input || !Object.keys(input).length) return "–";
    return Object.keys(input).map(function (k) { return k + ": " + window.Portal.inputText(input[k]); }).join("; ");
  }
  function hideConflict(row) {
    if (row.conflict) { row.conflict.remove(); row.conflict = null; }
  }
  function showConflict(row, data) {
    hideConflict(row);
    var cur = data.current;
    setState(row, "conflict");
    var tr = document.createElement("tr");
    tr.className = "sa-conflict";
    var td = document.createElement("td");
    td.colSpan = 8;
    td.setAttribute("role", "alert");
    var p = document.createElement("p");
    p.textContent = (data.detail || msg("conflict-text")) + " " + msg("current") + " " + inputText(cur.input) +
      (cur.explanation ? " – " + msg("explanation") + ": " + cur.explanation : "") + (cur.updated_by ? " (" + cur.updated_by + ")" : "");
    var useServer = document.createElement("button");
    useServer.type = "button"; useServer.className = "btn btn-small"; useServer.textContent = msg("use-server");
    var keepMine = document.createElement("button");
    keepMine.type = "button"; keepMine.className = "btn btn-secondary btn-small"; keepMine.textContent = msg("keep-mine");
    useServer.addEventListener("click", function () {
      forget(row, version(row));
      row.tr.querySelectorAll("[form='" + row.formId + "']").forEach(function (el) {
        if (el.name === "explanation") el.value = cur.explanation || "";
        else if (el.name && el.name !== "version") el.value = (cur.input && cur.input[el.name] !== undefined) ? window.Portal.inputText(cur.input[el.name]) : "";
      });
      row.form.querySelector("[name=version]").value = cur.version;
      hideConflict(row);
      estimate(row);
      setState(row, "saved", msg("saved"));
    });
    keepMine.addEventListener("click", function () {
      var mine = fieldsOf(row);
      forget(row, version(row));
      row.form.querySelector("[name=version]").value = cur.version;
      try { localStorage.setItem(storeKey(row), JSON.stringify(mine)); } catch (e) { /* ignore */ }
      hideConflict(row);
      save(row);
    });
    p.appendChild(document.createTextNode(" "));
    td.append(p, useServer, document.createTextNode(" "), keepMine);
    tr.appendChild(td);
    row.tr.parentNode.insertBefore(tr, row.tr.nextSibling);
    row.conflict = tr;
  }

  /* ------------------------------------------------------------ evidence */
  /* A document's check as evidence/_check.html draws it (the server's TreeHtml.check too):
     badges (signature, out-of-period flag) and the state; polled by evidence-check.js while
     the check runs. */
  var BADGES = {ok: 1, warn: 1, bad: 1, info: 1};
  function drawCheck(li, check) {
    if (!check || !((check.badges && check.badges.length) || check.state)) return;
    var box = document.createElement("div");
    box.className = "ev-check";
    check.badges.forEach(function (badge) {
      var span = document.createElement("span");
      span.className = "ev-badge ev-badge-" + (BADGES[badge.css] ? badge.css : "info");
      span.textContent = badge.text;
      box.append(span, " ");
    });
    if (check.state) {
      var small = document.createElement("small");
      small.className = check.status === "failed" ? "ev-bad" : "muted";
      small.textContent = check.state;
      box.appendChild(small);
    }
    if (check.active && check.html_url) box.setAttribute("data-check-poll", check.html_url);
    li.appendChild(box);
  }

  function renderDocs(row, docs) {
    var ul = row.tr.querySelector("[data-docs-list]");
    ul.textContent = "";
    docs.forEach(function (d) {
      var li = document.createElement("li"), a = document.createElement("a");
      a.href = d.url || d.download_url;
      a.textContent = d.number || d.name;
      li.appendChild(a);
      if (row.editable && editable) {
        var form = document.createElement("form");
        form.method = "post"; form.className = "sa-inline";
        form.action = root.getAttribute("data-item-base") + row.code + "/documents/" + d.id + "/remove/";
        var t = document.createElement("input");
        t.type = "hidden"; t.name = "csrfmiddlewaretoken"; t.value = csrf();
        var b = document.createElement("button");
        b.type = "submit"; b.className = "sa-x"; b.textContent = "×";
        b.setAttribute("aria-label", msg("remove") + " " + a.textContent);
        form.append(t, b);
        li.appendChild(form);
      }
      drawCheck(li, d.check);
      ul.appendChild(li);
    });
    row.tr.setAttribute("data-docs", docs.length);
    if (row.editable && editable) tools(row, row.toolsOpen);
  }

  function postJson(url, body) {
    return fetch(url, {method: "POST", body: body, credentials: "same-origin",
      headers: {"Accept": "application/json", "X-CSRFToken": csrf()}})
      .then(function (resp) { return resp.json().then(function (data) { return {status: resp.status, data: data}; }); });
  }

  root.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.classList.contains("sa-inline")) return;
    e.preventDefault();
    var row = byCode[form.closest("tr").getAttribute("data-code")];
    postJson(form.action, new FormData(form)).then(function (r) {
      if (r.status === 200) confirmFromServer(row, r.data);
      else setState(row, "invalid", r.data.detail || msg("error"));
      if (r.data.deadline) cutoff(r.data.detail);
    }).catch(function () { setState(row, "error", msg("offline")); });
  });

  var dialogRow = null;
  function openDialog(id, row) {
    var dialog = document.getElementById(id);
    if (!dialog || !dialog.showModal) return false;
    dialogRow = row;
    // the item by its code and title: a bare code means nothing to whoever reads the dialog
    var title = row && row.tr.querySelector("[data-title]");
    var item = row ? msg("item") + " " + row.code + (title ? ". " + title.textContent : "") : "";
    dialog.querySelectorAll("[data-dialog-item]").forEach(function (el) { el.textContent = item; });
    dialog.showModal();
    return dialog;
  }
  document.querySelectorAll("dialog [data-close]").forEach(function (b) {
    b.addEventListener("click", function () { b.closest("dialog").close(); });
  });

  var library = document.getElementById("sa-library");
  root.addEventListener("click", function (e) {
    var link = e.target.closest("a[data-attach], a[data-upload], a[data-history]");
    if (!link) return;
    var tr = link.closest("tr"), row = tr && byCode[tr.getAttribute("data-code")];
    if (link.hasAttribute("data-history")) {
      var dialog = document.getElementById("sa-history");
      if (!dialog.showModal) return;
      e.preventDefault();
      var body = dialog.querySelector("[data-history-body]");
      body.textContent = "…";
      openDialog("sa-history", row);
      fetch(link.href + "?partial=1", {credentials: "same-origin"}).then(function (r) { return r.text(); })
        .then(function (html) { body.innerHTML = html; });
      return;
    }
    if (!row) return;
    if (link.hasAttribute("data-attach") && library && library.showModal) {
      e.preventDefault();
      var form = library.querySelector("form");
      form.action = root.getAttribute("data-item-base") + row.code + "/documents/";
      form.querySelector("[data-dialog-error]").textContent = "";
      form.querySelectorAll("input[name=documents]").forEach(function (box) { box.checked = false; });
      openDialog("sa-library", row);
    } else if (link.hasAttribute("data-upload")) {
      var up = document.getElementById("sa-upload");
      if (!up || !up.showModal) return;
      e.preventDefault();
      up.querySelector("form[data-evidence-upload]").action = root.getAttribute("data-item-base") + row.code + "/upload/";
      openDialog("sa-upload", row);
    }
  });

  if (library) {
    library.querySelector("form").addEventListener("submit", function (e) {
      e.preventDefault();
      var form = e.target, row = dialogRow;
      postJson(form.action, new FormData(form)).then(function (r) {
        if (r.status === 200) { confirmFromServer(row, r.data); library.close(); }
        else {
          form.querySelector("[data-dialog-error]").textContent = r.data.detail || msg("error");
          if (r.data.deadline) cutoff(r.data.detail);
        }
      }).catch(function () { form.querySelector("[data-dialog-error]").textContent = msg("offline"); });
    });
  }

  document.addEventListener("evidence:uploaded", function (e) {
    var files = (e.detail && e.detail.files) || [];
    var fieldset = library && library.querySelector("fieldset");
    files.forEach(function (f) {
      if (f && f.item && byCode[f.item.code]) confirmFromServer(byCode[f.item.code], f.item);
      if (f && f.id && fieldset && !fieldset.querySelector("input[value='" + f.id + "']")) {
        var label = document.createElement("label"), box = document.createElement("input");
        box.type = "checkbox"; box.name = "documents"; box.value = f.id;
        label.append(box, document.createTextNode(" " + (f.number || f.name)));
        fieldset.insertBefore(label, fieldset.firstChild);
      }
    });
  });

  // a proposal taken in the upload dialog: the document's number and badges on every item that lists it
  document.addEventListener("evidence:accepted", function (e) {
    var doc = e.detail && e.detail.document;
    if (!doc || !doc.id) return;
    root.querySelectorAll("[data-docs-list] a[href*='/documents/" + doc.id + "/']").forEach(function (a) {
      var li = a.closest("li"), old = li.querySelector(".ev-check");
      if (doc.number) a.textContent = doc.number;
      if (old) old.remove();
      drawCheck(li, e.detail.check);
    });
  });

  /* ------------------------------------------------------------ filters and folding */
  /* A filter shows the rows that match when it is chosen (a row being scored does not vanish
     under the cursor); a field or criterion with no row left is hidden with its header. */
  function hasInputs(tr) { return !!tr.querySelector("[name=score], [name=numerator], [name=count], [name=level]"); }
  function applyFilter(value) {
    var leaves = [];
    root.querySelectorAll("tr.leaf").forEach(function (tr) {
      var rule = tr.getAttribute("data-rule");  // an empty bonus or penalty means none: not "unscored"
      var show = !value || (value === "unscored" ? hasInputs(tr) && !tr.classList.contains("na") &&
        !tr.hasAttribute("data-province") &&
        rule !== "bonus" && rule !== "penalty" && tr.getAttribute("data-scored") !== "1"
        : tr.getAttribute("data-missing") === "1");
      tr.hidden = !show;
      if (show) leaves.push(tr.getAttribute("data-code"));
    });
    function anyUnder(code) {
      return leaves.some(function (c) { return c === code || c.indexOf(code + ".") === 0; });
    }
    root.querySelectorAll("tr.sa-branch[data-code]").forEach(function (tr) {
      tr.hidden = !!value && !anyUnder(tr.getAttribute("data-code"));
    });
    root.querySelectorAll("details.sa-field").forEach(function (d) {
      d.hidden = !!value && !anyUnder(d.getAttribute("data-field"));
      if (value) d.open = true;
    });
  }
  document.querySelectorAll("input[name=sa-filter]").forEach(function (radio) {
    radio.addEventListener("change", function () { if (radio.checked) applyFilter(radio.value); });
  });
  document.querySelectorAll("[data-fold]").forEach(function (b) {
    b.addEventListener("click", function () {
      var open = b.getAttribute("data-fold") === "open";
      root.querySelectorAll("details.sa-field").forEach(function (d) { d.open = open; });
    });
  });

  /* ------------------------------------------------------------ confirmations */
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      if (form.hasAttribute("data-needs-saved") && rows.some(function (r) { return r.state !== "saved"; })) {
        e.preventDefault();
        window.alert(msg("unsaved-send"));
        return;
      }
      if (!window.confirm(form.getAttribute("data-confirm"))) e.preventDefault();
    });
  });

  /* ------------------------------------------------------------ the cutoff */
  function cutoff(text) {
    editable = false;
    root.setAttribute("data-editable", "0");
    rows.forEach(function (row) {
      clearTimeout(row.timer);
      row.tr.querySelectorAll("input, select").forEach(function (el) { if (el.type !== "hidden") el.disabled = true; });
      row.tr.querySelectorAll("textarea").forEach(function (el) { el.readOnly = true; });
      row.tr.querySelectorAll(".sa-save, .sa-x, a[data-attach], a[data-upload]").forEach(function (el) { el.hidden = true; });
    });
    document.querySelectorAll("form[data-needs-saved]").forEach(function (f) { f.hidden = true; });
    var banner = document.getElementById("sa-cutoff");
    if (banner) { if (text) banner.textContent = text; banner.hidden = false; }
  }
  var countdown = document.querySelector("#sa-deadline [data-deadline]");
  if (countdown && editable) {
    var deadline = new Date(countdown.getAttribute("data-deadline")).getTime();
    var watch = setInterval(function () {
      if (Date.now() >= deadline) { clearInterval(watch); cutoff(); }
    }, 1000);
  }

  /* ------------------------------------------------------------ keyboard */
  /* The row's controls other than its inputs (guide, evidence links and buttons, history):
     out of the Tab order unless opened with Ctrl+Enter for this row. */
  function tools(row, open) {
    row.toolsOpen = !!open;
    row.tr.querySelectorAll("td.sa-title summary, td.sa-ev a, td.sa-ev button, td.sa-state a").forEach(function (el) {
      if (open) el.removeAttribute("tabindex"); else el.setAttribute("tabindex", "-1");
    });
  }
  function rowOf(el) {
    var tr = el && el.closest ? el.closest("tr.leaf") : null;
    return tr ? byCode[tr.getAttribute("data-code")] : null;
  }
  function flush(row) {
    if (row && row.editable && editable && (row.state === "unsaved" || row.state === "error") && !incomplete(row)) {
      save(row);
    }
  }
  document.addEventListener("keydown", function (e) {
    var row = rowOf(e.target);
    if ((e.ctrlKey || e.metaKey) && !e.altKey && (e.key === "s" || e.key === "S")) {
      e.preventDefault();  // the browser's "save page" is never what is meant here
      if (row) flush(row); else rows.forEach(flush);
      return;
    }
    if (!row || !row.editable || !editable) return;
    if ((e.ctrlKey || e.metaKey) && e.key === "Enter") {
      e.preventDefault();
      tools(row, true);
      var first = row.tr.querySelector("td.sa-ev a, td.sa-ev button, td.sa-state a");
      if (first) first.focus();
    } else if (e.key === "Escape" && row.toolsOpen && !e.target.closest("[form]")) {
      tools(row, false);
      var back = row.tr.querySelector("textarea[name=explanation]");
      if (back) back.focus();
    }
  });
  root.addEventListener("focusout", function (e) {
    var row = rowOf(e.target);
    if (!row || !row.toolsOpen || (e.relatedTarget && row.tr.contains(e.relatedTarget))) return;
    if (e.relatedTarget === null && document.querySelector("dialog[open]")) return;
    tools(row, false);
  });

  /* Explanations grow with their text: CSS field-sizing where the browser has it. */
  var grows = window.CSS && CSS.supports && CSS.supports("field-sizing", "content");
  function grow(el) {
    if (grows) return;
    el.style.height = "auto";
    el.style.height = (el.scrollHeight + 2) + "px";
  }

  /* ------------------------------------------------------------ start */
  var keys = document.querySelector("[data-keys]");
  if (keys && editable) keys.hidden = false;
  if (editable) {  // fields fold with "Mở tất cả" / "Thu gọn tất cả"; their headers are no Tab stop between items
    root.querySelectorAll("details.sa-field > summary").forEach(function (el) { el.setAttribute("tabindex", "-1"); });
  }
  rows.forEach(function (row) {
    refreshRow(row);
    row.state = "saved";  // as the server rendered it; nothing to say until something changes
    row.tr.querySelectorAll("textarea").forEach(function (el) {
      grow(el);
      el.addEventListener("input", function () { grow(el); });
    });
    if (!row.editable || !editable) return;
    tools(row, false);
    row.tr.querySelectorAll("[form='" + row.formId + "']").forEach(function (el) {
      if (el.type === "hidden") return;
      if (el.tagName === "SELECT") {
        el.addEventListener("change", function () { changed(row); flush(row); });
      } else {
        el.addEventListener("input", function () { changed(row); });
        el.addEventListener("change", function () { flush(row); });  // leaving the field saves at once
      }
    });
    row.form.addEventListener("submit", function (e) { e.preventDefault(); save(row); });
    // unsaved edits of an earlier visit (any version of this item): put them back and send them
    var prefix = STORE + row.id + ":v";
    for (var i = 0; i < localStorage.length; i++) {
      var key = localStorage.key(i);
      if (!key || key.indexOf(prefix) !== 0) continue;
      var kept = null;
      try { kept = JSON.parse(localStorage.getItem(key)); } catch (err) { kept = null; }
      if (!kept) continue;
      var oldVersion = key.slice(prefix.length);
      row.tr.querySelectorAll("[form='" + row.formId + "']").forEach(function (el) {
        if (el.name && kept[el.name] !== undefined) el.value = kept[el.name];
      });
      if (oldVersion !== version(row)) {
        localStorage.removeItem(key);
        row.form.querySelector("[name=version]").value = oldVersion;  // the server shows the conflict
        try { localStorage.setItem(storeKey(row, oldVersion), JSON.stringify(kept)); } catch (err) { /* ignore */ }
      }
      estimate(row);
      setState(row, "unsaved");
      save(row);
      break;
    }
  });
})();
