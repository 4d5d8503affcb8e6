"""The search engine's index beside the catalog (#13): it answers as SQLite says,
whatever happened to it: a crash between the two commits, deleted, damaged, another
version's or another catalog's, or a writer busy in another process."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from catalog import search_index
from catalog.api import Catalog, filters_from
from conftest import AS_OF, DATA, PAGES

SEEDS = sorted(DATA.glob("*.txt"))
QUERIES = ["mixture of experts", "deep residual learning", '"language model"',
           "reinforcement learning -survey", "transformer topic:CL", "learning --year 2024",
           "kaiming"]


def index_of(db: Path) -> Path:
    return db.with_name(db.name + "-search")


def found(invoke, db: Path, *args: str) -> list[str]:
    result = invoke("--db", db, "search", *args, "--limit", "0", "-f", "json")
    assert result.exit_code == 0, result.stderr
    return [p["id"] for p in json.loads(result.stdout)]


def fts5_found(db: Path, query: str, **kw) -> set[str]:
    """What FTS5 alone answers (the engine made unavailable)."""
    with Catalog(db) as cat:
        cat._ready_engine = lambda: None  # type: ignore[method-assign]
        return {p.id for p in cat.search(query, limit=None, **kw).papers}


def load(invoke, db: Path, *paths: Path) -> None:
    result = invoke("--db", db, "load", *paths, "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr


# -- the engine answers what FTS5 answers -----------------------------------------------

@pytest.mark.parametrize("query", ["mixture of experts", "deep residual learning",
                                   '"language model"', "reinforcement learning -survey",
                                   "+vision transformer", "lukasz", "DeepSeek-V3"])
def test_engine_finds_the_same_papers_as_fts5(full_db, query):
    with Catalog(full_db) as cat:
        assert cat.sync_index() is not None
        engine = {p.id for p in cat.search(query, limit=None).papers}
    assert engine == fts5_found(full_db, query)
    assert engine or query == "lukasz"


@pytest.mark.parametrize("filters", [{"year": "2024"}, {"topic": "CV"}, {"code": True},
                                     {"since": "2025-01", "until": "2025-06"},
                                     {"author": "Kaiming He"}, {"profile": "Kaiming He"}])
def test_engine_filters_as_sql_does(full_db, filters):
    with Catalog(full_db) as cat:
        engine = {p.id for p in cat.search("learning model", limit=None, **filters).papers}
    assert engine == fts5_found(full_db, "learning model", **filters)
    assert engine


def test_load_writes_the_index_and_search_uses_it(invoke, db_path):
    load(invoke, db_path, DATA)
    assert (index_of(db_path) / "meta.json").is_file()
    with Catalog(db_path) as cat:
        done = cat.sync_index()
    assert done == search_index.Synced()  # nothing left to do: load kept it current


# -- never stale, never half-written ---------------------------------------------------

def test_a_crash_between_the_commits_is_caught_up(invoke, db_path, monkeypatch):
    """SQLite committed the pages, the index did not (kill -9 between the two)."""
    load(invoke, db_path, *SEEDS[:2])
    with monkeypatch.context() as m:
        m.setattr(Catalog, "sync_index", lambda self, **kw: None)
        load(invoke, db_path, PAGES / "kaiming_he.txt")
    assert "Deep Residual Learning for Image Recognition" in titles(
        invoke, db_path, "deep residual learning")
    with Catalog(db_path) as cat:
        assert cat.sync_index() == search_index.Synced()  # the search caught it up


def test_a_change_made_by_hand_in_sqlite_is_seen(invoke, seeds_db):
    """Any writer's change reaches the index: the log is written by triggers."""
    with sqlite3.connect(seeds_db) as conn:
        pid = conn.execute("SELECT id FROM papers ORDER BY pk LIMIT 1").fetchone()[0]
        conn.execute("UPDATE papers SET title = 'Zymurgy of Quokkas' WHERE id = ?", (pid,))
    assert found(invoke, seeds_db, "zymurgy") == [pid]
    with sqlite3.connect(seeds_db) as conn:
        conn.execute("DELETE FROM papers WHERE id = ?", (pid,))
    assert found(invoke, seeds_db, "zymurgy") == []


def test_a_deleted_index_is_rebuilt(invoke, seeds_db):
    expected = found(invoke, seeds_db, "mixture of experts")
    shutil.rmtree(index_of(seeds_db))
    assert found(invoke, seeds_db, "mixture of experts") == expected
    assert index_of(seeds_db).is_dir()


@pytest.mark.parametrize("damage", ["garbage meta", "empty folder", "truncated files",
                                    "a file"])
def test_a_damaged_index_is_rebuilt(invoke, seeds_db, damage):
    expected = found(invoke, seeds_db, "mixture of experts")
    index = index_of(seeds_db)
    if damage == "garbage meta":
        (index / "meta.json").write_text("{not json", "utf-8")
    elif damage == "empty folder":
        shutil.rmtree(index)
        index.mkdir()
    elif damage == "truncated files":
        # new files in their place (truncating a file in place would pull it from under
        # the memory map a search of this test process may still hold)
        for f in index.iterdir():
            if f.is_file() and f.suffix not in (".json", ".lock"):
                cut = f.with_name(f.name + ".cut")
                cut.write_bytes(f.read_bytes()[: 7])
                os.replace(cut, f)
    else:
        shutil.rmtree(index)
        index.write_text("not an index", "utf-8")
    result = invoke("--db", seeds_db, "search", "mixture of experts", "--limit", "0",
                    "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert [p["id"] for p in json.loads(result.stdout)] == expected


def test_another_versions_index_is_rebuilt(seeds_db, monkeypatch):
    monkeypatch.setattr(search_index, "VERSION", search_index.VERSION + 1)
    with Catalog(seeds_db) as cat:
        done = cat.sync_index()
    assert done is not None and done.rebuilt


def test_another_catalogs_index_is_not_used(invoke, tmp_path):
    """An index copied beside another catalog file (or left by one of the same name)."""
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    load(invoke, a, PAGES / "kaiming_he.txt")
    load(invoke, b, *SEEDS)
    shutil.rmtree(index_of(b))
    shutil.copytree(index_of(a), index_of(b))
    assert found(invoke, b, "\"deep residual learning\"") == []  # a's paper
    assert found(invoke, b, "deepseek")


def test_an_old_copy_behind_a_pruned_log_is_rebuilt(invoke, db_path, tmp_path):
    load(invoke, db_path, SEEDS[0])
    saved = tmp_path / "old-index"
    shutil.copytree(index_of(db_path), saved)
    load(invoke, db_path, *SEEDS[1:])  # this load's changes are pruned once indexed
    shutil.rmtree(index_of(db_path))
    shutil.copytree(saved, index_of(db_path))
    with Catalog(db_path) as cat:
        done = cat.sync_index()
    assert done is not None and done.rebuilt
    assert set(found(invoke, db_path, "deepseek")) == fts5_found(db_path, "deepseek")


def test_a_busy_writer_elsewhere_falls_back_to_fts5(invoke, db_path):
    """Another process holds the index's writer: search still answers, from FTS5."""
    import tantivy

    load(invoke, db_path, *SEEDS[:2])
    held = tantivy.Index.open(str(index_of(db_path))).writer(heap_size=15_000_000,
                                                               num_threads=1)
    try:
        load(invoke, db_path, PAGES / "kaiming_he.txt")  # its index commit can't happen
        assert "Deep Residual Learning for Image Recognition" in titles(
            invoke, db_path, "deep residual learning")
    finally:
        held.rollback()
        del held


# -- unload, reindex, read-only places -----------------------------------------------

def test_unload_leaves_no_trace_in_either_index(invoke, db_path):
    load(invoke, db_path, *SEEDS, PAGES / "kaiming_he.txt")
    result = invoke("--db", db_path, "unload", PAGES / "kaiming_he.txt")
    assert result.exit_code == 0, result.stderr
    assert found(invoke, db_path, "\"deep residual learning\"") == []
    with sqlite3.connect(db_path) as conn:  # the FTS5 index best match falls back to
        left = conn.execute("SELECT count(*) FROM papers_fts "
                            "WHERE papers_fts MATCH 'imagenet'").fetchone()[0]
    assert left == 0


def test_reindex_rebuilds_on_demand(invoke, seeds_db):
    expected = found(invoke, seeds_db, "mixture of experts")
    result = invoke("--db", seeds_db, "reindex")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith("Indexed 16 papers for search in ")
    assert found(invoke, seeds_db, "mixture of experts") == expected


def test_reindex_of_a_missing_catalog_is_one_line(invoke, tmp_path):
    result = invoke("--db", tmp_path / "none.db", "reindex")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_a_catalog_on_a_read_only_place_keeps_its_index_in_the_cache(seeds_db, monkeypatch,
                                                                       tmp_path):
    monkeypatch.setattr(search_index, "_writable_place", lambda folder: False)
    with Catalog(seeds_db) as cat:
        done = cat.sync_index()
        hits = [p.id for p in cat.search("mixture of experts").papers]
    assert done is not None and done.rebuilt
    cached = list((tmp_path / "home" / ".cache" / "catalog" / "search").iterdir())
    assert len(cached) == 1 and (cached[0] / "meta.json").is_file()
    monkeypatch.undo()
    with Catalog(seeds_db) as cat:
        assert [p.id for p in cat.search("mixture of experts").papers] == hits


def titles(invoke, db: Path, query: str) -> list[str]:
    result = invoke("--db", db, "search", query, "-f", "json")
    assert result.exit_code == 0, result.stderr
    return [p["title"] for p in json.loads(result.stdout)]


@pytest.mark.parametrize("query", ["model", "learning topic:CV", "deep -residual",
                                   "transformer --author", '"language model"'])
def test_counts_are_the_engines_matches(full_db, query):
    """'20 of N' counts what the search finds without a limit, engine or not."""
    filters = {"author": "Kaiming He"} if query.endswith("--author") else {}
    query = query.removesuffix(" --author")
    with Catalog(full_db) as cat:
        every = cat.search(query, limit=None, **filters).papers
        assert cat.count(query, filters_from(**filters)) == len(every)
        assert cat._live is not None  # the engine counted
    assert len(every) == len(fts5_found(full_db, query, **filters))


# -- a phrase of common words, searched in two halves at once ---------------------------

@pytest.mark.parametrize("query", ['"of the"', '"language model"', '"of the" learning',
                                   '"mixture of experts" -survey'])
def test_a_costly_phrase_split_in_halves_finds_and_ranks_the_same(full_db, monkeypatch,
                                                                   query):
    """Two halves by pk, merged by score: the same papers in the same order, the same
    count, as one search of the whole index."""
    def ranked() -> tuple[list[tuple[str, float]], int]:
        with Catalog(full_db) as cat:
            found = cat.search(query, limit=None).papers
            return [(p.id, p.relevance) for p in found], cat.count(query)

    monkeypatch.setattr(search_index, "SPLIT_DOCS", 10**9)
    whole, whole_count = ranked()
    monkeypatch.setattr(search_index, "SPLIT_DOCS", 1)
    calls = []
    halves = search_index.SearchIndex._halves
    monkeypatch.setattr(search_index.SearchIndex, "_halves",
                        lambda self, q: calls.append(q) or halves(self, q))
    split, split_count = ranked()
    assert calls, "the phrase was not split"
    assert split == whole and split_count == whole_count == len(whole)
    assert whole


def test_only_a_phrase_of_common_words_is_split(full_db, monkeypatch):
    monkeypatch.setattr(search_index, "SPLIT_DOCS", 5)
    with Catalog(full_db) as cat:
        engine = cat._ready_engine()
        assert engine is not None
        alts = {text: best_match_alts(cat, text) for text in ('"of the"', '"Kaiming He"', "the")}
        assert engine.costly(alts['"of the"'])
        assert not engine.costly(alts['"Kaiming He"'])  # few papers hold "kaiming"
        assert not engine.costly(alts["the"])  # one word: top-k skipping works


def best_match_alts(cat: Catalog, text: str) -> list:
    from catalog.query import parse_query
    from catalog.search import plan

    p = plan(cat.conn, parse_query(text), text=text, engine=cat._live)
    return [a for c in (*p.must, *p.should) for a in c.alternatives]


# -- a large build yields the cores to the rest of the load -----------------------------

def _nice_of_threads() -> dict[str, list[int]]:
    """Each thread of this process by name, with its nice value (Linux /proc)."""
    out: dict[str, list[int]] = {}
    for task in Path("/proc/self/task").iterdir():
        try:
            stat = (task / "stat").read_text()
        except OSError:
            continue  # ended meanwhile
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        out.setdefault(name, []).append(int(stat[stat.rindex(")") + 2:].split()[16]))
    return out


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="Linux threads only")
def test_a_large_build_runs_its_threads_at_a_lower_priority(seeds_db, monkeypatch):
    monkeypatch.setattr(search_index, "LARGE_PAPERS", 0)
    base = os.getpriority(os.PRIO_PROCESS, 0)
    seen: list[dict[str, list[int]]] = []
    document = search_index._document

    def spy(row):
        if not seen:
            seen.append(_nice_of_threads())
        return document(row)

    monkeypatch.setattr(search_index, "_document", spy)
    with Catalog(seeds_db) as cat:
        cat.reindex()
    tantivy = {name: nice for name, nice in seen[0].items()
               if name.startswith(("thrd-tantivy", "merge_thread"))}
    assert tantivy and all(n == base + search_index.BUILD_NICENESS
                           for nice in tantivy.values() for n in nice)
    assert os.getpriority(os.PRIO_PROCESS, 0) == base  # the caller's own is untouched
