// Review pages: decisions by keyboard (A approve, S send back, N next) and "select all" in the queue.
(function () {
  "use strict";
  var selectAll = document.getElementById("select-all");
  if (selectAll) {
    selectAll.addEventListener("change", function () {
      document.querySelectorAll('input[name="selected"]').forEach(function (box) { box.checked = selectAll.checked; });
    });
  }
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT")) return;
    var key = event.key.toLowerCase();
    if (key === "a" && document.getElementById("approve")) {
      event.preventDefault();
      document.getElementById("approve").click();
    } else if (key === "s" && document.getElementById("reason")) {
      event.preventDefault();
      document.getElementById("reason").focus();
    } else if (key === "n" && document.getElementById("next")) {
      event.preventDefault();
      window.location.href = document.getElementById("next").href;
    }
  });
})();
