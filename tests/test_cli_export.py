"""`catalog export`: every format read back by a real parser, the selection equal to
list/search, formula neutralisation, BibTeX keys and escaping, atomic files."""

from __future__ import annotations

import csv
import io
import itertools
import json
import re

import bibtexparser
import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog import bibtex as bx
from catalog import export as ex
from catalog.api import Catalog
from catalog.models import PAPER_KEYS, Paper
from conftest import AS_OF, DATA, PAGES

# Titles, authors and abstracts a spreadsheet would run, and LaTeX's specials
HOSTILE = """Hostile Profile

CL
3papers

3 Papers

CLMar 3, 2024

=HYPERLINK("http://evil.example") and Friends

Ana Müller, Zoë Martin

-2+3 is what a spreadsheet computes; @SUM(A1) too. R&D costs 50% of $10 #1 with snake_case, a^b, ~tilde, back\\slash and {braces}.

CLApr 4, 2024Code

R&D at 50%: Costs of $GPU_Time in C# {Braces} ~ ^ \\ Systems

José Álvarez, Łukasz Kaiser

+Plus starts this abstract, with "quotes", commas, and more.

CLMay 5, 2024

HYPERLINK Is All You Need

Ana Müller

Same first author, year and first title word as the formula paper: the keys must differ.
"""
EQ_TITLE = '=HYPERLINK("http://evil.example") and Friends'
SPECIALS_TITLE = r"R&D at 50%: Costs of $GPU_Time in C# {Braces} ~ ^ \ Systems"


@pytest.fixture
def db(db_path, invoke, tmp_path):
    hostile = tmp_path / "hostile" / "hostile.txt"
    hostile.parent.mkdir()
    hostile.write_text(HOSTILE, encoding="utf-8")
    result = invoke("--db", db_path, "load", DATA, PAGES, hostile, "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    return db_path


def listed(invoke, db, *args):
    result = invoke("--db", db, "list", "--limit", "0", "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def exported(invoke, db, *args):
    result = invoke("--db", db, "export", *args)
    assert result.exit_code == 0, result.stderr
    return result


def csv_rows(text):
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == list(PAPER_KEYS)
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def as_cell(value):
    """What a CSV cell holds for a JSON value (formulas left as they are)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "; ".join(value)
    return str(value)


def bib(text):
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == []
    return library.entries


# -- CSV ---------------------------------------------------------------------------

def test_csv_is_the_default_and_equals_list(invoke, db):
    want = listed(invoke, db)
    result = exported(invoke, db, "--no-escape-formulas")
    assert result.stdout.startswith("id,title,authors,")
    assert b"\r\n" in result.stdout_bytes  # RFC 4180 line ends (stdout turns them to \n)
    rows = csv_rows(result.stdout)
    assert len(rows) == len(want) == 27
    for row, paper in zip(rows, want, strict=True):
        assert row == {k: as_cell(paper[k]) for k in PAPER_KEYS}


def test_csv_neutralises_formulas_by_default(invoke, db):
    rows = {r["id"]: r for r in csv_rows(exported(invoke, db).stdout)}
    papers = {p["id"]: p for p in listed(invoke, db)}
    by_title = {r["title"].lstrip("'"): r for r in rows.values()}
    assert by_title[EQ_TITLE]["title"] == "'" + EQ_TITLE
    assert by_title[EQ_TITLE]["abstract"].startswith("'-2+3 is what")
    assert by_title[SPECIALS_TITLE]["abstract"].startswith("'+Plus starts")
    for pid, row in rows.items():
        for key in PAPER_KEYS:
            cell = as_cell(papers[pid][key])
            if cell[:1] in ("=", "+", "-", "@"):
                assert row[key] == "'" + cell
            else:
                assert row[key] == cell


def test_no_escape_formulas_keeps_cells_as_written(invoke, db):
    rows = csv_rows(exported(invoke, db, "--no-escape-formulas").stdout)
    by_title = {r["title"]: r for r in rows}
    assert by_title[EQ_TITLE]["abstract"].startswith("-2+3 is what")
    assert by_title[SPECIALS_TITLE]["abstract"].startswith("+Plus starts")


@pytest.mark.parametrize("text,escaped", [
    ("=1+1", "'=1+1"), ("+x", "'+x"), ("-x", "'-x"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("-inf", "'-inf"), ("-1+1", "'-1+1"),
    ("-3", "-3"), ("+1.5e3", "+1.5e3"), ("a=b", "a=b"), ("", ""),
])
def test_formula_cells(text, escaped):
    assert ex._cell(text, True) == escaped
    assert ex._cell(text, False) == text


def test_excel_writes_a_byte_order_mark(invoke, db, tmp_path):
    result = exported(invoke, db, "--excel")
    assert result.stdout_bytes.startswith(b"\xef\xbb\xbfid,title,")
    out = tmp_path / "papers.csv"
    exported(invoke, db, "--excel", "-o", out)
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert len(csv_rows(data.decode("utf-8-sig"))) == 27
    assert not exported(invoke, db).stdout_bytes.startswith(b"\xef\xbb\xbf")


def test_excel_with_json_is_a_usage_error(invoke, db):
    result = invoke("--db", db, "export", "--excel", "-f", "json")
    assert result.exit_code == 2
    assert "--excel" in result.stderr


def test_accents_are_utf8(invoke, db, tmp_path):
    out = tmp_path / "papers.csv"
    exported(invoke, db, "-o", out)
    text = out.read_bytes().decode("utf-8")  # strict: fails on anything else
    for name in ("Ana Müller; Zoë Martin", "José Álvarez; Łukasz Kaiser", "Piotr Dollár"):
        assert name in text


def test_empty_selection_still_has_a_header(invoke, db):
    result = exported(invoke, db, "--year", "1990")
    assert result.stdout_bytes == (",".join(PAPER_KEYS) + "\r\n").encode()
    assert "No papers match" in result.stderr


# -- JSON and JSON Lines -------------------------------------------------------------

def test_json_equals_list(invoke, db):
    papers = json.loads(exported(invoke, db, "-f", "json").stdout)
    assert papers == listed(invoke, db)
    # the contract's keys in its order, then the cite key
    assert all(list(p) == [*PAPER_KEYS, "key"] for p in papers)


def test_jsonl_one_paper_a_line(invoke, db):
    lines = exported(invoke, db, "-f", "jsonl").stdout.splitlines()
    assert [json.loads(line) for line in lines] == listed(invoke, db)


def test_empty_json_is_an_empty_array(invoke, db):
    assert json.loads(exported(invoke, db, "-f", "json", "--year", "1990").stdout) == []
    assert exported(invoke, db, "-f", "jsonl", "--year", "1990").stdout == ""


# -- the selection -----------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ["deepseek"],
    ["learning", "--since", "2020"],
    ["mixture of experts", "--topic", "CL"],
    ["reinforcement learning author:\"Daya Guo\" -survey"],
    ["deepseek", "--sort", "title"],
    ["deepseek", "--limit", "3"],
])
def test_export_with_query_equals_search(invoke, db, args):
    search_args = args if "--limit" in args else [*args, "--limit", "0"]
    searched = invoke("--db", db, "search", *search_args, "--format", "json")
    assert searched.exit_code == 0, searched.stderr
    want = json.loads(searched.stdout)
    assert want
    assert json.loads(exported(invoke, db, *args, "-f", "json").stdout) == want


@pytest.mark.parametrize("args", [
    ["--author", "Kaiming He"],
    ["--topic", "computer vision", "--code"],
    ["--year", "2023..2025", "--profile", "Y. K. Li"],
    ["--since", "2024-06", "--sort", "score"],
])
def test_export_with_filters_equals_list(invoke, db, args):
    want = listed(invoke, db, *args)
    assert want
    assert json.loads(exported(invoke, db, *args, "-f", "json").stdout) == want
    assert len(csv_rows(exported(invoke, db, *args).stdout)) == len(want)


def test_export_has_no_default_limit(invoke, db):
    # list stops at 50 by default; export takes everything
    assert len(json.loads(exported(invoke, db, "-f", "json").stdout)) == 27


def test_corrections_are_said_on_stderr(invoke, db):
    result = exported(invoke, db, "mixtre of experts", "-f", "json")
    assert "also searched for" in result.stderr
    assert json.loads(result.stdout)


def test_bad_query_exits_2_without_a_file(invoke, db, tmp_path):
    out = tmp_path / "x.csv"
    result = invoke("--db", db, "export", "--year", "twenty", "-o", out)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error:") and "Traceback" not in result.stderr
    assert list(tmp_path.glob("x.csv*")) == [] and list(tmp_path.glob(".x.csv*")) == []


# -- BibTeX ----------------------------------------------------------------------------

def test_bibtex_reads_back_with_unique_keys(invoke, db):
    papers = listed(invoke, db)
    entries = bib(exported(invoke, db, "-f", "bibtex").stdout)
    assert len(entries) == len(papers)
    keys = [e.key for e in entries]
    assert len(set(keys)) == len(keys)
    assert all(re.fullmatch(r"[a-z0-9]+", k) for k in keys)
    for entry, paper in zip(entries, papers, strict=True):
        assert entry.entry_type == "misc"
        assert entry["x-catalog-id"] == paper["id"]
        assert "title" in entry and "abstract" in entry
        if paper["date"]:
            assert entry["year"] == paper["date"][:4]
        assert entry["author"].endswith(" and others") == paper["authors_truncated"]
        assert entry["author"].count(" and ") == (
            len(paper["authors"]) - 1 + paper["authors_truncated"])


def test_bibtex_keys_are_readable_deduplicated_and_stable(invoke, db):
    text = exported(invoke, db, "-f", "bibtex").stdout
    assert text == exported(invoke, db, "-f", "bibtex").stdout
    by_id = {e["x-catalog-id"]: e for e in bib(text)}
    by_title = {p["title"]: by_id[p["id"]] for p in listed(invoke, db)}
    assert by_title["Deep Residual Learning for Image Recognition"].key == "he2015deep"
    assert by_title["Attention Is All You Need"].key == "vaswani2017attention"
    assert by_title["GPT-4 Technical Report"].key == "openai2023gpt4"
    assert by_title["Multi-Agent Collaboration for Code Generation"].key == (
        "dupont2023multiagent")
    assert by_title["DeepSeek-V3 Technical Report"].key == "deepseekai2024deepseekv3"
    assert by_title["DeepSeek LLM: Scaling Open-Source Language Models with "
                    "Longtermism"].key == "deepseekai2024deepseek"
    # keys are given as papers enter the catalog: the page lists the formula paper
    # first, so it has the bare key, whatever the order of the export
    assert by_title[EQ_TITLE].key == "muller2024hyperlink"
    assert by_title["HYPERLINK Is All You Need"].key == "muller2024hyperlinka"


def test_bibtex_fields(invoke, db):
    entries = bib(exported(invoke, db, "-f", "bibtex").stdout)
    by_id = {e["x-catalog-id"]: e for e in entries}
    by_title = {p["title"]: by_id[p["id"]] for p in listed(invoke, db)}
    v3 = by_title["DeepSeek-V3 Technical Report"]
    assert v3["title"] == "{DeepSeek-V3} {Technical} {Report}"
    assert v3["author"] == "{DeepSeek-AI} and Liu, Aixin and Feng, Bei and others"
    assert (v3["year"], v3["month"]) == ("2024", "dec")
    assert v3["keywords"] == "CL, Computation and Language"
    o1 = by_title["Learning to Reason with LLMs: o1-preview and Beyond"]
    assert o1["author"] == "{OpenAI}"
    assert o1["title"] == "{Learning} to {Reason} with {LLMs}: o1-preview and {Beyond}"
    fire = by_title["Fire-Flyer AI-HPC: A Cost-Effective Software-Hardware Co-Design for "
                    "Deep Learning"]
    assert fire["keywords"] == "DC, {Distributed, Parallel, and Cluster Computing}"
    undated = by_title["The Faiss library"]
    assert "year" not in undated and "month" not in undated
    assert undated.key == "douzefaiss"


def test_bibtex_escapes_latex_specials_and_keeps_accents(invoke, db):
    entries = bib(exported(invoke, db, "-f", "bibtex").stdout)
    by_title = {re.sub(r"[{}]", "", e["title"])[:3]: e for e in entries}
    specials = by_title[r"R\&"]
    assert specials["title"] == (
        r"{R\&D} at 50\%: {Costs} of {{\$GPU\_Time}} in {C\#} "
        r"{{\textbraceleft{}Braces\textbraceright{}}} \textasciitilde{} "
        r"\textasciicircum{} \textbackslash{} {Systems}")
    assert specials["author"] == r"{\'A}lvarez, Jos{\'e} and Kaiser, {\L}ukasz"
    assert specials.key == "alvarez2024costs"
    formula = by_title["=HY"]
    assert formula["author"] == r'M{\"u}ller, Ana and Martin, Zo{\"e}'
    assert formula["abstract"] == (
        r"-2+3 is what a spreadsheet computes; @SUM(A1) too. R\&D costs 50\% of \$10 \#1 "
        r"with snake\_case, a\textasciicircum{}b, \textasciitilde{}tilde, "
        r"back\textbackslash{}slash and \textbraceleft{}braces\textbraceright{}.")
    assert formula.key == "muller2024hyperlink"
    unicode = exported(invoke, db, "-f", "bibtex", "--unicode").stdout
    raw = {e["x-catalog-id"]: e for e in bib(unicode)}
    assert raw[specials["x-catalog-id"]]["author"] == "Álvarez, José and Kaiser, Łukasz"
    assert raw[formula["x-catalog-id"]]["author"] == "Müller, Ana and Martin, Zoë"


def test_bibtex_decodes_back_to_the_text(invoke, db):
    from bibtexparser import middlewares as m

    text = exported(invoke, db, "-f", "bibtex", "hyperlink OR GPU_Time").stdout
    library = bibtexparser.parse_string(text, append_middleware=[m.LatexDecodingMiddleware()])
    assert library.failed_blocks == []
    titles = {e["title"] for e in library.entries}
    # LaTeX's quotes, ``...'', read back as typographic ones
    assert EQ_TITLE.replace('("', "(\u201c").replace('")', "\u201d)") in titles
    assert "HYPERLINK Is All You Need" in titles
    # pylatexenc drops \textbraceleft{} and turns ^ into a modifier letter
    assert any(t.startswith("R&D at 50%: Costs of $GPU_Time in C# ") for t in titles)


def _unlatex(text: str) -> str:
    for char, code in sorted(bx._LATEX.items(), key=lambda kv: -len(kv[1])):
        text = text.replace(code, "\0" + str(ord(char)) + "\0")
    return re.sub("\0(\\d+)\0", lambda m: chr(int(m.group(1))), text)


@pytest.mark.slow
@given(st.text())
def test_latex_escape_round_trips_and_balances_braces(text):
    escaped = bx.latex_escape(text)
    assert _unlatex(escaped) == text
    depth = 0
    for char in escaped:
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0
    assert depth == 0
    assert not re.search(r"(?<!\\)[%&$#_]", escaped)


@given(st.text(st.characters(exclude_categories=("Cs",)), max_size=80))
def test_any_title_makes_a_parseable_entry(title):
    paper = Paper(id="x", title=title or "t", authors=("Ana Müller",), authors_truncated=False,
                  affiliations=(), topic=None, date="2024-01-01", has_code=False,
                  score=None, abstract=title, profiles=())
    out = io.StringIO()
    ex.export_papers([paper], "bibtex", out)
    (entry,) = bib(out.getvalue())
    assert entry.key.startswith("muller2024")


@pytest.mark.parametrize("name,expected", [
    ("Aixin Liu", "Liu, Aixin"),
    ("Y. K. Li", "Li, Y. K."),
    ("Diederik P Kingma", "Kingma, Diederik P"),
    ("Laurens van der Maaten", "van der Maaten, Laurens"),
    ("Martin Luther King Jr.", "King, Jr., Martin Luther"),
    ("DeepSeek-AI", "{DeepSeek-AI}"),
    ("OpenAI", "{OpenAI}"),
    ("Meta AI", "{Meta AI}"),
    ("Qwen2.5 Team", "{Qwen2.5 Team}"),
    ("Research and Development Lab", "{Research and Development Lab}"),
])
def test_bibtex_names(name, expected):
    assert bx.bibtex_name(name) == expected


def test_every_format_named_has_a_writer():
    from catalog.formats import PAPER_FORMATS, RECORD_FORMATS

    assert tuple(ex.FORMATS) == PAPER_FORMATS
    assert set(RECORD_FORMATS) < set(PAPER_FORMATS)


@pytest.mark.parametrize("name,expected", [
    ("Ali bin Ahmed", "bin Ahmed, Ali"),
    ("Omar ibn Said", "ibn Said, Omar"),
    ("Ludwig zu Salm", "zu Salm, Ludwig"),
])
def test_bibtex_names_keep_every_particle_the_parser_knows(name, expected):
    """BibTeX splits names with the parser's own particles (#12: export's copy of the
    list had lost bin ibn al el zu y, and wrote "Ali bin Ahmed" as "Ahmed, Ali bin")."""
    from catalog.authorlist import PARTICLES

    assert {"bin", "ibn", "al", "el", "zu", "y"} <= PARTICLES
    assert bx.bibtex_name(name) == expected


@pytest.mark.parametrize("authors,date,title,key", [
    (("Kaiming He",), "2015-12-10", "Deep Residual Learning", "he2015deep"),
    (("Éric Dupont",), "2023-10-03", "The Multi-Agent Thing", "dupont2023multiagent"),
    (("Łukasz Kaiser",), "2017", "A 3D World", "kaiser20173d"),
    (("Laurens van der Maaten",), None, "On t-SNE", "vandermaatentsne"),
    ((), "2020-01-01", "中文标题", "anon2020"),
])
def test_citation_key(authors, date, title, key):
    assert bx.citation_key(authors, date, title) == key


def test_citation_keys_suffixes_never_collide():
    keys = bx.CitationKeys()
    assert [keys("he2015deep") for _ in range(3)] == ["he2015deep", "he2015deepa",
                                                      "he2015deepb"]
    # a base key that happens to end like a suffixed one
    assert keys("he2015deepc") == "he2015deepc"
    assert keys("he2015deep") == "he2015deepd"
    assert keys("he2015deepc") == "he2015deepca"
    many = bx.CitationKeys()
    got = [many("k") for _ in range(30)]
    assert len(set(got)) == 30 and got[27] == "kaa"


# -- files: atomic, --force, interruptions -----------------------------------------

def test_output_file_and_summary(invoke, db, tmp_path):
    out = tmp_path / "papers.bib"
    result = exported(invoke, db, "-f", "bibtex", "-o", out)
    assert result.stdout == ""
    assert result.stderr == f"Exported 27 papers to {out}\n"
    assert len(bib(out.read_text("utf-8"))) == 27
    assert sorted(p.name for p in tmp_path.iterdir() if "papers" in p.name) == ["papers.bib"]
    assert out.stat().st_mode & 0o044  # a normal file, not mkstemp's 0600


def test_dash_is_stdout(invoke, db):
    assert exported(invoke, db, "-o", "-").stdout.startswith("id,title,")


def test_existing_file_needs_force(invoke, db, tmp_path):
    out = tmp_path / "papers.csv"
    out.write_text("precious\n")
    result = invoke("--db", db, "export", "-o", out)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {out} already exists (--force replaces it)\n"
    assert out.read_text() == "precious\n"
    assert [p.name for p in tmp_path.iterdir() if "papers" in p.name] == ["papers.csv"]
    exported(invoke, db, "-o", out, "--force")
    assert len(csv_rows(out.read_text("utf-8"))) == 27


def test_unwritable_target_is_one_line(invoke, db, tmp_path):
    result = invoke("--db", db, "export", "-o", tmp_path / "missing" / "x.csv")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: cannot write") and result.stderr.count("\n") == 1


def _interrupt(monkeypatch, exc, watch=None, after=5):
    """run_selection yields a few papers, then raises ``exc``; returns the names in
    ``watch`` at that moment."""
    import catalog.store.read

    real = catalog.store.read.run_selection
    seen: list[str] = []

    def run_selection(conn, sql, params):
        for i, row in enumerate(real(conn, sql, params)):
            if i == after:
                if watch is not None:
                    seen.extend(p.name for p in watch.iterdir())
                raise exc
            yield row

    monkeypatch.setattr(catalog.store.read, "run_selection", run_selection)
    return seen


@pytest.mark.parametrize("fmt", ["csv", "json", "bibtex"])
def test_exception_midway_leaves_no_file(invoke, db, tmp_path, monkeypatch, fmt):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    seen = _interrupt(monkeypatch, RuntimeError("disk on fire"), watch=out_dir)
    with pytest.raises(RuntimeError, match="disk on fire"):
        invoke("--db", db, "export", "-f", fmt, "-o", out_dir / "papers.out")
    assert len(seen) == 1 and seen[0].startswith(".papers.out.")  # beside the target
    assert list(out_dir.iterdir()) == []


def test_ctrl_c_exits_130_and_keeps_the_old_file(invoke, db, tmp_path, monkeypatch):
    out = tmp_path / "papers.csv"
    out.write_text("precious\n")
    _interrupt(monkeypatch, KeyboardInterrupt())
    result = invoke("--db", db, "export", "-o", out, "--force")
    assert result.exit_code == 130
    assert "Interrupted" in result.stderr
    assert out.read_text() == "precious\n"
    assert sorted(p.name for p in tmp_path.iterdir() if "papers" in p.name) == ["papers.csv"]


def test_failing_writer_leaves_no_file(invoke, db, tmp_path, monkeypatch):
    def broken(records, out, **kw):
        for i, _ in enumerate(records):
            out.write("row\n")
            if i == 3:
                raise OSError(28, "No space left on device")
        return 0

    monkeypatch.setitem(ex.FORMATS, "jsonl", broken)
    out = tmp_path / "papers.jsonl"
    with pytest.raises(OSError):
        invoke("--db", db, "export", "-f", "jsonl", "-o", out)
    assert [p.name for p in tmp_path.iterdir() if "papers" in p.name] == []


def test_file_appearing_during_export_is_not_clobbered(tmp_path):
    out = tmp_path / "papers.csv"
    with pytest.raises(ex.OutputExists):
        with ex.open_output(out) as stream:
            stream.write("new\n")
            out.write_text("someone else's\n")
    assert out.read_text() == "someone else's\n"
    assert [p.name for p in tmp_path.iterdir()] == ["papers.csv"]


# -- the library entry point ----------------------------------------------------------

def test_export_papers_streams(db):
    """Each row is written before the next is read: nothing holds the whole result."""
    out = io.StringIO()
    sizes = []

    def watched(papers):
        for p in papers:
            sizes.append(len(out.getvalue()))
            yield p

    with Catalog(db) as cat:
        n = ex.export_papers(watched(cat.papers()), "jsonl", out)
    assert n == 27
    assert all(a < b for a, b in itertools.pairwise(sizes[1:]))


@pytest.mark.parametrize("fmt", sorted(ex.FORMATS))
def test_export_papers_every_format(db, tmp_path, fmt):
    with Catalog(db) as cat, ex.open_output(tmp_path / f"all.{fmt}") as out:
        assert ex.export_papers(cat.papers(limit=5), fmt, out) == 5
    assert (tmp_path / f"all.{fmt}").stat().st_size > 0


def test_export_papers_rejects_unknown_format():
    with pytest.raises(ValueError, match="unknown export format"):
        ex.export_papers([], "xml", io.StringIO())


_text = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\0"))


@given(st.lists(st.tuples(_text, st.lists(_text.filter(lambda s: ";" not in s), max_size=3),
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


def test_progress_bar_starts_only_for_large_exports(monkeypatch):
    from catalog.cli import _ExportProgress

    monkeypatch.setattr(_ExportProgress, "START", 2000)
    small = _ExportProgress(True)
    assert list(small.wrap(range(1500))) == list(range(1500))
    assert small.bar is None
    large = _ExportProgress(True)
    try:
        assert sum(1 for _ in large.wrap(range(3000))) == 3000
        assert large.bar is not None
        assert large.bar.tasks[0].completed == 3000
    finally:
        large.stop()
    off = _ExportProgress(False)
    papers = iter(range(3))
    assert off.wrap(papers) is papers
