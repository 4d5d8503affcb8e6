from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from catalog.cli import cli

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
PAGES = Path(__file__).resolve().parent / "pages"
TEX_PAGES = Path(__file__).resolve().parent / "tex_pages"
AS_OF = "2026-11-22"
AS_OF_DATE = dt.date(2026, 11, 22)


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    """No test ever touches a real catalog or the user's app directory."""
    monkeypatch.setenv("CATALOG_DB", str(tmp_path / "default.db"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home" / ".config"))
    monkeypatch.delenv("CATALOG_DEBUG", raising=False)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def invoke(runner):
    def run(*args, input=None, **kw):
        return runner.invoke(cli, [str(a) for a in args], input=input,
                             catch_exceptions=False, **kw)
    return run


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "catalog.db"


@pytest.fixture
def seeds_db(db_path, invoke) -> Path:
    """A catalog with the four bundled sample pages loaded."""
    result = invoke("--db", db_path, "load", DATA, "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    return db_path


@pytest.fixture
def seed_dir(tmp_path) -> Path:
    """A writable copy of the bundled pages (tests never write to data/)."""
    d = tmp_path / "pages"
    shutil.copytree(DATA, d)
    return d


@pytest.fixture
def tex_db(db_path, invoke) -> Path:
    """Pages full of LaTeX's specials, accents and math (BibTeX and TSV tests)."""
    result = invoke("--db", db_path, "load", TEX_PAGES, PAGES / "openai_compact.txt",
                    "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    return db_path


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


@pytest.fixture
def hostile_db(db_path, invoke, tmp_path) -> Path:
    """The sample pages, tests/pages and HOSTILE: 27 papers (export tests)."""
    hostile = tmp_path / "hostile" / "hostile.txt"
    hostile.parent.mkdir()
    hostile.write_text(HOSTILE, encoding="utf-8")
    result = invoke("--db", db_path, "load", DATA, PAGES, hostile, "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    return db_path
