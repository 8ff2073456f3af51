// 站内搜索 (/search.html) over the portal's own static index (core/search.py writes it under
// /search-index/). Loaded as an external module: the site runs under Content-Security-Policy
// script-src 'self', so nothing here is inline and nothing untrusted goes through innerHTML.
//
// The search itself (fetching the index's files, phrases, ranking) is static/search-engine.js;
// this module draws the page: titles and dates from the docs table (d<n>.json), ten at a time,
// excerpts from the article pages themselves (fetched for the results shown), with the query marked.

import { loadManifest, row, search } from "./search-engine.js";
import { compact, queryParts } from "./search-tokens.js";

const PAGE_SIZE = 10;
const TIMEOUT_MS = 60000; // a load or a query that takes longer is reported, not waited for forever
const MAX_QUERY = 100;
const EXCERPT = 100; // characters of an excerpt
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

let generation = 0; // the latest query wins; older answers are dropped
let pending = null; // the results of the current query, taken ten at a time (search-engine.js ranked)
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
  if (pending === null) {
    return;
  }
  const batch = pending.take(PAGE_SIZE);
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
  more.hidden = pending.remaining() === 0;
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

async function run(query, chosen, order) {
  const mine = ++generation;
  list.replaceChildren();
  more.hidden = true;
  pending = null;
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
