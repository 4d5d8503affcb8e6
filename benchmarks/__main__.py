"""``python -m benchmarks run --papers N``: generate a corpus, measure, write the table.

    python -m benchmarks run --papers 1000000            # the docs/benchmarks.md run
    python -m benchmarks run --papers 2000 --out /tmp/b --doc /tmp/b/bench.md   # smoke
    python -m benchmarks run --papers 100000 --search-only   # search again, same catalog
    python -m benchmarks corpus --papers 5000 --out /tmp/pages   # only the page files
    python -m benchmarks relevance [--collections med,cranfield] [--markdown]
    python -m benchmarks relevance --out docs/benchmarks.md
    python -m benchmarks authors --papers 1000000 --out /tmp/b   # author resolution only
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks")
    sub = ap.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="generate the corpus (or reuse it) and measure")
    r.add_argument("--papers", type=int, default=1_000_000)
    r.add_argument("--seed", type=int, default=42)
    r.add_argument("--out", type=Path, default=None,
                   help="work folder for pages and databases [benchmarks/out/N]")
    r.add_argument("--doc", type=Path, default=ROOT / "docs" / "benchmarks.md",
                   help="where to write the Markdown table ('-': nowhere)")
    r.add_argument("--search-only", action="store_true",
                   help="only the search measures, on the catalog an earlier run left in "
                   "--out; prints the search section (the --doc file is left alone)")
    c = sub.add_parser("corpus", help="only write the page files")
    c.add_argument("--papers", type=int, required=True)
    c.add_argument("--seed", type=int, default=42)
    c.add_argument("--out", type=Path, required=True)
    rel = sub.add_parser("relevance", help="nDCG@10 and Recall@100 on ../shared/ir, "
                         "beside a plain BM25 reference")
    rel.add_argument("--collections", default=None,
                     help="comma-separated names [cranfield,med,cisi,cacm,scifact-train]")
    rel.add_argument("--ir", type=Path, default=None,
                     help="the collections' folder [$CATALOG_IR, else ../shared/ir]")
    rel.add_argument("--markdown", action="store_true", help="print the Markdown table")
    rel.add_argument("--out", type=Path, default=None,
                     help="write the Relevance section into this Markdown file "
                     "(e.g. docs/benchmarks.md)")
    rel.add_argument("--json", type=Path, default=None,
                     help="write per-query results (scores, notes, top 10) here")
    rel.add_argument("--work", type=Path, default=None,
                     help="keep the pages and catalogs here [a temporary folder]")
    rel.add_argument("--max-queries", type=int, default=None,
                     help="only the first N judged queries of each collection")
    a = sub.add_parser("authors", help="author resolution alone (corpus and catalog "
                                       "made or reused in --out)")
    a.add_argument("--papers", type=int, default=1_000_000)
    a.add_argument("--seed", type=int, default=42)
    a.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)

    if args.command == "relevance":
        from benchmarks.relevance import main as relevance

        return relevance(args)

    if args.command == "authors":
        from benchmarks.run import authors_only

        v = authors_only(args.papers, seed=args.seed, work=args.out)
        print(f"author resolution over {v['author_names']:,} names: exact "
              f"{v['author_exact_s'] * 1000:.2f} ms; one-edit typo median "
              f"{v['author_fuzzy_s'] * 1000:.2f} ms, max {v['author_fuzzy_max_s'] * 1000:.2f} ms; "
              f"{v['author_fuzzy_found']} of {v['author_fuzzy_tried']} resolved")
        return 0

    if args.command == "corpus":
        from benchmarks.corpus import write_corpus

        stats = write_corpus(args.out, args.papers, args.seed)
        print(f"{stats.pages} pages, {stats.entries} entries, {stats.bytes / 1e6:.1f} MB")
        return 0
    from benchmarks.run import run

    work = args.out or ROOT / "benchmarks" / "out" / str(args.papers)
    if args.search_only:
        from benchmarks.run import run_search_only, search_markdown

        res = run_search_only(args.papers, seed=args.seed, work=work,
                              quick=args.papers <= 20_000)
        print(search_markdown(res))
        return 0
    doc = None if str(args.doc) == "-" else args.doc
    res = run(args.papers, seed=args.seed, work=work, doc=doc,
              quick=args.papers <= 20_000)
    v = res.values
    print(f"load {v['load_s']:.1f}s ({v['load_floor_ratio']:.2f}x floor), "
          f"rss {v['load_rss_mb']:.0f} MB, search p95 {v['search_p95'] * 1000:.1f} ms, "
          f"help {v['help_s'] * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
