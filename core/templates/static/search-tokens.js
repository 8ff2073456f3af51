// The words of the search index, cut in the browser exactly as core/search.py cuts them
// (query_parts, bucket and key of a word; tests/test_search.py runs both on the same texts): the
// text NFKC-normalised and lower-cased; two adjacent Chinese characters are one word, a Chinese
// character next to a non-Chinese one is also a word alone, numbers and Latin words are whole;
// a word's offset counts letters and digits only (spaces and punctuation do not count).

const CJK = /^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]$/u;
const ALNUM = /^[\p{L}\p{N}]$/u;
const WENHAO = /^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{1,12}\d{5,8}号$/u;
export const WORDS_FROM = 0x20000; // keys of words kept as text (core/search.py _WORDS_FROM)
export const PAIRS_FROM = 0x34000000;
export const BODY = 1 << 10; // positions of the body start here; the title's are below (core/search.py)

export function normal(text) {
  return String(text || "").normalize("NFKC").toLowerCase();
}

// 1: Chinese, 2: another letter or digit, 0: anything else
function kind(ch) {
  if (CJK.test(ch)) {
    return 1;
  }
  return ALNUM.test(ch) ? 2 : 0;
}

// the parts of a query (split at spaces): {words: [[word, offset]], single: "~字" for a lone
// Chinese character (searched as a doc-level word), wenhao: "#w…" when the part is a 文号}
export function queryParts(query) {
  const parts = [];
  for (const raw of normal(query).split(/\s+/u)) {
    const chars = [...raw];
    const words = [];
    let offset = 0;
    for (let i = 0; i < chars.length;) {
      const k = kind(chars[i]);
      let j = i;
      while (j < chars.length && kind(chars[j]) === k) {
        j++;
      }
      const run = chars.slice(i, j);
      if (k === 1) {
        if (run.length === 1) {
          words.push([run[0], offset]);
        }
        for (let n = 0; n + 1 < run.length; n++) {
          words.push([run[n] + run[n + 1], offset + n]);
        }
        offset += run.length;
      } else if (k === 2) {
        words.push([run.join(""), offset]);
        offset += run.length;
      }
      i = j;
    }
    if (words.length === 0) {
      continue;
    }
    const whole = compact(raw);
    const single = [...whole].length === 1 && kind(whole) === 1 ? `~${whole}` : null;
    parts.push({ words: single ? [] : words, single, wenhao: WENHAO.test(whole) ? `#w${whole}` : null });
  }
  return parts;
}

// a text reduced to its letters and digits (NFKC, lower case): what titles are compared by
export function compact(text) {
  return [...normal(text)].filter((ch) => kind(ch) > 0).join("");
}

// the bucket file of a word: h = h * 31 + code point (mod 2^32), mod buckets
export function bucketOf(word, buckets) {
  let h = 0;
  for (const ch of word) {
    h = (Math.imul(h, 31) + ch.codePointAt(0)) >>> 0;
  }
  return h % buckets;
}

// the numeric key of a Chinese word (a character, a pair, "~" + character), null for a text word
export function keyOf(word) {
  const chars = [...word];
  if (chars.length === 1 && kind(chars[0]) === 1) {
    return chars[0].codePointAt(0);
  }
  if (chars.length === 2 && chars[0] === "~" && kind(chars[1]) === 1) {
    return 0x10000 + chars[1].codePointAt(0);
  }
  if (chars.length === 2 && kind(chars[0]) === 1 && kind(chars[1]) === 1) {
    return ((chars[0].codePointAt(0) << 16) | chars[1].codePointAt(0)) >>> 0;
  }
  return null;
}

function fnv(bytes, seed) {
  let value = seed >>> 0;
  for (const byte of bytes) {
    value = Math.imul(value ^ byte, 0x01000193) >>> 0;
  }
  return value.toString(16).padStart(8, "0");
}

// the word of a whole title (core/search.py title_word): a pasted title is one look-up
export function titleWord(title) {
  const bytes = new TextEncoder().encode(compact(title));
  return `zt${fnv(bytes, 0x811c9dc5)}${fnv(bytes, 0x9747b28c)}`;
}
