"""catalog/store: opening a file (a catalog, or a foreign or damaged file refused
untouched in one line), merged writes and the sightings that keep a page's history,
paper keys that never move, and migrations of older catalogs. The crash and concurrency
tests of the same store (killed, interrupted, two writers) are in test_reliability.py."""

from __future__ import annotations

import json
import os
import re
import sqlite3
from pathlib import Path

import pytest
from catalog_files import KINDS, make_file, real_catalog, sha256_of
from click.testing import CliRunner

from catalog.cli import cli
from conftest import AS_OF, DATA, PAGES


def papers(invoke, db):
    result = invoke("--db", db, "list", "--limit", "0", "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


# -- opening: a catalog, or a file refused as it is -------------------------------------

COMMANDS = (("load", str(DATA)), ("list",), ("search", "deepseek"), ("authors",),
            ("show", "abc123"))


MESSAGES = {"text": "not a SQLite database file", "empty": "empty file",
            "other-app": "another application", "other-app-wal": "another application",
            "truncated-half": "damaged", "truncated-last-page": "damaged",
            "truncated-header": "damaged", "newer": "newer catalog"}


@pytest.mark.parametrize("kind", KINDS)
def test_foreign_or_damaged_file_is_refused_and_left_untouched(tmp_path, kind, monkeypatch):
    # a file shorter than its header says is looked at again after a pause, in case a
    # checkpoint was just writing it; nothing writes here, so the pauses (1 s of this
    # module) need not be waited out
    monkeypatch.setattr("catalog.store.open.time.sleep", lambda seconds: None)
    directory = tmp_path / "d"
    directory.mkdir()
    target = make_file(kind, directory)
    digest, listing = sha256_of(target), sorted(os.listdir(directory))
    runner = CliRunner()
    for args in COMMANDS:
        result = runner.invoke(cli, ["--db", str(target), *args], catch_exceptions=False)
        assert result.exit_code == 1, (args, result.stderr)
        assert result.stdout == ""
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: "), (args, result.stderr)
        assert MESSAGES[kind] in lines[0], (args, lines[0])
        assert str(target) in lines[0]
        assert sha256_of(target) == digest, args
        assert sorted(os.listdir(directory)) == listing, args  # no -wal, -shm, temp files


def test_a_catalog_in_use_is_still_recognised(tmp_path):
    """While another connection holds the catalog open in WAL mode, the header on disk may
    lag behind; the catalog is still opened, not mistaken for a damaged file."""
    db = real_catalog(tmp_path)
    other = sqlite3.connect(db, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("DELETE FROM loads WHERE 0")
        other.execute("COMMIT")
        assert Path(f"{db}-wal").exists()
        result = CliRunner().invoke(cli, ["--db", str(db), "list", "--format", "json"],
                                    catch_exceptions=False)
        assert result.exit_code == 0, result.stderr
        assert len(json.loads(result.stdout)) == 16
    finally:
        other.close()


def test_a_catalog_damaged_inside_is_reported_as_damaged(tmp_path):
    """A file whose header is sound but whose pages are garbage is found out by the
    query that reads them: one line naming the file as damaged, no traceback."""
    db = real_catalog(tmp_path)
    page_size = 4096
    with db.open("r+b") as f:  # every page but the first (the schema) overwritten
        size = f.seek(0, os.SEEK_END)
        f.seek(page_size)
        f.write(b"\xa5" * (size - page_size))
    result = CliRunner().invoke(cli, ["--db", str(db), "list"], catch_exceptions=False)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {db} is damaged or not a catalog")


def test_an_unexpected_sqlite_error_is_an_internal_error_not_a_damaged_file(
        tmp_path, monkeypatch):
    """A bug ("no such column") is not blamed on the file: one honest line that says how
    to see the traceback, and the traceback under CATALOG_DEBUG=1 (#12)."""
    import catalog.store.read

    db = real_catalog(tmp_path)
    monkeypatch.setitem(catalog.store.read.SORTS, "date", "p.no_such_column")
    result = CliRunner().invoke(cli, ["--db", str(db), "list", "--limit", "0"],
                                catch_exceptions=False)
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: internal error (sqlite3.OperationalError: no such column: "
        "p.no_such_column); rerun with CATALOG_DEBUG=1 for details\n")
    monkeypatch.setenv("CATALOG_DEBUG", "1")
    with pytest.raises(sqlite3.OperationalError, match="no such column"):
        CliRunner().invoke(cli, ["--db", str(db), "list", "--limit", "0"],
                           catch_exceptions=False)


# -- merged writes and sightings --------------------------------------------------------

def test_merge_fills_fields_from_other_pages(seeds_db, invoke):
    by_title = {p["title"]: p for p in papers(invoke, seeds_db)}
    llm = by_title["DeepSeek LLM: Scaling Open-Source Language Models with Longtermism"]
    # seed 002 shows it without a header; 001 and 003 give topic, date and Code
    assert (llm["topic"], llm["date"], llm["has_code"]) == ("CL", "2024-01-05", True)
    v3 = by_title["DeepSeek-V3 Technical Report"]
    assert len(v3["profiles"]) == 4
    assert by_title["DeepSeek-V3.2: Pushing the Frontier of Open Large Language Models"][
        "score"] == 57.0


def test_reload_changes_nothing(seeds_db, invoke):
    before = papers(invoke, seeds_db)
    dump_before = list(sqlite3.connect(seeds_db).iterdump())
    result = invoke("--db", seeds_db, "load", DATA, "--as-of", AS_OF)
    assert result.exit_code == 0
    assert "0 new, 0 merged, 30 unchanged" in result.stderr
    assert papers(invoke, seeds_db) == before
    assert list(sqlite3.connect(seeds_db).iterdump()) == dump_before


def test_later_capture_wins_and_history_is_kept(db_path, invoke, tmp_path):
    old = tmp_path / "a.txt"
    new = tmp_path / "b.txt"
    body = "\nCVFeb 2, 2024\nA Study of ThingsJane Doe\nWe study things in detail here.\n"
    old.write_text("Jane Doe\nCV\nh-index5\n3papers" + body, encoding="utf-8")
    new.write_text("Jane Doe\nCV\nh-index7\n4papers" + body.replace("Feb 2", "Feb 3"),
                   encoding="utf-8")
    # load the later capture first: load order must not beat capture date
    invoke("--db", db_path, "load", new, "--as-of", "2026-06-01")
    invoke("--db", db_path, "load", old, "--as-of", "2026-01-01")
    profiles = json.loads(invoke("--db", db_path, "authors", "-f", "json").stdout)
    assert profiles[0]["h_index"] == 7
    assert papers(invoke, db_path)[0]["date"] == "2024-02-03"
    snaps = sqlite3.connect(db_path).execute(
        "SELECT as_of, h_index FROM profile_snapshots ORDER BY as_of").fetchall()
    assert snaps == [("2026-01-01", 5), ("2026-06-01", 7)]


# -- paper keys and migrations ---------------------------------------------------------

def _keys(invoke, db, *args):
    result = invoke("--db", db, "list", "--limit", "0", "-f", "json", *args)
    return {p["id"]: p["key"] for p in json.loads(result.stdout)}


def test_keys_never_move(invoke, db_path, tmp_path):
    kaiming = PAGES / "kaiming_he.txt"
    assert invoke("--db", db_path, "load", kaiming, "--as-of", AS_OF).exit_code == 0
    before = _keys(invoke, db_path)
    residual = [pid for pid, k in before.items() if k == "he2015deep"]
    assert len(residual) == 1
    # a later page brings another "he2015deep...": it gets a suffix, the old keeps its key
    page = tmp_path / "more.txt"
    page.write_text("CVJan 1, 2015\n\nDeep Thoughts on Images\n\nKaiming He, Ana Müller\n\n"
                    "Another paper whose key would be he2015deep.\n", encoding="utf-8")
    assert invoke("--db", db_path, "load", page, "--as-of", AS_OF).exit_code == 0
    after = _keys(invoke, db_path)
    assert {pid: after[pid] for pid in before} == before
    (new,) = set(after) - set(before)
    assert after[new] == "he2015deepa"
    # selected alone, or in another order, a paper keeps its key
    bib = invoke("--db", db_path, "export", "-f", "bibtex", "thoughts").stdout
    assert bib.startswith("@misc{he2015deepa,")
    titles = invoke("--db", db_path, "export", "-f", "bibtex", "--sort", "title").stdout
    assert set(re.findall(r"^@misc\{([^,]+),", titles, re.MULTILINE)) == set(after.values())
    # show finds a paper by key, and tells it
    shown = json.loads(invoke("--db", db_path, "show", "he2015deep", "-f", "json").stdout)
    assert shown["id"] == residual[0] and shown["key"] == "he2015deep"
    assert json.loads(invoke("--db", db_path, "show", "He2015Deep", "-f", "json").stdout) == shown
    assert "he2015deep" in invoke("--db", db_path, "show", residual[0][:6], "-f",
                                  "table").stdout


def test_migration_gives_old_catalogs_the_old_exporter_keys(invoke, db_path, tmp_path):
    """A catalog made before keys existed: m002 gives each paper the key a
    whole-catalog export gave it (newest first, suffixes in that order)."""
    import sqlite3

    from catalog import migrations

    page = tmp_path / "p.txt"
    page.write_text(
        "CVMar 1, 2015\n\nDeep Older Paper\n\nKaiming He\n\nOlder.\n\n"
        "CVDec 1, 2015\n\nDeep Newer Paper\n\nKaiming He\n\nNewer.\n", encoding="utf-8")
    assert invoke("--db", db_path, "load", page, "--as-of", AS_OF).exit_code == 0
    conn = sqlite3.connect(db_path)
    with conn:  # back to schema 1: no key column, nor the views (m004) that show it
        conn.execute("DROP VIEW paper_list")
        conn.execute("DROP VIEW author_list")
        conn.execute("DROP INDEX idx_papers_key")
        conn.execute("ALTER TABLE papers DROP COLUMN key")
        conn.execute("PRAGMA user_version = 1")
    conn.close()
    keys = {p["title"]: p["key"] for p in json.loads(
        invoke("--db", db_path, "list", "-f", "json").stdout)}
    # loaded older first (so the load gave the older one the bare key), but the old
    # exporter wrote newest first
    assert keys == {"Deep Newer Paper": "he2015deep", "Deep Older Paper": "he2015deepa"}
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == migrations.SCHEMA_VERSION
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("UPDATE papers SET key = 'he2015deep'")
