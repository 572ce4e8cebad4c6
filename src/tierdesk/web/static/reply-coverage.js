// On a complaint, the policy's LAST / HEARD steps are ticked off as the reply covers them
// (R-TPL-2). The detection is the server's (QA's own): this script only sends the draft, a
// moment after the agent stops typing, and ticks what the answer says is covered, showing the
// sentence that covers it. A step the agent ticks by hand stays as the agent set it.
(function () {
  "use strict";
  var DELAY = 350;
  var timer = null;
  var sent = 0;

  function csrf() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || ""; }
    catch (e) { return ""; }
  }

  function frameworks() { return document.querySelectorAll("fieldset[data-coverage-url]"); }

  function tick(steps) {
    var found = {};
    steps.forEach(function (s) { found[s.framework + "/" + s.step] = s; });
    frameworks().forEach(function (fieldset) {
      var fw = fieldset.dataset.framework;
      fieldset.querySelectorAll("label[data-step]").forEach(function (label) {
        var s = found[fw + "/" + label.dataset.step];
        var box = label.querySelector("input[type=checkbox]");
        var quote = label.querySelector("q.evidence");
        var covered = !!(s && s.covered);
        label.classList.toggle("covered", covered);
        if (box && !box.dataset.manual) box.checked = covered;
        if (quote) {
          quote.textContent = covered ? s.evidence : "";
          quote.hidden = !covered;
        }
      });
    });
  }

  function check() {
    var list = frameworks();
    var box = document.getElementById("reply-body");
    if (!list.length || !box) return;
    var mine = ++sent;
    var data = new URLSearchParams();
    data.set("body", box.value);
    fetch(list[0].dataset.coverageUrl, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRF-Token": csrf() },
    }).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (steps) { if (steps && mine === sent) tick(steps); })
      .catch(function () { /* offline: the boxes stay as they are */ });
  }

  function later() {
    if (timer) clearTimeout(timer);
    timer = setTimeout(check, DELAY);
  }

  document.addEventListener("input", function (event) {
    if (event.target.id === "reply-body") later();
  });
  // A box the agent ticks or unticks by hand is theirs from then on.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("fieldset[data-coverage-url] input[type=checkbox]")) {
      el.dataset.manual = "1";
    }
  });
  // A template filled into the box, or the ticket section redrawn (a refused reply keeps its
  // text): check what is in the box now.
  document.addEventListener("htmx:afterSettle", function (event) {
    var el = event.target;
    if (el && el.querySelector && (el.id === "reply-body" || el.querySelector("#reply-body"))) later();
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", later);
  else later();
})();
