"""What the benchmark's queries fetch of their words' postings, today and under two proposed layouts
(an estimate from the installed index, nothing rebuilt):

    .venv/bin/python bench/search_bytes.py --articles 100000 --keep /tmp/i16search/after100k

(the site search_quality.py --keep built). The queries are search_quality.py's (60 pasted titles,
30 phrases); their results come from search-engine.js in Chromium. Layouts, for a "common" word
(more than 16 KB of postings in the segment):

* doc lists: its bucket keeps only a doc list (~3 bytes a doc: delta, title count, body count),
  its positions go to one file per batch of 5,000 docs, fetched only for batches holding a result
  and not at all for a one-word part;
* ranges: its whole postings in one file per batch; the words of a part are read rarest first and a
  common word only for the batches still holding candidates — between the batches of the results
  (lower bound) and those where every word read so far has docs (upper bound).

Collateral bytes (other words of the same bucket file) are left out on every side (~7 %).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import search_quality as sq  # noqa: E402

from core import search  # noqa: E402
from tests.browser import chromium, static_server  # noqa: E402

COMMON = 16_000
BATCH = 5_000
RESULTS = """async (queries) => { const engine = await import('/static/search-engine.js');
  const manifest = await engine.loadManifest(); const out = [];
  for (const words of queries) { const ranked = await engine.search(manifest, words, {}, false);
    out.push(ranked.take(ranked.length).filter((r) => r.segment.id === manifest.segments[0].id).map((r) => r.doc)); }
  return out; }"""


def _first_varint(data: bytes) -> int:
    value = shift = 0
    for byte in data:
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, required=True)
    parser.add_argument("--keep", type=Path, required=True, help="the folder search_quality.py --keep built")
    args = parser.parse_args()
    site = args.keep / "site"
    segment = search.read_manifest(site)["segments"][0]
    folder = site / search.BUNDLE_DIR / segment["id"]
    exact, phrases = sq.pick_queries(sq.generate(site, args.articles, write=False), 60)
    queries = [a["title"] for a in exact] + phrases
    with static_server(site) as base, chromium() as browser:
        page = browser.new_page()
        page.goto(f"{base}/search.html")
        results = page.evaluate(RESULTS, queries)
    blocks: dict[str, list[tuple[int, int, int]]] = {}  # word -> [(batch, postings bytes, docs)]

    def of(word: str) -> list[tuple[int, int, int]]:
        if word not in blocks:
            key = search._key_of(word)
            found = search._read_bucket(folder / f"p{search._bucket_of(word, segment['buckets'])}.bin")
            blocks[word] = [(base // BATCH, len(data), _first_varint(data))
                            for base, data in found.get(word if key is None else key, [])]
        return blocks[word]

    rows = []
    for words, docs in zip(queries, results, strict=True):
        batches = {d // BATCH for d in docs}
        today = lists = low = high = 0
        for part in search.query_parts(words):
            names = [w for w, _ in part["words"]] + [x for x in (part["single"], part["wenhao"]) if x]
            alive: set[int] | None = None
            for word in sorted(names, key=lambda w: sum(n for _, n, _ in of(w))):
                found = of(word)
                size = sum(n for _, n, _ in found)
                today += size
                if size <= COMMON:
                    lists += size
                    low += size
                    high += size
                else:
                    lists += 3 * sum(k for _, _, k in found)
                    if len(part["words"]) > 1:
                        lists += sum(n - 2 * k for b, n, k in found if b in batches)
                    low += sum(n for b, n, _ in found if b in batches)
                    high += sum(n for b, n, _ in found if alive is None or b in alive)
                have = {b for b, _, _ in found}
                alive = have if alive is None else alive & have
        rows.append((today, lists, low, high, words, len(docs), len(batches)))
    total = [sum(r[i] for r in rows) / 1e6 for i in range(4)]
    print(f"{len(rows)} queries, their words' postings: today {total[0]:.1f} MB; doc lists {total[1]:.1f} MB; "
          f"ranges {total[2]:.1f}-{total[3]:.1f} MB")
    for label, row in [("first query", rows[0])] + [("", r) for r in sorted(rows, reverse=True)[:8]]:
        today, lists, low, high, words, count, nbatches = row
        print(f"{label or '  heaviest'}: {today / 1e6:.2f} MB today, {lists / 1e6:.2f} doc lists, "
              f"{low / 1e6:.2f}-{high / 1e6:.2f} ranges: {words} ({count} results in {nbatches} batches)")


if __name__ == "__main__":
    main()
