/* The evidence upload widget (templates/evidence/_upload.html): several files at once or by
   drag and drop, one XMLHttpRequest per file with its own progress bar and its own error from
   the server. Without this script the form posts every file in one multipart request.
   After a batch it re-reads `data-target` from the current page and fires the bubbling event
   `evidence:uploaded` with `detail.files` (the server's answers) on the form. Each stored file's
   background check is then followed, and its proposed metadata offered (`evidence:accepted`
   fires when the user takes it). */
(function () {
  "use strict";

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function isoDate(text) {
    var m = /^\s*(\d{1,2})[\/.\-](\d{1,2})[\/.\-](\d{4})\s*$/.exec(text || "");
    if (!m) return null;
    var d = +m[1], mo = +m[2], y = +m[3], dt = new Date(Date.UTC(y, mo - 1, d));
    if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== mo - 1 || dt.getUTCDate() !== d) return null;
    return y + "-" + pad(mo) + "-" + pad(d);
  }

  function formatSize(n) {
    var lang = document.documentElement.lang, unit = "B", value = n;
    if (n >= 1048576) { value = n / 1048576; unit = "MB"; } else if (n >= 1024) { value = n / 1024; unit = "KB"; }
    var text = unit === "B" ? String(value) : value.toFixed(1);
    return (lang === "en" ? text : text.replace(".", ",")) + " " + unit;
  }

  function Widget(form) {
    this.form = form;
    this.input = form.querySelector("input[type=file][name=file]");
    this.queueEl = form.querySelector("[data-queue]");
    this.statusEl = form.querySelector("[data-status]");
    this.submit = form.querySelector("[data-submit]");
    this.drop = form.querySelector("[data-drop]");
    this.entries = [];
    this.busy = false;
    this.input.required = false;  // files may come from drag and drop; the script checks instead
    var self = this;
    this.input.addEventListener("change", function () {
      self.add(self.input.files);
      self.input.value = "";
    });
    ["dragenter", "dragover"].forEach(function (name) {
      self.drop.addEventListener(name, function (e) { e.preventDefault(); self.drop.classList.add("is-over"); });
    });
    ["dragleave", "drop"].forEach(function (name) {
      self.drop.addEventListener(name, function () { self.drop.classList.remove("is-over"); });
    });
    this.drop.addEventListener("drop", function (e) {
      e.preventDefault();
      if (e.dataTransfer && e.dataTransfer.files) self.add(e.dataTransfer.files);
    });
    form.addEventListener("submit", function (e) { e.preventDefault(); self.start(); });
  }

  Widget.prototype.msg = function (key) { return this.form.getAttribute("data-msg-" + key) || key; };

  Widget.prototype.say = function (text) { this.statusEl.textContent = text; };

  Widget.prototype.add = function (files) {
    if (this.busy) return;
    var self = this;
    this.entries = this.entries.filter(function (entry) {
      if (entry.state === "done" || entry.state === "error") { entry.li.remove(); return false; }
      return true;
    });
    Array.prototype.forEach.call(files, function (file) {
      var li = document.createElement("li");
      li.className = "ev-item";
      var name = document.createElement("span");
      name.className = "ev-item-name";
      name.textContent = file.name;
      var size = document.createElement("span");
      size.className = "ev-item-size muted";
      size.textContent = formatSize(file.size);
      var bar = document.createElement("progress");
      bar.max = 100;
      bar.value = 0;
      bar.setAttribute("aria-label", file.name);
      var note = document.createElement("span");
      note.className = "ev-item-msg";
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "ev-remove";
      remove.textContent = "×";
      remove.setAttribute("aria-label", self.msg("remove") + " " + file.name);
      var entry = {file: file, li: li, bar: bar, note: note, remove: remove, state: "waiting", result: null};
      remove.addEventListener("click", function () {
        if (entry.state === "uploading") return;
        li.remove();
        self.entries.splice(self.entries.indexOf(entry), 1);
        self.queueEl.hidden = self.entries.length === 0;
        self.input.focus();
      });
      li.append(name, size, bar, note, remove);
      self.queueEl.appendChild(li);
      self.entries.push(entry);
      self.setState(entry, "waiting", self.msg("waiting"));
    });
    this.queueEl.hidden = this.entries.length === 0;
    this.say("");
  };

  Widget.prototype.setState = function (entry, state, text) {
    entry.state = state;
    entry.li.setAttribute("data-state", state);
    entry.note.textContent = text;
    entry.remove.hidden = state === "uploading" || state === "done";
  };

  Widget.prototype.payload = function (entry, iso) {
    var data = new FormData(this.form);
    data.delete("file");
    data.delete("next");
    if (iso !== undefined) data.set("issued_on", iso);
    data.append("file", entry.file, entry.file.name);
    return data;
  };

  Widget.prototype.send = function (entry, iso) {
    var self = this;
    return new Promise(function (resolve) {
      var xhr = new XMLHttpRequest();
      xhr.open("POST", self.form.action);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      var token = self.form.querySelector("[name=csrfmiddlewaretoken]");
      if (token) xhr.setRequestHeader("X-CSRFToken", token.value);
      xhr.upload.addEventListener("progress", function (e) {
        // 99 at most until the server has answered: the file is checked after the transfer
        if (e.lengthComputable) entry.bar.value = Math.min(99, Math.round(e.loaded / e.total * 100));
      });
      xhr.addEventListener("load", function () {
        var body = null;
        try { body = JSON.parse(xhr.responseText); } catch (err) { body = null; }
        var result = body && body.files && body.files.length ? body.files[0] : body;
        var ok = xhr.status >= 200 && xhr.status < 300 && result && !result.error;
        if (ok) {
          entry.bar.value = 100;
          entry.result = result;
          self.setState(entry, "done", result.created === false ? self.msg("duplicate") : self.msg("done"));
          self.watch(entry);
        } else {
          var text = (result && result.error) || (body && body.detail) || (self.msg("failed") + " (" + xhr.status + ")");
          entry.bar.value = 0;
          self.setState(entry, "error", text);
        }
        resolve(ok);
      });
      ["error", "timeout", "abort"].forEach(function (name) {
        xhr.addEventListener(name, function () {
          entry.bar.value = 0;
          self.setState(entry, "retry", self.msg("network"));
          resolve(false);
        });
      });
      self.setState(entry, "uploading", self.msg("uploading"));
      xhr.send(self.payload(entry, iso));
    });
  };

  Widget.prototype.start = function () {
    if (this.busy) return;
    var self = this;
    var todo = this.entries.filter(function (e) { return e.state === "waiting" || e.state === "retry"; });
    if (!todo.length) { this.say(this.msg("none")); this.input.focus(); return; }
    var dateField = this.form.querySelector("[data-date]");
    var iso;
    if (dateField && dateField.value.trim()) {
      iso = isoDate(dateField.value);
      if (!iso) { this.say(this.msg("date")); dateField.focus(); return; }
    }
    this.busy = true;
    this.submit.disabled = true;
    this.form.setAttribute("aria-busy", "true");
    var chain = Promise.resolve();
    todo.forEach(function (entry) { chain = chain.then(function () { return self.send(entry, iso); }); });
    chain.then(function () {
      self.busy = false;
      self.submit.disabled = false;
      self.form.removeAttribute("aria-busy");
      var done = todo.filter(function (e) { return e.state === "done"; });
      self.say(self.msg("summary").replace("%(ok)s", done.length).replace("%(total)s", todo.length));
      if (!done.length) return;
      self.form.querySelectorAll("[data-meta]").forEach(function (field) { field.value = ""; });
      var files = done.map(function (e) { return e.result; });
      self.refresh().then(function () {
        self.form.dispatchEvent(new CustomEvent("evidence:uploaded", {bubbles: true, detail: {files: files}}));
      });
    });
  };

  /* After an upload: the document's background check (evidence:check, JSON), polled every 2 s
     at first, more slowly later, for five minutes at most. Its badges go under the file; a
     proposal (number, date, issuer, title) that the typed fields lack or contradict is offered
     inside the form with "Dùng đề xuất" (evidence:accept_proposal) and "Bỏ qua". */
  var CHECK_FIRST = 2000, CHECK_LONGEST = 15000, CHECK_GIVE_UP = 5 * 60 * 1000;
  var BADGES = {ok: 1, warn: 1, bad: 1, info: 1};

  Widget.prototype.watch = function (entry) {
    var self = this, url = entry.result && entry.result.check_url;
    if (!url) return;
    var started = Date.now(), delay = CHECK_FIRST;
    entry.checkEl = document.createElement("span");
    entry.checkEl.className = "ev-item-check";
    entry.checkEl.textContent = this.msg("checking");
    entry.li.appendChild(entry.checkEl);
    function later() {
      delay = Math.min(CHECK_LONGEST, Math.round(delay * 1.3));
      if (Date.now() - started + delay > CHECK_GIVE_UP) { entry.checkEl.textContent = self.msg("check-slow"); return; }
      window.setTimeout(tick, delay);
    }
    function tick() {
      if (!self.form.isConnected) return;
      fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (response) {
          if (response.status >= 400 && response.status < 500) return null;
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(function (data) {
          if (!data) { entry.checkEl.textContent = ""; return; }
          self.showCheck(entry, data);
          if (data.active) later();
          else if (data.proposal && data.proposal_differs && data.accept_url) self.offer(entry, data);
        })
        .catch(later);
    }
    window.setTimeout(tick, 300);  // the job starts when the upload commits: often done at once
  };

  Widget.prototype.showCheck = function (entry, data) {
    var line = entry.checkEl;
    line.textContent = "";
    (data.badges || []).forEach(function (badge) {
      var span = document.createElement("span");
      span.className = "ev-badge ev-badge-" + (BADGES[badge.css] ? badge.css : "info");
      span.textContent = badge.text;
      line.append(span, " ");
    });
    if (data.state) {
      var small = document.createElement("small");
      small.className = data.status === "failed" ? "ev-bad" : "muted";
      small.textContent = data.state;
      line.appendChild(small);
    }
  };

  function button(text, css) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = css;
    b.textContent = text;
    return b;
  }

  Widget.prototype.offer = function (entry, data) {
    var self = this, box = this.form.querySelector("[data-proposals]");
    if (!box || entry.offered) return;
    entry.offered = true;
    var card = document.createElement("section"), title = document.createElement("p");
    card.className = "ev-offer";
    title.className = "ev-offer-title";
    title.id = (this.input.id || "ev") + "-offer-" + data.id;
    title.textContent = this.msg("proposal").replace("%(name)s", entry.result.name || entry.file.name);
    card.setAttribute("aria-labelledby", title.id);
    var list = document.createElement("dl");
    [["number", "number"], ["issued_on", "issued_on"], ["issuer", "issuer"], ["title", "summary"]].forEach(function (pair) {
      var value = data.proposal[pair[0]], current = data.document && data.document[pair[1]];
      if (!value) return;
      var dt = document.createElement("dt"), dd = document.createElement("dd");
      dt.textContent = self.msg(pair[0]);
      dd.textContent = value;
      if (current && current !== value) {
        var was = document.createElement("small");
        was.className = "muted";
        was.textContent = " (" + self.msg("current") + " " + current + ")";
        dd.appendChild(was);
      }
      list.append(dt, dd);
    });
    var actions = document.createElement("div"), note = document.createElement("p");
    var use = button(this.msg("accept"), "btn btn-small"), skip = button(this.msg("dismiss"), "btn btn-secondary btn-small");
    actions.className = "actions";
    actions.append(use, skip);
    note.className = "ev-offer-msg";
    card.append(title, list, actions, note);
    box.appendChild(card);
    skip.addEventListener("click", function () { card.remove(); self.input.focus(); });
    use.addEventListener("click", function () {
      use.disabled = skip.disabled = true;
      note.className = "ev-offer-msg";
      note.textContent = self.msg("accepting");
      var token = self.form.querySelector("[name=csrfmiddlewaretoken]"), body = new FormData();
      if (token) body.append("csrfmiddlewaretoken", token.value);
      fetch(data.accept_url, {method: "POST", body: body, credentials: "same-origin",
        headers: {"Accept": "application/json", "X-CSRFToken": token ? token.value : ""}})
        .then(function (response) {
          return response.json().then(function (answer) { return {ok: response.ok, answer: answer}; });
        })
        .then(function (r) {
          if (!r.ok) {
            note.className = "ev-offer-msg ev-bad";
            note.textContent = r.answer.detail || self.msg("failed");
            use.disabled = skip.disabled = false;
            return;
          }
          note.textContent = r.answer.detail;
          actions.remove();
          card.classList.add("is-accepted");
          if (r.answer.check) self.showCheck(entry, r.answer.check);
          self.form.dispatchEvent(new CustomEvent("evidence:accepted", {bubbles: true, detail: r.answer}));
          self.refresh();
        })
        .catch(function () {
          note.className = "ev-offer-msg ev-bad";
          note.textContent = self.msg("network");
          use.disabled = skip.disabled = false;
        });
    });
  };

  Widget.prototype.refresh = function () {
    var selector = this.form.getAttribute("data-target");
    var current = selector && document.querySelector(selector);
    if (!current) return Promise.resolve();
    return fetch(window.location.href, {credentials: "same-origin", headers: {"X-Requested-With": "XMLHttpRequest"}})
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) {
        if (!html) return;
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector(selector);
        if (!fresh) return;
        current.replaceWith(fresh);
        if (window.htmx) window.htmx.process(fresh);
        init(fresh);
      })
      .catch(function () { /* the list stays as it was; the uploads themselves succeeded */ });
  };

  function init(root) {
    (root || document).querySelectorAll("[data-evidence-upload]").forEach(function (form) {
      if (!form.evidenceWidget) form.evidenceWidget = new Widget(form);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  } else {
    init(document);  // loaded late (e.g. with a widget swapped in by htmx)
  }
  document.addEventListener("htmx:load", function (e) { if (e.target && e.target.querySelectorAll) init(e.target); });
  if (!window.cchcEvidence) window.cchcEvidence = {init: init, isoDate: isoDate};
})();
