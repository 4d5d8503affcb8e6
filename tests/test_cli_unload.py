"""Taking loads back (#16): unload, rename-profile, and --profile on many pages."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from conftest import AS_OF, DATA, PAGES

SEEDS = sorted(DATA.glob("*.txt"))


def catalog_json(invoke, db: Path) -> list[dict]:
    """Every paper; without its cite key, which is given once and never changed (so a
    paper keeps the key it got beside the unloaded pages)."""
    result = invoke("--db", db, "list", "--limit", "0", "--sort", "title", "-f", "json")
    assert result.exit_code == 0, result.stderr
    return [{k: v for k, v in p.items() if k != "key"} for p in json.loads(result.stdout)]


def load(invoke, db: Path, *paths: Path, **kw) -> None:
    args = ["--db", db, "load", *paths, "--as-of", AS_OF]
    result = invoke(*args)
    assert result.exit_code == 0, result.stderr


def integrity(db: Path) -> None:
    conn = sqlite3.connect(db)
    try:
        conn.execute("INSERT INTO papers_fts(papers_fts) VALUES ('integrity-check')")
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        # the name index holds exactly the people there are
        assert conn.execute("SELECT count(*) FROM person_words WHERE person_id NOT IN "
                            "(SELECT id FROM people)").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM people WHERE id NOT IN "
                            "(SELECT person_id FROM authorships UNION SELECT person_id "
                            "FROM profiles WHERE person_id IS NOT NULL)").fetchone()[0] == 0
    finally:
        conn.close()


@pytest.mark.parametrize("gone", range(len(SEEDS)))
def test_unload_a_file_is_as_if_it_was_never_loaded(invoke, tmp_path, gone):
    both, rest = tmp_path / "both.db", tmp_path / "rest.db"
    load(invoke, both, *SEEDS, PAGES)
    load(invoke, rest, *[s for i, s in enumerate(SEEDS) if i != gone], PAGES)
    result = invoke("--db", both, "unload", SEEDS[gone])
    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith("Removed profile")
    assert catalog_json(invoke, both) == catalog_json(invoke, rest)
    integrity(both)
    def found(db: Path) -> list[str]:
        return [p["id"] for p in json.loads(
            invoke("--db", db, "search", "model", "-f", "json").stdout)]

    assert found(both) == found(rest)


def test_unload_a_profile_by_name(invoke, tmp_path):
    db = tmp_path / "c.db"
    load(invoke, db, DATA, PAGES)
    result = invoke("--db", db, "unload", "kaiming he")
    assert result.exit_code == 0, result.stderr
    assert "'Kaiming He'" in result.stderr and "4 papers" in result.stderr
    assert "Kaiming He" not in invoke("--db", db, "authors", "-f", "tsv").stdout
    assert invoke("--db", db, "list", "--author", "Kaiming He").exit_code == 1
    integrity(db)


def test_dry_run_changes_nothing_and_says_the_same(invoke, tmp_path):
    db = tmp_path / "c.db"
    load(invoke, db, DATA, PAGES)
    before = catalog_json(invoke, db)
    dry = invoke("--db", db, "unload", SEEDS[0], "--dry-run")
    assert dry.exit_code == 0
    assert catalog_json(invoke, db) == before
    real = invoke("--db", db, "unload", SEEDS[0])
    assert dry.stderr.replace("Would remove", "Removed") == real.stderr


def test_unload_unknown_target_names_the_nearest(invoke, tmp_path):
    db = tmp_path / "c.db"
    load(invoke, db, DATA, PAGES)
    result = invoke("--db", db, "unload", "Kaiming")  # no fuzzy match when deleting
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no profile or loaded file named 'Kaiming'")
    assert "Kaiming He" in result.stderr and result.stderr.count("\n") == 1


def test_unload_a_file_of_a_profile_loaded_from_two_files_refuses(invoke, tmp_path):
    db = tmp_path / "c.db"
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    text = (PAGES / "kaiming_he.txt").read_text("utf-8")
    a.write_text(text, "utf-8")
    b.write_text(text.replace("650,000citations", "660,000citations"), "utf-8")
    load(invoke, db, a)
    load(invoke, db, b)
    result = invoke("--db", db, "unload", b)
    assert result.exit_code == 1
    assert "also loaded from a.txt" in result.stderr
    assert 'catalog unload "Kaiming He"' in result.stderr
    assert invoke("--db", db, "unload", "Kaiming He").exit_code == 0


def test_rename_profile(invoke, tmp_path):
    db = tmp_path / "c.db"
    load(invoke, db, DATA)
    unnamed = SEEDS[0].stem
    result = invoke("--db", db, "rename-profile", unnamed, "Zhihong Shao")
    assert result.exit_code == 0, result.stderr
    assert f"Renamed profile '{unnamed}' to 'Zhihong Shao'" in result.stderr
    profiles = json.loads(invoke("--db", db, "authors", "-f", "json").stdout)
    assert "Zhihong Shao" in {p["name"] for p in profiles}
    assert unnamed not in {p["name"] for p in profiles}
    # the profile's papers are now that author's
    page = json.loads(invoke("--db", db, "author", "Zhihong Shao", "-f", "json").stdout)
    assert page["profile"]["name"] == "Zhihong Shao" and len(page["papers"]) >= 5
    integrity(db)


def test_rename_profile_refuses_a_taken_name(invoke, tmp_path):
    db = tmp_path / "c.db"
    load(invoke, db, DATA, PAGES)
    result = invoke("--db", db, "rename-profile", SEEDS[0].stem, "kaiming he")
    assert result.exit_code == 1
    assert "a profile named 'Kaiming He' exists already" in result.stderr


def test_profile_option_refuses_to_name_several_headerless_pages(invoke, tmp_path):
    db = tmp_path / "c.db"
    result = invoke("--db", db, "load", DATA, "--profile", "Someone", "--as-of", AS_OF)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: --profile 'Someone' would name 3 pages")
    assert not db.exists()
    # one header-less page (and pages with headers) take it without a word
    result = invoke("--db", db, "load", SEEDS[0], SEEDS[1], PAGES / "kaiming_he.txt",
                    "--profile", "Someone", "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    names = {p["name"] for p in json.loads(invoke("--db", db, "authors", "-f", "json").stdout)}
    assert "Someone" in names and "Kaiming He" in names
