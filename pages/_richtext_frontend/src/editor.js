/* 正文编辑器: TipTap (ProseMirror) inside a Streamlit component, speaking the component protocol by hand.
   Python mounts a new instance (a new key) whenever it replaces the text, so the editor loads
   args.value once and afterwards only reports what the officer wrote. Bundled by scripts/build_editor.sh. */
import { Editor } from "@tiptap/core";
import Image from "@tiptap/extension-image";
import Subscript from "@tiptap/extension-subscript";
import Superscript from "@tiptap/extension-superscript";
import { TableKit } from "@tiptap/extension-table";
import { Placeholder } from "@tiptap/extensions";
import StarterKit from "@tiptap/starter-kit";

import { normalizePastedHtml } from "./word.js";

const SEND_DELAY = 500;
const IMAGE_MAX = 2 * 1024 * 1024;
const IMAGE_TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp"];

let editor = null;
let timer = null;
let imagePos = null; // position of the image whose description is being edited

const $ = (id) => document.getElementById(id);

function post(type, data) {
  window.parent.postMessage({ isStreamlitMessage: true, type, ...data }, "*");
}

function fitFrame() {
  post("streamlit:setFrameHeight", { height: Math.ceil(document.body.getBoundingClientRect().height) + 2 });
}

// TipTap wraps the text of every list item and table cell in <p>: one paragraph alone needs no wrapper
function tidy(html) {
  const box = document.createElement("template");
  box.innerHTML = html;
  box.content.querySelectorAll("li, td, th").forEach((cell) => {
    const only = cell.children.length === 1 && cell.firstElementChild;
    if (only && only.tagName === "P" && cell.childNodes.length === 1) only.replaceWith(...only.childNodes);
  });
  box.content.querySelectorAll("colgroup").forEach((group) => group.remove());
  box.content.querySelectorAll("table, td, th").forEach((node) => {
    node.removeAttribute("style");
    ["colspan", "rowspan"].forEach((name) => { if (node.getAttribute(name) === "1") node.removeAttribute(name); });
  });
  return box.innerHTML;
}

function currentHtml() {
  return editor.isEmpty ? "" : tidy(editor.getHTML());
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

// ---------------------------------------------------------------- panels
const panel = (name) => $(`panel-${name}`);

function closePanels() {
  ["link", "image", "table"].forEach((name) => { panel(name).hidden = true; });
  document.querySelectorAll(".panel .note[role=alert]").forEach((note) => { note.textContent = ""; });
  imagePos = null;
  fitFrame();
}

function openPanel(name) {
  closePanels();
  panel(name).hidden = false;
  if (name === "link") {
    $("link-url").value = editor.getAttributes("link").href || "";
    $("link-url").focus();
  } else if (name === "image") {
    const selected = editor.state.selection.node;
    if (selected && selected.type.name === "image") {
      editImage(editor.state.selection.from);
      return;
    }
    $("image-file-label").hidden = false;
    $("image-file").value = "";
    $("image-name").textContent = "未选择文件";
    $("image-alt").value = "";
    $("image-ok").textContent = "插入图片";
  }
  fitFrame();
}

function editImage(pos) {
  closePanels();
  const node = editor.state.doc.nodeAt(pos);
  if (!node || node.type.name !== "image") return;
  imagePos = pos;
  editor.commands.setNodeSelection(pos);
  panel("image").hidden = false;
  $("image-file-label").hidden = true;
  $("image-alt").value = node.attrs.alt || "";
  $("image-ok").textContent = "保存图片说明";
  $("image-alt").focus();
  fitFrame();
}

function submitLink(event) {
  event.preventDefault();
  const url = $("link-url").value.trim();
  if (!/^(https?:\/\/|mailto:|\/)/i.test(url)) {
    $("link-note").textContent = "请填写以 http://、https:// 或 / 开头的链接地址";
    return;
  }
  const chain = editor.chain().focus();
  if (editor.state.selection.empty && !editor.isActive("link")) {
    chain.insertContent({ type: "text", text: url, marks: [{ type: "link", attrs: { href: url } }] }).run();
  } else {
    chain.extendMarkRange("link").setLink({ href: url }).run();
  }
  closePanels();
}

function removeLink() {
  editor.chain().focus().extendMarkRange("link").unsetLink().run();
  closePanels();
}

function submitImage(event) {
  event.preventDefault();
  const note = $("image-note");
  const alt = $("image-alt").value.trim();
  if (!alt) {
    note.textContent = "请填写图片说明:读屏软件会朗读它,代替看不到的图片";
    return;
  }
  if (imagePos !== null) {
    editor.chain().focus().setNodeSelection(imagePos).updateAttributes("image", { alt }).run();
    closePanels();
    send();
    return;
  }
  const file = $("image-file").files[0];
  if (!file) { note.textContent = "请选择图片文件"; return; }
  if (!IMAGE_TYPES.includes(file.type)) { note.textContent = "只能插入 PNG、JPEG、GIF、WEBP 格式的图片"; return; }
  if (file.size > IMAGE_MAX) { note.textContent = "图片不能超过 2 MB,请压缩后再插入"; return; }
  const reader = new FileReader();
  reader.onload = () => {
    editor.chain().focus().setImage({ src: reader.result, alt }).run();
    closePanels();
  };
  reader.readAsDataURL(file);
}

function submitTable(event) {
  event.preventDefault();
  const rows = Math.max(1, Math.min(50, parseInt($("table-rows").value, 10) || 3));
  const cols = Math.max(1, Math.min(12, parseInt($("table-cols").value, 10) || 3));
  editor.chain().focus().insertTable({ rows, cols, withHeaderRow: $("table-header").checked }).run();
  closePanels();
}

// ---------------------------------------------------------------- toolbar
const TABLE_COMMANDS = {
  addRowAfter: (c) => c.addRowAfter(),
  addColumnAfter: (c) => c.addColumnAfter(),
  deleteRow: (c) => c.deleteRow(),
  deleteColumn: (c) => c.deleteColumn(),
  toggleHeaderRow: (c) => c.toggleHeaderRow(),
  mergeOrSplit: (c) => c.mergeOrSplit(),
  deleteTable: (c) => c.deleteTable(),
};

function refreshToolbar() {
  const heading = [2, 3, 4, 5, 6, 1].find((level) => editor.isActive("heading", { level }));
  $("block").value = heading ? String(Math.max(heading, 2)) : "";
  document.querySelectorAll("[data-format]").forEach((b) => {
    b.setAttribute("aria-pressed", String(editor.isActive(b.dataset.format)));
  });
  document.querySelectorAll("[data-list]").forEach((b) => {
    b.setAttribute("aria-pressed", String(editor.isActive(b.dataset.list)));
  });
  const inTable = editor.isActive("table");
  if ($("table-tools").hidden === inTable) {
    $("table-tools").hidden = !inTable;
    fitFrame();
  }
}

function wireToolbar() {
  // a click on a toolbar button must not take the caret (and the selection it formats) out of the text
  document.querySelectorAll(".toolbar button").forEach((b) => {
    b.addEventListener("mousedown", (e) => e.preventDefault());
  });
  $("block").addEventListener("change", (e) => {
    const level = parseInt(e.target.value, 10);
    const chain = editor.chain().focus();
    (level ? chain.setHeading({ level }) : chain.setParagraph()).run();
  });
  document.querySelectorAll("[data-format]").forEach((b) => {
    const toggle = { bold: "toggleBold", italic: "toggleItalic" }[b.dataset.format];
    b.addEventListener("click", () => editor.chain().focus()[toggle]().run());
  });
  document.querySelectorAll("[data-list]").forEach((b) => {
    const toggle = { orderedList: "toggleOrderedList", bulletList: "toggleBulletList" }[b.dataset.list];
    b.addEventListener("click", () => editor.chain().focus()[toggle]().run());
  });
  document.querySelectorAll("[data-table]").forEach((b) => {
    b.addEventListener("click", () => TABLE_COMMANDS[b.dataset.table](editor.chain().focus()).run());
  });
  document.querySelectorAll("[data-panel]").forEach((b) => {
    b.addEventListener("click", () => openPanel(b.dataset.panel));
  });
  document.querySelectorAll("[data-close]").forEach((b) => b.addEventListener("click", closePanels));
  $("clean").addEventListener("click", () => editor.chain().focus().unsetAllMarks().clearNodes().run());
  $("undo").addEventListener("click", () => editor.chain().focus().undo().run());
  $("redo").addEventListener("click", () => editor.chain().focus().redo().run());
  panel("link").addEventListener("submit", submitLink);
  $("link-remove").addEventListener("click", removeLink);
  panel("image").addEventListener("submit", submitImage);
  $("image-file").addEventListener("change", () => {
    const file = $("image-file").files[0];
    $("image-name").textContent = file ? file.name : "未选择文件";
  });
  panel("table").addEventListener("submit", submitTable);
}

// colours, fonts and sizes have no place in the schema, so a paste keeps structure only (第十五条)
function transformPastedHTML(html) {
  const pasted = normalizePastedHtml(html);
  $("paste-note").textContent = pasted.droppedImages
    ? `粘贴的内容中有 ${pasted.droppedImages} 张图片不能直接带入(Word 只给出本机临时文件,其他网站的图片门户网站不显示),`
      + "请用「图片」按钮插入并填写图片说明。"
    : "";
  fitFrame();
  return pasted.html;
}

// ---------------------------------------------------------------- start
function start(args) {
  const readOnly = Boolean(args.readonly);
  document.body.classList.toggle("disabled", readOnly);
  const element = $("editor");
  element.style.height = `${args.height || 360}px`;
  editor = new Editor({
    element,
    injectCSS: false, // no inline <style>: editor.css carries what ProseMirror needs
    editable: !readOnly,
    content: args.value || "",
    extensions: [
      StarterKit.configure({
        code: false, codeBlock: false, strike: false, underline: false,
        link: { openOnClick: false, autolink: false, HTMLAttributes: { rel: null, target: null, class: null } },
      }),
      Placeholder.configure({ placeholder: args.placeholder || "" }),
      Image.configure({ allowBase64: true }),
      Subscript,
      Superscript,
      TableKit.configure({ table: { resizable: false } }),
    ],
    editorProps: {
      transformPastedHTML,
      attributes: { "aria-label": "正文", "aria-multiline": "true", role: "textbox", lang: "zh-CN" },
    },
    onUpdate: ({ transaction }) => { if (!transaction.getMeta("preventUpdate")) sendSoon(); },
    onSelectionUpdate: refreshToolbar,
    onTransaction: refreshToolbar,
  });
  wireToolbar();
  editor.view.dom.addEventListener("click", (e) => {
    if (e.target.tagName === "IMG" && !readOnly) editImage(editor.view.posAtDOM(e.target, 0));
  });
  // a click on 保存 outside the frame takes the focus away: report what was typed before that click counts
  window.addEventListener("blur", () => { if (timer !== null) send(); });
  try { if (window.frameElement) window.frameElement.setAttribute("title", "正文编辑器"); } catch (e) { /* other origin */ }
  new ResizeObserver(fitFrame).observe(document.body);
  refreshToolbar();
  fitFrame();
}

window.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type !== "streamlit:render" || editor !== null) return;
  start(data.args || {});
});
post("streamlit:componentReady", { apiVersion: 1 });
