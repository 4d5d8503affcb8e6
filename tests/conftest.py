from __future__ import annotations

import datetime as dt
import gc
import itertools
import os
import re
import shutil
import tempfile
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


_RAM_DISK = Path("/dev/shm")


def pytest_configure(config):
    """Temporary files in memory where the machine has a RAM disk (unless --basetemp
    says where): every SQLite commit and search-index commit of the tests syncs to
    disk otherwise, a third of the quick run's wall time on a disk that is busy. Crash
    tests kill processes, not machines, so what they check holds the same in memory."""
    if config.option.basetemp is None and _RAM_DISK.is_dir() and os.access(_RAM_DISK, os.W_OK):
        config.option.basetemp = tempfile.mkdtemp(prefix="catalog-tests-", dir=_RAM_DISK)
        config.stash[_RAM_TEMP] = Path(config.option.basetemp)


def pytest_unconfigure(config):
    ram = config.stash.get(_RAM_TEMP, None)
    if ram is not None:
        shutil.rmtree(ram, ignore_errors=True)  # memory is not for keeping


_RAM_TEMP = pytest.StashKey[Path]()


def pytest_collection_finish(session):
    """What is alive once the tests are collected (modules, test items) stays to the end
    of the run: collect once, then freeze it out of the cycle collector's sight, so that
    each full collection while the tests run (some 20) scans only what the tests made:
    0.05 s rather than 0.1 s each. Reference counting still frees everything as usual."""
    gc.collect()
    gc.freeze()


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session):
    """Thaw before the end of run: pytest's last collections look for unraisable
    exceptions everywhere, and Hypothesis (imported at the end when no test module
    imported it) asks the collector who refers to a generator it is handed."""
    gc.unfreeze()


_test_dirs = itertools.count()


@pytest.fixture(scope="session")
def _test_dirs_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("tests")


@pytest.fixture
def tmp_path(request, _test_dirs_root) -> Path:
    """A fresh empty directory for each test, named after it as pytest names its own.

    Replaces pytest's ``tmp_path``, which scans every earlier test's directory for the
    next free number and moves a ``*current`` symlink: 2 ms a test, more than many of
    our tests take, and every test has one (``_isolated``). One mkdir under this
    session's temporary directory gives the same: a new directory no other test sees.
    """
    name = re.sub(r"\W", "_", request.node.name)[:30]
    path = _test_dirs_root / f"{name}{next(_test_dirs)}"
    path.mkdir()
    return path


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    """No test ever touches a real catalog or the user's app directory."""
    monkeypatch.setenv("CATALOG_DB", str(tmp_path / "default.db"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home" / ".config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home" / ".cache"))
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


# -- loaded catalogs: each built once per session, a fresh copy for every test ------------

def build_catalog(directory: Path, *paths: Path) -> Path:
    """A catalog under ``directory`` with ``paths`` loaded, by the real `load`, in an
    environment as isolated as ``_isolated`` makes each test's."""
    db = directory / "catalog.db"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CATALOG_DB", str(directory / "default.db"))
        mp.setenv("HOME", str(directory / "home"))
        mp.setenv("XDG_CONFIG_HOME", str(directory / "home" / ".config"))
        mp.setenv("XDG_CACHE_HOME", str(directory / "home" / ".cache"))
        mp.delenv("CATALOG_DEBUG", raising=False)
        result = CliRunner().invoke(cli, ["--db", str(db), "load", *map(str, paths),
                                          "--as-of", AS_OF], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert not Path(f"{db}-wal").exists()  # checkpointed on close: one file to copy
    return db


def write_pages(directory: Path, pages: dict[str, str]) -> list[Path]:
    """Write ``pages`` (a path under ``directory`` -> its text); their paths, to load.
    A header-less page's profile is named after its file."""
    out = []
    for name, text in pages.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        out.append(path)
    return out


def private_copy(built: Path, db_path: Path) -> Path:
    """The test's own copy at ``db_path`` (and of its search index): what it writes no
    other test sees."""
    shutil.copyfile(built, db_path)
    index = built.with_name(built.name + "-search")
    if index.is_dir():
        shutil.copytree(index, db_path.with_name(db_path.name + "-search"))
    return db_path


@pytest.fixture(scope="session")
def _seeds_built(tmp_path_factory) -> Path:
    return build_catalog(tmp_path_factory.mktemp("seeds"), DATA)


@pytest.fixture
def seeds_db(_seeds_built, db_path) -> Path:
    """A catalog with the four bundled sample pages loaded."""
    return private_copy(_seeds_built, db_path)


@pytest.fixture(scope="session")
def _full_built(tmp_path_factory) -> Path:
    return build_catalog(tmp_path_factory.mktemp("full"), DATA, PAGES)


@pytest.fixture
def full_db(_full_built, db_path) -> Path:
    """The four seeds and the test pages (Kaiming He, an OpenAI page, ...)."""
    return private_copy(_full_built, db_path)


@pytest.fixture
def seed_dir(tmp_path) -> Path:
    """A writable copy of the bundled pages (tests never write to data/)."""
    d = tmp_path / "pages"
    shutil.copytree(DATA, d)
    return d


@pytest.fixture(scope="session")
def _tex_built(tmp_path_factory) -> Path:
    return build_catalog(tmp_path_factory.mktemp("tex"), TEX_PAGES,
                         PAGES / "openai_compact.txt")


@pytest.fixture
def tex_db(_tex_built, db_path) -> Path:
    """Pages full of LaTeX's specials, accents and math (BibTeX and TSV tests)."""
    return private_copy(_tex_built, db_path)


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


@pytest.fixture(scope="session")
def _hostile_built(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("hostile")
    return build_catalog(directory, DATA, PAGES,
                         *write_pages(directory, {"hostile/hostile.txt": HOSTILE}))


@pytest.fixture
def hostile_db(_hostile_built, db_path) -> Path:
    """The sample pages, tests/pages and HOSTILE: 27 papers (export tests)."""
    return private_copy(_hostile_built, db_path)
