"""The benchmark run: every measure of issue #6 on one generated corpus, in one go.

Each measure stands beside its floor or its peer: loading beside plain ``sqlite3``
``executemany`` of the same papers into an FTS5 index; ``catalog search`` beside
``rg`` over the page files. Heavy steps run one after the other (the machine may be
shared), and the commands under test run as child processes, so that their wall time
includes start-up and their peak memory is their own.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import sqlite3
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from benchmarks.corpus import (
    AS_OF,
    Corpus,
    PageSpec,
    expected_page,
    paper_rows,
    render,
    write_corpus,
)
from benchmarks.corpus import VERSION as CORPUS_VERSION
from benchmarks.measure import fmt_mb, fmt_s, machine, median, percentile, run_child
from catalog.migrations import FTS_COLUMNS, FTS_TOKENIZE

CATALOG = [sys.executable, "-m", "catalog"]


def _catalog_cmd() -> list[str]:
    """The ``catalog`` script installed for this Python (what a user runs), else
    ``python -m catalog``. The script itself, not the first ``catalog`` on PATH: a
    version manager's shim in front of it (pyenv's is a bash script) adds its own
    start-up, 110 ms on the benchmark machine, to every command timed."""
    beside = Path(sys.executable).with_name("catalog")
    exe = str(beside) if beside.is_file() else shutil.which("catalog")
    return [exe] if exe else CATALOG


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


@dataclass
class Results:
    papers: int
    seed: int
    date: str = ""
    machine: dict = field(default_factory=dict)
    corpus: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)
    searches: list = field(default_factory=list)
    notes: list = field(default_factory=list)


# -- steps -------------------------------------------------------------------------

def make_corpus(corpus: Corpus, pages_dir: Path) -> dict:
    marker = pages_dir / "corpus.json"
    if marker.exists():
        info = json.loads(marker.read_text())
        if (info.get("papers"), info.get("seed"), info.get("version")) == (
                corpus.n, corpus.seed, CORPUS_VERSION):
            log(f"corpus: reusing {pages_dir} ({info['pages']} pages)")
            return info
    if pages_dir.exists():
        shutil.rmtree(pages_dir)
    pages_dir.mkdir(parents=True)
    log(f"corpus: writing {corpus.n:,} papers to {pages_dir}")
    start = time.perf_counter()
    stats = write_corpus(pages_dir, corpus.n, corpus.seed)
    info = {**asdict(stats), "seed": corpus.seed, "version": CORPUS_VERSION,
            "seconds": time.perf_counter() - start}
    marker.write_text(json.dumps(info))  # not *.txt: `catalog load DIR` skips it
    return info


def check_parse(corpus: Corpus, pages_dir: Path, sample_pages: int) -> int:
    """Parse back the first pages: every entry as generated, and no warning."""
    from catalog.pages import parse_page

    checked = 0
    for page in corpus.pages():
        if checked >= sample_pages:
            break
        text = (pages_dir / page.relpath).read_text("utf-8")
        got = parse_page(text, page.stem, as_of=AS_OF)
        want = expected_page(corpus, page)
        if got != want or got.warnings:
            bad = next((i for i, (a, b) in enumerate(zip(got.entries, want.entries, strict=False))
                        if a != b), None)
            raise SystemExit(
                f"corpus page {page.relpath} does not parse back: {len(got.entries)} of "
                f"{len(want.entries)} entries, {len(got.warnings)} warning(s), first "
                f"differing entry {bad}, profile equal: {got.profile == want.profile}")
        checked += 1
    return checked


def parse_throughput(pages_dir: Path, max_bytes: int) -> dict:
    """The parser alone: page texts read first, then parsed (no I/O, no database)."""
    from catalog.pages import parse_page

    texts = []
    total = 0
    for path in sorted(pages_dir.rglob("*.txt")):
        data = path.read_bytes()
        texts.append((path.stem, data.decode("utf-8")))
        total += len(data)
        if total >= max_bytes:
            break
    start = time.perf_counter()
    entries = 0
    for stem, text in texts:
        entries += len(parse_page(text, stem, as_of=AS_OF).entries)
    seconds = time.perf_counter() - start
    return {"parse_mb_s": total / seconds / 1e6, "parse_bytes": total,
            "parse_entries_s": entries / seconds, "parse_seconds": seconds}


def floor_load(corpus: Corpus, db: Path, batch: int = 5000) -> dict:
    """The same distinct papers straight into SQLite: one table, its FTS5 index, one
    transaction, plain ``executemany``. Rows are generated outside the timed part."""
    for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        p.unlink(missing_ok=True)
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("""CREATE TABLE papers (pk INTEGER PRIMARY KEY, title TEXT NOT NULL,
        authors TEXT NOT NULL, authors_truncated INTEGER NOT NULL, affiliations TEXT NOT NULL,
        topic TEXT, date TEXT, year INTEGER, has_code INTEGER NOT NULL, score REAL,
        abstract TEXT NOT NULL)""")
    cols = ", ".join(FTS_COLUMNS)
    conn.execute(f"CREATE VIRTUAL TABLE papers_fts USING fts5({cols}, "
                 f"tokenize='{FTS_TOKENIZE}', content='papers')")
    timed = 0.0
    start = time.perf_counter()
    conn.execute("BEGIN")
    timed += time.perf_counter() - start
    pk = 0
    for lo in range(0, corpus.n, batch):
        rows = [(pk + i + 1, *r) for i, r in enumerate(paper_rows(corpus, lo, min(lo + batch,
                                                                                corpus.n)))]
        fts = [(r[0], r[1], r[2], r[4], r[10]) for r in rows]
        pk += len(rows)
        start = time.perf_counter()
        conn.executemany("INSERT INTO papers VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
        conn.executemany(f"INSERT INTO papers_fts (rowid, {cols}) VALUES (?,?,?,?,?)", fts)
        timed += time.perf_counter() - start
    start = time.perf_counter()
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    timed += time.perf_counter() - start
    conn.close()
    return {"floor_s": timed, "floor_papers_s": corpus.n / timed,
            "floor_db_bytes": db.stat().st_size}


def catalog_load(pages_dir: Path, db: Path) -> dict:
    for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        p.unlink(missing_ok=True)
    shutil.rmtree(f"{db}-search", ignore_errors=True)  # an earlier run's search index
    run = run_child([*_catalog_cmd(), "--db", str(db), "load", str(pages_dir), "--as-of",
                     AS_OF.isoformat(), "--quiet"])
    if run.returncode != 0:
        raise SystemExit(f"catalog load failed ({run.returncode}):\n"
                         + run.stderr.decode()[-3000:])
    warnings = run.stderr.decode().count("warning:")
    conn = sqlite3.connect(db)
    papers = conn.execute("SELECT count(*) FROM papers").fetchone()[0]
    conn.close()
    return {"load_s": run.wall, "load_rss_mb": run.peak_rss_mb,
            "load_tree_rss_mb": run.peak_tree_rss_mb, "load_warnings": warnings,
            "load_papers": papers, "db_bytes": Path(db).stat().st_size}


def extra_page(corpus: Corpus, number: int, work: Path) -> Path:
    """One more page of 40 papers the catalog does not hold yet (its numbers follow
    the corpus's), in the compact layout."""
    extra = Corpus(corpus.n + 40 * (number + 1), corpus.seed)
    items = [(corpus.n + 40 * number + i, True) for i in range(40)]
    page = PageSpec(10_000_000 + number, False, items, None, f"extra_{number}")
    path = work / "extra" / f"extra_{number}.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(extra, page), "utf-8")
    return path


def incremental(corpus: Corpus, db: Path, work: Path) -> dict:
    cmd_page = extra_page(corpus, 0, work)
    run = run_child([*_catalog_cmd(), "--db", str(db), "load", str(cmd_page), "--as-of",
                     AS_OF.isoformat(), "--quiet"])
    if run.returncode != 0:
        raise SystemExit("incremental load failed:\n" + run.stderr.decode())
    from catalog.api import Catalog

    lib_page = extra_page(corpus, 1, work)
    with Catalog(db) as cat:
        start = time.perf_counter()
        reports = cat.load([lib_page], as_of=AS_OF)
        lib = time.perf_counter() - start
    assert reports[0].ok and reports[0].new == 40, reports[0]
    return {"incr_cmd_s": run.wall, "incr_lib_s": lib}


# -- search ------------------------------------------------------------------------

@dataclass
class Query:
    kind: str
    text: str
    kw: dict = field(default_factory=dict)


def query_set(corpus: Corpus) -> list[Query]:
    """A mixed set, drawn from the corpus so that every query has answers."""
    from benchmarks.corpus import _coined

    v = corpus.vocab.words
    specs = [corpus.paper(j) for j in (7, corpus.n // 3, corpus.n // 2, corpus.n - 5)]
    a, b, c, d = specs
    prolific = _prolific_author(corpus)
    phrase = " ".join(b.title.split()[-2:])
    abstract_words = [w.strip(".,").lower() for w in a.abstract.split()[2:4]]
    qs = [
        Query("common word", "model"), Query("common word", "learning"),
        Query("common word", "data"), Query("common word", "performance"),
        Query("common words", "language model"), Query("common words", "neural network training"),
        Query("mid word", v[600]), Query("mid word", v[1500]),
        Query("mid words", f"{v[300]} {v[900]}"),
        Query("rare word", v[40_000]), Query("rare word", v[55_000]),
        Query("rare word", _coined(corpus.n // 4)), Query("rare word", _coined(corpus.n - 1)),
        Query("rare + common", f"{_coined(corpus.n // 5)} model"),
        Query("phrase", f'"{phrase}"'), Query("phrase", '"large language"'),
        Query("phrase", '"' + " ".join(abstract_words) + '"'), Query("phrase", '"of the"'),
        Query("OR / NOT / prefix", "retrieval OR ranking"),
        Query("OR / NOT / prefix", "transformer -vision"),
        Query("OR / NOT / prefix", "gradi*"),
        Query("author filter", "", {"author": prolific}),
        Query("author filter", "model", {"author": prolific}),
        Query("author filter", "", {"author": c.authors[-1]}),
        Query("author filter", f'learning author:"{d.authors[0]}"'),
        Query("topic filter", "", {"topic": "CV"}),
        Query("topic filter", "diffusion", {"topic": "computer vision"}),
        Query("topic filter", f"{v[700]} topic:CL"),
        Query("date range", "", {"since": "2026-01", "until": "2026-03"}),
        Query("date range", "reasoning", {"year": "2020..2022"}),
        Query("date range", f"{v[500]} since:2025"),
        Query("combined", "model", {"topic": "LG", "year": "2024", "code": True}),
        Query("combined", "attention", {"author": prolific, "since": "2020"}),
        Query("typo", "reinforcment learning"),
        Query("typo", "transfromer"),
    ]
    qs += [Query("pasted claim", text) for text in claims(corpus)]
    return qs


def claims(corpus: Corpus, count: int = 8) -> list[str]:
    """Pasted 15-40 word claims, as a reader copies them from a paper they read: a run
    of one paper's abstract with about a quarter of its words said differently (drawn
    from the corpus vocabulary), without punctuation but the final full stop. Drawn
    with the corpus's seed, so that every run of a size asks the same claims."""
    out = []
    for i in range(count):
        rng = corpus._rng(3, i)  # kinds 1 and 2 are the corpus's papers and pages
        words = [w.strip(".,") for w in corpus.paper(rng.randrange(corpus.n)).abstract.split()]
        n = min(rng.randint(15, 40), len(words))
        start = rng.randrange(len(words) - n + 1)
        claim = [w.lower() if rng.random() > 0.25 else corpus.vocab.sample(rng, 1)[0]
                 for w in words[start:start + n]]
        out.append(" ".join(claim).capitalize() + ".")
    return out


def _prolific_author(corpus: Corpus) -> str:
    from benchmarks.corpus import person_name

    return person_name(1)  # index 1 of the Pareto head: among the most frequent people


def search_latency(corpus: Corpus, db: Path, repeats: int) -> tuple[dict, list[dict]]:
    """Top 20 (``Catalog.search``'s default limit) of every query of the set, in-process;
    p50 and p95 over all timed runs and per kind of query."""
    from catalog.api import Catalog
    from catalog.errors import CatalogError

    rows = []
    all_times = []
    by_kind: dict[str, list[float]] = {}
    with Catalog(db) as cat:
        for q in query_set(corpus):
            first = time.perf_counter()
            try:
                result = cat.search(q.text, **q.kw)
            except CatalogError as e:  # reported in the table, never timed
                rows.append({"kind": q.kind, "query": _show(q), "hits": f"error: {e}",
                             "first": float("nan"), "median": float("nan"),
                             "max": float("nan")})
                continue
            cold = time.perf_counter() - first
            times = []
            for _ in range(repeats):
                start = time.perf_counter()
                cat.search(q.text, **q.kw)
                times.append(time.perf_counter() - start)
            all_times += times
            by_kind.setdefault(q.kind, []).extend(times)
            rows.append({"kind": q.kind, "query": _show(q), "hits": len(result.papers),
                         "first": cold, "median": median(times), "max": max(times)})
    kinds = {k: {"p50": percentile(t, 50), "p95": percentile(t, 95), "n": len(t)}
             for k, t in by_kind.items()}
    return ({"search_p50": percentile(all_times, 50), "search_p95": percentile(all_times, 95),
             "search_max": max(all_times), "search_n": len(all_times),
             "search_kinds": kinds,
             "search_errors": sum(1 for r in rows if isinstance(r["hits"], str))}, rows)


def _show(q: Query) -> str:
    opts = " ".join(f"--{k} {json.dumps(v) if isinstance(v, str) else ''}".strip()
                    for k, v in q.kw.items())
    return " ".join(x for x in (json.dumps(q.text) if q.text else "", opts) if x)


def command_search(corpus: Corpus, db: Path, pages_dir: Path, repeats: int) -> dict:
    """``catalog search WORD`` as a user runs it, beside rg (or grep) over the pages."""
    from benchmarks.corpus import _coined

    words = ["learning", corpus.vocab.words[1500], _coined(corpus.n // 3)]
    rg = shutil.which("rg")
    peer_name = "rg" if rg else "grep -r"
    cmd_times, peer_times = [], []
    for w in words:
        args = [*_catalog_cmd(), "--db", str(db), "search", w, "--format", "tsv"]
        run_child(args)  # warm the page cache once
        t = []
        for _ in range(repeats):
            r = run_child(args)
            if r.returncode != 0:
                raise SystemExit(f"catalog search {w} failed: {r.stderr.decode()}")
            t.append(r.wall)
        cmd_times.append(median(t))
        peer = [rg, "-i", "-w", "-c", w, str(pages_dir)] if rg else \
            ["grep", "-r", "-i", "-w", "-c", "--include=*.txt", w, str(pages_dir)]
        run_child(peer)
        t = [run_child(peer).wall for _ in range(max(1, repeats // 2))]
        peer_times.append(median(t))
    return {"cmd_search_s": max(cmd_times), "cmd_search_each": cmd_times,
            "peer_search_s": min(peer_times), "peer_search_each": peer_times,
            "peer_name": peer_name, "cmd_search_words": words}


def _cli_args(q: Query) -> list[str]:
    """The query as ``catalog search`` arguments."""
    args = [q.text]
    for k, v in q.kw.items():
        args += [f"--{k}"] if v is True else [f"--{k}", str(v)]
    return args


def _rg_patterns(q: Query) -> list[str]:
    """What a grep user would look for: any of the query's words (a quoted phrase
    whole), and the filters' author name or year; field terms and operators dropped."""
    text = q.text
    pats = re.findall(r'"([^"]+)"', text)
    text = re.sub(r'"[^"]*"', " ", text)
    pats += [w.strip("*") for w in text.split()
             if ":" not in w and w not in ("OR", "AND", "NOT") and not w.startswith("-")]
    pats += [str(q.kw[k]) for k in ("author", "year", "since") if k in q.kw]
    pats = [p.rstrip(".").split("..")[0] for p in pats if p.strip(".")]
    return list(dict.fromkeys(pats)) or ["."]


def command_vs_rg(corpus: Corpus, db: Path, pages_dir: Path, rows: list[dict],
                  repeats: int, one_per_kind: bool = False) -> dict:
    """Every query of the set (or the first of each kind) as ``catalog search`` (a child
    process, top 20, TSV) beside ``rg -il`` over the page files for its words (``-F``,
    any of them): the wall time a user waits for either. Each is run once untimed first
    (a warm page cache)."""
    rg = shutil.which("rg")
    if not rg:
        return {"rg_compared": 0}
    faster = 0
    pairs = list(zip(query_set(corpus), rows, strict=False))
    if one_per_kind:
        firsts: dict[str, tuple[Query, dict]] = {}
        for q, row in pairs:
            firsts.setdefault(q.kind, (q, row))
        pairs = list(firsts.values())
    rows = [row for _, row in pairs]
    for q, row in pairs:
        args = [*_catalog_cmd(), "--db", str(db), "search", *_cli_args(q), "--format", "tsv"]
        peer = [rg, "-i", "-l", "-F", *(x for p in _rg_patterns(q) for x in ("-e", p)),
                str(pages_dir)]
        run_child(args)
        runs = [run_child(args) for _ in range(repeats)]
        run_child(peer)
        row["cmd"] = median([r.wall for r in runs])
        row["cmd_exit"] = runs[0].returncode
        row["rg"] = median([run_child(peer).wall for _ in range(repeats)])
        faster += row["cmd"] < row["rg"]
    return {"rg_compared": len(rows), "rg_slower": faster,
            "cmd_query_max": max(r["cmd"] for r in rows),
            "rg_query_min": min(r["rg"] for r in rows)}


def author_resolution(corpus: Corpus, db: Path) -> dict:
    """``resolve_author`` with a misspelt name: the fuzzy path over every name."""
    from benchmarks.corpus import _FIRST, person_name
    from catalog.api import Catalog
    from catalog.errors import UnknownAuthor

    def typos(name: str) -> list[str]:
        # one edit inside the surname (issue 16's case): two letters swapped ("Daya Gou"),
        # one left out ("Daya Gu"), one wrong ("Daya Gup"), one doubled ("Daya Guoo")
        i = len(name) - 2
        nxt = "e" if name[i] != "e" else "a"
        return [name[:i - 1] + name[i] + name[i - 1] + name[i + 1:],
                name[:i] + name[i + 1:], name[:i] + nxt + name[i + 1:],
                name[:i] + name[i] + name[i:]]

    # three of the most frequent people (all named Liu: a three-letter surname, where one
    # edit often lands on another real name) and one with a long surname (Sutskever)
    names = [person_name(i) for i in (3, 11, 57, 14 * len(_FIRST) + 5)]
    with Catalog(db) as cat:
        n_names = cat.conn.execute("SELECT count(*) FROM people").fetchone()[0]
        exact, fuzzy, outcomes = [], [], []
        for name in names:
            start = time.perf_counter()
            cat.resolve_author(name)
            exact.append(time.perf_counter() - start)
            for typo in typos(name):
                start = time.perf_counter()
                try:
                    shown, *_ = cat.resolve_author(typo)
                    outcomes.append(shown == name)
                except UnknownAuthor:
                    outcomes.append(False)
                fuzzy.append(time.perf_counter() - start)
    return {"author_exact_s": median(exact), "author_fuzzy_s": median(fuzzy),
            "author_fuzzy_max_s": max(fuzzy), "author_names": n_names,
            "author_fuzzy_found": sum(outcomes), "author_fuzzy_tried": len(outcomes)}


def authors_only(papers: int, *, seed: int, work: Path) -> dict:
    """Author resolution alone, on the corpus's catalog (made once, then reused)."""
    work.mkdir(parents=True, exist_ok=True)
    corpus = Corpus(papers, seed)
    make_corpus(corpus, work / "pages")
    db = work / "catalog.db"
    if not db.exists():
        log("catalog load of the whole corpus")
        catalog_load(work / "pages", db)
    return author_resolution(corpus, db)


def startup(repeats: int) -> dict:
    cmd = [*_catalog_cmd(), "--help"]
    run_child(cmd)
    times = [run_child(cmd).wall for _ in range(repeats)]
    bare = [run_child([sys.executable, "-c", "pass"]).wall for _ in range(repeats)]
    return {"help_s": median(times), "python_s": median(bare)}


def export(db: Path, work: Path, papers: int) -> dict:
    """``catalog export --format csv -o FILE`` when the command exists, else the
    library's writer over ``Catalog.papers()`` in a child process."""
    out = work / "export.csv"
    out.unlink(missing_ok=True)
    probe = run_child([*_catalog_cmd(), "export", "--help"])
    if probe.returncode == 0:
        how = "`catalog export --format csv -o FILE`"
        args = [*_catalog_cmd(), "--db", str(db), "export", "--format", "csv", "-o", str(out)]
    else:
        how = "library: `write_csv(Catalog.papers())` (no export command yet)"
        code = ("import sys; from catalog.api import Catalog; from catalog.export import "
                "write_csv\nwith Catalog(sys.argv[1]) as c, open(sys.argv[2], 'w', "
                "newline='', encoding='utf-8') as f: write_csv(c.papers(), f)")
        args = [sys.executable, "-c", code, str(db), str(out)]
    run = run_child(args)
    if run.returncode != 0:
        raise SystemExit("export failed:\n" + run.stderr.decode()[-3000:])
    rows = None
    if papers <= 200_000:
        import csv

        with out.open(newline="", encoding="utf-8-sig") as f:
            rows = sum(1 for _ in csv.reader(f)) - 1
    size = out.stat().st_size
    out.unlink()
    return {"export_s": run.wall, "export_rows_s": papers / run.wall,
            "export_rss_mb": run.peak_rss_mb, "export_how": how, "export_rows": rows,
            "export_bytes": size}


# -- the run -------------------------------------------------------------------------

def run(papers: int, *, seed: int, work: Path, doc: Path | None, quick: bool,
        steps: Callable[[str], bool] = lambda s: True) -> Results:
    res = Results(papers, seed, date=dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
                  machine=machine())
    work.mkdir(parents=True, exist_ok=True)
    pages_dir = work / "pages"
    db = work / "catalog.db"
    corpus = Corpus(papers, seed)
    res.corpus = make_corpus(corpus, pages_dir)
    v = res.values
    log("checking that generated pages parse back exactly")
    v["checked_pages"] = check_parse(corpus, pages_dir, 20 if quick else 200)
    log("parse throughput")
    v.update(parse_throughput(pages_dir, 8_000_000 if quick else 64_000_000))
    log(f"parse: {v['parse_mb_s']:.1f} MB/s; floor: plain sqlite3 executemany + FTS5")
    v.update(floor_load(corpus, work / "floor.db"))
    (work / "floor.db").unlink()
    log(f"floor: {fmt_s(v['floor_s'])}; catalog load of the whole corpus")
    v.update(catalog_load(pages_dir, db))
    v["load_papers_s"] = papers / v["load_s"]
    v["load_floor_ratio"] = v["load_s"] / v["floor_s"]
    log(f"load: {fmt_s(v['load_s'])}, {v['load_rss_mb']:.0f} MB peak; incremental")
    if v["load_papers"] != papers:
        raise SystemExit(f"the catalog holds {v['load_papers']} papers, not {papers}")
    v.update(incremental(corpus, db, work))
    search_steps(res, corpus, db, pages_dir, quick)
    log("start-up")
    v.update(startup(3 if quick else 10))
    log("export")
    v.update(export(db, work, papers + 80))
    if doc:
        write_doc(doc, markdown(res))
        log(f"wrote {doc}")
    (work / "results.json").write_text(json.dumps(asdict(res), indent=1, default=str))
    return res


def search_steps(res: Results, corpus: Corpus, db: Path, pages_dir: Path, quick: bool
                 ) -> None:
    """Every search measure: in-process latency, the command beside rg, author typos."""
    v = res.values
    log("search in-process")
    stats, res.searches = search_latency(corpus, db, repeats=3 if quick else 10)
    v.update(stats)
    log("catalog search as a command, and its peer")
    v.update(command_search(corpus, db, pages_dir, repeats=2 if quick else 5))
    log("every query as `catalog search` beside `rg -il`")
    v.update(command_vs_rg(corpus, db, pages_dir, res.searches, repeats=1 if quick else 3,
                           one_per_kind=quick))
    log("author resolution")
    v.update(author_resolution(corpus, db))


def run_search_only(papers: int, *, seed: int, work: Path, quick: bool) -> Results:
    """The search measures alone, on the catalog an earlier ``run`` of this size left in
    ``work`` (a search change is measured in minutes, not a 1M-paper reload)."""
    db, pages_dir = work / "catalog.db", work / "pages"
    marker = pages_dir / "corpus.json"
    if not db.exists() or not marker.exists():
        raise SystemExit(f"no catalog of an earlier run in {work}: run without "
                         "--search-only first")
    info = json.loads(marker.read_text())
    if (info.get("papers"), info.get("seed")) != (papers, seed):
        raise SystemExit(f"{work} holds a corpus of {info.get('papers')} papers, seed "
                         f"{info.get('seed')}")
    res = Results(papers, seed, date=dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
                  machine=machine(), corpus=info)
    search_steps(res, Corpus(papers, seed), db, pages_dir, quick)
    (work / "results-search.json").write_text(json.dumps(asdict(res), indent=1, default=str))
    return res


KEEP_MARKER = "<!-- written by hand below this line: kept when the table is rewritten -->"


def write_doc(doc: Path, table: str) -> None:
    """Write the generated table, keeping what was written by hand under the marker."""
    kept = ""
    if doc.exists():
        old = doc.read_text("utf-8")
        if KEEP_MARKER in old:
            kept = old[old.index(KEEP_MARKER):]
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(table.rstrip("\n") + "\n\n" + (kept or KEEP_MARKER + "\n"), "utf-8")


def markdown(res: Results) -> str:
    v, m, c = res.values, res.machine, res.corpus
    n = res.papers
    mb = c["bytes"] / 1e6
    lines = [
        "# Benchmarks",
        "",
        f"One run of `python -m benchmarks run --papers {n}` on {res.date} "
        f"(generated corpus, seed {res.seed}).",
        "",
        "**Machine:** " + "; ".join(f"{k}: {val}" for k, val in m.items()) + ".",
        "",
        f"**Corpus:** {n:,} distinct papers on {c['pages']:,} pages ({c['entries']:,} "
        f"entries: some papers are listed on several pages), {mb:,.0f} MB of page text; "
        "half the pages spaced with a profile header, half compact and unnamed; "
        "one entry in ten without a header line.",
        "",
        "| measure | result | floor or peer | target |",
        "| --- | --- | --- | --- |",
        f"| parse throughput (parser alone, {v['parse_bytes'] / 1e6:.0f} MB of pages) | "
        f"{v['parse_mb_s']:.1f} MB/s ({v['parse_entries_s']:,.0f} entries/s) | | |",
        f"| `catalog load` of the whole corpus: wall | {fmt_s(v['load_s'])} | floor "
        f"{fmt_s(v['floor_s'])}: the same papers by plain `sqlite3` `executemany` into a "
        f"table and its FTS5 index, one transaction, no parsing | |",
        f"| load papers/s | {v['load_papers_s']:,.0f} | floor {v['floor_papers_s']:,.0f} | |",
        f"| **load / floor** | **{v['load_floor_ratio']:.2f}x** | | at most 3x (goal 2x) |",
        f"| peak RSS while loading | {v['load_rss_mb']:.0f} MB (the writer; with the "
        f"parse-ahead process: {v['load_tree_rss_mb']:.0f} MB together) | | under 300 MB |",
        f"| database size | {fmt_mb(v['db_bytes'])} | floor {fmt_mb(v['floor_db_bytes'])} | |",
        f"| incremental: `catalog load` of one more page (40 papers) into the full catalog | "
        f"{fmt_s(v['incr_cmd_s'])} (command); {fmt_s(v['incr_lib_s'])} (library) | | "
        "under 1 s |",
        f"| search in-process, p50 / p95 ({v['search_n']} timed queries, mixed set below) | "
        f"{fmt_s(v['search_p50'])} / **{fmt_s(v['search_p95'])}** | | p95 under 20 ms |",
        f"| `catalog search WORD` wall (slowest of "
        f"{', '.join(v['cmd_search_words'])}) | {fmt_s(v['cmd_search_s'])} | "
        f"`{v['peer_name']} -i -w -c WORD` over the pages: "
        f"{fmt_s(v['peer_search_s'])} (fastest) | under 0.3 s, faster than rg |",
        f"| author resolution, misspelt name, one edit (fuzzy, over {v['author_names']:,} "
        "names) | "
        f"{fmt_s(v['author_fuzzy_s'])} (max {fmt_s(v['author_fuzzy_max_s'])}; "
        f"{v['author_fuzzy_found']} of {v['author_fuzzy_tried']} resolved) | exact name: "
        f"{fmt_s(v['author_exact_s'])} | under 100 ms |",
        f"| `catalog --help` start-up | {fmt_s(v['help_s'])} | `python -c pass`: "
        f"{fmt_s(v['python_s'])} | under 150 ms |",
        f"| export, csv, whole catalog | {v['export_rows_s']:,.0f} rows/s "
        f"({fmt_s(v['export_s'])}, {fmt_mb(v['export_bytes'])}), peak RSS "
        f"{v['export_rss_mb']:.0f} MB | | memory flat |",
        "",
        f"Export ran as {v['export_how']}. The `catalog` commands ran as child processes "
        "(wall time includes Python start-up; peak RSS is the child's own `ru_maxrss`). "
        f"Search times are after one untimed run of each query (a warm page cache); "
        "a warm run of `rg` reads the pages from the page cache too.",
        "",
        search_markdown(res),
    ]
    return "\n".join(lines)


def search_markdown(res: Results) -> str:
    """The search section: latency by kind, and every query beside rg."""
    v = res.values
    lines = [
        "## Search queries",
        "",
        "Top 20, in-process (`Catalog.search`), by kind of query:",
        "",
        "| kind | timed runs | p50 | p95 |",
        "| --- | ---: | ---: | ---: |",
    ]
    for kind, k in v.get("search_kinds", {}).items():
        lines.append(f"| {kind} | {k['n']} | {fmt_s(k['p50'])} | {fmt_s(k['p95'])} |")
    lines.append(f"| **all** | {v['search_n']} | {fmt_s(v['search_p50'])} | "
                 f"**{fmt_s(v['search_p95'])}** |")
    lines.append("")
    if v.get("rg_compared"):
        lines += [
            ("`catalog search QUERY` (a child process, as a user runs it) was faster than "
             "`rg -il -F -e WORD...` over the pages (any of the query's words, a phrase "
             f"whole, the filters' author or year) on **{v['rg_slower']} of "
             f"{v['rg_compared']}** queries."), ""]
    lines += [
        ("| kind | query | hits shown | first run | median | max | `catalog search` | "
         "`rg -il` |"),
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in res.searches:
        q = r["query"].replace("|", "\\|")
        cmd = fmt_s(r["cmd"]) if "cmd" in r else ""
        if r.get("cmd_exit"):
            cmd += f" (exit {r['cmd_exit']})"
        peer = fmt_s(r["rg"]) if "rg" in r else ""
        lines.append(f"| {r['kind']} | `{q}` | {r['hits']} | {fmt_s(r['first'])} | "
                     f"{fmt_s(r['median'])} | {fmt_s(r['max'])} | {cmd} | {peer} |")
    lines.append("")
    each = ", ".join(f"`{w}` {fmt_s(a)} vs {fmt_s(b)}" for w, a, b in zip(
        v["cmd_search_words"], v["cmd_search_each"], v["peer_search_each"], strict=True))
    lines += [f"`catalog search` vs `{v['peer_name']}`, word by word: {each}.", ""]
    lines += [(f"Author resolution of a misspelt name, one edit away (in-process "
               f"`resolve_author`, over {v['author_names']:,} names): median "
               f"{fmt_s(v['author_fuzzy_s'])}, max {fmt_s(v['author_fuzzy_max_s'])}, "
               f"{v['author_fuzzy_found']} of {v['author_fuzzy_tried']} resolved to the "
               f"right person; an exact name {fmt_s(v['author_exact_s'])}."), ""]
    for note in res.notes:
        lines += [note, ""]
    return "\n".join(lines)
