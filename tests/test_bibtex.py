"""catalog/bibtex.py: the .bib the export writes, read by the tools people feed it to.
bibtex (plain, abbrv) and biber compile every entry without a warning; bibtexparser and
pybtex read every entry; LaTeX letters, titles, names, citation keys and escapes one by
one. The external tools are Debian packages (texlive-latex-base,
texlive-latex-recommended, texlive-bibtex-extra, biber); a test that needs one skips,
saying which, where it is missing.
"""

from __future__ import annotations

import io
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
from catalog.models import Paper

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


# -- the writer's pieces: names, keys, LaTeX escapes -----------------------------------

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
    library = bibtexparser.parse_string(out.getvalue())
    assert library.failed_blocks == []
    (entry,) = library.entries
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
