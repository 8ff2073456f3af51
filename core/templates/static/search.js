// 站内搜索 (/search.html) over the portal's own static index (core/search.py writes it under
// /search-index/). Loaded as an external module: the site runs under Content-Security-Policy
// script-src 'self', so nothing here is inline and nothing untrusted goes through innerHTML.
//
// A query: manifest.json (never cached: a publish is searchable at the next query), then for each
// word of the query (search-tokens.js cuts it as the index was cut) one bucket file per segment —
// segments are immutable, so what was fetched is kept for the page's life. A phrase is a
// positional intersection of its words; the ranking is: the exact title, the title contains
// every part of the query, the text does, every word is there; then more matches (title matches
// count ten), then newest. Titles and dates come from the docs table (d<n>.json), excerpts from
// the article pages themselves (fetched for the results shown), with the query marked.

import { BODY, PAIRS_FROM, WORDS_FROM, bucketOf, compact, keyOf, queryParts, titleWord } from "./search-tokens.js";

const INDEX = "/search-index/";
const PAGE_SIZE = 10;
const TIMEOUT_MS = 60000; // a load or a query that takes longer is reported, not waited for forever
const MAX_QUERY = 100;
const EXCERPT = 100; // characters of an excerpt
const SEGMENT_ID = /^[bs][0-9a-f]{12}$/;
const SAFE_URL = /^\/(?!\/)[^\s\\]*$/;
// the filters offered: the column of every page; 主题分类 and year of 政府信息公开目录 documents
// (data-pagefind-filter on their pages, words "#f名=值" in the index), each a <select> and a parameter
const FILTERS = [
  { name: "栏目", id: "search-column", param: "lm", label: (v) => `“${v}”栏目`, newestFirst: false },
  { name: "主题分类", id: "search-topic", param: "zt", label: (v) => `主题分类“${v}”`, newestFirst: false },
  { name: "年份", id: "search-year", param: "nf", label: (v) => v, newestFirst: true },
].map((f) => ({ ...f, select: document.getElementById(f.id) })).filter((f) => f.select);

const form = document.querySelector("form.search-form");
const input = document.getElementById("search-q");
const sort = document.getElementById("search-sort");
const region = document.getElementById("search-results");
const status = document.getElementById("search-status");
const list = document.getElementById("search-list");
const more = document.getElementById("search-more");

const files = new Map(); // url -> Promise of its bytes or JSON (segment files never change)
const words = new Map(); // segment id + word -> Promise of its postings' bytes
let generation = 0; // the latest query wins; older answers are dropped
let pending = []; // results of the current query not shown yet
let shownQuery = "";
let filtersLoaded = false;

// the status line; with ``sitemap``, a link to the site map follows (what to do next)
function say(text, sitemap = false) {
  status.textContent = text;
  if (sitemap) {
    const link = document.createElement("a");
    link.href = "/sitemap.html";
    link.textContent = "网站地图";
    status.append("也可以通过", link, "查找信息。");
  }
}

function guarded(promise, what) {
  let timer = null;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer in ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// a file of a segment, once; a missing bucket file is an empty one
function segmentFile(url, as) {
  if (!files.has(url)) {
    const loaded = fetch(url).then((response) => {
      if (response.status === 404 && as === "bytes") {
        return new ArrayBuffer(0);
      }
      if (!response.ok) {
        throw new Error(`${url}: HTTP ${response.status}`);
      }
      return as === "json" ? response.json() : response.arrayBuffer();
    });
    loaded.catch(() => files.delete(url));
    files.set(url, loaded);
  }
  return files.get(url);
}

async function loadManifest() {
  const response = await fetch(`${INDEX}manifest.json`, { cache: "no-cache" });
  if (response.status === 404) {
    return null;
  }
  if (!response.ok) {
    throw new Error(`manifest.json: HTTP ${response.status}`);
  }
  const manifest = await response.json();
  manifest.segments = (Array.isArray(manifest.segments) ? manifest.segments : [])
    .filter((s) => s && SEGMENT_ID.test(s.id) && s.buckets > 0 && s.chunk > 0);
  return manifest;
}

// the blocks of a bucket file: [{base, keys, ends, names: Map(text word -> index), postings}]
function blocks(buffer) {
  const out = [];
  const view = new DataView(buffer);
  const decoder = new TextDecoder();
  for (let at = 0; at + 16 <= buffer.byteLength;) {
    const [base, n, nstr, npost] = [0, 4, 8, 12].map((o) => view.getUint32(at + o, true));
    const keys = new Uint32Array(buffer.slice(at + 16, at + 16 + 4 * n));
    const ends = new Uint32Array(buffer.slice(at + 16 + 4 * n, at + 16 + 8 * n));
    const text = at + 16 + 8 * n;
    const names = new Map();
    if (nstr) {
      const strings = decoder.decode(new Uint8Array(buffer, text, nstr)).split("\n");
      let s = 0;
      keys.forEach((key, i) => {
        if (key >= WORDS_FROM && key < PAIRS_FROM) {
          names.set(strings[s++], i);
        }
      });
    }
    out.push({ base, keys, ends, names, postings: new Uint8Array(buffer, text + nstr, npost) });
    at = text + nstr + npost;
  }
  return out;
}

function find(keys, key) {
  let lo = 0;
  let hi = keys.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (keys[mid] === key) {
      return mid;
    }
    if (keys[mid] < key) {
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return -1;
}

// LEB128 postings: docs, then per doc: doc delta, count, position deltas -> into Map(doc -> positions);
// with ``keep``, only the docs it has (the others are read past, not stored: a common word's
// postings at 100,000 pages are a million numbers)
function decode(bytes, base, out, keep = null) {
  let at = 0;
  const next = () => {
    let byte = bytes[at++];
    if (byte < 0x80) {
      return byte; // most numbers: one byte
    }
    let value = byte & 0x7f;
    let shift = 7;
    do {
      byte = bytes[at++];
      value += shift < 28 ? (byte & 0x7f) << shift : (byte & 0x7f) * 0x10000000;
      shift += 7;
    } while (byte & 0x80);
    return value;
  };
  let doc = base;
  for (let docs = next(); docs > 0; docs--) {
    doc += next();
    const count = next();
    if (keep !== null && !keep.has(doc)) {
      for (let i = 0; i < count; i++) {
        while (bytes[at++] & 0x80);
      }
      continue;
    }
    const positions = new Array(count);
    let p = 0;
    for (let i = 0; i < count; i++) {
      p += next();
      positions[i] = p;
    }
    out.set(doc, positions);
  }
}

// the postings of a word in a segment: [[doc base, bytes]] (kept: a segment never changes)
function raw(segment, word) {
  const id = `${segment.id}\n${word}`;
  if (!words.has(id)) {
    const found = rawOnce(segment, word);
    found.catch(() => words.delete(id));
    words.set(id, found);
  }
  return words.get(id);
}

async function rawOnce(segment, word) {
  const buffer = await segmentFile(`${INDEX}${segment.id}/p${bucketOf(word, segment.buckets)}.bin`, "bytes");
  if (!buffer.parsed) {
    buffer.parsed = blocks(buffer);
  }
  const key = keyOf(word);
  const out = [];
  for (const block of buffer.parsed) {
    const i = key === null ? (block.names.has(word) ? block.names.get(word) : -1) : find(block.keys, key);
    if (i >= 0) {
      out.push([block.base, block.postings.subarray(i ? block.ends[i - 1] : 0, block.ends[i])]);
    }
  }
  return out;
}

const size = (postings) => postings.reduce((sum, [, bytes]) => sum + bytes.length, 0);

// Map(doc -> sorted positions) of a word's postings, only of the docs in ``keep`` when given
function positions(postings, keep = null) {
  const out = new Map();
  for (const [base, bytes] of postings) {
    decode(bytes, base, out, keep);
  }
  return out;
}

function has(sorted, value) {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] === value) {
      return true;
    }
    if (sorted[mid] < value) {
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return false;
}

// Map(doc -> [matches in the title, matches in the body]) of a part; [0, 0]: its words, no phrase.
// The rarest word is read first; each next one only for the docs that still have every word.
async function phrase(segment, part) {
  const out = new Map();
  if (part.single) {
    for (const [doc, found] of positions(await raw(segment, part.single))) {
      out.set(doc, [found[0] === 0 ? 1 : 0, found[found.length - 1] > 0 ? 1 : 0]); // 0 title, 1 body
    }
    return out;
  }
  const postings = await Promise.all(part.words.map(([word]) => raw(segment, word)));
  const order = postings.map((_, i) => i).sort((a, b) => size(postings[a]) - size(postings[b]));
  const lists = new Array(postings.length);
  let docs = null;
  for (const i of order) {
    lists[i] = positions(postings[i], docs);
    docs = lists[i];
  }
  const [first, ...others] = order;
  for (const [doc, found] of docs) {
    let title = 0;
    let body = 0;
    const off0 = part.words[first][1];
    for (const p of lists[first].get(doc) || found) {
      const start = p - off0;
      if (others.every((i) => has(lists[i].get(doc), start + part.words[i][1]))) {
        if (start < BODY) {
          title++;
        } else {
          body++;
        }
      }
    }
    out.set(doc, [title, body]);
  }
  if (part.wenhao) {
    for (const [doc, found] of positions(await raw(segment, part.wenhao))) {
      const [title, body] = out.get(doc) || [0, 0];
      out.set(doc, [Math.max(title, found[0] < BODY ? 1 : 0), Math.max(body, 1)]);
    }
  }
  return out;
}

async function searchSegment(segment, n, parts, whole, chosen) {
  const [perPart, exact, days, filters] = await Promise.all([
    Promise.all(parts.map((part) => phrase(segment, part))),
    raw(segment, whole).then((p) => positions(p)),
    segmentFile(`${INDEX}${segment.id}/days.bin`, "bytes").then((b) => new Uint16Array(b)),
    Promise.all(Object.entries(chosen).map(([name, value]) => raw(segment, `#f${name}=${value}`))),
  ]);
  const dead = new Set(Array.isArray(segment.dead) ? segment.dead : []);
  const [smallest, ...rest] = [...perPart].sort((a, b) => a.size - b.size);
  let docs = [...smallest.keys()].filter((doc) => !dead.has(doc) && rest.every((m) => m.has(doc)));
  for (const filter of filters) {
    const within = positions(filter, new Set(docs));
    docs = docs.filter((doc) => within.has(doc));
  }
  return docs.map((doc) => {
    const hits = perPart.map((m) => m.get(doc));
    const tier = exact.has(doc) ? 0 : hits.every(([t]) => t) ? 1 : hits.every(([t, b]) => t || b) ? 2 : 3;
    const score = hits.reduce((sum, [t, b]) => sum + 10 * t + b, 0);
    return { segment, n, doc, tier, score, day: days[doc] || 0 };
  });
}

function ordered(found, byDate) {
  const newest = (a, b) => b.day - a.day || b.n - a.n || b.doc - a.doc;
  return found.sort(byDate ? newest : (a, b) => a.tier - b.tier || b.score - a.score || newest(a, b));
}

async function row(result) {
  const { segment, doc } = result;
  const rows = await segmentFile(`${INDEX}${segment.id}/d${Math.floor(doc / segment.chunk)}.json`, "json");
  const [url, title, date, columns, number] = rows[doc % segment.chunk] || [];
  return { url, title, date, columns, number };
}

// the positions in ``text`` of its letters and digits, normalised as compact() does: searching
// the normalised string finds the query across spaces and punctuation
function letters(text) {
  const chars = [];
  const where = [];
  let at = 0;
  for (const ch of text) {
    if (/[\p{L}\p{N}]/u.test(ch)) {
      for (const c of ch.normalize("NFKC").toLowerCase()) {
        chars.push(c);
        where.push([at, at + ch.length]);
      }
    }
    at += ch.length;
  }
  return { flat: chars.join(""), where };
}

// [start, end) ranges of ``text`` to mark: the whole query where it occurs, else each of its words
function marks(text, query) {
  const { flat, where } = letters(text);
  const whole = compact(query);
  const words = [whole, ...query.split(/\s+/).map(compact)].filter((w) => w);
  const ranges = [];
  for (const wanted of [...new Set(words)].sort((a, b) => b.length - a.length)) {
    for (let i = flat.indexOf(wanted); i >= 0; i = flat.indexOf(wanted, i + wanted.length)) {
      const range = [where[i][0], where[i + wanted.length - 1][1]];
      if (!ranges.some(([s, e]) => range[0] < e && s < range[1])) {
        ranges.push(range);
      }
    }
    if (wanted === whole && ranges.length) {
      break;
    }
  }
  return ranges.sort((x, y) => x[0] - y[0]);
}

// the text of an article page as indexed (core/search.py page_record): its <article
// data-pagefind-body> without the title, the date/column line and the parts not indexed
async function pageText(url) {
  const response = await fetch(url);
  if (!response.ok) {
    return "";
  }
  const page = new DOMParser().parseFromString(await response.text(), "text/html");
  const article = page.querySelector("article[data-pagefind-body]");
  if (!article) {
    return "";
  }
  article.querySelectorAll("[data-pagefind-ignore], .article-meta, h1[data-pagefind-meta='title']")
    .forEach((node) => node.remove());
  article.querySelectorAll("p, div, li, h2, h3, h4, tr, td, th, dd, dt, br, table, section")
    .forEach((node) => node.append(" "));
  return article.textContent.replace(/\s+/g, " ").trim();
}

function excerptFragment(text, query) {
  const ranges = marks(text, query);
  const start = ranges.length ? Math.max(0, ranges[0][0] - 30) : 0;
  const end = Math.min(text.length, start + EXCERPT);
  const out = document.createDocumentFragment();
  let at = start;
  if (start > 0) {
    out.append("…");
  }
  for (const [s, e] of ranges) {
    if (s < at || s >= end) {
      continue;
    }
    out.append(text.slice(at, s));
    const mark = document.createElement("mark");
    mark.textContent = text.slice(s, Math.min(e, end));
    out.append(mark);
    at = Math.min(e, end);
  }
  out.append(text.slice(at, end) + (end < text.length ? "…" : ""));
  return out;
}

function resultItem(data, query) {
  const item = document.createElement("li");
  item.className = "search-result";
  const heading = document.createElement("h3");
  const url = typeof data.url === "string" && SAFE_URL.test(data.url) ? data.url : null;
  const title = data.title || url || "(无标题)";
  if (url) {
    const link = document.createElement("a");
    link.href = url;
    link.textContent = title;
    heading.appendChild(link);
  } else {
    heading.textContent = title;
  }
  item.appendChild(heading);
  if (data.date || data.columns) {
    const line = document.createElement("p");
    line.className = "search-meta";
    if (data.columns) {
      const name = document.createElement("span");
      name.textContent = data.columns;
      line.appendChild(name);
    }
    if (data.date) {
      const time = document.createElement("time");
      time.textContent = data.date;
      if (/^\d{4}-\d{2}-\d{2}$/.test(data.date)) {
        time.dateTime = data.date;
      }
      line.appendChild(time);
    }
    item.appendChild(line);
  }
  if (url) {
    const excerpt = document.createElement("p");
    excerpt.className = "search-excerpt";
    item.appendChild(excerpt);
    pageText(url).then((text) => {
      if (text) {
        excerpt.replaceChildren(excerptFragment(text, query));
      } else {
        excerpt.remove();
      }
    }).catch(() => excerpt.remove());
  }
  return item;
}

async function showMore(mine) {
  const batch = pending.slice(0, PAGE_SIZE);
  pending = pending.slice(PAGE_SIZE);
  let found;
  try {
    found = await guarded(Promise.all(batch.map(row)), "loading results");
  } catch (error) {
    console.error("search: results failed", error);
    if (mine === generation) {
      say("搜索结果加载失败,请刷新页面后重试。", true);
      more.hidden = true;
    }
    return;
  }
  if (mine !== generation) {
    return;
  }
  for (const data of found) {
    list.appendChild(resultItem(data, shownQuery));
  }
  more.hidden = pending.length === 0;
}

function loadFilters(manifest) {
  if (filtersLoaded || FILTERS.length === 0) {
    return;
  }
  filtersLoaded = true;
  const filters = manifest.filters || {};
  const params = new URLSearchParams(window.location.search);
  for (const filter of FILTERS) {
    const names = Object.keys(filters[filter.name] || {}).sort((a, b) => a.localeCompare(b, "zh-CN"));
    if (filter.newestFirst) {
      names.reverse();
    }
    const chosen = params.get(filter.param) || "";
    for (const name of names) {
      const option = document.createElement("option");
      option.value = name;
      option.textContent = name;
      option.selected = name === chosen;
      filter.select.appendChild(option);
    }
    filter.select.hidden = names.length === 0;
  }
}

// the chosen value of each filter offered: {name: value}
function chosenFilters() {
  const chosen = {};
  for (const filter of FILTERS) {
    if (!filter.select.hidden && filter.select.value) {
      chosen[filter.name] = filter.select.value;
    }
  }
  return chosen;
}

async function search(manifest, query, chosen, byDate) {
  const parts = queryParts(query);
  const whole = `#${titleWord(query)}`;
  const found = await Promise.all(manifest.segments.map((segment, n) =>
    searchSegment(segment, n, parts, whole, chosen)));
  return ordered(found.flat(), byDate);
}

async function run(query, chosen, order) {
  const mine = ++generation;
  list.replaceChildren();
  more.hidden = true;
  pending = [];
  if (!query) {
    say("请输入要搜索的关键词。");
    return;
  }
  region.setAttribute("aria-busy", "true");
  say("正在搜索…");
  try {
    const manifest = await guarded(loadManifest(), "loading the search index");
    if (mine !== generation) {
      return;
    }
    if (manifest === null) {
      say("搜索索引尚未建立,请稍后再试。", true);
      return;
    }
    if (manifest.segments.length === 0 && manifest.building === true) {
      say("搜索索引正在生成,请稍后再试。", true);
      return;
    }
    loadFilters(manifest);
    if (queryParts(query).length === 0) {
      say("请输入要搜索的关键词(汉字、字母或数字)。");
      return;
    }
    const results = await guarded(search(manifest, query, chosen, order === "date"), "searching");
    if (mine !== generation) {
      return;
    }
    const where = FILTERS.filter((f) => chosen[f.name]).map((f) => `在${f.label(chosen[f.name])}中`).join("、");
    if (results.length === 0) {
      say(`${where}没有找到与“${query}”相关的信息,请换用其他关键词。`, true);
    } else {
      shownQuery = query;
      pending = results;
      await showMore(mine);
      if (mine === generation) {
        say(`${where}找到 ${results.length} 条与“${query}”相关的信息。`);
      }
    }
  } catch (error) {
    console.error("search failed", error);
    if (mine === generation) {
      say("搜索暂时不可用,请刷新页面后重试。", true);
    }
  } finally {
    if (mine === generation) {
      region.setAttribute("aria-busy", "false");
    }
  }
}

function fromLocation() {
  const params = new URLSearchParams(window.location.search);
  const query = (params.get("q") || "").trim().slice(0, MAX_QUERY);
  const order = params.get("px") === "date" ? "date" : "";
  const chosen = {};
  for (const filter of FILTERS) {
    const value = (params.get(filter.param) || "").trim();
    if (value) {
      chosen[filter.name] = value;
      filter.select.value = value;
    }
  }
  input.value = query;
  if (sort) {
    sort.value = order;
  }
  if (query) {
    run(query, chosen, order);
  } else {
    generation++;
    list.replaceChildren();
    more.hidden = true;
    say("");
  }
}

if (form && input && region && status && list && more) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const query = input.value.trim().slice(0, MAX_QUERY);
    const chosen = chosenFilters();
    const order = sort && sort.value === "date" ? "date" : "";
    const params = new URLSearchParams();
    if (query) {
      params.set("q", query);
    }
    for (const filter of FILTERS) {
      if (chosen[filter.name]) {
        params.set(filter.param, chosen[filter.name]);
      }
    }
    if (order) {
      params.set("px", order);
    }
    const search = params.toString();
    history.pushState(null, "", search ? `?${search}` : window.location.pathname);
    run(query, chosen, order);
  });
  for (const select of [...FILTERS.map((f) => f.select), sort]) {
    if (select) {
      select.addEventListener("change", () => {
        if (input.value.trim()) {
          form.requestSubmit();
        }
      });
    }
  }
  if (sort) {
    sort.hidden = false;
  }
  more.addEventListener("click", () => {
    showMore(generation);
  });
  window.addEventListener("popstate", fromLocation);
  fromLocation();
}
