// The upload form, improved when script runs: drag and drop, several files, a progress bar; once a file is
// accepted the item's page opens at the banner saying what became of each file. What was typed is kept in
// sessionStorage while the page must be left (files refused beside accepted ones, a session that ended) and put
// back when the item's page opens again. Without script the same form posts normally.
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form || !window.FormData || !window.XMLHttpRequest) return;
  var STASH = "minhchung:upload:" + window.location.pathname;
  var FIELDS = ["number", "issue_date", "issuer", "summary", "period_start", "period_end", "page_ref", "sent_date"];
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

  function show(items, cls, list) {
    items.forEach(function (message) {
      var li = document.createElement("li");
      li.className = cls;
      li.textContent = message;
      (list || results).appendChild(li);
    });
  }

  function typed() {
    var values = {};
    FIELDS.forEach(function (name) {
      var field = form.elements[name];
      if (field && field.value) values[name] = field.value;
    });
    return values;
  }

  function stash(value) {
    try {
      if (value) window.sessionStorage.setItem(STASH, JSON.stringify(value));
      else window.sessionStorage.removeItem(STASH);
    } catch (ignored) { /* private browsing: nothing kept */ }
  }

  function sessionEnded(message, login) {
    stash({ fields: typed(), refused: [] });
    var li = document.createElement("li");
    li.className = "refused session-ended";
    li.appendChild(document.createTextNode(message + " "));
    var link = document.createElement("a");
    link.href = login || text.login;
    link.className = "button";
    link.textContent = text.sign_in;
    li.appendChild(link);
    results.appendChild(li);
    link.focus();
  }

  // Back on the item's page after leaving it: the refusals beside the banner, what was typed in the form.
  (function restore() {
    var kept = null;
    try { kept = JSON.parse(window.sessionStorage.getItem(STASH) || "null"); } catch (ignored) { kept = null; }
    stash(null);
    if (!kept) return;
    var outcome = document.getElementById("upload-outcome");
    if (kept.refused && kept.refused.length && outcome) {
      var title = document.createElement("p");
      title.className = "outcome-title";
      title.appendChild(document.createElement("strong")).textContent = text.not_uploaded;
      var list = outcome.querySelector(".outcome-js");
      outcome.classList.add("has-refusals");
      outcome.insertBefore(title, list);
      show(kept.refused, "refused", list);
    }
    var restored = false;
    FIELDS.forEach(function (name) {
      var field = form.elements[name];
      if (field && !field.value && kept.fields && kept.fields[name]) {
        field.value = kept.fields[name];
        restored = true;
      }
    });
    if (restored) show([text.restored], "note");
  })();

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
      if (xhr.status === 413) {
        show([text.too_large], "refused");
        return;
      }
      if (answer && answer.error && answer.error.code === "session_expired") {
        sessionEnded(answer.error.message, answer.error.login);
        return;
      }
      if (!answer && /\/login(\?|$)/.test(xhr.responseURL || "")) {  // sent to the sign-in page
        sessionEnded(text.session_ended, text.login);
        return;
      }
      if (!answer) {
        show([text.failed], "refused");
        return;
      }
      if (answer.errors) fieldErrors(answer.errors);
      var refused = (answer.refused || []).map(function (r) { return r.name + ": " + r.reason; });
      if (answer.next) {  // something was accepted: the item's page says what became of each file
        stash(refused.length ? { fields: typed(), refused: refused } : null);
        window.location.assign(answer.next);
        return;
      }
      show(refused, "refused");
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
