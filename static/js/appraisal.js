/* Appraisal page: inline evidence previews, the explanation request's chosen items, filters.
   Progressive enhancement only: every action works without it. */
(function () {
  "use strict";
  function preview(details) {
    if (!details.open || details.querySelector("iframe, img")) return;
    var src = details.getAttribute("data-src"), kind = details.getAttribute("data-kind"), el;
    if (kind === "image") {
      el = document.createElement("img");
      el.alt = details.getAttribute("data-title") || "";
    } else {
      el = document.createElement("iframe");
      el.title = details.getAttribute("data-title") || "";
    }
    el.src = src;
    el.className = "ap-preview-frame";
    details.appendChild(el);
  }
  function chosen() {
    var out = document.querySelector("[data-chosen]");
    if (!out) return;
    var codes = Array.prototype.map.call(
      document.querySelectorAll("input[name=codes][form=ap-request-form]:checked"), function (b) { return b.value; });
    var label = (document.querySelector("[data-msg-chosen]") || {}).getAttribute
      ? document.querySelector("[data-msg-chosen]").getAttribute("data-msg-chosen") : "";
    out.textContent = codes.length ? label + " " + codes.join(", ") : "";
    var bar = document.querySelector("[data-chosen-bar]");
    if (bar) {
      bar.hidden = !codes.length;
      bar.querySelector("[data-chosen-bar-text]").textContent = out.textContent;
    }
  }
  function filter(kind) {
    document.querySelectorAll(".ap-item").forEach(function (item) {
      var show = !kind || (kind === "pending" && item.getAttribute("data-state") === "pending") ||
        (kind === "changed" && item.classList.contains("ap-changed"));
      item.hidden = !show;
    });
  }
  document.addEventListener("toggle", function (e) {
    if (e.target.matches && e.target.matches("details.ap-preview")) preview(e.target);
  }, true);
  document.addEventListener("change", function (e) {
    if (e.target.matches && e.target.matches("input[name=codes]")) chosen();
  });
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("[data-ap-filter]");
    if (button) filter(button.getAttribute("data-ap-filter"));
  });
  document.addEventListener("htmx:afterSwap", chosen);
})();
