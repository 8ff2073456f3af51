// The words of the search index, cut in the browser exactly as core/search.py cuts the pages
// (index_tokens / query_tokens; tests/test_search.py runs both on the same texts): a run of
// Chinese characters becomes its overlapping two-character pairs, numbers and Latin words stay
// whole (NFKC, lower case). Pagefind then needs every pair of the query in a page: a page that
// contains the query contains all of them.

const CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff";
const RUNS = new RegExp(`([${CJK}]+)|((?:(?![${CJK}])[\\p{L}\\p{N}])+)|(\\S)`, "gu");
const IS_CJK = new RegExp(`^[${CJK}]+$`, "u");
const IS_WORD = /^[\p{L}\p{N}]+$/u;

const TITLE_WORD = /^zt[0-9a-f]{16}$/;

function word(run) {
  return run.normalize("NFKC").toLowerCase();
}

function* runs(text) {
  for (const match of String(text || "").matchAll(RUNS)) {
    yield match;
  }
}

// the index words of a text (what core/search.index_tokens writes)
export function indexTokens(text) {
  const out = [];
  for (const [, chinese, latin, other] of runs(text)) {
    if (chinese) {
      const chars = [...chinese];
      for (let i = 0; i + 1 < chars.length; i++) {
        out.push(chars[i] + chars[i + 1]);
      }
      out.push(chars[chars.length - 1]);
    } else if (latin) {
      out.push(word(latin));
    } else {
      out.push(other);
    }
  }
  return out.join(" ");
}

// the words of a query: pairs of each Chinese run (a single character alone), words whole,
// punctuation dropped, each once
export function queryTokens(query) {
  const out = [];
  for (const [, chinese, latin] of runs(query)) {
    if (chinese) {
      const chars = [...chinese];
      if (chars.length === 1) {
        out.push(chinese);
      }
      for (let i = 0; i + 1 < chars.length; i++) {
        out.push(chars[i] + chars[i + 1]);
      }
    } else if (latin) {
      out.push(word(latin));
    }
  }
  return [...new Set(out)];
}

// the text back from its index words: consecutive pairs overlap by one character, and the single
// last character closes a run (so two runs next to each other stay apart)
export function untokenize(tokens) {
  let text = "";
  let pair = null; // the pair the current Chinese run ended with
  let latin = false;
  for (const token of String(tokens || "").split(" ")) {
    if (!token || TITLE_WORD.test(token)) {
      continue;
    }
    const chars = [...token];
    if (IS_CJK.test(token)) {
      if (pair !== null && chars.length === 2 && chars[0] === pair[1]) {
        text += chars[1];
        pair = chars;
      } else if (pair !== null && chars.length === 1 && token === pair[1]) {
        pair = null; // end of the run
      } else {
        text += token;
        pair = chars.length === 2 ? chars : null;
      }
      latin = false;
    } else {
      const isWord = IS_WORD.test(token);
      text += (isWord && latin ? " " : "") + token;
      latin = isWord;
      pair = null;
    }
  }
  return text;
}

// a text reduced to what the search compares: no spaces or punctuation, NFKC, lower case
export function compact(text) {
  return [...runs(text)].filter((m) => m[1] || m[2]).map((m) => (m[1] ? m[1] : word(m[2]))).join("");
}

function fnv(bytes, seed) {
  let value = seed >>> 0;
  for (const byte of bytes) {
    value = Math.imul(value ^ byte, 0x01000193) >>> 0;
  }
  return value.toString(16).padStart(8, "0");
}

// the index word of a whole title (core/search.py title_word): a pasted title finds its pages by it
export function titleWord(title) {
  const bytes = new TextEncoder().encode(compact(title));
  return `zt${fnv(bytes, 0x811c9dc5)}${fnv(bytes, 0x9747b28c)}`;
}
