// Suggested articles on the console's ticket page: "insert link" / "insert text" put the
// article into the reply box at the cursor, then record the use for the measurement.
(function () {
  "use strict";
  if (window.tierdeskKbInsert) return;
  window.tierdeskKbInsert = true;
  function csrf() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || ""; }
    catch (e) { return ""; }
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-kb-insert]");
    if (!button) return;
    var box = document.getElementById("reply-body");
    var panel = button.closest("[data-ticket]");
    if (!box || !panel) return;
    var text = button.getAttribute("data-text") || "";
    var start = box.selectionStart || box.value.length, end = box.selectionEnd || start;
    var before = box.value.slice(0, start), after = box.value.slice(end);
    var gap = before && !before.endsWith("\n") ? "\n" : "";
    box.value = before + gap + text + "\n" + after;
    box.focus();
    box.dispatchEvent(new Event("input", { bubbles: true }));
    fetch("/api/tickets/" + encodeURIComponent(panel.getAttribute("data-ticket")) + "/kb-suggestions/used", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
      body: JSON.stringify({
        article_id: button.getAttribute("data-article"),
        language: button.getAttribute("data-language"),
        how: button.getAttribute("data-kb-insert")
      })
    });
  });
})();
