/* Small progressive enhancements; every page works without them. */
(function () {
  "use strict";
  function fmt(ms, lang) {
    if (ms <= 0) return lang === "en" ? "closed" : "đã hết hạn";
    var s = Math.floor(ms / 1000), d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600),
        m = Math.floor((s % 3600) / 60), sec = s % 60;
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    var day = lang === "en" ? " days " : " ngày ";
    return (d > 0 ? d + day : "") + pad(h) + ":" + pad(m) + ":" + pad(sec);
  }
  function tick() {
    var lang = document.documentElement.lang;
    document.querySelectorAll("[data-deadline]").forEach(function (el) {
      var left = new Date(el.getAttribute("data-deadline")).getTime() - Date.now();
      el.textContent = fmt(left, lang);
      el.classList.toggle("urgent", left < 24 * 3600 * 1000);
      if (left <= 0 && el.hasAttribute("data-reload-at-deadline") && !el.dataset.reloaded) {
        el.dataset.reloaded = "1";
        window.location.reload();
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { tick(); setInterval(tick, 1000); });
  // What templates would say with onchange=/onclick= (the Content-Security-Policy allows no inline script).
  document.addEventListener("change", function (e) {
    if (e.target.matches && e.target.matches("[data-autosubmit]") && e.target.form) e.target.form.submit();
  });
  document.addEventListener("click", function (e) {
    if (e.target.closest && e.target.closest("[data-print]")) window.print();
  });
})();

/* The portal's one number reading, as cchc_portal/core/numbers.py parse_decimal: "4,5" and
   "4.5" alike; thousands grouping only where it cannot be mistaken ("1 000", "1.000.000",
   "1.000,5"; "1.000" in a whole number); anything else ("4,5,6", letters, "1.000" in a decimal
   field) is an error and nothing is dropped. parseNumber(text, integer) returns
   {ok, value (Number), text ("4.5", what the server stores), error (lang's message)}. */
(function () {
  "use strict";
  var GROUPED = {" ": /^\d{1,3}( \d{3})+$/, ".": /^\d{1,3}(\.\d{3})+$/, ",": /^\d{1,3}(,\d{3})+$/};
  var PLAIN = /^(\d+([.,]\d*)?|[.,]\d+)$/;
  function message(key, text, lang) {
    var en = lang === "en";
    var m = {
      required: en ? "Enter a number." : "Chưa nhập số.",
      marks: en ? "'" + text + "' has more than one decimal mark; a number has one (e.g. 4.5)."
                : "'" + text + "' có nhiều dấu phân cách thập phân; một số chỉ có một dấu phẩy thập phân (ví dụ 4,5).",
      nan: en ? "'" + text + "' is not a number; use digits and one decimal mark (e.g. 4.5)."
              : "'" + text + "' không phải là số; chỉ dùng chữ số và dấu phẩy thập phân (ví dụ 4,5).",
      blanks: en ? "'" + text + "' is not one number; blanks only separate thousands (1 000)."
                 : "'" + text + "' không phải là một số; khoảng trắng chỉ dùng để tách hàng nghìn (1 000).",
      ambiguous: en ? "'" + text + "' could be a thousand or a decimal: write it without a thousands separator."
                    : "'" + text + "' không rõ là số nguyên hay số thập phân: viết không dấu tách hàng nghìn, dùng dấu phẩy cho phần thập phân.",
      integer: en ? "'" + text + "' must be a whole number." : "'" + text + "' phải là số nguyên."
    };
    return m[key];
  }
  function canonical(sign, whole, fraction) {
    whole = whole.replace(/^0+(?=\d)/, "") || "0";
    fraction = (fraction || "").replace(/0+$/, "");
    var text = whole + (fraction ? "." + fraction : "");
    return (sign && text !== "0" ? "-" : "") + text;
  }
  function read(raw, integer) {
    var text = raw.trim(), sign = "";
    if (/^[+\-\u2212]/.test(text)) { sign = text[0] === "+" ? "" : "-"; text = text.slice(1).trim(); }
    if (!text) return {error: "nan"};
    text = text.replace(/[\u00a0\u202f\u2009]/g, " ");
    if (/\s/.test(text)) {
      var m = /^(.*?)(?:([.,])(\d*))?$/.exec(text), whole = m[1].replace(/\s+/g, " ");
      if (!GROUPED[" "].test(whole) || (m[2] && !m[3])) return {error: "blanks"};
      return {sign: sign, whole: whole.replace(/ /g, ""), fraction: m[3] || ""};
    }
    if (!/^[\d.,]+$/.test(text)) return {error: "nan"};
    var dots = (text.match(/\./g) || []).length, commas = (text.match(/,/g) || []).length;
    if (dots && commas) {
      var dec = text.lastIndexOf(",") > text.lastIndexOf(".") ? "," : ".", grp = dec === "," ? "." : ",";
      var at = text.lastIndexOf(dec), w = text.slice(0, at), f = text.slice(at + 1);
      if (text.split(dec).length > 2 || !GROUPED[grp].test(w) || !/^\d+$/.test(f)) return {error: "marks"};
      return {sign: sign, whole: w.split(grp).join(""), fraction: f};
    }
    if (dots > 1 || commas > 1) {
      var mark = dots ? "." : ",";
      if (!GROUPED[mark].test(text)) return {error: "marks"};
      return {sign: sign, whole: text.split(mark).join(""), fraction: ""};
    }
    if (!PLAIN.test(text)) return {error: "nan"};
    var parts = text.replace(",", ".").split("."), whole2 = parts[0], frac = parts[1] || "";
    if (parts.length === 2 && frac.length === 3 && whole2.length >= 1 && whole2.length <= 3 && whole2[0] !== "0") {
      if (integer) return {sign: sign, whole: whole2 + frac, fraction: ""};
      return {error: "ambiguous"};
    }
    return {sign: sign, whole: whole2, fraction: frac};
  }
  function parseNumber(raw, integer) {
    var lang = document.documentElement.lang, shown = String(raw === null || raw === undefined ? "" : raw).trim();
    if (!shown) return {ok: false, empty: true, value: null, text: "", error: message("required", shown, lang)};
    var r = read(shown, integer);
    if (r.error) return {ok: false, value: null, text: "", error: message(r.error, shown, lang)};
    var text = canonical(r.sign, r.whole, r.fraction);
    if (integer && text.indexOf(".") >= 0) return {ok: false, value: null, text: "", error: message("integer", shown, lang)};
    return {ok: true, value: Number(text), text: text, error: null};
  }
  /* A stored number ("4.5") as an input shows it: "4,5" in Vietnamese, "4.5" in English. */
  function inputText(value) {
    if (value === null || value === undefined) return "";
    var text = String(value);
    if (!/^-?\d+(\.\d+)?$/.test(text)) return text;
    return document.documentElement.lang === "en" ? text : text.replace(".", ",");
  }
  window.Portal = window.Portal || {};
  window.Portal.parseNumber = parseNumber;
  window.Portal.inputText = inputText;

  /* Every number input of the portal: a refused number is flagged where it was typed (the text stays). */
  function check(event) {
    var el = event.target;
    if (!el || !el.hasAttribute || !el.hasAttribute("data-number")) return;
    var r = parseNumber(el.value, el.getAttribute("data-number") === "integer");
    var bad = !r.ok && !r.empty;
    if (bad && event.type === "input") return;  // flagged once typing stops (change), cleared at once
    el.setCustomValidity(bad ? r.error : "");
    el.setAttribute("aria-invalid", bad ? "true" : "false");
    el.title = bad ? r.error : "";
  }
  document.addEventListener("change", check);
  document.addEventListener("input", check);
})();
