// The upload form, improved when script runs: drag and drop, several files, a progress bar, and each file's
// result shown in place. Without script the same form posts normally.
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form || !window.FormData || !window.XMLHttpRequest) return;
  var input = document.getElementById("files");
  var zone = document.getElementById("dropzone");
  var progress = document.getElementById("upload-progress");
  var bar = progress.querySelector(".bar");
  var label = progress.querySelector(".label");
  var results = document.getElementById("upload-results");
  var maxBytes = parseInt(form.getAttribute("data-max-bytes"), 10);
  var text = JSON.parse(document.getElementById("upload-text").textContent);

  ["dragenter", "dragover"].forEach(function (name) {
    zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.add("dragging"); });
  });
  ["dragleave", "drop"].forEach(function (name) {
    zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.remove("dragging"); });
  });
  zone.addEventListener("drop", function (event) {
    if (event.dataTransfer && event.dataTransfer.files.length) input.files = event.dataTransfer.files;
  });

  function show(items, cls) {
    items.forEach(function (message) {
      var li = document.createElement("li");
      li.className = cls;
      li.textContent = message;
      results.appendChild(li);
    });
  }

  function clearFieldErrors() {
    form.querySelectorAll(".field .error.js").forEach(function (node) { node.remove(); });
    form.querySelectorAll(".field.has-error").forEach(function (node) { node.classList.remove("has-error"); });
  }

  function fieldErrors(errors) {
    Object.keys(errors).forEach(function (name) {
      var field = form.querySelector('[name="' + name + '"]');
      var box = field ? field.closest(".field") : zone;
      box.classList.add("has-error");
      errors[name].forEach(function (message) {
        var p = document.createElement("p");
        p.className = "error js";
        p.textContent = message;
        box.appendChild(p);
      });
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    results.textContent = "";
    clearFieldErrors();
    var data = new FormData(form);
    var chosen = data.getAll("files").filter(function (f) { return f && f.name; });
    var tooBig = chosen.filter(function (f) { return f.size > maxBytes; });
    if (tooBig.length) {
      show(tooBig.map(function (f) { return f.name + ": " + text.too_large; }), "refused");
      return;
    }
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", function (e) {
      if (!e.lengthComputable) return;
      var percent = Math.round((e.loaded / e.total) * 100);
      bar.style.width = percent + "%";
      label.textContent = percent + "%";
    });
    xhr.addEventListener("load", function () {
      progress.hidden = true;
      var answer = null;
      try { answer = JSON.parse(xhr.responseText); } catch (ignored) { answer = null; }
      if (xhr.status === 413 || !answer) {
        show([xhr.status === 413 ? text.too_large : text.failed], "refused");
        return;
      }
      if (answer.errors) fieldErrors(answer.errors);
      show((answer.accepted || []).map(function (a) { return a.message; }), "accepted");
      show((answer.refused || []).map(function (r) { return r.name + ": " + r.reason; }), "refused");
      if ((answer.accepted || []).length && !(answer.refused || []).length) {
        window.location.reload();
      }
    });
    xhr.addEventListener("error", function () {
      progress.hidden = true;
      show([text.failed], "refused");
    });
    bar.style.width = "0%";
    label.textContent = "0%";
    progress.hidden = false;
    xhr.send(data);
  });
})();
