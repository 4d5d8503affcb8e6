"""catalog/export.py: the writers (CSV, TSV, JSON, JSON Lines, BibTeX by name), formula
neutralisation, TSV as `cut` and Python's csv read it from every command, the library
entry point `export_papers`, and output files that appear whole or not at all.
Command-level behaviour (`catalog export`'s options and selection) is in
test_cli_export.py; the .bib read by bibtex and biber in test_bibtex.py."""

from __future__ import annotations

import csv
import io
import itertools
import re
import shutil
import subprocess

import pytest
from export_cells import as_cell, csv_rows
from hypothesis import given
from hypothesis import strategies as st

from catalog import export as ex
from catalog.api import Catalog
from catalog.models import PAPER_KEYS, Paper
from conftest import AS_OF

# -- CSV ---------------------------------------------------------------------------

@pytest.mark.parametrize("text,escaped", [
    ("=1+1", "'=1+1"), ("+x", "'+x"), ("-x", "'-x"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("-inf", "'-inf"), ("-1+1", "'-1+1"),
    ("-3", "-3"), ("+1.5e3", "+1.5e3"), ("a=b", "a=b"), ("", ""),
])
def test_formula_cells(text, escaped):
    assert ex._cell(text, True) == escaped
    assert ex._cell(text, False) == text


_csv_text = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\0"))


@given(st.lists(st.tuples(_csv_text, st.lists(_csv_text.filter(lambda s: ";" not in s), max_size=3),
                          st.booleans(), st.none() | st.floats(allow_nan=False)),
                max_size=5))
def test_csv_reads_back_equal(rows):
    papers = [Paper(id=str(i), title=title, authors=tuple(authors), authors_truncated=trunc,
                    affiliations=(), topic=None, date=None, has_code=False, score=score,
                    abstract=title, profiles=())
              for i, (title, authors, trunc, score) in enumerate(rows)]
    out = io.StringIO(newline="")
    ex.export_papers(papers, "csv", out, escape_formulas=False)
    got = csv_rows(out.getvalue())
    assert got == [{k: as_cell(p.to_json()[k]) for k in PAPER_KEYS} for p in papers]


# -- TSV -----------------------------------------------------------------------------

_UNESCAPE = {"\\\\": "\\", "\\t": "\t", "\\n": "\n", "\\r": "\r"}


def read_tsv(text: str) -> list[list[str]]:
    """The documented reading: split lines at \\n, fields at tabs, then \\\\, \\t, \\n,
    \\r back to the characters (a backslash before anything else stays)."""
    return [[re.sub(r"\\[\\tnr]", lambda m: _UNESCAPE[m.group()], f) for f in line.split("\t")]
            for line in text.split("\n")[:-1]]


HOSTILE_TSV = Paper(
    id="t1", title='"Quoted Title" at the Start\twith a tab', authors=("Ana Müller",),
    authors_truncated=False, affiliations=(), topic=None, date=None, has_code=False,
    score=1.5, abstract="line one\nline two\r\nback\\slash, \\t literally; end\\",
    profiles=("p",))


def test_tsv_escapes_and_reads_back():
    out = io.StringIO()
    ex.export_papers([HOSTILE_TSV], "tsv", out, escape_formulas=False)
    text = out.getvalue()
    assert text.count("\n") == 2 and '"""' not in text
    assert '\t"Quoted Title" at the Start\\twith a tab\t' in text
    assert "line one\\nline two\\r\\nback\\\\slash, \\\\t literally; end\\\\\t" in text
    rows = read_tsv(text)
    assert rows[0] == list(PAPER_KEYS)
    assert rows[1] == [as_cell(HOSTILE_TSV.to_json()[k]) for k in PAPER_KEYS]
    for escapechar in (None, "\\"):
        got = list(csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE,
                              escapechar=escapechar))
        assert [len(r) for r in got] == [len(PAPER_KEYS)] * 2


_tsv_text = st.text(st.characters(exclude_categories=("Cs",)))


@given(st.lists(st.tuples(_tsv_text, _tsv_text), max_size=4))
def test_tsv_round_trips_any_text(rows):
    papers = [Paper(id=str(i), title=t, authors=(), authors_truncated=False, affiliations=(),
                    topic=None, date=None, has_code=False, score=None, abstract=a, profiles=())
              for i, (t, a) in enumerate(rows)]
    out = io.StringIO()
    ex.export_papers(papers, "tsv", out, escape_formulas=False)
    got = read_tsv(out.getvalue())
    assert got[1:] == [[as_cell(p.to_json()[k]) for k in PAPER_KEYS] for p in papers]


HOSTILE_PAGE = ('CLMar 3, 2024\n\n"Quoted Title" at the Start, with back\\slash\n\n'
                'Ana Müller, Zoë Martin\n\nAn abstract\twith a tab and a back\\slash.\n')


@pytest.mark.parametrize("command", [["list"], ["search", "quoted"], ["export", "-f", "tsv"],
                                     ["author", "Ana Müller"], ["show", "muller2024quoted"]])
def test_piped_tsv_cuts_clean(invoke, db_path, tmp_path, command):
    if shutil.which("cut") is None:
        pytest.skip("`cut` is not installed (Debian: coreutils)")
    page = tmp_path / "hostile.txt"
    page.write_text(HOSTILE_PAGE, encoding="utf-8")
    assert invoke("--db", db_path, "load", page, "--as-of", AS_OF).exit_code == 0
    result = invoke("--db", db_path, *command)
    assert result.exit_code == 0, result.stderr
    cut = subprocess.run(["cut", "-f2"], input=result.stdout, capture_output=True, text=True,
                         check=True)
    assert cut.stdout == 'title\n"Quoted Title" at the Start, with back\\\\slash\n'
    abstract = read_tsv(result.stdout)[1][PAPER_KEYS.index("abstract")]
    assert abstract.startswith("An abstract") and abstract.endswith("back\\slash.")


def test_every_piped_command_is_plain_tsv(invoke, tex_db):
    for command in (["authors"], ["topics"], ["stats"]):
        out = invoke("--db", tex_db, *command).stdout
        rows = list(csv.reader(io.StringIO(out), delimiter="\t", quoting=csv.QUOTE_NONE))
        assert len({len(r) for r in rows}) == 1 and '"' not in out, command


# -- the library entry point ----------------------------------------------------------

def test_every_format_named_has_a_writer():
    from catalog.formats import PAPER_FORMATS, RECORD_FORMATS

    assert tuple(ex.FORMATS) == PAPER_FORMATS
    assert set(RECORD_FORMATS) < set(PAPER_FORMATS)


def test_export_papers_streams(hostile_db):
    """Each row is written before the next is read: nothing holds the whole result."""
    out = io.StringIO()
    sizes = []

    def watched(papers):
        for p in papers:
            sizes.append(len(out.getvalue()))
            yield p

    with Catalog(hostile_db) as cat:
        n = ex.export_papers(watched(cat.papers()), "jsonl", out)
    assert n == 27
    assert all(a < b for a, b in itertools.pairwise(sizes[1:]))


@pytest.mark.parametrize("fmt", sorted(ex.FORMATS))
def test_export_papers_every_format(hostile_db, tmp_path, fmt):
    with Catalog(hostile_db) as cat, ex.open_output(tmp_path / f"all.{fmt}") as out:
        assert ex.export_papers(cat.papers(limit=5), fmt, out) == 5
    assert (tmp_path / f"all.{fmt}").stat().st_size > 0


def test_export_papers_rejects_unknown_format():
    with pytest.raises(ValueError, match="unknown export format"):
        ex.export_papers([], "xml", io.StringIO())


# -- output files: whole or not at all --------------------------------------------------

def test_file_appearing_during_export_is_not_clobbered(tmp_path):
    out = tmp_path / "papers.csv"
    with pytest.raises(ex.OutputExists):
        with ex.open_output(out) as stream:
            stream.write("new\n")
            out.write_text("someone else's\n")
    assert out.read_text() == "someone else's\n"
    assert [p.name for p in tmp_path.iterdir()] == ["papers.csv"]
