// The search over the portal's static index (core/search.py writes it under /search-index/; its
// ``query`` is this in Python, tests/test_search.py compares the two in Chromium). No DOM here:
// static/search.js draws the page.
//
// A query: for each word (search-tokens.js cuts it as the index was cut) one bucket file per
// segment — segments are immutable, so what was fetched is kept for the page's life. A phrase is
// a positional intersection of its words; the ranking is: the exact title, the title contains
// every part of the query, the text does, every word is there; then more matches (title matches
// count ten), then newest.
//
// Speed (bench/search_quality.py at 100,000 pages): the slowest queries were common words found
// in nearly every page (宝鸡, 北斗: ~100,000 docs), where a Map of position arrays per doc, an
// object per result and a comparator sort over all of them cost more than fetching. Here a word's
// postings decode into three typed arrays (docs, where each doc's positions start, positions),
// docs stay sorted so parts and filters intersect by walking them side by side, a word read
// after the rarest one keeps only the docs still in play (the others' positions are skipped
// byte by byte, not decoded), and the results are ordered by one native sort of packed numeric
// keys; a result becomes an object only when its page of ten is shown.

import { BODY, PAIRS_FROM, WORDS_FROM, bucketOf, keyOf, queryParts, titleWord } from "./search-tokens.js";

export const INDEX = "/search-index/";
const SEGMENT_ID = /^[bs][0-9a-f]{12}$/;

const files = new Map(); // url -> Promise of its bytes or JSON (segment files never change)
const words = new Map(); // segment id + word -> Promise of its postings' bytes

// a file of a segment, once; a missing bucket file is an empty one
export function segmentFile(url, as) {
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

// manifest.json (never cached: a publish is searchable at the next query); null when there is none
export async function loadManifest() {
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

// the postings of a word in a segment: [[doc base, bytes]] in doc order (kept: a segment never changes)
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

// A word's postings (LEB128: docs, then per doc: doc delta, count, position deltas) as
// {docs, starts, pos}: the positions of docs[i] are pos[starts[i]] … pos[starts[i + 1] - 1],
// ascending; docs ascending. With ``keep`` (ascending docs), only the docs it has.
function decode(postings, keep = null) {
  const total = size(postings);
  // every doc takes at least three bytes (delta, count, a position), every position one
  const docs = new Int32Array(keep === null ? Math.floor(total / 3) + 1 : Math.min(keep.length, Math.floor(total / 3) + 1));
  const starts = new Int32Array(docs.length + 1);
  const pos = new Int32Array(total);
  let n = 0;
  let m = 0;
  let k = 0;
  for (const [base, bytes] of postings) {
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
    for (let left = next(); left > 0; left--) {
      doc += next();
      const count = next();
      if (keep !== null) {
        while (k < keep.length && keep[k] < doc) {
          k++;
        }
        if (k === keep.length || keep[k] !== doc) {
          for (let i = 0; i < count; i++) {
            while (bytes[at++] & 0x80);
          }
          continue;
        }
      }
      docs[n] = doc;
      starts[n] = m;
      let p = 0;
      for (let i = 0; i < count; i++) {
        p += next();
        pos[m++] = p;
      }
      n++;
    }
  }
  starts[n] = m;
  return { docs: docs.subarray(0, n), starts: starts.subarray(0, n + 1), pos };
}

// is ``value`` among pos[lo] … pos[hi - 1] (ascending)?
function has(pos, lo, hi, value) {
  hi--;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const at = pos[mid];
    if (at === value) {
      return true;
    }
    if (at < value) {
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return false;
}

// A part's docs with their matches: {docs, title, body} (docs ascending; title/body: matches of
// the phrase in the title and the body; 0 and 0: every word, not as a phrase). The rarest word is
// read first; each next one only for the docs that still have every word.
async function phrase(segment, part) {
  if (part.single) {
    const { docs, starts, pos } = decode(await raw(segment, part.single));
    const title = new Int32Array(docs.length);
    const body = new Int32Array(docs.length);
    for (let i = 0; i < docs.length; i++) {
      title[i] = pos[starts[i]] === 0 ? 1 : 0; // 0 the title, 1 the body
      body[i] = pos[starts[i + 1] - 1] > 0 ? 1 : 0;
    }
    return { docs, title, body };
  }
  const postings = await Promise.all(part.words.map(([word]) => raw(segment, word)));
  const order = postings.map((_, i) => i).sort((a, b) => size(postings[a]) - size(postings[b]));
  const lists = new Array(postings.length);
  let docs = null;
  for (const i of order) {
    lists[i] = decode(postings[i], docs);
    docs = lists[i].docs;
  }
  const [first, ...others] = order;
  const off0 = part.words[first][1];
  const cursor = new Int32Array(postings.length);
  let title = new Int32Array(docs.length);
  let body = new Int32Array(docs.length);
  for (let d = 0; d < docs.length; d++) {
    const doc = docs[d];
    for (const i of order) {
      const list = lists[i].docs;
      while (list[cursor[i]] < doc) {
        cursor[i]++;
      }
    }
    const head = lists[first];
    for (let j = head.starts[cursor[first]]; j < head.starts[cursor[first] + 1]; j++) {
      const start = head.pos[j] - off0;
      let all = true;
      for (const i of others) {
        const { starts, pos } = lists[i];
        if (!has(pos, starts[cursor[i]], starts[cursor[i] + 1], start + part.words[i][1])) {
          all = false;
          break;
        }
      }
      if (all) {
        if (start < BODY) {
          title[d]++;
        } else {
          body[d]++;
        }
      }
    }
  }
  if (part.wenhao) { // a 文号 part: its #w word too (typed without its brackets)
    const number = decode(await raw(segment, part.wenhao));
    const merged = union(docs, number.docs);
    const mtitle = new Int32Array(merged.length);
    const mbody = new Int32Array(merged.length);
    let a = 0;
    let b = 0;
    for (let i = 0; i < merged.length; i++) {
      let t = 0;
      let s = 0;
      if (docs[a] === merged[i]) {
        t = title[a];
        s = body[a++];
      }
      if (number.docs[b] === merged[i]) {
        t = Math.max(t, number.pos[number.starts[b]] < BODY ? 1 : 0);
        s = Math.max(s, 1);
        b++;
      }
      mtitle[i] = t;
      mbody[i] = s;
    }
    return { docs: merged, title: mtitle, body: mbody };
  }
  return { docs, title, body };
}

function union(a, b) {
  const out = new Int32Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length || j < b.length) {
    if (j === b.length || (i < a.length && a[i] < b[j])) {
      out[n++] = a[i++];
    } else if (i === a.length || b[j] < a[i]) {
      out[n++] = b[j++];
    } else {
      out[n++] = a[i++];
      j++;
    }
  }
  return out.subarray(0, n);
}

// the docs of ``docs`` (ascending) that ``other`` (ascending) has too
function intersect(docs, other) {
  const out = new Int32Array(Math.min(docs.length, other.length));
  let n = 0;
  let j = 0;
  for (let i = 0; i < docs.length; i++) {
    while (j < other.length && other[j] < docs[i]) {
      j++;
    }
    if (j < other.length && other[j] === docs[i]) {
      out[n++] = docs[i];
    }
  }
  return out.subarray(0, n);
}

// a segment's results: {segment, n, docs, tier, score, days}
async function searchSegment(segment, n, parts, whole, chosen) {
  const [perPart, exact, days, filters] = await Promise.all([
    Promise.all(parts.map((part) => phrase(segment, part))),
    raw(segment, whole).then((p) => decode(p).docs),
    segmentFile(`${INDEX}${segment.id}/days.bin`, "bytes").then((b) => new Uint16Array(b)),
    Promise.all(Object.entries(chosen).map(([name, value]) => raw(segment, `#f${name}=${value}`))),
  ]);
  const dead = new Set(Array.isArray(segment.dead) ? segment.dead : []);
  const [smallest, ...rest] = [...perPart].sort((a, b) => a.docs.length - b.docs.length);
  let docs = smallest.docs;
  for (const other of rest) {
    docs = intersect(docs, other.docs);
  }
  if (dead.size) {
    docs = docs.filter((doc) => !dead.has(doc));
  }
  for (const filter of filters) {
    docs = decode(filter, docs).docs;
  }
  const tier = new Uint8Array(docs.length);
  const score = new Int32Array(docs.length);
  const cursor = new Int32Array(perPart.length);
  let e = 0;
  for (let d = 0; d < docs.length; d++) {
    const doc = docs[d];
    let inTitle = true;
    let inText = true;
    let sum = 0;
    for (let p = 0; p < perPart.length; p++) {
      const part = perPart[p];
      while (part.docs[cursor[p]] < doc) {
        cursor[p]++;
      }
      const t = part.title[cursor[p]];
      const b = part.body[cursor[p]];
      inTitle = inTitle && t > 0;
      inText = inText && (t > 0 || b > 0);
      sum += 10 * t + b;
    }
    while (e < exact.length && exact[e] < doc) {
      e++;
    }
    tier[d] = e < exact.length && exact[e] === doc ? 0 : inTitle ? 1 : inText ? 2 : 3;
    score[d] = sum;
  }
  return { segment, n, docs, tier, score, days };
}

const DOC_BITS = 2 ** 21; // docs of all segments together below this: (segment, doc) packed under the key
const SCORE_MAX = 16383;

// Every result of every segment in order: tier, more matches, newest (then later segment, later
// doc); by date: newest first. {length, remaining(), take(k)}: take gives the next k as
// {segment, doc}.
function ranked(found, byDate) {
  const total = found.reduce((sum, f) => sum + f.docs.length, 0);
  const docsAll = found.reduce((sum, f) => sum + f.segment.docs, 0);
  // a number per result: [tier, SCORE_MAX - score, 65535 - day] above, the newest-first rank of
  // (segment, doc) below: one native sort of a Float64Array orders them (53 bits exact)
  const offsets = [];
  let below = 0;
  for (let i = found.length - 1; i >= 0; i--) {
    offsets[i] = below;
    below += found[i].segment.docs;
  }
  const packed = docsAll < DOC_BITS && found.every((f) => f.score.every((s) => s <= SCORE_MAX));
  const keys = new Float64Array(total);
  const refs = packed ? null : [];
  let at = 0;
  for (let i = 0; i < found.length; i++) {
    const { segment, docs, tier, score, days } = found[i];
    for (let d = 0; d < docs.length; d++) {
      const day = 65535 - (days[docs[d]] || 0);
      const top = byDate ? day : (tier[d] * (SCORE_MAX + 1) + (SCORE_MAX - score[d])) * 65536 + day;
      if (packed) {
        keys[at++] = top * DOC_BITS + offsets[i] + (segment.docs - 1 - docs[d]);
      } else {
        refs.push({ top, i, doc: docs[d] });
      }
    }
  }
  if (packed) {
    keys.sort();
  } else { // a site of more than two million docs, or a page matching more than 1,638 times in its title
    refs.sort((a, b) => a.top - b.top || b.i - a.i || b.doc - a.doc);
  }
  let next = 0;
  return {
    length: total,
    remaining: () => total - next,
    take(k) {
      const out = [];
      for (; next < total && out.length < k; next++) {
        if (!packed) {
          out.push({ segment: found[refs[next].i].segment, doc: refs[next].doc });
          continue;
        }
        const rank = keys[next] % DOC_BITS;
        let i = 0;
        while (i < found.length - 1 && rank < offsets[i]) {
          i++;
        }
        const { segment } = found[i];
        out.push({ segment, doc: segment.docs - 1 - (rank - offsets[i]) });
      }
      return out;
    },
  };
}

// the results of a query over the segments of ``manifest``: {length, take(k)} (see ranked);
// ``chosen``: {filter name: value}
export async function search(manifest, query, chosen = {}, byDate = false) {
  const parts = queryParts(query);
  if (parts.length === 0) {
    return ranked([], byDate);
  }
  const whole = `#${titleWord(query)}`;
  const found = await Promise.all(manifest.segments.map((segment, n) =>
    searchSegment(segment, n, parts, whole, chosen)));
  return ranked(found, byDate);
}

// the docs-table row of a result: {url, title, date, columns, number}
export async function row({ segment, doc }) {
  const rows = await segmentFile(`${INDEX}${segment.id}/d${Math.floor(doc / segment.chunk)}.json`, "json");
  const [url, title, date, columns, number] = rows[doc % segment.chunk] || [];
  return { url, title, date, columns, number };
}
