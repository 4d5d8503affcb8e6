"""Finding a person (#16): typos by closeness then papers, first names, the index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import AS_OF, PAGES, build_catalog, private_copy, write_pages


def page(entries: list[tuple[str, str]]) -> str:
    """A header-less page in the spaced layout: (title, authors) per entry."""
    out = []
    for i, (title, authors) in enumerate(entries):
        out += [f"CLJan {i % 27 + 1}, 2025", "", title, "", authors, "",
                f"We study {title.lower()} and report results on several benchmarks.", ""]
    return "\n".join(out)


@pytest.fixture(scope="module")
def _people_built(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("people")
    entries = [(f"Scaling Study Number {i}", "Aixin Liu, Bei Feng") for i in range(6)]
    entries += [("A Lonely Paper On Graphs", "Aixin Li, Carl Jones"),
                ("Kernel Methods Revisited", "Kaiming Zhang, Dora Smith"),
                ("Sparse Coding Again", "Kaiming Wu, Dora Smith"),
                ("Twin Names One", "Mei Wang, Otto Berg"),
                ("Twin Names Two", "Mei Wong, Otto Berg")]
    return build_catalog(directory, *write_pages(directory, {"people/mixed.txt": page(entries)}),
                         PAGES / "kaiming_he.txt")


@pytest.fixture
def people_db(_people_built, db_path) -> Path:
    """Aixin Liu on 6 papers, Aixin Li on 1; Kaiming He's page (4) and two other
    Kaimings on 1 each; Mei Wang and Mei Wong on 1 each. Built once for the module, a
    private copy for each test."""
    return private_copy(_people_built, db_path)


def resolved(invoke, db, typed):
    result = invoke("--db", db, "author", typed, "-f", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["name"], result.stderr


@pytest.mark.parametrize("typed,expected", [
    ("Aixin Lui", "Aixin Liu"),  # one edit from both: the one with more papers
    ("Aixni Liu", "Aixin Liu"),  # swapped letters are one edit
    ("Kaimnig He", "Kaiming He"),
    ("aixin li", "Aixin Li"),  # exact beats close
    ("Kaiming Zhnag", "Kaiming Zhang"),
    ("kaiming", "Kaiming He"),  # a first name, one prolific owner
])
def test_typos_resolve_by_closeness_then_papers(invoke, people_db, typed, expected):
    name, err = resolved(invoke, people_db, typed)
    assert name == expected
    if typed.lower() != expected.lower():
        assert f'matched "{expected}"' in err


def test_equally_close_and_equally_prolific_is_ambiguous(invoke, people_db):
    result = invoke("--db", people_db, "author", "Mei Wung")
    assert result.exit_code == 1
    assert "ambiguous" in result.stderr and "Mei Wang" in result.stderr
    assert "Mei Wong" in result.stderr and result.stderr.count("\n") == 1


def test_candidates_ordered_by_quality_then_papers(invoke, people_db):
    result = invoke("--db", people_db, "author", "aixin")
    # Aixin Liu has six times Aixin Li's papers: a prolific owner
    assert result.exit_code == 0
    result = invoke("--db", people_db, "author", "smith")
    assert result.exit_code == 0  # one Smith only
    result = invoke("--db", people_db, "author", "mei")
    assert result.exit_code == 1
    err = result.stderr
    assert "ambiguous" in err


def test_candidates_say_how_many_more(invoke, tmp_path):
    d = tmp_path / "many"
    d.mkdir()
    surnames = ["Adams", "Baker", "Clark", "Davis", "Evans", "Flores", "Garcia", "Hughes",
                "Irwin", "Jensen", "Keller", "Lopez"]
    entries = [(f"Paper About Topic {i}", f"Ana {s}, Zed Quinn")
               for i, s in enumerate(surnames)]
    entries += [(f"Extra Paper {i}", "Ana Moreno, Zed Quinn") for i in range(2)]
    (d / "p.txt").write_text(page(entries), "utf-8")
    db = tmp_path / "many.db"
    assert invoke("--db", db, "load", d, "--as-of", AS_OF).exit_code == 0
    result = invoke("--db", db, "author", "ana")
    assert result.exit_code == 1
    err = result.stderr
    # the one with more papers first, then by name; eight shown, and how many more
    assert err.index("Ana Moreno") < err.index("Ana Adams") < err.index("Ana Baker")
    assert "and 5 more" in err


def test_far_typo_still_found(invoke, people_db):
    name, _ = resolved(invoke, people_db, "Kaiminng Hee")
    assert name == "Kaiming He"


def test_unload_forgets_names_in_the_index(invoke, people_db):
    assert invoke("--db", people_db, "unload", "mixed").exit_code == 0
    result = invoke("--db", people_db, "author", "Aixin Lui")
    assert result.exit_code == 1 and "no author matches" in result.stderr
