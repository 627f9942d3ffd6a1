/* Live progress of the evidence checks. A badge fragment (templates/evidence/_check.html) whose
   document is still being checked carries `data-check-poll`, the URL of the same fragment
   freshly drawn (evidence:check with ?html=1). This asks for it again, every 2 s at first and
   more slowly as time passes, swaps it in, and stops once the check is done or failed (the
   fresh fragment no longer carries the attribute), on a 4xx answer, or after five minutes.
   Fragments added later (the upload widget's refresh, htmx swaps, the scoring page's script)
   are found by a MutationObserver. Without script the page shows the state it was drawn with. */
(function () {
  "use strict";
  if (window.cchcEvidenceCheck) return;
  var FIRST = 2000, LONGEST = 15000, GIVE_UP = 5 * 60 * 1000;

  function poll(el) {
    if (el.evidencePolling) return;
    el.evidencePolling = true;
    var started = Date.now(), delay = FIRST;
    function later() {
      delay = Math.min(LONGEST, Math.round(delay * 1.3));
      if (Date.now() - started + delay <= GIVE_UP) window.setTimeout(tick, delay);
    }
    function tick() {
      if (!el.isConnected) return;
      fetch(el.getAttribute("data-check-poll"), {credentials: "same-origin", headers: {"Accept": "text/html"}})
        .then(function (response) {
          if (response.status >= 400 && response.status < 500) return null;  // gone or no longer allowed
          if (!response.ok) throw new Error(String(response.status));
          return response.text();
        })
        .then(function (html) {
          if (html === null || !el.isConnected) return;
          var holder = document.createElement("template");
          holder.innerHTML = html.trim();
          var fresh = holder.content.querySelector(".ev-check");
          if (!fresh) return;
          if (fresh.hasAttribute("data-check-poll")) {
            el.innerHTML = fresh.innerHTML;  // still checking: the same element, the new percentage
            later();
          } else {
            el.replaceWith(fresh);
          }
        })
        .catch(later);  // a network hiccup: try again, more slowly
    }
    window.setTimeout(tick, delay);
  }

  function scan(root) {
    if (!root || !root.querySelectorAll) return;
    if (root.matches && root.matches("[data-check-poll]")) poll(root);
    root.querySelectorAll("[data-check-poll]").forEach(poll);
  }

  function start() {
    scan(document.body);
    new MutationObserver(function (records) {
      records.forEach(function (record) { record.addedNodes.forEach(function (node) { if (node.nodeType === 1) scan(node); }); });
    }).observe(document.body, {childList: true, subtree: true});
  }

  window.cchcEvidenceCheck = {scan: scan};
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
