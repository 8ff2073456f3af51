// 站内搜索 (/search.html): Pagefind over the portal's article pages, one index per quarter.
//
// /pagefind/shards.json (written by core/search.py) lists the shards newest first; the newest
// shard's pagefind.js is imported and every other shard is merged into it (mergeIndex), so one
// query ranks results across all years. Loaded as an external module: the site runs under
// Content-Security-Policy script-src 'self' (plus 'wasm-unsafe-eval' for Pagefind's WebAssembly),
// so nothing here is inline and nothing untrusted goes through innerHTML.
//
// The index holds the pages' text cut into two-character pairs (core/search.py); the query is cut
// the same way (search-tokens.js), so every page that contains the query is found. The first
// RERANK results are then ordered by the text itself: a title equal to the query first, then
// titles containing it, then texts containing it, each in Pagefind's order. Excerpts are made
// here from the page's text, with the query marked.

import { compact, indexTokens, queryTokens, titleWord, untokenize } from "./search-tokens.js";

const PAGE_SIZE = 10;
const TIMEOUT_MS = 60000; // a load or a query that takes longer is reported, not waited for forever
const MAX_QUERY = 100;
const RERANK = 20; // results whose text is loaded to order them (one small fragment each)
const EXCERPT = 100; // characters of an excerpt
const BUILDING = "building";
const SHARD_PATH = /^\/pagefind\/\d{4}q[1-4]\/$/;
const SAFE_URL = /^\/(?!\/)[^\s\\]*$/;
// the filters offered: the column of every page; 主题分类 and year of 政府信息公开目录 documents
// (data-pagefind-filter on their pages), each a <select> and a query parameter
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

let pagefindPromise = null;
let generation = 0; // the latest query wins; older answers are dropped
let pending = []; // results of the current query not shown yet
let shownQuery = ""; // the query whose results are listed (for the excerpts of "more")
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

// Pagefind runs WebAssembly (in a web worker). Under a Content-Security-Policy without
// 'wasm-unsafe-eval' it logs the refusal in the worker and never answers: check up front, and
// bound every wait, so the reader is told instead of waiting forever.
function webAssemblyAllowed() {
  try {
    new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])); // the empty module
    return true;
  } catch (error) {
    console.error("search: WebAssembly is not allowed here", error);
    return false;
  }
}

function guarded(promise, what) {
  let timer = null;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer in ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function loadPagefind() {
  if (typeof WebAssembly !== "object" || !webAssemblyAllowed()) {
    throw new Error("WebAssembly unavailable");
  }
  const response = await fetch("/pagefind/shards.json", { cache: "no-cache" });
  if (!response.ok) {
    throw new Error(`shards.json: HTTP ${response.status}`);
  }
  const manifest = await response.json();
  const shards = (Array.isArray(manifest.shards) ? manifest.shards : [])
    .map((shard) => shard && shard.path)
    .filter((path) => typeof path === "string" && SHARD_PATH.test(path));
  if (shards.length === 0) {
    return manifest.building === true ? BUILDING : null;
  }
  const pagefind = await import(`${shards[0]}pagefind.js`);
  await pagefind.options({ excerptLength: 40 });
  await pagefind.init();
  // a shard that fails to load (removed since the manifest was read) must not break the others
  await Promise.all(shards.slice(1).map((path) =>
    pagefind.mergeIndex(path).catch((error) => console.warn(`search: cannot merge ${path}`, error))));
  return pagefind;
}

function pagefind() {
  if (pagefindPromise === null) {
    pagefindPromise = guarded(loadPagefind(), "loading the search index").catch((error) => {
      pagefindPromise = null; // try again at the next query
      throw error;
    });
  }
  return pagefindPromise;
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

// the excerpt of a result: the page's text (not its title) around the first match, marked
function excerptFragment(data, query) {
  let text = String(data.content || "");
  const raw = (data.meta && data.meta.title) || "";
  const title = `${indexTokens(raw)} ${titleWord(raw)}`; // the <h1> of the staged page (core/search.py)
  if (raw && text.startsWith(title)) {
    text = text.slice(title.length);
  }
  text = untokenize(text).replace(/^[\s.]+/, "");
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

// 0: the title is the query; 1: the title contains it (every word of it); 2: the text does; 3: neither
function rank(data, query) {
  const words = query.split(/\s+/).map(compact).filter((w) => w);
  const title = compact((data.meta && data.meta.title) || "");
  if (title === compact(query)) {
    return 0;
  }
  if (words.every((w) => title.includes(w))) {
    return 1;
  }
  const text = compact(untokenize(data.content));
  return words.every((w) => text.includes(w)) ? 2 : 3;
}

function resultItem(data, query) {
  const meta = data.meta || {};
  const item = document.createElement("li");
  item.className = "search-result";
  const heading = document.createElement("h3");
  const url = typeof data.url === "string" && SAFE_URL.test(data.url) ? data.url : null;
  const title = meta.title || url || "(无标题)";
  if (url) {
    const link = document.createElement("a");
    link.href = url;
    link.textContent = title;
    heading.appendChild(link);
  } else {
    heading.textContent = title;
  }
  item.appendChild(heading);
  const columns = data.filters && Array.isArray(data.filters["栏目"]) ? data.filters["栏目"] : [];
  if (meta.date || columns.length) {
    const line = document.createElement("p");
    line.className = "search-meta";
    if (columns.length) {
      const name = document.createElement("span");
      name.textContent = columns.join("、");
      line.appendChild(name);
    }
    if (meta.date) {
      const time = document.createElement("time");
      time.textContent = meta.date;
      if (/^\d{4}-\d{2}-\d{2}$/.test(meta.date)) {
        time.dateTime = meta.date;
      }
      line.appendChild(time);
    }
    item.appendChild(line);
  }
  if (data.content) {
    const excerpt = document.createElement("p");
    excerpt.className = "search-excerpt";
    excerpt.appendChild(excerptFragment(data, query));
    item.appendChild(excerpt);
  }
  return item;
}

async function showMore(mine) {
  const batch = pending.slice(0, PAGE_SIZE);
  pending = pending.slice(PAGE_SIZE);
  let found;
  try {
    found = await guarded(Promise.all(batch.map((result) => result.data())), "loading results");
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

// One more search beside the one for all the pairs (every page it finds is in that one too): the
// query's title word (core/search.py title_word), which only pages titled exactly so carry. Its
// first results and the first of the pairs' search are loaded and ordered by rank() (within a
// rank: title-word results first), the others follow.
async function candidates(pf, query, words, options) {
  const [all, titles] = await Promise.all([
    pf.search(words.join(" "), options),
    pf.search(titleWord(query), options),
  ]);
  return { all: (all && all.results) || [], titles: (titles && titles.results) || [] };
}

async function reranked(found, query) {
  const seen = new Set();
  const head = [];
  for (const [results, count] of [[found.titles, 5], [found.all, RERANK]]) {
    for (const result of results.slice(0, count)) {
      if (!seen.has(result.id) && head.length < RERANK + 10) {
        seen.add(result.id);
        head.push(result);
      }
    }
  }
  const loaded = await guarded(Promise.all(head.map((result) => result.data())), "loading results");
  // Pagefind leaves out a query word that a shard lacks altogether (and then matches a shorter
  // word it starts with): a page whose text lacks a word of the query is dropped here
  const ranked = loaded.map((data, i) => ({ data, i, rank: rank(data, query) })).filter(({ rank: r }) => r < 3);
  ranked.sort((a, b) => a.rank - b.rank || a.i - b.i);
  const rest = found.all.filter((result) => !seen.has(result.id));
  const dropped = found.all.filter((result) => seen.has(result.id)).length
    - ranked.filter(({ i }) => found.all.some((r) => r.id === head[i].id)).length;
  return { count: found.all.length - dropped, list: [...ranked.map(({ data }) => ({ data: async () => data })), ...rest] };
}

async function loadFilters(pf) {
  if (filtersLoaded || FILTERS.length === 0) {
    return;
  }
  filtersLoaded = true;
  try {
    const filters = (await pf.filters()) || {};
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
  } catch (error) {
    console.warn("search: no filters", error);
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
    const pf = await pagefind();
    if (mine !== generation) {
      return;
    }
    if (pf === null) {
      say("搜索索引尚未建立,请稍后再试。", true);
      return;
    }
    if (pf === BUILDING) {
      pagefindPromise = null; // look again at the next query
      say("搜索索引正在生成,请稍后再试。", true);
      return;
    }
    const words = queryTokens(query);
    if (words.length === 0) {
      say("请输入要搜索的关键词(汉字、字母或数字)。");
      return;
    }
    const options = {};
    if (Object.keys(chosen).length) {
      options.filters = chosen;
    }
    if (order === "date") {
      options.sort = { date: "desc" }; // data-pagefind-sort="date" on the article's <time>
    }
    const found = order === "date"
      ? { all: ((await guarded(pf.search(words.join(" "), options), "searching")) || {}).results || [] }
      : await guarded(candidates(pf, query, words, options), "searching");
    if (mine !== generation) {
      return;
    }
    const results = found.all;
    const where = FILTERS.filter((f) => chosen[f.name]).map((f) => `在${f.label(chosen[f.name])}中`).join("、");
    if (results.length === 0) {
      say(`${where}没有找到与“${query}”相关的信息,请换用其他关键词。`, true);
    } else {
      const ordered = order === "date" ? { count: results.length, list: results } : await reranked(found, query);
      if (mine !== generation) {
        return;
      }
      if (ordered.count <= 0 || ordered.list.length === 0) {
        say(`${where}没有找到与“${query}”相关的信息,请换用其他关键词。`, true);
      } else {
        say(`${where}找到 ${ordered.count} 条与“${query}”相关的信息。`);
        shownQuery = query;
        pending = ordered.list;
        await showMore(mine);
      }
    }
    loadFilters(pf);
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
