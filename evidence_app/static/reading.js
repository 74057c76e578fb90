// The document page while the document is being read: ask every few seconds, show the results when they are in.
(function () {
  "use strict";
  var waiting = document.querySelector("[data-reading-poll]");
  if (!waiting || !window.fetch) return;
  var url = waiting.getAttribute("data-reading-poll");
  var tries = 0;
  function ask() {
    tries += 1;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) {
        if (answer && answer.status && answer.status !== "pending") {
          window.location.reload();
        } else if (tries < 200) {
          window.setTimeout(ask, tries < 10 ? 2000 : 6000);
        }
      })
      .catch(function () { if (tries < 200) window.setTimeout(ask, 6000); });
  }
  window.setTimeout(ask, 1500);
})();
