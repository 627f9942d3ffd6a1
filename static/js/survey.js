/* The respondent's page: save answers as you go, "same answer for all", live counts.
   The page works without it: the form posts everything, and the shortcut buttons submit. */
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
  if (errors) errors.focus();
})();
