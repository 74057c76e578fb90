// The "In" (print) buttons: shown once this script runs, they open the browser's print dialog; an element with
// data-autoprint (a page opened with ?print=1) opens it as soon as the page has loaded. A file of the app's own:
// the content security policy allows no inline script.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
if (document.querySelector("[data-autoprint]")) {
  window.addEventListener("load", function () { window.print(); });
}
