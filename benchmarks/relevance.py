"""``python -m benchmarks relevance``: how well search ranks, on public test collections.

Each collection of ``../shared/ir`` (Cranfield, MED, CISI, CACM, SciFact; the format is
in that folder's README) is written out as ScholarFeed pages, loaded through the real
parser and ``Catalog.load`` (what ``catalog load`` runs), and every query is run
*verbatim* through ``Catalog.search`` (what ``catalog search`` runs), keeping the top
100. Beside it, in the same run, a plain BM25 reference: SQLite FTS5 with
``porter unicode61 remove_diacritics 2`` over the original title and text, the query's
words OR-ed, each quoted, ``ORDER BY bm25``.

Per collection: nDCG@10 (graded gains used linearly, the trec_eval ``ndcg_cut.10`` /
BEIR definition), Recall@100, queries that found nothing, queries that search rewrote
(it reported a correction or any other note about how it read the text), and of those
the ones whose words the corpus all holds (a correction there damages a real query).

    python -m benchmarks relevance                          # every collection
    python -m benchmarks relevance --collections med,cranfield --json /tmp/rel.json
    python -m benchmarks relevance --markdown --out docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import math
import os
import re
import sqlite3
import sys
import tempfile
import time
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COLLECTIONS = ("cranfield", "med", "cisi", "cacm", "scifact-train")
LIMIT = 100  # results kept per query (Recall@100)
PER_PAGE = 200  # entries per page file: pages of a few hundred KB, like long real pages
AUTHOR = "Ysolde Tarnquist"  # one invented name on every paper: it matches no query word
DATE = dt.date(2000, 1, 1)  # one neutral date: no paper is newer than another
AS_OF = dt.date(2026, 11, 22)
REFERENCE_TOKENIZE = "porter unicode61 remove_diacritics 2"

BEGIN = "<!-- relevance: written by `python -m benchmarks relevance --markdown --out` -->"
END = "<!-- relevance: end -->"


def find_ir(start: Path = ROOT) -> Path | None:
    """``$CATALOG_IR``, else the first ``shared/ir`` beside the repository or one of its
    parents (CI keeps ``shared/`` beside the repo; a worktree sits one level deeper)."""
    env = os.environ.get("CATALOG_IR")
    if env:
        return Path(env) if Path(env).is_dir() else None
    for parent in start.parents:
        candidate = parent / "shared" / "ir"
        if candidate.is_dir():
            return candidate
    return None


# -- the collection ----------------------------------------------------------------

@dataclass(frozen=True)
class Doc:
    id: str
    title: str
    text: str


@dataclass
class Collection:
    name: str
    docs: list[Doc]
    queries: list[tuple[str, str]]  # (query id, text), only the judged ones
    qrels: dict[str, dict[str, int]]  # query id -> {doc id: grade > 0}


def read_collection(folder: Path, max_queries: int | None = None) -> Collection:
    with gzip.open(folder / "corpus.jsonl.gz", "rt", encoding="utf-8") as f:
        docs = [Doc(d["_id"], d["title"], d["text"]) for d in map(json.loads, f)]
    qrels: dict[str, dict[str, int]] = {}
    with (folder / "qrels.tsv").open(encoding="utf-8") as f:
        next(f)  # header
        for line in f:
            qid, did, score = line.rstrip("\n").split("\t")
            if int(score) > 0:
                qrels.setdefault(qid, {})[did] = int(score)
    with (folder / "queries.jsonl").open(encoding="utf-8") as f:
        queries = [(q["_id"], q["text"]) for q in map(json.loads, f) if q["_id"] in qrels]
    if max_queries is not None:
        queries = queries[:max_queries]
        qrels = {qid: qrels[qid] for qid, _ in queries}
    return Collection(folder.name, docs, queries, qrels)


# -- words -------------------------------------------------------------------------

_WORD_RE = re.compile(r"[^\W_]+")  # unicode61's tokens: runs of letters and digits


def words(text: str) -> list[str]:
    """Lower-case, accent-free words, split as FTS5's unicode61 splits them."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return _WORD_RE.findall(folded)


def _key(title: str) -> str:
    """Titles equal under this key would be one paper to the catalog (case, accents,
    punctuation and spacing do not count there either)."""
    return " ".join(words(title))


def _catalog_key(title: str) -> str:
    try:
        from catalog.store import title_key
    except ImportError:  # the store moved: our own key is as coarse as it was
        return _key(title)
    return title_key(title)


# -- pages ----------------------------------------------------------------------------

def page_titles(docs: Sequence[Doc]) -> list[str]:
    """The title each document gets on its page.

    A document without a title (all of MED, a few elsewhere) gets its first sentence (up
    to " . ", MED's title) or its first twelve words; one without any text "Untitled".
    Two documents whose titles are one title to the catalog (40 in Cranfield, 241 in
    CACM: "Algorithm 42" and the like) would be merged into one paper, the second
    abstract lost: the later ones get " (dup2)", " (dup3)"... so that every document is
    its own paper (one made-up word more in a few titles; it matches no query)."""
    out: list[str] = []
    seen: set[str] = set()
    for d in docs:
        base = d.title
        if not base:
            first = d.text.split(" . ", 1)[0].split()
            base = " ".join(first if len(first) <= 20 else d.text.split()[:12]) or "Untitled"
        title, n = base, 1
        while _key(title) in seen or _catalog_key(title) in seen:
            n += 1
            title = f"{base} (dup{n})"
        seen.update((_key(title), _catalog_key(title)))
        out.append(title)
    return out


def write_pages(docs: Sequence[Doc], titles: Sequence[str], folder: Path) -> list[Path]:
    """The documents as page files of ``PER_PAGE`` entries, in the spaced layout (title,
    author list and abstract each on its own line: no title is glued to a name)."""
    from catalog.models import Entry, Page, Profile
    from catalog.pages import render_page

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n, lo in enumerate(range(0, len(docs), PER_PAGE)):
        entries = tuple(Entry(title=t, authors=(AUTHOR,), abstract=d.text, date=DATE)
                        for d, t in zip(docs[lo:lo + PER_PAGE], titles[lo:lo + PER_PAGE],
                                       strict=True))
        path = folder / f"page_{n:04d}.txt"
        path.write_text(render_page(Page(Profile(), entries), layout="spaced"), "utf-8")
        paths.append(path)
    return paths


# -- runs -------------------------------------------------------------------------------

@dataclass
class QueryRun:
    ranked: list[str]  # doc ids, best first
    rewritten: bool = False
    notes: list[str] = field(default_factory=list)
    error: str | None = None


def catalog_runs(db: Path, docs: Sequence[Doc], titles: Sequence[str],
                 queries: Sequence[tuple[str, str]]) -> tuple[dict[str, QueryRun], dict]:
    """Load the pages and run every query as ``catalog search`` does."""
    from catalog.api import Catalog
    from catalog.errors import CatalogError

    info: dict = {}
    pages = write_pages(docs, titles, db.parent / "pages")
    with Catalog(db, create=True) as cat:
        start = time.perf_counter()
        reports = cat.load(pages, as_of=AS_OF)
        info["load_s"] = time.perf_counter() - start
        failed = [r for r in reports if not r.ok]
        if failed:
            raise SystemExit(f"loading {failed[0].source} failed: {failed[0].error}")
        # Map each paper back to its document by title (the pages gave every document
        # a title of its own); a document that is no paper of its own is counted.
        by_key = {_key(t): d.id for d, t in zip(docs, titles, strict=True)}
        doc_of: dict[str, str] = {}
        for pid, title in cat.conn.execute("SELECT id, title FROM papers"):
            did = by_key.get(_key(title))
            if did is not None:
                doc_of[pid] = did
        info["papers"] = cat.conn.execute("SELECT count(*) FROM papers").fetchone()[0]
        info["docs_missing"] = len(docs) - len(set(doc_of.values()))
        runs: dict[str, QueryRun] = {}
        start = time.perf_counter()
        for qid, text in queries:
            try:
                result = cat.search(text, limit=LIMIT)
            except CatalogError as e:
                runs[qid] = QueryRun([], error=str(e))
                continue
            notes = list(result.notes)
            runs[qid] = QueryRun(
                [doc_of[p.id] for p in result.papers if p.id in doc_of],
                # no filter is given, so every note is about how the text was read
                rewritten=bool(getattr(result, "corrected", None) or notes), notes=notes)
        info["search_s"] = time.perf_counter() - start
    return runs, info


def reference_runs(docs: Sequence[Doc], queries: Sequence[tuple[str, str]]
                   ) -> tuple[dict[str, QueryRun], dict]:
    """Plain FTS5 BM25 over the original title and text, in a database of its own."""
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE docs USING fts5(doc_id UNINDEXED, title, text, "
                 f"tokenize='{REFERENCE_TOKENIZE}')")
    start = time.perf_counter()
    conn.executemany("INSERT INTO docs (doc_id, title, text) VALUES (?, ?, ?)",
                     ((d.id, d.title, d.text) for d in docs))
    info = {"load_s": time.perf_counter() - start}
    runs: dict[str, QueryRun] = {}
    start = time.perf_counter()
    for qid, text in queries:
        ws = list(dict.fromkeys(_WORD_RE.findall(text)))
        if not ws:
            runs[qid] = QueryRun([])
            continue
        match = " OR ".join('"' + w.replace('"', '""') + '"' for w in ws)
        rows = conn.execute("SELECT doc_id FROM docs WHERE docs MATCH ? "
                            "ORDER BY bm25(docs) LIMIT ?", (match, LIMIT)).fetchall()
        runs[qid] = QueryRun([r[0] for r in rows])
    info["search_s"] = time.perf_counter() - start
    conn.close()
    return runs, info


# -- scores ---------------------------------------------------------------------------

def ndcg(ranked: Sequence[str], rels: dict[str, int], k: int = 10) -> float:
    """trec_eval ``ndcg_cut.k``: gains as graded, linearly; log2(rank + 1) discount."""
    dcg = sum(rels.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sum(g / math.log2(i + 2)
                for i, g in enumerate(sorted(rels.values(), reverse=True)[:k]))
    return dcg / ideal if ideal else 0.0


def recall(ranked: Sequence[str], rels: dict[str, int], k: int = LIMIT) -> float:
    return len(set(ranked[:k]) & rels.keys()) / len(rels) if rels else 0.0


@dataclass
class Metrics:
    ndcg10: float
    recall100: float
    zero: int  # queries that found nothing
    rewritten: int = 0
    damaged: int = 0  # rewritten although the corpus holds every word of the query
    errors: int = 0  # queries refused with an error (counted in ``zero`` too)
    load_s: float = 0.0
    search_s: float = 0.0


def metrics(runs: dict[str, QueryRun], coll: Collection, known: set[str] | None = None
            ) -> Metrics:
    qids = list(coll.qrels)
    missing = QueryRun([])
    rs = [runs.get(q, missing) for q in qids]
    texts = dict(coll.queries)
    damaged = 0
    if known is not None:
        damaged = sum(1 for q, r in zip(qids, rs, strict=True)
                      if r.rewritten and all(w in known for w in words(texts[q])))
    pairs = list(zip(qids, rs, strict=True))
    return Metrics(
        ndcg10=sum(ndcg(r.ranked, coll.qrels[q]) for q, r in pairs) / len(qids),
        recall100=sum(recall(r.ranked, coll.qrels[q]) for q, r in pairs) / len(qids),
        zero=sum(1 for r in rs if not r.ranked), rewritten=sum(r.rewritten for r in rs),
        damaged=damaged, errors=sum(1 for r in rs if r.error))


@dataclass
class Score:
    name: str
    docs: int
    queries: int
    catalog: Metrics
    reference: Metrics
    docs_missing: int = 0  # documents that did not become a paper of their own
    per_query: list[dict] = field(default_factory=list)


def evaluate(folder: Path, work: Path, *, max_queries: int | None = None) -> Score:
    """One collection, both systems; ``work`` holds the pages and the catalog."""
    coll = read_collection(folder, max_queries)
    titles = page_titles(coll.docs)
    work.mkdir(parents=True, exist_ok=True)
    db = work / "catalog.db"
    for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        p.unlink(missing_ok=True)
    cat_runs, cat_info = catalog_runs(db, coll.docs, titles, coll.queries)
    ref_runs, ref_info = reference_runs(coll.docs, coll.queries)
    known = {w for d, t in zip(coll.docs, titles, strict=True) for w in words(f"{t} {d.text}")}
    cat = metrics(cat_runs, coll, known)
    cat.load_s, cat.search_s = cat_info["load_s"], cat_info["search_s"]
    ref = metrics(ref_runs, coll)
    ref.load_s, ref.search_s = ref_info["load_s"], ref_info["search_s"]
    texts = dict(coll.queries)
    per_query = []
    for qid, rels in coll.qrels.items():
        c, r = cat_runs.get(qid, QueryRun([])), ref_runs.get(qid, QueryRun([]))
        per_query.append({
            "id": qid, "text": texts[qid], "ndcg10": round(ndcg(c.ranked, rels), 4),
            "reference_ndcg10": round(ndcg(r.ranked, rels), 4), "hits": len(c.ranked),
            "reference_hits": len(r.ranked), "rewritten": c.rewritten, "notes": c.notes,
            "error": c.error, "top10": c.ranked[:10], "reference_top10": r.ranked[:10],
            "relevant": rels})
    return Score(coll.name, len(coll.docs), len(coll.qrels), cat, ref,
                 cat_info["docs_missing"], per_query)


# -- output -------------------------------------------------------------------------------

_HEAD = ("collection", "docs", "queries", "nDCG@10", "ref nDCG@10", "R@100", "ref R@100",
         "zero results", "ref zero", "rewritten", "of which all words known", "errors")


def _row(s: Score) -> list[str]:
    c, r = s.catalog, s.reference
    return [s.name, f"{s.docs:,}", str(s.queries), f"{c.ndcg10:.3f}", f"{r.ndcg10:.3f}",
            f"{c.recall100:.3f}", f"{r.recall100:.3f}", str(c.zero), str(r.zero),
            str(c.rewritten), str(c.damaged), str(c.errors)]


def text_table(scores: Sequence[Score]) -> str:
    rows = [list(_HEAD)] + [_row(s) for s in scores]
    widths = [max(len(r[i]) for r in rows) for i in range(len(_HEAD))]
    return "\n".join("  ".join(v.rjust(w) if i else v.ljust(w)
                               for i, (v, w) in enumerate(zip(r, widths, strict=True)))
                     for r in rows)


def markdown(scores: Sequence[Score], *, when: str, command: str) -> str:
    lines = [
        "## Relevance",
        "",
        (f"`{command}` on {when}: each collection of `../shared/ir` loaded as pages "
        "through the parser and `Catalog.load`, every query run verbatim through "
        "`Catalog.search` (what `catalog search` runs; top 100), beside a plain BM25 "
        f"reference in the same run (FTS5 `{REFERENCE_TOKENIZE}` over title and text, the "
        "query's words OR-ed, each quoted). nDCG@10 as trec_eval's `ndcg_cut.10` (graded "
        "gains, linear); *rewritten*: search reported a correction or another note about "
        "the query; *of which all words known*: the corpus holds every word of the query "
        "(a rewrite there damages it). Targets (issue 13): nDCG@10 at or above the "
        "reference everywhere, scifact-train >= 0.70, no query without results, no "
        "damaged query."),
        "",
        "| " + " | ".join(_HEAD) + " |",
        "| --- | " + " | ".join("---:" for _ in _HEAD[1:]) + " |",
    ]
    lines += ["| " + " | ".join(_row(s)) + " |" for s in scores]
    slow = ", ".join(f"{s.name} {s.catalog.load_s:.1f} s / {s.catalog.search_s:.1f} s"
                     for s in scores)
    errors = sorted({q["error"] for s in scores for q in s.per_query if q["error"]})
    lines += [
        "",
        "Each document is one entry of a page (spaced layout, 200 entries a page): its "
        "title (where it has none, its first sentence or first twelve words; a title the "
        "catalog would merge with an earlier one gets \" (dupN)\"), one invented author, "
        "one date, its text as the abstract. *errors*: queries search refused"
        + (" (" + "; ".join(f"`{e}`" for e in errors) + ")" if errors else "") + ", "
        f"counted as zero results too. Catalog load / all queries: {slow}.",
        "",
    ]
    return "\n".join(lines)


def write_section(doc: Path, section: str) -> None:
    """Put the section between its markers in ``doc`` (below the hand-written marker
    of ``benchmarks run``, so that rewriting the speed table keeps it)."""
    from benchmarks.run import KEEP_MARKER

    block = f"{BEGIN}\n{section.rstrip()}\n{END}\n"
    text = doc.read_text("utf-8") if doc.exists() else ""
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + block + text[text.index(END) + len(END) + 1:]
    elif KEEP_MARKER in text:
        at = text.index(KEEP_MARKER) + len(KEEP_MARKER) + 1
        text = text[:at] + "\n" + block + text[at:]
    else:
        text = text + ("\n" if text else "") + KEEP_MARKER + "\n\n" + block
    doc.write_text(text, "utf-8")


def run(names: Iterable[str], ir: Path, *, work: Path | None = None,
        max_queries: int | None = None) -> list[Score]:
    scores = []
    with tempfile.TemporaryDirectory(prefix="relevance-") as tmp:
        base = work or Path(tmp)
        for name in names:
            folder = ir / name
            if not (folder / "corpus.jsonl.gz").exists():
                print(f"relevance: no collection {name!r} in {ir}; skipped", file=sys.stderr)
                continue
            start = time.perf_counter()
            score = evaluate(folder, base / name, max_queries=max_queries)
            print(f"[{time.strftime('%H:%M:%S')}] {name}: nDCG@10 {score.catalog.ndcg10:.3f} "
                  f"(reference {score.reference.ndcg10:.3f}), "
                  f"{time.perf_counter() - start:.1f} s", file=sys.stderr, flush=True)
            if score.docs_missing:
                print(f"relevance: {name}: {score.docs_missing} documents are no paper of "
                      "their own", file=sys.stderr)
            scores.append(score)
    return scores


def main(args: argparse.Namespace) -> int:
    """The ``relevance`` subcommand (arguments parsed in ``benchmarks/__main__.py``)."""
    ir = args.ir or find_ir()
    if ir is None or not Path(ir).is_dir():
        print("relevance: no retrieval collections found (../shared/ir beside the "
              "repository, or $CATALOG_IR); nothing measured", file=sys.stderr)
        return 0
    names = [n.strip() for n in args.collections.split(",") if n.strip()] \
        if args.collections else list(COLLECTIONS)
    scores = run(names, Path(ir), work=args.work,
                 max_queries=args.max_queries)
    if not scores:
        return 0
    command = "python -m benchmarks relevance" + (
        f" --collections {args.collections}" if args.collections else "")
    md = markdown(scores, when=dt.datetime.now().strftime("%Y-%m-%d %H:%M"), command=command)
    print(md if args.markdown else text_table(scores))
    if args.out:
        write_section(args.out, md)
        print(f"wrote the Relevance section of {args.out}", file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps([asdict(s) for s in scores], indent=1),
                             "utf-8")
    return 0
