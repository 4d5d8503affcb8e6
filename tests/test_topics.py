"""Several topic codes in one entry header (``LGCV``, #14): every code kept, in order,
as ``topics`` beside ``topic`` (the first), and a topic filter matches any of them."""

from __future__ import annotations

import json
import sqlite3

import pytest

from conftest import AS_OF, build_catalog, private_copy, write_pages

# a listing without a header is an entry where its abstract reads as prose
ABSTRACT = "An abstract about x, in a few plain words."
GLUED = (f"LGCVJan 2, 2025\n\nGlued Codes Paper\n\nAda Lovelace\n\n{ABSTRACT}\n\n"
         f"CVFeb 3, 2025\n\nOne Code Paper\n\nAda Lovelace\n\n{ABSTRACT}\n\n"
         f"Headerless Paper\n\nAda Lovelace\n\n{ABSTRACT}\n")


def _load(invoke, db, tmp_path, name: str, text: str, as_of: str = AS_OF) -> None:
    page = tmp_path / name
    page.write_text(text, encoding="utf-8")
    result = invoke("--db", db, "load", page, "--as-of", as_of)
    assert result.exit_code == 0, result.stderr


def _papers(invoke, db, *args) -> dict[str, dict]:
    result = invoke("--db", db, *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return {p["title"]: p for p in json.loads(result.stdout)}


@pytest.fixture(scope="module")
def _glued_built(tmp_path_factory):
    directory = tmp_path_factory.mktemp("glued")
    return build_catalog(directory, *write_pages(directory, {"glued.txt": GLUED}))


@pytest.fixture
def glued_db(_glued_built, db_path):
    """GLUED loaded: built once for the module, a private copy for each test."""
    return private_copy(_glued_built, db_path)


def test_json_carries_every_code_beside_the_first(invoke, glued_db):
    papers = _papers(invoke, glued_db, "list")
    glued = papers["Glued Codes Paper"]
    assert glued["topic"] == "LG" and glued["topics"] == ["LG", "CV"]
    assert list(glued)[5:7] == ["topic", "topics"]
    assert papers["One Code Paper"]["topics"] == ["CV"]
    assert papers["Headerless Paper"]["topic"] is None
    assert papers["Headerless Paper"]["topics"] == []
    shown = json.loads(invoke("--db", glued_db, "show", glued["id"], "-f", "json").stdout)
    assert shown["topics"] == ["LG", "CV"]
    # the table view names each code
    table = invoke("--db", glued_db, "show", glued["id"], "-f", "table").stdout
    assert "LG (Machine Learning), CV (Computer Vision" in " ".join(table.split())
    lines = invoke("--db", glued_db, "export", "-f", "jsonl").stdout.splitlines()
    assert {json.loads(x)["title"]: json.loads(x)["topics"] for x in lines}[
        "Glued Codes Paper"] == ["LG", "CV"]


@pytest.mark.parametrize("args", [
    ("list", "--topic", "CV"),
    ("list", "--topic", "computer vision"),
    ("search", "x", "--topic", "CV"),
    ("search", "x topic:CV"),
    ("export", "topic:CV"),
])
def test_a_topic_filter_matches_any_code(invoke, glued_db, args):
    fmt = ("-f", "json") if args[0] == "export" else ()
    result = invoke("--db", glued_db, *args, *fmt, *(() if fmt else ("-f", "json")))
    assert result.exit_code == 0, result.stderr
    assert sorted(p["title"] for p in json.loads(result.stdout)) == [
        "Glued Codes Paper", "One Code Paper"]


def test_the_primary_topic_still_matches_alone(invoke, glued_db):
    assert list(_papers(invoke, glued_db, "list", "--topic", "LG")) == ["Glued Codes Paper"]
    # two codes of one paper: the paper once
    assert sorted(_papers(invoke, glued_db, "list", "--topic", "LG", "--topic", "CV")) == [
        "Glued Codes Paper", "One Code Paper"]
    assert _papers(invoke, glued_db, "list", "--topic", "CL") == {}


def test_topics_counts_a_paper_under_each_of_its_codes(invoke, glued_db):
    rows = json.loads(invoke("--db", glued_db, "topics", "-f", "json").stdout)
    # as many as --topic finds: CV counts the glued paper too
    assert [(r["code"], r["papers"], r["first"]) for r in rows] == [
        ("CV", 2, "2025-01-02"), ("LG", 1, "2025-01-02")]


def test_a_listing_without_header_never_erases_the_codes(invoke, glued_db, tmp_path):
    _load(invoke, glued_db, tmp_path, "later.txt",
          f"Glued Codes Paper\n\nAda Lovelace\n\n{ABSTRACT}\n", as_of="2026-12-01")
    glued = _papers(invoke, glued_db, "list")["Glued Codes Paper"]
    assert glued["topics"] == ["LG", "CV"] and len(glued["profiles"]) == 2
    # a later capture with a header wins, codes and all
    _load(invoke, glued_db, tmp_path, "latest.txt",
          f"CVJan 2, 2025\n\nGlued Codes Paper\n\nAda Lovelace\n\n{ABSTRACT}\n",
          as_of="2026-12-02")
    glued = _papers(invoke, glued_db, "list")["Glued Codes Paper"]
    assert glued["topic"] == "CV" and glued["topics"] == ["CV"]
    # that page unloaded, the codes of the fuller listing come back
    assert invoke("--db", glued_db, "unload", "latest").exit_code == 0
    assert _papers(invoke, glued_db, "list")["Glued Codes Paper"]["topics"] == ["LG", "CV"]


def test_one_page_listing_a_paper_twice_keeps_the_header_codes(invoke, db_path, tmp_path):
    _load(invoke, db_path, tmp_path, "twice.txt",
          f"LGCVJan 2, 2025\n\nTwice Listed Paper\n\nAda Lovelace\n\n{ABSTRACT}\n\n"
          f"Twice Listed Paper\n\nAda Lovelace\n\n{ABSTRACT}\n")
    assert _papers(invoke, db_path, "list")["Twice Listed Paper"]["topics"] == ["LG", "CV"]


def test_the_datasette_view_gives_every_code(invoke, glued_db):
    conn = sqlite3.connect(glued_db)
    rows = dict(conn.execute("SELECT title, topics FROM paper_list").fetchall())
    assert {t: json.loads(v) for t, v in rows.items()} == {
        "Glued Codes Paper": ["LG", "CV"], "One Code Paper": ["CV"], "Headerless Paper": []}


def test_an_older_catalog_gets_topics_from_topic(invoke, glued_db):
    from catalog import migrations

    conn = sqlite3.connect(glued_db)
    with conn:  # back to schema 5: no topics columns, the view as m004 made it
        conn.execute("DROP VIEW paper_list")
        conn.execute("DROP INDEX idx_papers_topics")
        conn.execute("ALTER TABLE papers DROP COLUMN topics")
        conn.execute("ALTER TABLE sightings DROP COLUMN topics")
        conn.execute("PRAGMA user_version = 5")
    conn.close()
    papers = _papers(invoke, glued_db, "list")
    # the old schema kept only the first code: that is all a migration can give
    assert papers["Glued Codes Paper"]["topics"] == ["LG"]
    assert papers["Headerless Paper"]["topics"] == []
    conn = sqlite3.connect(glued_db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == migrations.SCHEMA_VERSION
    assert conn.execute("SELECT count(*) FROM sightings WHERE topics IS NOT topic"
                        ).fetchone()[0] == 0
    assert json.loads(conn.execute(
        "SELECT topics FROM paper_list WHERE title = 'Glued Codes Paper'").fetchone()[0]) == ["LG"]
