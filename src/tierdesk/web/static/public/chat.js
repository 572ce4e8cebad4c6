/*
 * tierdesk chat widget: one script tag on your site opens a chat served by tierdesk.
 *
 *   <script src="https://help.example.com/static/public/chat.js" defer
 *           data-lang="zh-TW" data-label="Chat with us"></script>
 *
 * The chat itself is a tierdesk page in an iframe (allowed to be framed by the sites listed in
 * TIERDESK_CHAT_FRAME_ANCESTORS). This file only adds a button and the frame; it runs no
 * inline script and loads nothing else. data-lang: en or zh-TW (default: the page's lang);
 * data-label: the button's text; data-open="true": open at once.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.src) { return; }
  var base = script.src.replace(/\/static\/public\/chat\.js(?:[?#].*)?$/, "");
  var lang = script.getAttribute("data-lang") || document.documentElement.lang || "en";
  lang = /^zh/i.test(lang) ? "zh-TW" : "en";
  var labels = {
    en: { open: "Chat with us", close: "Close the chat", title: "Chat with us" },
    "zh-TW": { open: "線上客服", close: "關閉對話", title: "線上客服" }
  };
  var text = labels[lang];
  var openLabel = script.getAttribute("data-label") || text.open;

  function style(el, rules) {
    for (var key in rules) { if (Object.prototype.hasOwnProperty.call(rules, key)) { el.style[key] = rules[key]; } }
  }

  function build() {
    var root = document.createElement("div");
    root.setAttribute("data-tierdesk-chat", "");
    style(root, { position: "fixed", right: "20px", bottom: "20px", zIndex: "2147483000",
                  display: "flex", flexDirection: "column", alignItems: "flex-end", gap: "10px" });
    var frame = null;
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = openLabel;
    button.setAttribute("aria-expanded", "false");
    style(button, { font: "600 15px system-ui, sans-serif", color: "#fff", background: "#1f5fbf",
                    border: "0", borderRadius: "22px", padding: "11px 18px", cursor: "pointer",
                    boxShadow: "0 2px 8px rgba(0,0,0,.25)" });
    button.addEventListener("click", function () {
      if (!frame) {
        frame = document.createElement("iframe");
        frame.src = base + "/chat?lang=" + encodeURIComponent(lang);
        frame.title = text.title;
        frame.setAttribute("data-tierdesk-chat-frame", "");
        style(frame, { width: "min(380px, calc(100vw - 40px))", height: "min(560px, calc(100vh - 100px))",
                       border: "1px solid #d8dce3", borderRadius: "10px", background: "#fff",
                       boxShadow: "0 6px 24px rgba(0,0,0,.25)" });
        root.insertBefore(frame, button);
      } else {
        frame.style.display = frame.style.display === "none" ? "" : "none";
      }
      var open = frame.style.display !== "none";
      button.textContent = open ? text.close : openLabel;
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
    root.appendChild(button);
    document.body.appendChild(root);
    if (script.getAttribute("data-open") === "true") { button.click(); }
  }

  if (document.body) { build(); } else { document.addEventListener("DOMContentLoaded", build); }
})();
