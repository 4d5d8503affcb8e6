"""``python -m benchmarks.web CATALOG``: how long `catalog serve`'s pages take.

Each page is fetched through Datasette's own client (no network) a few times and the
best time printed; a page whose query or facet hit Datasette's time limit says so.
Build a large catalog first, e.g.:

    python -m benchmarks corpus --papers 100000 --out /tmp/pages
    catalog --db /tmp/big.db load /tmp/pages -q
    python -m benchmarks.web /tmp/big.db
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import time
from urllib.parse import quote

PAGES = ["/", "/search?q=learning", "/search?q=model+training", "/topics", "/topic/CL",
         "/catalog/paper_list", "/catalog/paper_list?_facet_array=authors",
         "/catalog/author_list", "/catalog/author_list?_sort_desc=papers", "/catalog"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.web")
    ap.add_argument("catalog")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    from catalog.api import Catalog
    from catalog.web import make_datasette

    Catalog(args.catalog).close()  # migrate an older catalog first, as `serve` does
    ds = make_datasette(args.catalog)
    asyncio.run(ds.invoke_startup())
    conn = sqlite3.connect(f"file:{args.catalog}?mode=ro", uri=True)
    name = conn.execute("SELECT name FROM people LIMIT 1 OFFSET 100").fetchone()[0]
    pid = conn.execute("SELECT id FROM papers LIMIT 1 OFFSET 5000").fetchone()[0]
    papers = conn.execute("SELECT count(*) FROM papers").fetchone()[0]
    conn.close()
    print(f"{papers:,} papers; best of {args.repeat}")
    for path in [*PAGES, "/author/" + quote(name), "/paper/" + pid]:
        best = float("inf")
        for _ in range(args.repeat):
            start = time.perf_counter()
            response = asyncio.run(ds.client.get(path))
            best = min(best, time.perf_counter() - start)
        slow = " (a query or facet timed out)" if (
            "took too long" in response.text or "timed out" in response.text.lower()) else ""
        print(f"{response.status_code} {best * 1000:7.0f} ms  {path}{slow}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
