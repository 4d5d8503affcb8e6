"""`catalog export`: every format read back by a real parser, the selection equal to
list/search, formula neutralisation, BibTeX keys and escaping, atomic files, --excel ids
read back by LibreOffice (Debian: libreoffice-calc-nogui; skipped where missing). The
writers themselves are tested in test_export.py and test_bibtex.py."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess

import bibtexparser
import pytest
from export_cells import as_cell, csv_rows

from catalog import export as ex
from catalog.models import PAPER_JSON_KEYS, PAPER_KEYS
from conftest import AS_OF

# two titles of conftest's HOSTILE page
EQ_TITLE = '=HYPERLINK("http://evil.example") and Friends'
SPECIALS_TITLE = r"R&D at 50%: Costs of $GPU_Time in C# {Braces} ~ ^ \ Systems"


@pytest.fixture
def db(hostile_db):
    return hostile_db


def listed(invoke, db, *args):
    result = invoke("--db", db, "list", "--limit", "0", "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def exported(invoke, db, *args):
    result = invoke("--db", db, "export", *args)
    assert result.exit_code == 0, result.stderr
    return result


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
    # the contract's keys in its order, topics beside topic, then the cite key
    assert all(list(p) == list(PAPER_JSON_KEYS) for p in papers)
    assert [k for k in PAPER_JSON_KEYS if k not in ("topics", "key")] == list(PAPER_KEYS)


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


# -- --excel -------------------------------------------------------------------------

NUMBERLIKE = {  # titles whose ids a spreadsheet reads as numbers
    "Spreadsheet Ids Study 574": "4160217e4982",
    "Spreadsheet Ids Study 650": "687837442274",
    "Spreadsheet Ids Study 959": "046094893131",
}


@pytest.fixture
def numberlike_db(db_path, invoke, tmp_path):
    page = tmp_path / "ids.txt"
    page.write_text("".join(f"CLMar {i + 1}, 2024\n\n{t}\n\nAna Müller\n\nAbstract {i}.\n\n"
                            for i, t in enumerate(NUMBERLIKE)), encoding="utf-8")
    assert invoke("--db", db_path, "load", page, "--as-of", AS_OF).exit_code == 0
    return db_path


def test_excel_writes_numberlike_ids_as_text_formulas(invoke, numberlike_db):
    plain = invoke("--db", numberlike_db, "export").stdout
    excel = invoke("--db", numberlike_db, "export", "--excel").stdout
    rows = {r["title"]: r for r in csv.DictReader(io.StringIO(plain))}
    assert {t: rows[t]["id"] for t in NUMBERLIKE} == NUMBERLIKE  # unchanged without it
    rows = {r["title"]: r for r in csv.DictReader(io.StringIO(excel.lstrip("\ufeff")))}
    assert {t: rows[t]["id"] for t in NUMBERLIKE} == {t: f'="{i}"' for t, i in NUMBERLIKE.items()}


@pytest.mark.slow
def test_libreoffice_reads_excel_ids_as_text(invoke, numberlike_db, tmp_path):
    """LibreOffice opens the --excel CSV with each id the same text; the plain CSV
    turns them into numbers (which is why --excel exists)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed (Debian: libreoffice-calc-nogui)")
    cells = {}
    for name, args in (("excel", ["--excel"]), ("plain", [])):
        out = tmp_path / f"{name}.csv"
        assert invoke("--db", numberlike_db, "export", "-o", out, *args).exit_code == 0
        run = subprocess.run(
            [soffice, f"-env:UserInstallation=file://{tmp_path}/lo", "--headless",
             "--infilter=CSV:44,34,76,1", "--convert-to", "fods", "--outdir", tmp_path, out],
            capture_output=True, text=True, timeout=180, check=False)
        assert run.returncode == 0, run.stderr
        fods = (tmp_path / f"{name}.fods").read_text("utf-8")
        cells[name] = re.findall(
            r'<table:table-cell[^>]*?office:value-type="(\w+)"[^>]*>\s*<text:p>([^<]*)</text:p>',
            fods)
    for pid in NUMBERLIKE.values():
        assert ("string", pid) in cells["excel"]
        assert ("string", pid) not in cells["plain"]


# -- the progress bar ------------------------------------------------------------------

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
