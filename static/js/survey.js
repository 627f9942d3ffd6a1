/* The respondent's page: one section per screen ("Tiếp / Quay lại", "Phần 2/5 · 34/88 câu"),
   save answers as you go, "same answer for all", live counts. Opening the page lands on the
   first section with unanswered rows; a failed submit on the first missing row.
   The page works without it: one long form that posts everything, the shortcut buttons submit. */
(function () {
  "use strict";
  var form = document.querySelector("form.sv-form");
  if (!form) return;
  var en = document.documentElement.lang === "en";
  var saveUrl = form.getAttribute("data-save-url");
  var autosave = form.hasAttribute("data-autosave") && !!window.fetch;
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]");
  var statusEl = form.querySelector("[data-saved-status]");
  var pending = {};
  var timer = null;
  var inflight = false;
  var FIELD = /^q\d+(_a\d+)?$/;

  function say(text) { if (statusEl) statusEl.textContent = text; }

  function answered(el) {
    var ta = el.querySelector("textarea");
    return ta ? ta.value.trim() !== "" : !!el.querySelector("input:checked");
  }

  function recount() {
    var total = 0;
    form.querySelectorAll("fieldset.sv-matrix").forEach(function (fs) {
      var n = 0;
      fs.querySelectorAll("fieldset.sv-row").forEach(function (row) {
        if (answered(row)) { n++; row.classList.remove("sv-missing"); }
      });
      var out = fs.querySelector("[data-answered]");
      if (out) out.textContent = n;
      total += n;
    });
    form.querySelectorAll(".sv-question:not(.sv-matrix)").forEach(function (q) { if (answered(q)) total++; });
    var t = form.querySelector("[data-total-answered]");
    if (t) t.textContent = total;
    var meter = form.querySelector("progress.sv-meter");
    if (meter) meter.value = total;
    note();
  }

  // After a failed submit: how many rows the section on screen still lacks, next to the buttons.
  var noteEl = form.querySelector("[data-section-note]");
  var failed = !!document.getElementById("sv-errors") && !!form.querySelector(".sv-missing");
  function note() {
    if (!noteEl || !failed || !sections.length) return;
    var section = sections[current];
    var left = Array.prototype.filter.call(section.querySelectorAll("[data-required]"), function (el) {
      return !answered(el);
    }).length;
    var n = current + 1;
    noteEl.hidden = left === 0;
    noteEl.textContent = en ? left + " question(s) left unanswered in section " + n
                            : "Còn " + left + " câu chưa trả lời ở phần " + n;
  }

  // ---- one section per screen ----
  var sections = Array.prototype.slice.call(form.querySelectorAll("section.sv-section"));
  var prev = form.querySelector("[data-prev]");
  var next = form.querySelector("[data-next]");
  var current = 0;
  var paged = sections.length > 1 && !!prev && !!next;

  function incomplete(section) {
    return Array.prototype.some.call(section.querySelectorAll("[data-required]"), function (el) {
      return !answered(el);
    });
  }

  function show(i, focusHeading) {
    if (!paged) return;
    current = Math.max(0, Math.min(i, sections.length - 1));
    sections.forEach(function (s, j) { s.hidden = j !== current; });
    prev.hidden = current === 0;
    next.hidden = current === sections.length - 1;
    var part = form.querySelector("[data-part]");
    if (part) part.textContent = current + 1;
    note();
    if (focusHeading) {
      sections[current].scrollIntoView({ block: "start" });  // the new screen from its heading
      var h = sections[current].querySelector("h2");
      if (h) h.focus({ preventScroll: true });
    }
  }

  function reveal(el, focusInput) {
    // open the section holding `el`, bring it into view, and put the keyboard on it
    if (!el) return;
    var section = el.closest("section.sv-section");
    if (section && paged) show(sections.indexOf(section), false);
    el.scrollIntoView({ block: "start" });
    if (focusInput) {
      var input = el.querySelector("input:not([type=hidden]), textarea");
      if (input) input.focus({ preventScroll: true });
    }
  }

  if (paged) {
    form.classList.add("sv-paged");
    var partText = form.querySelector("[data-part-text]");
    if (partText) partText.hidden = false;
    var saveButton = form.querySelector("[data-save-button]");
    if (saveButton && autosave) saveButton.hidden = true;  // saved as they go
    prev.addEventListener("click", function () { show(current - 1, true); });
    next.addEventListener("click", function () { show(current + 1, true); });
    document.addEventListener("click", function (e) {
      var link = e.target.closest("a[data-jump]");
      if (!link) return;
      e.preventDefault();
      reveal(document.getElementById(link.getAttribute("href").slice(1)), true);
    });
  }

  function append(body, name) {
    var inputs = form.querySelectorAll('[name="' + name + '"]');
    if (!inputs.length) return;
    var kind = inputs[0].type;
    if (kind === "radio" || kind === "checkbox") {
      inputs.forEach(function (i) { if (i.checked) body.append(name, i.value); });
      body.append("touched", name);
    } else {
      body.append(name, inputs[0].value);
    }
  }

  function payload(names) {
    var body = new FormData();
    if (csrf) body.append("csrfmiddlewaretoken", csrf.value);
    names.forEach(function (n) { append(body, n); });
    return body;
  }

  function schedule(ms) {
    if (timer) clearTimeout(timer);
    timer = setTimeout(flush, ms || 500);
  }

  function flush() {
    timer = null;
    var names = Object.keys(pending);
    if (!names.length) return;
    if (inflight) { schedule(); return; }
    pending = {};
    inflight = true;
    say(en ? "Saving…" : "Đang lưu…");
    fetch(saveUrl, { method: "POST", body: payload(names), credentials: "same-origin",
                     headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json().then(function (data) { return { r: r, data: data }; }); })
      .then(function (res) {
        inflight = false;
        if (res.r.ok) {
          say((en ? "Saved at " : "Đã lưu lúc ") + res.data.saved_at);
        } else if (res.r.status === 404 || res.r.status === 409) {
          window.location.reload();  // sent elsewhere, or the window closed: the server says what now
        } else {
          say(res.data.detail || (en ? "Not saved." : "Chưa lưu được."));
        }
      })
      .catch(function () {
        inflight = false;
        names.forEach(function (n) { pending[n] = true; });
        say(en ? "Offline: not saved yet, retrying…" : "Mất kết nối: chưa lưu, đang thử lại…");
        schedule(4000);
      });
  }

  function queue(name, ms) {
    pending[name] = true;
    if (autosave) schedule(ms);
  }

  form.addEventListener("change", function (e) {
    if (e.target.name && FIELD.test(e.target.name)) { queue(e.target.name); recount(); }
  });
  form.addEventListener("input", function (e) {
    if (e.target.tagName === "TEXTAREA" && FIELD.test(e.target.name)) { queue(e.target.name, 1500); recount(); }
  });
  form.addEventListener("click", function (e) {
    var button = e.target.closest("[data-fill]");
    if (!button) return;
    e.preventDefault();
    var fs = document.getElementById("q" + button.getAttribute("data-fill"));
    var key = button.getAttribute("data-option");
    var n = 0;
    fs.querySelectorAll('fieldset.sv-row input[type=radio][value="' + key + '"]').forEach(function (input) {
      input.checked = true;
      queue(input.name);
      n++;
    });
    recount();
    say((en ? "Chose " : "Đã chọn ") + key + (en ? " for " : " cho ") + n + (en ? " agencies" : " đơn vị"));
  });
  // Leaving with unsaved changes: one last save that survives the page going away.
  window.addEventListener("pagehide", function () {
    var names = Object.keys(pending);
    if (autosave && names.length && navigator.sendBeacon) {
      navigator.sendBeacon(saveUrl, payload(names));
      pending = {};
    }
  });
  form.addEventListener("submit", function () { pending = {}; if (timer) clearTimeout(timer); });
  var errors = document.getElementById("sv-errors");
  var firstMissing = errors && form.querySelector("fieldset.sv-row.sv-missing, .sv-question.sv-missing:not(.sv-matrix)");
  var target = window.location.hash.length > 1 && document.getElementById(window.location.hash.slice(1));
  if (firstMissing) {
    reveal(firstMissing, true);  // the alert says how many are left where; the keyboard is on the first one
  } else if (target && form.contains(target)) {
    reveal(target, false);
  } else if (paged) {
    var open = sections.filter(incomplete)[0];
    show(open ? sections.indexOf(open) : sections.length - 1, false);
    if (errors) errors.focus();
  } else if (errors) {
    errors.focus();
  }
})();
