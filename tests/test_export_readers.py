"""Exports read by the tools people feed them to: bibtex (plain, abbrv) and biber
compile every entry without a warning from the .bib; bibtexparser and pybtex read
every entry; TSV comes apart at tabs with `cut` and Python's csv; --excel ids come
back from LibreOffice as the same text. The external tools are Debian packages
(texlive-latex-base, texlive-latex-recommended, texlive-bibtex-extra, biber,
libreoffice-calc-nogui); a test
that needs one skips, saying which, where it is missing.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import bibtexparser
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from catalog import bibtex as bx
from catalog import export as ex
from catalog.models import PAPER_KEYS, Paper
from conftest import AS_OF, PAGES

TEX_PAGES = Path(__file__).resolve().parent / "tex_pages"

# names the page parser may not read yet (Han, Hangul, Cyrillic author lists): the
# writer still has to get them through bibtex and biber, so they are added as records
EXTRA = [
    Paper(id="cjk000000001", title="Retrieval for Chinese, Japanese and Korean",
          authors=("王小明", "山田 太郎", "이서연", "Иван Петров"), authors_truncated=True,
          affiliations=("tsinghua",), topic="IR", date="2022-02-02", has_code=False,
          score=None, abstract="Han, Kana, Hangul and Cyrillic names.", profiles=(),
          key="wang2022retrieval"),
    Paper(id="cjk000000002", title="김민준 and 李华 on $\\beta$-VAE Models",
          authors=("김민준", "Ana Müller"), authors_truncated=False, affiliations=(),
          topic=None, date=None, has_code=False, score=None,
          abstract="No year: fine for bibtex.", profiles=(), key="kim2024beta"),
]


def _tool(*names: str) -> None:
    for name in names:
        if shutil.which(name) is None:
            pytest.skip(f"`{name}` is not installed (Debian: texlive-latex-base, "
                        "texlive-bibtex-extra, biber)")


@pytest.fixture
def tex_db(db_path, invoke):
    result = invoke("--db", db_path, "load", TEX_PAGES, PAGES / "openai_compact.txt",
                    "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    return db_path


def write_bib(invoke, db, path: Path, *args: str) -> list[str]:
    """The catalog's export plus ``EXTRA``; the keys in the file."""
    result = invoke("--db", db, "export", "-f", "bibtex", "-o", path, *args)
    assert result.exit_code == 0, result.stderr
    extra = io.StringIO()
    ex.export_papers(EXTRA, "bibtex", extra, unicode="--unicode" in args)
    with path.open("a", encoding="utf-8") as f:
        f.write("\n" + extra.getvalue())
    keys = re.findall(r"^@misc\{([^,]+),", path.read_text("utf-8"), re.MULTILINE)
    assert len(keys) >= 9 and len(set(keys)) == len(keys)
    return keys


def _undefined(text: str) -> set[str]:
    """Letters pdflatex's utf8 (T1) has no definition for: the CJK, Hangul and
    Cyrillic the .bib leaves as UTF-8, and with --unicode Vietnamese. The test
    document defines them (as a user would) so that pdflatex reports real problems."""
    return {c for c in text if unicodedata.category(c).startswith("L") and (
        (ord(c) > 0x17f and bx.latex_letter(c) is None) or 0x1e00 <= ord(c) <= 0x1eff)}


def _preamble(bib_text: str) -> str:
    declare = "".join(f"\\DeclareUnicodeCharacter{{{ord(c):04X}}}{{{bx.latex_letter(c) or '?'}}}\n"
                      for c in sorted(_undefined(bib_text)))
    return ("\\documentclass{article}\n\\usepackage[T1]{fontenc}\n"
            "\\usepackage[utf8]{inputenc}\n" + declare)


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=120,
                          check=False, errors="replace")


def _latex_errors(log: str) -> list[str]:
    return [line for line in log.splitlines()
            if line.startswith("!") or "Missing character" in line]


# -- bibtex --------------------------------------------------------------------------

ABBRV_NAMES = [r"{\L}.~Kaiser", r"{\'E}.~Dupont", r"P.~Erd{\H{o}}s", r"M.~{\.Z}{\'o}{\l}kowski",
               r"{\textcommabelow{S}}.~Popescu", r"S.~{\O}deg{\aa}rd", r"{\AA}.~{\AE}r{\o}",
               r"{\TH}.~A{\dh}alsteinsson", r"{\c{C}}.~{\"O}zt{\"u}rk", r"Z.~Sz{\H{o}}ke-Gy{\H{o}}ri",
               r"J.~Dvo{\v{r}}{\'a}k", r"J.~Gro{\ss}mann", "{王小明}", "{山田 太郎}", "{이서연}",
               "{김민준}", "{Иван Петров}"]


@pytest.mark.parametrize("style", ["plain", "abbrv"])
def test_bibtex_reads_every_entry_without_warnings(invoke, tex_db, tmp_path, style):
    _tool("bibtex")
    keys = write_bib(invoke, tex_db, tmp_path / "refs.bib")
    # bibtex needs only the .aux: written by hand, citing everything
    (tmp_path / "doc.aux").write_text(
        f"\\relax\n\\citation{{*}}\n\\bibstyle{{{style}}}\n\\bibdata{{refs}}\n")
    run = _run(["bibtex", "doc"], tmp_path)
    blg = (tmp_path / "doc.blg").read_text("utf-8", "replace")
    problems = [line for line in blg.splitlines()
                if re.match(r"(Warning|I was expecting|I'm skipping|.*---line \d+)", line)
                and "empty year" not in line and "no year" not in line]
    # exit status 1 is "warnings": only those the filter above lets pass
    assert run.returncode in (0, 1) and problems == [], blg
    # strict UTF-8: an initial cut after its first byte fails here
    bbl = (tmp_path / "doc.bbl").read_bytes().decode("utf-8")
    assert re.findall(r"\\bibitem\{([^}]+)\}", bbl) and set(
        re.findall(r"\\bibitem\{([^}]+)\}", bbl)) == set(keys)
    flat = re.sub(r"\s+", " ", bbl)
    if style == "abbrv":
        for name in ABBRV_NAMES:
            assert name in flat, name
    else:
        assert r"{\L}ukasz Kaiser" in flat and "{王小明}, {山田 太郎}, {이서연}" in flat
    # math stays math, quotes are LaTeX's, capitals and math keep their case
    assert r"{$\alpha$}{-Entmax}" in flat and "{$K$}{-Means}" in flat
    assert "``{Quoted}'' {Transformers}" in flat and r"{$\mathcal{L}_2$}" in flat
    _compile_bbl(tmp_path, style, bbl)


def _compile_bbl(tmp_path: Path, style: str, bbl: str) -> None:
    """pdflatex typesets the .bbl bibtex wrote: every command the .bib used exists."""
    if shutil.which("pdflatex") is None:
        return
    (tmp_path / "doc.tex").write_text(
        _preamble(bbl) + "\\begin{document}\n\\nocite{*}\n"
        f"\\bibliographystyle{{{style}}}\n\\bibliography{{refs}}\n\\end{{document}}\n",
        encoding="utf-8")
    run = _run(["pdflatex", "-draftmode", "-interaction=nonstopmode", "doc.tex"], tmp_path)
    log = (tmp_path / "doc.log").read_text("utf-8", "replace")
    assert run.returncode == 0 and _latex_errors(log) == [], log[-3000:]


# -- biber ---------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("unicode", [False, True], ids=["latex", "unicode"])
def test_biber_reads_every_entry_without_warnings(invoke, tex_db, tmp_path, unicode):
    _tool("pdflatex", "biber")
    for sty, package in (("biblatex.sty", "texlive-bibtex-extra"),
                         ("etoolbox.sty", "texlive-latex-recommended")):
        if _run(["kpsewhich", sty], tmp_path).stdout.strip() == "":
            pytest.skip(f"{sty} is not installed (Debian: {package})")
    keys = write_bib(invoke, tex_db, tmp_path / "refs.bib", *(["--unicode"] if unicode else []))
    bib_text = (tmp_path / "refs.bib").read_text("utf-8")
    (tmp_path / "doc.tex").write_text(
        _preamble(bib_text)
        + "\\usepackage[backend=biber,style=authoryear,giveninits=true]{biblatex}\n"
        "\\addbibresource{refs.bib}\n\\begin{document}\n\\nocite{*}\n"
        "\\printbibliography\n\\end{document}\n", encoding="utf-8")
    latex = ["pdflatex", "-draftmode", "-interaction=nonstopmode", "doc.tex"]
    assert _run(latex, tmp_path).returncode == 0, (tmp_path / "doc.log").read_text()[-3000:]
    run = _run(["biber", "doc"], tmp_path)
    blg = (tmp_path / "doc.blg").read_text("utf-8", "replace")
    problems = [line for line in blg.splitlines() if re.search(r"\] (WARN|ERROR) ", line)]
    assert run.returncode == 0 and problems == [], blg
    bbl = (tmp_path / "doc.bbl").read_text("utf-8")
    assert set(re.findall(r"\\entry\{([^}]+)\}", bbl)) == set(keys)
    if not unicode:
        # biber reads the LaTeX form right, but writes a stacked accent back half
        # decoded ({\~{\^e}} -> {\~ê}), which only xelatex and lualatex typeset:
        # --unicode is the form for biber (the README says so)
        assert r"{\~ê}" in bbl
        return
    run = _run(latex, tmp_path)
    log = (tmp_path / "doc.log").read_text("utf-8", "replace")
    assert run.returncode == 0 and _latex_errors(log) == [], log[-3000:]
    assert "undefined" not in log or "Citation" not in log


# -- Python readers ------------------------------------------------------------------

def test_bibtexparser_and_pybtex_read_every_entry(invoke, tex_db, tmp_path):
    from pybtex.database import parse_string

    for args in ([], ["--unicode"]):
        path = tmp_path / f"refs{len(args)}.bib"
        keys = write_bib(invoke, tex_db, path, *args)
        text = path.read_text("utf-8")
        library = bibtexparser.parse_string(text)
        assert library.failed_blocks == []
        assert [e.key for e in library.entries] == keys
        data = parse_string(text, "bibtex")
        assert list(data.entries) == keys
        wang = data.entries["wang2022retrieval"].persons["author"]
        # one literal each: the family name first, as written, never split
        assert [str(p) for p in wang[:3]] == ["{王小明}", "{山田 太郎}", "{이서연}"]
        assert wang[0].last_names == ["{王小明}"] and wang[0].first_names == []


def test_unicode_writes_letters_as_utf8(invoke, tex_db, tmp_path):
    write_bib(invoke, tex_db, tmp_path / "u.bib", "--unicode")
    write_bib(invoke, tex_db, tmp_path / "l.bib")
    raw = (tmp_path / "u.bib").read_text("utf-8")
    tex = (tmp_path / "l.bib").read_text("utf-8")
    assert "Kaiser, Łukasz" in raw and r"Kaiser, {\L}ukasz" in tex
    assert "{王小明}" in raw and "{王小明}" in tex
    # only CJK/Hangul/Cyrillic are left as UTF-8 in the LaTeX form
    assert {c for c in tex if ord(c) > 127} <= {c for c in tex if bx.latex_letter(c) is None}


@pytest.mark.parametrize("char,latex", [
    ("Ł", r"{\L}"), ("É", r"{\'E}"), ("ő", r"{\H{o}}"), ("ø", r"{\o}"), ("ß", r"{\ss}"),
    ("ç", r"{\c{c}}"), ("š", r"{\v{s}}"), ("å", r"{\aa}"), ("Æ", r"{\AE}"), ("í", r"{\'\i}"),
    ("ệ", r"{\^{\d{e}}}"), ("ễ", r"{\~{\^e}}"), ("ș", r"{\textcommabelow{s}}"), ("ą", r"{\k{a}}"), ("王", None),
    ("이", None), ("Ж", None),
])
def test_latex_letters(char, latex):
    assert bx.latex_letter(char) == latex


@pytest.mark.parametrize("title,expected", [
    ("$K$-means", "{$K$}-means"),
    ("Top-$k$ Routing", "{Top-}{$k$} {Routing}"),
    (r"$O(n \log n)$ time", r"{$O(n \log n)$} time"),
    ("Costs $5 and $10", r"{Costs} \$5 and \$10"),  # a digit after the 2nd $: not math
    ("a lone $ sign", r"a lone \$ sign"),
    ("50% of $a{$ braces", r"50\% of \$a\textbraceleft{}\$ braces"),  # unbalanced
    ("$50%$ off", r"{$50\%$} off"),
    ('"Quoted Title" at the Start', "``{Quoted} {Title}'' at the {Start}"),
    ('Say "hi"', "{Say} ``hi''"),
    ("Łódź in “Winter”", r"{{\L}{\'o}d{\'z}} in ``{Winter}''"),
])
def test_titles(title, expected):
    assert bx.bibtex_title(title) == expected


@pytest.mark.parametrize("name,expected", [
    ("Łukasz Kaiser", r"Kaiser, {\L}ukasz"),
    ("Paul Erdős", r"Erd{\H{o}}s, Paul"),
    ("Søren Sørensen", r"S{\o}rensen, S{\o}ren"),
    ("王小明", "{王小明}"),
    ("山田 太郎", "{山田 太郎}"),
    ("이서연", "{이서연}"),
    ("Nguyễn Văn An", r"{Nguy{\~{\^e}}n V{\u{a}}n An}"),  # Vietnamese: family name first
    ("Ion Bădescu", r"B{\u{a}}descu, Ion"),  # Romanian ă alone is not Vietnamese
    ("Иван Петров", "{Иван Петров}"),  # no LaTeX command for И: one literal
])
def test_names(name, expected):
    assert bx.bibtex_name(name) == expected


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


@given(st.text(st.characters(exclude_categories=("Cs",)), max_size=60))
@example("$À$")  # an accented letter between dollars is prose, not math
def test_any_text_gives_balanced_fields_of_ascii_or_uncommanded_letters(text):
    """Whatever a page holds, every field keeps BibTeX's braces balanced, and the
    default form leaves only characters LaTeX has no command for outside ASCII."""
    for unicode in (False, True):
        for written in (bx.bibtex_title(text, unicode=unicode),
                        bx.latex_text(text, unicode=unicode),
                        bx.bibtex_name(text, unicode=unicode)):
            assert _balanced(written), written
            if not unicode:
                assert all(c.isascii() or bx.latex_letter(c) is None for c in written)


def test_abstract_math_is_kept(invoke, tex_db):
    text = invoke("--db", tex_db, "export", "-f", "bibtex", "entmax").stdout
    (entry,) = bibtexparser.parse_string(text).entries
    assert entry["abstract"].startswith(r"We replace softmax with $\alpha$-entmax and route "
                                        r"each token to $K$ of $N$ experts")
    assert r"``sparse'' attention costs under \$5 a run." in entry["abstract"]


# -- stable keys ---------------------------------------------------------------------

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
    with conn:  # back to schema 1: no key column, nor the views (m004) that show it,
        # nor the search index (m005)
        conn.execute("DROP VIEW paper_list")
        conn.execute("DROP VIEW author_list")
        conn.execute("DROP TABLE papers_search_vocab")
        conn.execute("DROP TABLE papers_search")
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


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "; ".join(value)
    return str(value)


def test_tsv_escapes_and_reads_back():
    out = io.StringIO()
    ex.export_papers([HOSTILE_TSV], "tsv", out, escape_formulas=False)
    text = out.getvalue()
    assert text.count("\n") == 2 and '"""' not in text
    assert '\t"Quoted Title" at the Start\\twith a tab\t' in text
    assert "line one\\nline two\\r\\nback\\\\slash, \\\\t literally; end\\\\\t" in text
    rows = read_tsv(text)
    assert rows[0] == list(PAPER_KEYS)
    assert rows[1] == [_cell(HOSTILE_TSV.to_json()[k]) for k in PAPER_KEYS]
    for escapechar in (None, "\\"):
        got = list(csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE,
                              escapechar=escapechar))
        assert [len(r) for r in got] == [len(PAPER_KEYS)] * 2


_text = st.text(st.characters(exclude_categories=("Cs",)))


@given(st.lists(st.tuples(_text, _text), max_size=4))
def test_tsv_round_trips_any_text(rows):
    papers = [Paper(id=str(i), title=t, authors=(), authors_truncated=False, affiliations=(),
                    topic=None, date=None, has_code=False, score=None, abstract=a, profiles=())
              for i, (t, a) in enumerate(rows)]
    out = io.StringIO()
    ex.export_papers(papers, "tsv", out, escape_formulas=False)
    got = read_tsv(out.getvalue())
    assert got[1:] == [[_cell(p.to_json()[k]) for k in PAPER_KEYS] for p in papers]


HOSTILE_PAGE = ('CLMar 3, 2024\n\n"Quoted Title" at the Start, with back\\slash\n\n'
                'Ana Müller, Zoë Martin\n\nAn abstract\twith a tab and a back\\slash.\n')


@pytest.mark.parametrize("command", [["list"], ["search", "quoted"], ["export", "-f", "tsv"],
                                     ["author", "Ana Müller"], ["show", "muller2024quoted"]])
def test_piped_tsv_cuts_clean(invoke, db_path, tmp_path, command):
    _tool("cut")
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
