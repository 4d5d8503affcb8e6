"""A load indexes its papers (FTS5) and people (the name index) at its end, and a
catalog whose load was cut short catches up before anything reads (store.backlog).

The invariant checked throughout: every paper before the backlog is in ``papers_fts``
with its current text, none from it on is, and once caught up the index is exactly
the papers table (FTS5's integrity-check against its content, ``rank`` 1)."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.api import Catalog
from catalog.cli import cli
from catalog.ingest import load_file, load_paths
from catalog.store import backlog, open_db, write
from catalog.store.remove import remove_profiles

AS_OF = dt.date(2026, 11, 22)
WORDS = ["amber", "basalt", "cobalt", "dune", "ember", "fjord", "garnet", "harbor"]


def page(who: int, version: int = 0, papers: range = range(4)) -> str:
    """A profile page listing the shared papers ``papers``; ``version`` changes their
    abstracts (and so, loaded later, the merged papers)."""
    name = f"Vera {WORDS[who].title()}"
    blocks = [f"{name}\nCL\nh-index3\n{len(papers)}papers", f"{len(papers)} Papers"]
    for k in papers:
        blocks.append(f"CLJan {k + 1}, 2024\nStudy of {WORDS[k % 8]} number {k}\n"
                      f"{name}, Ines {WORDS[k % 8].title()}son · mit\n"
                      f"Version{version}marker of the {WORDS[(k + version) % 8]} study {k}.")
    return "\n\n".join(blocks) + "\n"


def save(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def backlog_rows(conn: sqlite3.Connection) -> dict[str, int]:
    return dict(conn.execute("SELECT name, from_id FROM index_backlog"))


def fts_hits(conn: sqlite3.Connection, word: str) -> set[int]:
    return {r[0] for r in conn.execute(
        "SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?", (word,))}


def assert_index_before_backlog(conn: sqlite3.Connection) -> None:
    """What the file itself says: the papers before the backlog are indexed with their
    current text, those from it on are not indexed at all."""
    start = backlog_rows(conn).get("papers_fts", 1 << 62)
    for pk, abstract in conn.execute("SELECT pk, abstract FROM papers"):
        marker = abstract.split()[0].lower()  # "version3marker"
        assert (pk in fts_hits(conn, marker)) == (pk < start), (pk, start)


def assert_caught_up(conn: sqlite3.Connection) -> None:
    assert backlog_rows(conn) == {}
    conn.execute("INSERT INTO papers_fts (papers_fts, rank) VALUES ('integrity-check', 1)")
    people = conn.execute("SELECT count(*) FROM people").fetchone()[0]
    indexed = conn.execute("SELECT count(DISTINCT person_id) FROM person_words").fetchone()[0]
    assert indexed == people


def test_a_load_leaves_nothing_behind_and_its_papers_are_searchable_by_fts5(tmp_path):
    pages = tmp_path / "pages"
    for who in range(3):
        save(pages, f"p{who}.txt", page(who, papers=range(who, who + 4)))
    db = tmp_path / "c.db"
    runner = CliRunner()
    r = runner.invoke(cli, ["--db", str(db), "load", str(pages), "--as-of", "2026-11-22"])
    assert r.exit_code == 0, r.output
    conn = sqlite3.connect(db)
    assert_caught_up(conn)
    assert len(fts_hits(conn, "version0marker")) == 6
    # an FTS5 search (sorted by date) and a fuzzy author look-up (the name index)
    r = runner.invoke(cli, ["--db", str(db), "search", "version0marker", "--sort", "date",
                            "--format", "json"])
    assert r.exit_code == 0 and len(json.loads(r.stdout)) == 6
    r = runner.invoke(cli, ["--db", str(db), "list", "--author", "Ines Dunesonn",
                            "--format", "json"])
    assert r.exit_code == 0, r.output
    assert [p["title"] for p in json.loads(r.stdout)] == ["Study of dune number 3"]


def test_a_load_cut_short_is_indexed_by_the_next_command_before_it_reads(tmp_path):
    """``load_paths`` is the load without its end: what a Ctrl-C or kill -9 after the
    last page's commit leaves."""
    db = tmp_path / "c.db"
    conn = open_db(db, create=True)
    load_paths(conn, [str(save(tmp_path / "a", "p0.txt", page(0)))], as_of=AS_OF)
    assert backlog_rows(conn) == {"papers_fts": 1, "names": 1}
    assert fts_hits(conn, "version0marker") == set()
    assert conn.execute("SELECT count(*) FROM person_words").fetchone()[0] == 0
    r = CliRunner().invoke(cli, ["--db", str(db), "search", "version0marker", "--sort",
                                 "date", "--format", "json"])
    assert r.exit_code == 0, r.output
    assert len(json.loads(r.stdout)) == 4
    assert_caught_up(conn)
    conn.close()


def test_a_read_only_catalog_with_a_backlog_opens_without_writing(tmp_path):
    db = tmp_path / "c.db"
    conn = open_db(db, create=True)
    load_paths(conn, [str(save(tmp_path / "a", "p0.txt", page(0)))], as_of=AS_OF)
    conn.close()
    with Catalog(db, read_only=True) as cat:
        assert len(list(cat.papers())) == 4
    conn = sqlite3.connect(db)
    assert backlog_rows(conn) == {"papers_fts": 1, "names": 1}
    conn.close()


def test_merges_into_backlog_papers_wait_for_the_backlog_others_are_indexed_at_once(
        tmp_path):
    db = tmp_path / "c.db"
    conn = open_db(db, create=True)
    d = tmp_path / "pages"
    load_file(conn, "p0.txt", page(0, 0).encode(), as_of=AS_OF)  # indexed as written
    assert backlog_rows(conn) == {}
    # a later capture of papers 0-3 (indexed) and 4-5 (new: the backlog)
    later = AS_OF + dt.timedelta(days=1)
    load_paths(conn, [str(save(d, "p1.txt", page(1, 1, range(6))))], as_of=later)
    assert backlog_rows(conn)["papers_fts"] == 5
    assert_index_before_backlog(conn)
    # and a third capture re-merges both kinds again
    load_paths(conn, [str(save(d, "p2.txt", page(2, 2, range(2, 6))))],
               as_of=later + dt.timedelta(days=1))
    assert_index_before_backlog(conn)
    assert backlog.catch_up(conn) == 2
    assert_caught_up(conn)
    assert fts_hits(conn, "version2marker") == {3, 4, 5, 6}
    conn.close()


def test_catch_up_goes_chunk_by_chunk_over_gaps_and_stops_when_told(tmp_path):
    import threading

    db = tmp_path / "c.db"
    conn = open_db(db, create=True)
    d = tmp_path / "pages"
    load_paths(conn, [str(save(d, f"p{i}.txt", page(i, 0, range(4 * i, 4 * i + 4))))
                      for i in range(4)], as_of=AS_OF)
    conn.execute("DELETE FROM search_log")
    for pk in (5, 6, 7):  # a gap inside the backlog: a chunk may find nothing
        conn.execute("DELETE FROM authorships WHERE paper_pk = ?", (pk,))
        conn.execute("DELETE FROM sightings WHERE paper_pk = ?", (pk,))
        conn.execute("DELETE FROM listings WHERE paper_pk = ?", (pk,))
        conn.execute("DELETE FROM papers WHERE pk = ?", (pk,))
    stop = threading.Event()
    stop.set()
    assert backlog.catch_up(conn, stop=stop) == 0
    assert backlog_rows(conn)["papers_fts"] == 1
    told = []
    assert backlog.catch_up(conn, lambda done, total: told.append((done, total)),
                            chunk=3) == 13
    assert told == [(3, 13), (4, 13), (6, 13), (9, 13), (12, 13), (13, 13)]
    assert_caught_up(conn)
    conn.close()


def test_a_new_load_never_moves_an_older_backlog_forward(tmp_path):
    db = tmp_path / "c.db"
    conn = open_db(db, create=True)
    d = tmp_path / "pages"
    load_paths(conn, [str(save(d, "p0.txt", page(0)))], as_of=AS_OF)
    load_paths(conn, [str(save(d, "p1.txt", page(1, 0, range(4, 8))))], as_of=AS_OF)
    assert backlog_rows(conn) == {"papers_fts": 1, "names": 1}
    assert_index_before_backlog(conn)
    backlog.catch_up(conn)
    assert_caught_up(conn)
    conn.close()


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["load", "load_now", "catch_up", "unload"]),
                          st.integers(0, 3), st.integers(0, 3)), max_size=10))
def test_any_mix_of_loads_unloads_and_catch_ups_leaves_an_exact_index(
        tmp_path_factory, steps):
    tmp = tmp_path_factory.mktemp("mix")
    conn = open_db(tmp / "c.db", create=True)
    try:
        for day, (op, who, version) in enumerate(steps):
            as_of = AS_OF + dt.timedelta(days=day)
            if op == "catch_up":
                backlog.catch_up(conn, chunk=1 + version)
            elif op == "unload":
                ids = [r[0] for r in conn.execute("SELECT id FROM profiles WHERE name = ?",
                                                  (f"Vera {WORDS[who].title()}",))]
                remove_profiles(conn, ids)
            else:
                text = page(who, version, range(who, who + 3))
                if op == "load":
                    path = save(tmp / f"s{day}", f"p{who}.txt", text)
                    load_paths(conn, [str(path)], as_of=as_of)
                else:
                    load_file(conn, f"p{who}.txt", text.encode(), as_of=as_of)
            assert_index_before_backlog(conn)
        backlog.catch_up(conn)
        assert_caught_up(conn)
        conn.execute("INSERT INTO papers_fts (papers_fts) VALUES ('integrity-check')")
    finally:
        conn.close()


@pytest.mark.parametrize("fail", [False, True])
def test_load_indexes_fts5_in_a_thread_and_a_failure_there_is_raised(
        tmp_path, monkeypatch, fail):
    pages = tmp_path / "pages"
    for who in range(2):
        save(pages, f"p{who}.txt", page(who, papers=range(who, who + 4)))
    if fail:
        def broken(*args, **kw):
            raise sqlite3.OperationalError("disk I/O error")
        monkeypatch.setattr(backlog, "catch_up", broken)
    with Catalog(tmp_path / "c.db", create=True) as cat:
        if fail:
            with pytest.raises(sqlite3.OperationalError, match="disk I/O"):
                cat.load([pages], as_of=AS_OF)
        else:
            cat.load([pages], as_of=AS_OF)
            assert_caught_up(cat.conn)


# -- a large load drops three indices it never reads, and builds them at its end --------

def indices(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}


def test_the_indices_a_large_load_drops_are_built_as_migrations_made_them(tmp_path):
    conn = open_db(tmp_path / "c.db", create=True)
    made = dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'"))
    conn.close()
    for name, create in write.BULK_INDICES.items():
        assert create.replace(" IF NOT EXISTS", "") == made[name]


def test_a_large_load_drops_the_random_indices_and_builds_them_at_its_end(
        tmp_path, monkeypatch):
    monkeypatch.setattr(write, "BULK_PAPERS", 0)
    pages = tmp_path / "pages"
    for who in range(3):
        save(pages, f"p{who}.txt", page(who, papers=range(who, who + 4)))
    seen: list[set[str]] = []
    with Catalog(tmp_path / "c.db", create=True) as cat:
        cat.load([pages], as_of=AS_OF, on_file=lambda r: seen.append(indices(cat.conn)))
        after = indices(cat.conn)
        assert backlog_rows(cat.conn) == {}
        assert_caught_up(cat.conn)
    assert all(not (set(write.BULK_INDICES) & names) for names in seen)
    assert set(write.BULK_INDICES) <= after


def test_a_large_load_cut_short_has_its_indices_built_by_the_next_command(
        tmp_path, monkeypatch):
    monkeypatch.setattr(write, "BULK_PAPERS", 0)
    db = tmp_path / "c.db"
    conn = open_db(db, create=True)
    load_paths(conn, [str(save(tmp_path / "a", "p0.txt", page(0)))], as_of=AS_OF)
    assert not set(write.BULK_INDICES) & indices(conn)
    assert set(write.BULK_INDICES) <= set(backlog_rows(conn))
    r = CliRunner().invoke(cli, ["--db", str(db), "list", "--topic", "CL", "--format", "json"])
    assert r.exit_code == 0 and len(json.loads(r.stdout)) == 4
    assert set(write.BULK_INDICES) <= indices(conn)
    assert backlog_rows(conn) == {}
    conn.close()


def test_a_load_smaller_than_the_catalog_keeps_every_index(tmp_path, monkeypatch):
    db = tmp_path / "c.db"
    conn = open_db(db, create=True)
    load_paths(conn, [str(save(tmp_path / "a", "p0.txt", page(0, 0, range(8))))],
               as_of=AS_OF)
    backlog.catch_up(conn)
    monkeypatch.setattr(write, "BULK_PAPERS", 0)
    small = save(tmp_path / "b", "p1.txt", page(1, 0, range(8, 9)))
    assert small.stat().st_size // 1100 < 8
    load_paths(conn, [str(small)], as_of=AS_OF)
    assert set(write.BULK_INDICES) <= indices(conn)
    assert set(backlog_rows(conn)) == {"papers_fts", "names"}
    conn.close()


def synchronous(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA synchronous").fetchone()[0]


OFF, NORMAL = 0, 1


def test_a_first_large_load_writes_unsynced_and_syncs_at_its_end(tmp_path, monkeypatch):
    monkeypatch.setattr(write, "BULK_PAPERS", 0)
    pages = tmp_path / "pages"
    for who in range(3):
        save(pages, f"p{who}.txt", page(who, papers=range(who, who + 4)))
    conn = open_db(tmp_path / "c.db", create=True)
    seen: list[int] = []
    load_paths(conn, [str(pages)], as_of=AS_OF, on_file=lambda r: seen.append(synchronous(conn)))
    assert seen == [OFF] * 3
    assert synchronous(conn) == NORMAL
    # the checkpoint at its end copied the whole log into the database file
    busy, log, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    assert busy == 0 and log == copied
    conn.close()


def test_a_load_into_a_catalog_with_papers_syncs_as_always(tmp_path, monkeypatch):
    conn = open_db(tmp_path / "c.db", create=True)
    load_paths(conn, [str(save(tmp_path / "a", "p0.txt", page(0)))], as_of=AS_OF)
    monkeypatch.setattr(write, "BULK_PAPERS", 0)
    seen: list[int] = []
    load_paths(conn, [str(save(tmp_path / "b", "p1.txt", page(1, 0, range(4, 40))))],
               as_of=AS_OF, on_file=lambda r: seen.append(synchronous(conn)))
    assert seen == [NORMAL]
    conn.close()


def test_a_small_first_load_syncs_as_always(tmp_path):
    conn = open_db(tmp_path / "c.db", create=True)
    seen: list[int] = []
    load_paths(conn, [str(save(tmp_path / "a", "p0.txt", page(0)))], as_of=AS_OF,
               on_file=lambda r: seen.append(synchronous(conn)))
    assert seen == [NORMAL]
    conn.close()


def test_a_first_large_load_cut_short_syncs_again_and_keeps_what_it_committed(
        tmp_path, monkeypatch):
    monkeypatch.setattr(write, "BULK_PAPERS", 0)
    pages = tmp_path / "pages"
    for who in range(3):
        save(pages, f"p{who}.txt", page(who, papers=range(who * 4, who * 4 + 4)))
    conn = open_db(tmp_path / "c.db", create=True)

    def interrupt(report) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        load_paths(conn, [str(pages)], as_of=AS_OF, on_file=interrupt)
    assert synchronous(conn) == NORMAL
    conn.close()
    with Catalog(tmp_path / "c.db") as cat:
        assert cat.conn.execute("SELECT count(*) FROM papers").fetchone()[0] == 4


def test_a_search_during_a_load_catches_up_first(tmp_path):
    """Another process's load leaves its papers for later while it runs: a Catalog
    that is open already indexes them before FTS5 answers (the engine aside)."""
    db = tmp_path / "c.db"
    with Catalog(db, create=True) as cat:
        conn = open_db(db)
        load_paths(conn, [str(save(tmp_path / "a", "p0.txt", page(0)))], as_of=AS_OF)
        assert backlog_rows(conn)  # what the other process's load has written so far
        result = cat.search("version0marker", sort="date")  # answered by FTS5
        assert len(result.papers) == 4
        assert backlog_rows(conn) == {}
        conn.close()
