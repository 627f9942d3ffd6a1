/* Jobs and the outbox: confirmations, a busy upload button, the progress in the tab title.
   The pages work without it; htmx (loaded by base.html) polls the progress partial. */
(function () {
  "use strict";
  var baseTitle = document.title;
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    var busy = form.getAttribute("data-busy");
    if (busy) {
      var button = form.querySelector("button[type=submit]");
      if (button) {
        // Disable after the submit has been taken into account, so the form still posts.
        window.setTimeout(function () { button.disabled = true; button.textContent = busy; }, 0);
      }
    }
  });
  function showProgress() {
    var box = document.getElementById("job-progress");
    if (!box) return;
    var bar = box.querySelector("progress");
    var status = box.getAttribute("data-job-status");
    if (bar && (status === "queued" || status === "running")) {
      document.title = bar.value + "% · " + baseTitle;
    } else {
      document.title = baseTitle;
    }
  }
  document.addEventListener("DOMContentLoaded", showProgress);
  document.addEventListener("htmx:afterSwap", showProgress);
})();
