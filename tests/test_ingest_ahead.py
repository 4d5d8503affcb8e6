"""Parsing ahead in a second process (a load of many files) gives the very catalog that
parsing file by file gives, including the pages whose split of a glued title/author
line depends on names the catalog learnt from earlier pages."""

from __future__ import annotations

import shutil
import sqlite3
import sys
from pathlib import Path

import pytest

from catalog.ingest import PARSE_AHEAD_ENV, PARSE_AHEAD_MIN_FILES, _ParseAhead, load_paths
from catalog.store import open_db
from conftest import AS_OF_DATE, DATA, PAGES

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.corpus import Corpus, render  # noqa: E402 (path)


def _pages(tmp_path: Path) -> Path:
    d = tmp_path / "pages"
    d.mkdir()
    corpus = Corpus(600, seed=11)
    for page in corpus.pages():
        (d / f"{page.stem}.txt").write_text(render(corpus, page), "utf-8")
    for f in [*DATA.glob("*.txt"), *PAGES.glob("*.txt")]:
        shutil.copy(f, d / f"zz_{f.name}")
    (d / "zz_broken.txt").write_bytes(b"\xff\xfe not a page")
    return d


def _dump(db: Path) -> dict:
    con = sqlite3.connect(db)
    try:
        out = {t: sorted(map(repr, con.execute(f"SELECT * FROM {t}")))  # noqa: S608 (fixed names)
               for t in ("papers", "people", "authorships", "listings", "sightings",
                         "profiles", "profile_snapshots")}
        out["loads"] = sorted(repr(r) for r in con.execute(
            "SELECT source, sha256, as_of, profile_id, entries FROM loads"))
        con.execute("INSERT INTO papers_fts (papers_fts) VALUES ('integrity-check')")
    finally:
        con.close()
    return out


def _load(db: Path, pages: Path) -> list:
    conn = open_db(db, create=True)
    try:
        reports = load_paths(conn, [str(pages)], as_of=AS_OF_DATE)
    finally:
        conn.close()
    return [(r.source, r.error, r.new, r.merged, r.unchanged, r.warnings) for r in reports]


@pytest.mark.slow
@pytest.mark.parametrize("children", ["1", "3"])
def test_parse_ahead_gives_the_same_catalog(tmp_path, monkeypatch, children):
    """With one parsing child or several (file k goes to child k mod n)."""
    monkeypatch.setenv(PARSE_AHEAD_ENV, children)
    pages = _pages(tmp_path)
    assert len(list(pages.glob("*.txt"))) >= PARSE_AHEAD_MIN_FILES
    started = []
    real_start = _ParseAhead.start.__func__

    def spy(cls, *a, **kw):
        ahead = real_start(cls, *a, **kw)
        started.append(len(ahead.children) if ahead else 0)
        return ahead

    monkeypatch.setattr(_ParseAhead, "start", classmethod(spy))
    ahead = _load(tmp_path / "ahead.db", pages)
    monkeypatch.setenv(PARSE_AHEAD_ENV, "0")
    here = _load(tmp_path / "here.db", pages)
    assert started == [int(children), 0]
    assert ahead == here
    assert any(err for _, err, *_ in here)  # the broken page failed alike
    assert _dump(tmp_path / "ahead.db") == _dump(tmp_path / "here.db")


@pytest.mark.parametrize("env", ["0"])
def test_parse_ahead_can_be_turned_off(tmp_path, monkeypatch, env):
    monkeypatch.setenv(PARSE_AHEAD_ENV, env)
    conn = open_db(tmp_path / "c.db", create=True)
    files = [("x", Path("x"), None)] * (PARSE_AHEAD_MIN_FILES + 1)
    assert _ParseAhead.start(conn, files, as_of=AS_OF_DATE, encoding=None) is None
    conn.close()


@pytest.mark.slow
def test_a_parser_that_dies_mid_load_leaves_the_writer_to_parse_the_rest(
        tmp_path, monkeypatch):
    """Once one child is gone, every file left is parsed by the writer: the same
    catalog."""
    import os
    import signal

    monkeypatch.setenv(PARSE_AHEAD_ENV, "2")
    pages = _pages(tmp_path)
    started: list[_ParseAhead] = []
    real_start = _ParseAhead.start.__func__

    def spy(cls, *a, **kw):
        ahead = real_start(cls, *a, **kw)
        if ahead is not None:
            started.append(ahead)
        return ahead

    monkeypatch.setattr(_ParseAhead, "start", classmethod(spy))
    real_take = _ParseAhead.take
    taken = []

    def take(self, *a, **kw):
        taken.append(1)
        if len(taken) == 5:
            os.kill(self.children[-1].proc.pid, signal.SIGKILL)
            self.children[-1].proc.join()
        return real_take(self, *a, **kw)

    monkeypatch.setattr(_ParseAhead, "take", take)
    ahead = _load(tmp_path / "ahead.db", pages)
    assert len(started) == 1
    assert len(started[0].children) == 2
    assert not any(child.proc.is_alive() for child in started[0].children)
    monkeypatch.setenv(PARSE_AHEAD_ENV, "0")
    here = _load(tmp_path / "here.db", pages)
    assert ahead == here
    assert _dump(tmp_path / "ahead.db") == _dump(tmp_path / "here.db")
