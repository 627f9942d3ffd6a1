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
