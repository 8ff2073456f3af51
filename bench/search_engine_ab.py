"""The search alone, before and after search-engine.js, in one Chromium page over one index:

    .venv/bin/python bench/search_engine_ab.py --keep /tmp/i16search/after100k --before /work/main \\
        --reps 5 北斗 汉中 "宝鸡 钛材料" …

(``--keep``: the folder search_quality.py --keep built; ``--before``: a checkout whose
static/search.js still holds the search itself, as before search-engine.js: its ``search`` is
exported by an appended line into a copy served as /static/old-search.js.) Each query runs
``--reps`` times with each engine, the old first (its first run fetches the files, the others find
them cached), and prints the wall milliseconds and the renderer's CPU milliseconds (/proc, 10 ms
ticks) of every run, and whether both give the same first ten. No page drawing, no excerpts:
what bench/search_quality.py's per-query CPU cannot separate from them under load.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser import chromium, static_server  # noqa: E402

SETUP = """async () => { window.engine = await import('/static/search-engine.js');
  window.before = await import('/static/old-search.js'); window.manifest = await engine.loadManifest(); }"""
RUN = """async ([which, words]) => { const started = performance.now();
  const found = which === 'after' ? await engine.search(manifest, words, {}, false)
                                  : await before.oldSearch(manifest, words, {}, false);
  const ms = performance.now() - started;
  const top = which === 'after' ? found.take(10).map((r) => r.doc) : found.slice(0, 10).map((r) => r.doc);
  return [found.length, ms, top]; }"""


def _renderer_cpu() -> float:
    """CPU seconds of this process's descendants that are Chromium renderers."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            if b"--type=renderer" not in Path(entry.path, "cmdline").read_bytes():
                continue
            fields = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry.name)
        while pid > 1 and pid != os.getpid():  # a descendant of this process?
            try:
                pid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except OSError:
                break
        if pid == os.getpid():
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", type=Path, required=True)
    parser.add_argument("--before", type=Path, required=True, help="a checkout from before search-engine.js")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("queries", nargs="+")
    args = parser.parse_args()
    site = args.keep / "site"
    static = ROOT / "core" / "templates" / "static"
    for script in static.glob("search*.js"):
        shutil.copy(script, site / "static" / script.name)
    old = (args.before / "core" / "templates" / "static" / "search.js").read_text(encoding="utf-8")
    (site / "static" / "old-search.js").write_text(old + "\nexport { search as oldSearch };\n", encoding="utf-8")
    with static_server(site) as base, chromium() as browser:
        page = browser.new_page()
        page.goto(f"{base}/search.html")
        page.evaluate(SETUP)
        for words in args.queries:
            runs = {}
            for which in ("before", "after"):
                walls, cpus = [], []
                for _ in range(args.reps):
                    cpu = _renderer_cpu()
                    count, ms, top = page.evaluate(RUN, [which, words])
                    walls.append(round(ms))
                    cpus.append(round(1000 * (_renderer_cpu() - cpu)))
                runs[which] = (count, walls, cpus, top)
            same = runs["before"][0] == runs["after"][0] and runs["before"][3] == runs["after"][3]
            print(f"{words}: {runs['after'][0]} results, same count and first ten: {same}; "
                  f"before wall {runs['before'][1]} ms, CPU {runs['before'][2]} ms; "
                  f"after wall {runs['after'][1]} ms, CPU {runs['after'][2]} ms")


if __name__ == "__main__":
    main()
