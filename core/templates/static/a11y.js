/* 适老化 switch (GB/T 37668, WCAG 2.1 AA): larger text and higher contrast, remembered in this
   browser. Loaded from <head> without defer so the reader's choice applies before the first
   paint; an external file because the pages run under a strict CSP (script-src 'self').
   Without JavaScript the header keeps a link to /accessibility.html (browser zoom). */
(function () {
  "use strict";
  var KEY = "sxit-portal-elder";
  var CLASS = "elder";
  var root = document.documentElement;

  function stored() {
    try { return window.localStorage.getItem(KEY) === "1"; } catch (e) { return false; }
  }

  function remember(on) {
    try { window.localStorage.setItem(KEY, on ? "1" : "0"); } catch (e) { /* private mode: this page only */ }
  }

  function apply(on) {
    if (on) { root.classList.add(CLASS); } else { root.classList.remove(CLASS); }
  }

  apply(stored());

  function enhance() {
    var link = document.querySelector("[data-a11y-toggle]");
    if (!link) { return; }
    var button = document.createElement("button");
    button.type = "button";
    button.className = link.className;
    button.textContent = "适老化";
    button.title = "放大文字并提高对比度";
    button.setAttribute("aria-pressed", root.classList.contains(CLASS) ? "true" : "false");
    button.addEventListener("click", function () {
      var on = !root.classList.contains(CLASS);
      apply(on);
      remember(on);
      button.setAttribute("aria-pressed", on ? "true" : "false");
    });
    link.parentNode.replaceChild(button, link);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enhance);
  } else {
    enhance();
  }
}());
