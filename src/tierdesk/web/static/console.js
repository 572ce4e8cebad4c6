// The console's own script (no inline script anywhere: the pages' CSP forbids it).
(function () {
  "use strict";
  var zh = function () { return document.body.dataset.lang === "zh-TW"; };

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
      var host = "?";
      try { host = new URL(img.dataset.src).host; } catch (e) { /* keep ? */ }
      button.textContent = (zh() ? "載入外部圖片 " : "Load image from ") + host;
      button.addEventListener("click", function () {
        img.src = img.dataset.src;
        img.classList.remove("held");
        button.remove();
      });
      img.after(button);
    });
  }

  // The reply box: placeholders still in it ({issue}) and a template sent unchanged are
  // shown before sending; the server refuses the first anyway (unfilled_placeholders).
  var PLACEHOLDER = /\{\s*[A-Za-z_][A-Za-z0-9_]*\s*\}/g;
  function checkReply(box) {
    var form = box.form;
    var warn = form.querySelector("[data-unfilled]");
    var found = (box.value.match(PLACEHOLDER) || []).filter(function (v, i, a) { return a.indexOf(v) === i; });
    if (warn) {
      warn.hidden = found.length === 0;
      warn.querySelector("span").textContent = found.join(" ");
    }
    var unedited = form.querySelector("[data-unedited]");
    var filled = form.querySelector("[data-filled-body]");
    if (unedited && filled) {
      unedited.hidden = !filled.value || filled.value.trim() !== box.value.trim();
    }
    var replying = document.getElementById("replying");
    if (replying) replying.value = box.value.trim() ? "1" : "";
    return found;
  }
  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("textarea[data-placeholder-check]")) {
      checkReply(event.target);
    }
  });
  document.addEventListener("submit", function (event) {
    var box = event.target.querySelector && event.target.querySelector("textarea[data-placeholder-check]");
    if (box && checkReply(box).length) {
      event.preventDefault();
      event.stopImmediatePropagation();
      box.focus();
    }
  }, true);
  document.addEventListener("htmx:confirm", function (event) {
    var form = event.target;
    var box = form.querySelector && form.querySelector("textarea[data-placeholder-check]");
    if (box && checkReply(box).length) { event.preventDefault(); box.focus(); }
  });

  // Keyboard: j/k move through a list, Enter opens; on a ticket r = reply, n = note,
  // a = assign to me, u = back to the queue. Never while typing in a field.
  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }
  var current = -1;
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("[data-keyboard-list] tbody tr")); }
  function mark(i) {
    var all = rows();
    if (!all.length) return;
    current = Math.max(0, Math.min(all.length - 1, i));
    all.forEach(function (r, j) { r.classList.toggle("current", j === current); });
    var link = all[current].querySelector("a");
    if (link) link.focus();
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var key = event.key;
    if ((key === "j" || key === "k") && document.getElementById("ticket")) {
      var link = document.querySelector(key === "j" ? "[data-queue-next]" : "[data-queue-prev]");
      if (link && !link.hidden && link.getAttribute("href") !== "#") { window.location.href = link.href; }
      event.preventDefault();
    }
    else if (key === "j") { mark(current + 1); event.preventDefault(); }
    else if (key === "k") { mark(current - 1); event.preventDefault(); }
    else if (key === "x" && current >= 0 && rows()[current]) {
      var choose = rows()[current].querySelector("input[name=ticket]");
      if (choose) { choose.checked = !choose.checked; event.preventDefault(); }
    }
    else if (key === "r" || key === "n") {
      var box = document.getElementById(key === "r" ? "reply-body" : "note-body");
      if (box) { box.focus(); event.preventDefault(); }
    } else if (key === "a") {
      var assign = document.querySelector("[data-key=a]");
      if (assign) { assign.click(); event.preventDefault(); }
    } else if (key === "u") {
      if (document.getElementById("ticket")) { window.location.href = remembered().url || "/queue"; }
    }
  });

  // Next / previous ticket: the queue page remembers the tickets it lists (this tab only,
  // sessionStorage); a ticket opened from it links to its neighbours there (j / k, u back).
  var QUEUE_KEY = "tierdesk.queue";
  function remembered() {
    try { return JSON.parse(window.sessionStorage.getItem(QUEUE_KEY) || "{}"); } catch (e) { return {}; }
  }
  function rememberQueue() {
    var list = document.getElementById("queue-list");
    if (!list) return;
    var ids = Array.prototype.map.call(list.querySelectorAll("tbody tr[data-href]"), function (r) {
      return r.dataset.href.replace("/tickets/", "");
    });
    try {
      window.sessionStorage.setItem(QUEUE_KEY, JSON.stringify({ ids: ids, url: window.location.pathname + window.location.search }));
    } catch (e) { /* storage off: no neighbours */ }
  }
  function showNeighbours() {
    var nav = document.querySelector("[data-queue-nav]");
    var ticket = document.getElementById("ticket");
    if (!nav || !ticket) return;
    var queue = remembered();
    var ids = queue.ids || [];
    var at = ids.indexOf(ticket.dataset.ticket);
    if (at < 0) return;
    nav.querySelector("[data-queue-back]").href = queue.url || "/queue";
    var prev = nav.querySelector("[data-queue-prev]");
    var next = nav.querySelector("[data-queue-next]");
    prev.hidden = at === 0;
    next.hidden = at === ids.length - 1;
    if (at > 0) prev.href = "/tickets/" + ids[at - 1];
    if (at < ids.length - 1) next.href = "/tickets/" + ids[at + 1];
    var pos = nav.querySelector("[data-queue-pos]");
    pos.textContent = pos.dataset.of.replace("{n}", String(at + 1)).replace("{total}", String(ids.length));
    nav.hidden = false;
  }

  // Bulk changes: the header box chooses every row of the page; while any row is chosen the
  // list's poll is held, so a refresh never drops what the agent has ticked.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("input[data-choose-all]")) {
      document.querySelectorAll("#queue-list input[name=ticket]").forEach(function (box) { box.checked = el.checked; });
    }
  });
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    if (elt && elt.id === "queue-list" && document.querySelector("#queue-list input[name=ticket]:checked")) {
      event.preventDefault();
    }
  });

  document.addEventListener("DOMContentLoaded", function () { holdImages(document); rememberQueue(); showNeighbours(); });
  document.addEventListener("htmx:afterSwap", function (event) {
    holdImages(event.target);
    rememberQueue();
    var all = rows();
    if (current >= 0 && all[current]) all[current].classList.add("current");
  });
})();
