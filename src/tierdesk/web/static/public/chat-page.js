// The chat page inside the widget's iframe: keep the newest message in view. No inline
// script anywhere (CSP); htmx does the polling and posting.
(function () {
  "use strict";
  function toBottom() {
    var log = document.getElementById("chat-log");
    if (log) { log.scrollTop = log.scrollHeight; }
  }
  document.addEventListener("DOMContentLoaded", toBottom);
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (!target) { return; }
    if (target.id === "chat-log" || target.id === "chat-panel" || target.querySelector("#chat-log")) {
      toBottom();
    }
  });
  // Enter sends, Shift+Enter makes a new line.
  document.addEventListener("keydown", function (event) {
    var box = event.target;
    if (box && box.id === "chat-body" && event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      if (box.value.trim() && box.form) { box.form.requestSubmit(); }
    }
  });
})();
