// Word and WPS put HTML on the clipboard in which a list is a run of paragraphs styled
// `mso-list:l<id> level<n>`, the bullet or number drawn by a span marked `mso-list:Ignore`,
// and whether a list is numbered is said only in the <style> block (`@list l0:level1
// {mso-level-number-format:bullet}`). Turn those runs into real nested <ul>/<ol>; shift headings
// one level down (Word's 标题 1 is the page's headline level, as in the .docx import).

const LIST_ID = /\bmso-list:[^;"']*\bl(\d+)/i;
const LIST_LEVEL = /\bmso-list:[^;"']*\blevel(\d+)/i;
const IGNORE = /\bmso-list:\s*ignore/i;

export function isWordHtml(html) {
  return /urn:schemas-microsoft-com:office|<meta[^>]+(Word\.Document|Kingsoft|WPS)|mso-list|class="?Mso/i.test(html);
}

function listType(html, id, level) {
  const rule = new RegExp(`@list\\s+l${id}:level${level}\\s*\\{[^}]*mso-level-number-format:\\s*([\\w-]+)`, "i");
  const found = html.match(rule);
  if (found) return found[1].toLowerCase() === "bullet" ? "ul" : "ol";
  return "ol";
}

function listItem(element, html) {
  const style = element.getAttribute("style") || "";
  const id = style.match(LIST_ID);
  if (!id || IGNORE.test(style)) return null;
  const level = Number((style.match(LIST_LEVEL) || [0, 1])[1]);
  return { element, id: Number(id[1]), level, tag: listType(html, id[1], level) };
}

function buildList(doc, items) {
  const root = doc.createElement(items[0].tag);
  const stack = [{ list: root, level: items[0].level }];
  items.forEach((item) => {
    let top = stack[stack.length - 1];
    while (item.level > top.level) {
      const holder = top.list.lastElementChild || top.list.appendChild(doc.createElement("li"));
      const nested = holder.appendChild(doc.createElement(item.tag));
      stack.push({ list: nested, level: top.level + 1 });
      top = stack[stack.length - 1];
    }
    while (item.level < top.level && stack.length > 1) {
      stack.pop();
      top = stack[stack.length - 1];
    }
    const li = doc.createElement("li");
    li.innerHTML = item.element.innerHTML;
    top.list.appendChild(li);
  });
  return root;
}

function convertLists(doc, html) {
  doc.querySelectorAll("[style*=mso-list]").forEach((node) => {
    if (IGNORE.test(node.getAttribute("style") || "")) node.remove();
  });
  const items = Array.from(doc.querySelectorAll("p[style*=mso-list], h1[style*=mso-list], h2[style*=mso-list]"))
    .map((element) => listItem(element, html)).filter(Boolean);
  while (items.length) {
    const run = [items.shift()];
    while (items.length && items[0].element === run[run.length - 1].element.nextElementSibling
           && items[0].id === run[0].id) {
      run.push(items.shift());
    }
    run[0].element.replaceWith(buildList(doc, run));
    run.slice(1).forEach((item) => item.element.remove());
  }
}

function shiftHeadings(doc) {
  doc.querySelectorAll("h1, h2, h3, h4, h5").forEach((heading) => {
    const level = Math.min(Number(heading.tagName.charAt(1)) + 1, 6);
    const shifted = doc.createElement(`h${level}`);
    shifted.innerHTML = heading.innerHTML;
    heading.replaceWith(shifted);
  });
}

// Word puts only the address of a temporary local file on the clipboard for a picture, and a picture
// from another site would be refused by the portal's Content-Security-Policy: neither can be kept
function dropUnusableImages(doc) {
  let dropped = 0;
  doc.querySelectorAll("img").forEach((img) => {
    const src = (img.getAttribute("src") || "").trim();
    if (!/^data:image\/(png|jpeg|gif|webp);base64,/i.test(src) && !/^\/(?!\/)/.test(src)) {
      img.remove();
      dropped += 1;
    }
  });
  return dropped;
}

// What a paste brings in: the HTML to insert and how many pictures had to be left out
export function normalizePastedHtml(html) {
  const doc = new DOMParser().parseFromString(html, "text/html");
  if (isWordHtml(html)) {
    convertLists(doc, html);
    shiftHeadings(doc);
  }
  const droppedImages = dropUnusableImages(doc);
  return { html: doc.body.innerHTML, droppedImages };
}
