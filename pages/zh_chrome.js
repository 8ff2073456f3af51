// Streamlit's own interface text (file uploader, data grid toolbar, date picker, menus, dialogs,
// aria-labels) is hard-coded English in its frontend, with no locale setting (checked in 1.67).
// This script, installed once per browser tab by the frame (pages/_shared.py chinese_chrome),
// translates those known strings in place as they appear; the dictionary is zh_chrome.json.
(function (dictionary) {
  if (window.__zhChrome) return;
  window.__zhChrome = true;
  const exact = new Map(Object.entries(dictionary.exact));
  const patterns = dictionary.patterns.map(([re, to]) => [new RegExp("^" + re + "$"), to]);
  const words = dictionary.words;
  const ATTRIBUTES = ["aria-label", "aria-valuetext", "aria-roledescription", "aria-description", "title",
                      "placeholder", "alt"];
  const LATIN = /[A-Za-z]/;

  function translate(text) {
    if (!text || !LATIN.test(text)) return null;
    const trimmed = text.trim();
    let found = exact.get(trimmed);
    if (found === undefined) {
      for (const [re, to] of patterns) {
        if (re.test(trimmed)) {
          found = trimmed.replace(re, to).replace(/[A-Za-z]+/g, (w) => words[w] ?? w);
          break;
        }
      }
    }
    return found === undefined ? null : text.replace(trimmed, found);
  }

  function textNode(node) {
    const parent = node.parentElement;
    // icon ligatures (material symbols) are names, not words: leave them
    // what people type is theirs; only an empty field's placeholder (the date segments' yyyy) is ours
    if (!parent || parent.closest('[data-testid="stIconMaterial"], code, pre, textarea')) return;
    const editable = parent.closest('[contenteditable="true"]');
    if (editable && editable.getAttribute("data-placeholder") !== "true") return;
    const to = translate(node.nodeValue);
    if (to !== null && to !== node.nodeValue) node.nodeValue = to;
  }

  function element(el) {
    // the date picker heads its columns S M T W T F S: one letter cannot say which day, the column can
    if (el.tagName === "TH" && /^[A-Z]$/.test(el.textContent.trim()) && el.closest('[data-testid="stDateInputCalendar"]')) {
      el.textContent = "日一二三四五六"[el.cellIndex] ?? el.textContent;
    }
    for (const name of ATTRIBUTES) {
      const value = el.getAttribute(name);
      const to = value && translate(value);
      if (to && to !== value) el.setAttribute(name, to);
    }
  }

  function walk(root) {
    if (root.nodeType === Node.TEXT_NODE) { textNode(root); return; }
    if (root.nodeType !== Node.ELEMENT_NODE) return;
    element(root);
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.nodeType === Node.TEXT_NODE) textNode(node); else element(node);
    }
  }

  new MutationObserver((mutations) => {
    for (const m of mutations) {
      if (m.type === "characterData") textNode(m.target);
      else if (m.type === "attributes") element(m.target);
      else m.addedNodes.forEach(walk);
    }
  }).observe(document.documentElement, {subtree: true, childList: true, characterData: true,
                                        attributes: true, attributeFilter: ATTRIBUTES});
  walk(document.body);
  document.documentElement.lang = "zh-CN";
})(__DICTIONARY__);
