// The console's own script (no inline script anywhere: the pages' CSP forbids it).
(function () {
  "use strict";

  // A <select data-autosubmit> submits its form when changed (the language switch).
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("select[data-autosubmit]") && el.form) {
      el.form.requestSubmit();
    }
  });

  // Images from outside in customer messages are held (sanitize.py moves src to data-src):
  // a button beside each loads it on a click, never on its own.
  function holdImages(root) {
    root.querySelectorAll("img.held[data-src]").forEach(function (img) {
      if (img.dataset.wired) return;
      img.dataset.wired = "1";
      var button = document.createElement("button");
      button.type = "button";
      button.className = "small load-image";
      var host = "";
      try { host = new URL(img.dataset.src).host; } catch (e) { host = "?"; }
      button.textContent = (document.body.dataset.lang === "zh-TW" ? "載入外部圖片 " : "Load image from ") + host;
      button.addEventListener("click", function () {
        img.src = img.dataset.src;
        img.classList.remove("held");
        button.remove();
      });
      img.after(button);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { holdImages(document); });
  document.addEventListener("htmx:afterSwap", function (event) { holdImages(event.target); });
})();
