/* 正文编辑器: Quill inside a Streamlit component (v1 protocol by hand: no React, no build step).
   Python mounts a new instance (a new key) whenever it replaces the text, so the editor loads
   args.value once and afterwards only reports what the officer wrote. */
(function () {
  "use strict";

  var Delta = Quill.import("delta");
  var quill = null;
  var timer = null;
  var wordPaste = false;
  var editingImage = null;
  var SEND_DELAY = 500;
  var IMAGE_MAX = 2 * 1024 * 1024;
  var IMAGE_TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp"];

  function post(type, data) {
    var message = { isStreamlitMessage: true, type: type };
    Object.keys(data || {}).forEach(function (k) { message[k] = data[k]; });
    window.parent.postMessage(message, "*");
  }

  function fitFrame() {
    post("streamlit:setFrameHeight", { height: Math.ceil(document.body.getBoundingClientRect().height) + 2 });
  }

  // getSemanticHTML writes every space as &nbsp; (text nodes only), so the inverse is exact
  function currentHtml() {
    if (quill.getText().trim() === "" && !quill.root.querySelector("img, table")) return "";
    return quill.getSemanticHTML().replace(/&nbsp;/g, " ");
  }

  function send() {
    clearTimeout(timer);
    timer = null;
    post("streamlit:setComponentValue", { value: currentHtml(), dataType: "json" });
  }

  function sendSoon() {
    clearTimeout(timer);
    timer = setTimeout(send, SEND_DELAY);
  }

  function markImages() {
    quill.root.querySelectorAll("img").forEach(function (img) {
      img.classList.toggle("no-alt", !(img.getAttribute("alt") || "").trim());
      img.title = (img.getAttribute("alt") || "").trim() ? "图片说明:" + img.getAttribute("alt") : "缺少图片说明,点击填写";
    });
  }

  // ---------------------------------------------------------------- panels
  function panel(name) { return document.getElementById("panel-" + name); }

  function closePanels() {
    ["link", "image", "table"].forEach(function (n) { panel(n).hidden = true; });
    document.querySelectorAll(".panel .note[role=alert]").forEach(function (n) { n.textContent = ""; });
    if (editingImage) editingImage.classList.remove("selected");
    editingImage = null;
    fitFrame();
  }

  var savedRange = null;

  function openPanel(name) {
    savedRange = quill.getSelection() || { index: quill.getLength() - 1, length: 0 };
    closePanels();
    panel(name).hidden = false;
    if (name === "link") {
      document.getElementById("link-url").value = quill.getFormat(savedRange).link || "";
      document.getElementById("link-url").focus();
    } else if (name === "image") {
      document.getElementById("image-file-label").hidden = false;
      document.getElementById("image-file").value = "";
      document.getElementById("image-alt").value = "";
      document.getElementById("image-ok").textContent = "插入图片";
    }
    fitFrame();
  }

  function editImage(img) {
    closePanels();
    editingImage = img;
    img.classList.add("selected");
    panel("image").hidden = false;
    document.getElementById("image-file-label").hidden = true;
    document.getElementById("image-alt").value = img.getAttribute("alt") || "";
    document.getElementById("image-ok").textContent = "保存图片说明";
    document.getElementById("image-alt").focus();
    fitFrame();
  }

  function submitLink(event) {
    event.preventDefault();
    var url = document.getElementById("link-url").value.trim();
    if (!/^(https?:\/\/|mailto:|\/)/i.test(url)) {
      document.getElementById("link-note").textContent = "请填写以 http://、https:// 或 / 开头的链接地址";
      return;
    }
    if (savedRange.length === 0) {
      quill.insertText(savedRange.index, url, "link", url, "user");
    } else {
      quill.formatText(savedRange.index, savedRange.length, "link", url, "user");
    }
    closePanels();
  }

  function removeLink() {
    if (savedRange && savedRange.length) quill.formatText(savedRange.index, savedRange.length, "link", false, "user");
    closePanels();
  }

  function submitImage(event) {
    event.preventDefault();
    var note = document.getElementById("image-note");
    var alt = document.getElementById("image-alt").value.trim();
    if (!alt) {
      note.textContent = "请填写图片说明:读屏软件会朗读它,代替看不到的图片";
      return;
    }
    if (editingImage) {
      var blot = Quill.find(editingImage);
      if (blot && blot.format) blot.format("alt", alt);
      quill.update("user");
      markImages();
      closePanels();
      send();
      return;
    }
    var file = document.getElementById("image-file").files[0];
    if (!file) { note.textContent = "请选择图片文件"; return; }
    if (IMAGE_TYPES.indexOf(file.type) < 0) { note.textContent = "只能插入 PNG、JPEG、GIF、WEBP 格式的图片"; return; }
    if (file.size > IMAGE_MAX) { note.textContent = "图片不能超过 2 MB,请压缩后再插入"; return; }
    var reader = new FileReader();
    reader.onload = function () {
      var index = savedRange.index;
      quill.updateContents(new Delta().retain(index).insert({ image: reader.result }, { alt: alt }), "user");
      quill.setSelection(index + 1, 0, "silent");
      markImages();
      closePanels();
    };
    reader.readAsDataURL(file);
  }

  function submitTable(event) {
    event.preventDefault();
    var rows = Math.max(1, Math.min(50, parseInt(document.getElementById("table-rows").value, 10) || 3));
    var cols = Math.max(1, Math.min(12, parseInt(document.getElementById("table-cols").value, 10) || 3));
    quill.setSelection(savedRange.index, 0, "silent");
    quill.getModule("table").insertTable(rows, cols);
    closePanels();
  }

  // ---------------------------------------------------------------- toolbar state
  function refreshToolbar(range) {
    var format = range ? quill.getFormat(range) : {};
    document.getElementById("block").value = format.header ? String(format.header) : "";
    document.querySelectorAll("[data-format]").forEach(function (b) {
      b.setAttribute("aria-pressed", format[b.dataset.format] ? "true" : "false");
    });
    document.querySelectorAll("[data-list]").forEach(function (b) {
      b.setAttribute("aria-pressed", format.list === b.dataset.list ? "true" : "false");
    });
    var inTable = range ? quill.getModule("table").getTable(range)[0] !== null : false;
    var tools = document.getElementById("table-tools");
    if (tools.hidden === inTable) { tools.hidden = !inTable; fitFrame(); }
  }

  function wireToolbar() {
    // a click on a toolbar button must not take the caret (and the selection it formats) out of the text
    document.querySelectorAll(".toolbar button").forEach(function (b) {
      b.addEventListener("mousedown", function (e) { e.preventDefault(); });
    });
    document.getElementById("block").addEventListener("change", function (e) {
      quill.focus();
      quill.format("header", e.target.value ? parseInt(e.target.value, 10) : false, "user");
    });
    document.querySelectorAll("[data-format]").forEach(function (b) {
      b.addEventListener("click", function () {
        var name = b.dataset.format;
        quill.format(name, !quill.getFormat()[name], "user");
        refreshToolbar(quill.getSelection());
      });
    });
    document.querySelectorAll("[data-list]").forEach(function (b) {
      b.addEventListener("click", function () {
        var list = b.dataset.list;
        quill.format("list", quill.getFormat().list === list ? false : list, "user");
        refreshToolbar(quill.getSelection());
      });
    });
    document.querySelectorAll("[data-table]").forEach(function (b) {
      b.addEventListener("click", function () {
        quill.getModule("table")[b.dataset.table]();
        refreshToolbar(quill.getSelection());
      });
    });
    document.querySelectorAll("[data-panel]").forEach(function (b) {
      b.addEventListener("click", function () { openPanel(b.dataset.panel); });
    });
    document.querySelectorAll("[data-close]").forEach(function (b) { b.addEventListener("click", closePanels); });
    document.getElementById("clean").addEventListener("click", function () {
      var range = quill.getSelection(true);
      if (range.length) quill.removeFormat(range.index, range.length, "user");
    });
    document.getElementById("undo").addEventListener("click", function () { quill.history.undo(); });
    document.getElementById("redo").addEventListener("click", function () { quill.history.redo(); });
    panel("link").addEventListener("submit", submitLink);
    document.getElementById("link-remove").addEventListener("click", removeLink);
    panel("image").addEventListener("submit", submitImage);
    panel("table").addEventListener("submit", submitTable);
  }

  // ---------------------------------------------------------------- paste from Word / WPS
  // a first-line indent (首行缩进) pastes as a tab; the portal's stylesheet indents paragraphs itself
  function dropIndentTab(node, delta) {
    var first = delta.ops[0];
    if (!first || typeof first.insert !== "string" || first.insert.charAt(0) !== "\t") return delta;
    if (!node.style || !parseFloat(node.style.textIndent || 0)) return delta;
    var rest = first.insert.slice(1);
    var ops = rest ? [Object.assign({}, first, { insert: rest })] : [];
    return new Delta(ops.concat(delta.ops.slice(1)));
  }

  // Word's 标题 1 is the page's headline level: shift pasted Word headings down one level, as the .docx import does
  function shiftWordHeadings(node, delta) {
    delta = dropIndentTab(node, delta);
    if (!wordPaste) return delta;
    return new Delta(delta.ops.map(function (op) {
      if (!op.attributes || !op.attributes.header) return op;
      var attributes = Object.assign({}, op.attributes, { header: Math.min(op.attributes.header + 1, 6) });
      return Object.assign({}, op, { attributes: attributes });
    }));
  }

  function watchPaste(container) {
    container.addEventListener("paste", function (e) {
      var html = e.clipboardData ? e.clipboardData.getData("text/html") : "";
      wordPaste = /urn:schemas-microsoft-com:office|ProgId content=["']?(Word|Kingsoft|WPS)|mso-/i.test(html);
    }, true);
  }

  // ---------------------------------------------------------------- start
  function start(args) {
    var readOnly = Boolean(args.readonly);
    document.body.classList.toggle("disabled", readOnly);
    var container = document.getElementById("editor");
    container.style.height = (args.height || 360) + "px";
    quill = new Quill(container, {
      formats: ["header", "bold", "italic", "list", "indent", "link", "image", "table", "blockquote", "script"],
      modules: { toolbar: false, table: true, history: { delay: 800, userOnly: true } },
      placeholder: args.placeholder || "",
      readOnly: readOnly,
    });
    quill.root.setAttribute("aria-label", "正文");
    quill.root.setAttribute("role", "textbox");
    quill.clipboard.addMatcher(Node.ELEMENT_NODE, shiftWordHeadings);
    watchPaste(container);
    if (args.value) {
      quill.setContents(quill.clipboard.convert({ html: args.value }), "silent");
      quill.history.clear();
    }
    markImages();
    wireToolbar();
    quill.on("text-change", function (delta, old, source) {
      markImages();
      if (source === "user") sendSoon();
    });
    quill.on("selection-change", function (range) { if (range) refreshToolbar(range); });
    quill.root.addEventListener("click", function (e) {
      if (e.target.tagName === "IMG" && !readOnly) editImage(e.target);
    });
    // a click on 保存 outside the frame takes the focus away: report what was typed before that click counts
    window.addEventListener("blur", function () { if (timer !== null) send(); });
    try { if (window.frameElement) window.frameElement.setAttribute("title", "正文编辑器"); } catch (e) { /* other origin */ }
    new ResizeObserver(fitFrame).observe(document.body);
    fitFrame();
  }

  window.addEventListener("message", function (event) {
    var data = event.data || {};
    if (data.type !== "streamlit:render" || quill !== null) return;
    start(data.args || {});
  });
  post("streamlit:componentReady", { apiVersion: 1 });
}());
