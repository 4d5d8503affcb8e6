"""Reliability (#7): a catalog survives being killed, two writers, Ctrl-C and foreign files.

Foreign and damaged files opened in process, one command after another, are in
test_store.py; here they are refused by the real process.

The crash and concurrency tests run the real command, ``python -m catalog``, in
subprocesses on a few hundred generated pages. Every wait is bounded, so a hang fails
the test instead of stalling CI.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from catalog_files import KINDS, make_file, real_catalog, sha256_of
from click.testing import CliRunner

from catalog.api import Catalog
from catalog.cli import cli
from conftest import AS_OF, DATA

OWN = 5  # papers of its own on each generated page
ENTRIES = OWN + 1  # ... plus one survey that every page lists
SHARED_TITLE = "A Shared Survey of Catalog Reliability"
TIMEOUT = 120  # seconds: the most any one subprocess may take


# -- generated pages ----------------------------------------------------------------

def _word(i: int) -> str:
    """A distinct letters-only word per number (digits would not read as a name)."""
    s, i = "", i + 26 * 27
    while i:
        i, r = divmod(i, 26)
        s = "abcdefghijklmnopqrstuvwxyz"[r] + s
    return s


def write_pages(directory: Path, count: int, who: str = "Quinn", first: int = 0
                ) -> dict[str, int]:
    """``count`` small spaced-layout pages, each a named profile with ENTRIES papers;
    returns {profile name: entries}."""
    directory.mkdir(parents=True, exist_ok=True)
    profiles = {}
    for i in range(count):
        w = _word(first + i)
        name = f"{who} {w.title()}"
        blocks = [f"{name}\nCL\nh-index{i % 40}\n{ENTRIES}papers", f"{ENTRIES} Papers"]
        for k in range(OWN):
            blocks.append(
                f"CLJan {k + 1}, 2024{'Code' if k % 2 else ''}\n"
                f"Reliability of {w} under stress, part {k}\n"
                f"{name}, Bo Lee et al. · mit\n"
                f"We measure how {w} survives crashes, kills and concurrent writers "
                f"in part {k}, a question of reliability.")
        blocks.append(
            f"LGMar 3, 2023\n{SHARED_TITLE}\nAda Lovelace, Alan Turing\n"
            "Every generated page lists this survey of reliability, so loads keep "
            "merging into one paper.")
        (directory / f"{who.lower()}_{i:04d}.txt").write_text("\n\n".join(blocks) + "\n",
                                                             encoding="utf-8")
        profiles[name] = ENTRIES
    return profiles


@pytest.fixture(scope="module")
def many_pages(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    d = tmp_path_factory.mktemp("many") / "pages"
    return d, write_pages(d, 240)


@pytest.fixture(scope="module")
def clean_snapshot(many_pages, tmp_path_factory):
    """What an uninterrupted load of ``many_pages`` gives."""
    db = tmp_path_factory.mktemp("clean") / "clean.db"
    result = CliRunner().invoke(cli, ["--db", str(db), "load", str(many_pages[0]),
                                      "--as-of", AS_OF, "-q"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return snapshot(db)


# -- running and watching the real command ----------------------------------------------

def catalog_argv(db: Path, *args: object) -> list[str]:
    return [sys.executable, "-m", "catalog", "--db", str(db), *map(str, args)]


def child_env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(CATALOG_DB=str(tmp_path / "default.db"), HOME=str(tmp_path / "home"),
               XDG_CONFIG_HOME=str(tmp_path / "home" / ".config"), PYTHONUNBUFFERED="1")
    env.pop("CATALOG_DEBUG", None)
    return env


def run(tmp_path: Path, db: Path, *args: object) -> subprocess.CompletedProcess:
    return subprocess.run(catalog_argv(db, *args), capture_output=True, text=True,
                          check=False, timeout=TIMEOUT, env=child_env(tmp_path), stdin=subprocess.DEVNULL)


def start(tmp_path: Path, db: Path, *args: object) -> subprocess.Popen:
    """A background `catalog` whose stderr goes to a file (a pipe nobody reads could
    fill up and block it); ``stderr_of(proc)`` reads it."""
    log = tmp_path / f"stderr-{time.monotonic_ns()}.txt"
    with log.open("w") as err:
        proc = subprocess.Popen(catalog_argv(db, *args), stdout=subprocess.DEVNULL,
                                stderr=err, env=child_env(tmp_path), stdin=subprocess.DEVNULL)
    proc.log = log  # type: ignore[attr-defined]
    return proc


def stderr_of(proc: subprocess.Popen) -> str:
    return proc.log.read_text()  # type: ignore[attr-defined]


def loads_count(db: Path) -> int:
    """Committed loads, read the way any other program would; 0 until there is a catalog."""
    if not db.exists():
        return 0
    try:
        con = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
        try:
            return con.execute("SELECT count(*) FROM loads").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return 0


def wait_until(predicate, timeout: float = TIMEOUT, every: float = 0.01) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting after {timeout} s")
        time.sleep(every)


def assert_interrupted(stderr: str) -> None:
    """Ctrl-C's short message: one line, no traceback."""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Interrupted"), stderr


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.wait(timeout=30)


def interrupt_mid_load(tmp_path: Path, db: Path, pages: Path, sig: int, after: int
                       ) -> subprocess.Popen:
    """Start `catalog load`, send ``sig`` once ``after`` more files have committed."""
    before = loads_count(db)
    proc = start(tmp_path, db, "load", pages, "--as-of", AS_OF, "-q")
    try:
        wait_until(lambda: loads_count(db) >= before + after or proc.poll() is not None)
        assert proc.poll() is None, "the load ended before it could be interrupted"
        proc.send_signal(sig)
        proc.wait(timeout=TIMEOUT)
    finally:
        stop(proc)
    return proc


# -- what the catalog holds ----------------------------------------------------------

def snapshot(db: Path) -> tuple[list, list]:
    """Everything a user sees: every paper and every profile, as JSON."""
    runner = CliRunner()
    papers = runner.invoke(cli, ["--db", str(db), "list", "--format", "json", "--limit", "0"],
                           catch_exceptions=False)
    profiles = runner.invoke(cli, ["--db", str(db), "authors", "--format", "json"],
                             catch_exceptions=False)
    assert papers.exit_code == 0 and profiles.exit_code == 0, papers.stderr + profiles.stderr
    return json.loads(papers.stdout), json.loads(profiles.stdout)


def check_whole_files(db: Path, expected: dict[str, int]) -> int:
    """The catalog is sound and holds each page wholly or not at all; returns how many
    pages it holds. Its full-text index holds every paper before the load's backlog,
    and all of them once a catalog command has opened the file."""
    con = sqlite3.connect(db)
    try:
        backlog = con.execute("SELECT from_id FROM index_backlog "
                              "WHERE name = 'papers_fts'").fetchone()
        before = con.execute("SELECT count(*) FROM papers WHERE pk < ?",
                             (backlog[0] if backlog else 1 << 62,)).fetchone()[0]
        assert con.execute("SELECT count(*) FROM papers_fts WHERE papers_fts MATCH "
                           "'reliability'").fetchone()[0] == before
        Catalog(db).close()  # what the next command does first: index the backlog
        assert con.execute("SELECT count(*) FROM index_backlog").fetchone()[0] == 0
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        con.execute("INSERT INTO papers_fts(papers_fts) VALUES ('integrity-check')")
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        rows = con.execute(
            "SELECT pr.name, (SELECT count(*) FROM listings l WHERE l.profile_id = pr.id), "
            "(SELECT count(*) FROM loads WHERE profile_id = pr.id), "
            "(SELECT sum(entries) FROM loads WHERE profile_id = pr.id) FROM profiles pr"
        ).fetchall()
        for name, listed, loads, entries in rows:
            assert name in expected, name
            assert (listed, loads, entries) == (expected[name], 1, expected[name]), name
        pages = len(rows)
        assert con.execute("SELECT count(*) FROM loads").fetchone()[0] == pages
        papers = con.execute("SELECT count(*) FROM papers").fetchone()[0]
        assert papers == pages * (ENTRIES - 1) + (1 if pages else 0)
        for orphan in ("SELECT pk FROM papers WHERE pk NOT IN (SELECT paper_pk FROM listings)",
                       "SELECT pk FROM papers WHERE pk NOT IN (SELECT paper_pk FROM sightings)",
                       "SELECT pk FROM papers WHERE pk NOT IN "
                       "(SELECT paper_pk FROM authorships)"):
            assert con.execute(orphan).fetchall() == []
        indexed = con.execute("SELECT count(*) FROM papers_fts WHERE papers_fts MATCH "
                              "'reliability'").fetchone()[0]
        assert indexed == papers
        return pages
    finally:
        con.close()


# -- 1. killed mid-load ------------------------------------------------------------

@pytest.mark.slow
def test_sigkill_mid_load_keeps_whole_files_and_a_rerun_gives_the_clean_catalog(
        tmp_path, many_pages, clean_snapshot):
    pages, expected = many_pages
    db = tmp_path / "killed.db"
    held = []
    for after in (5, 40):  # killed twice: the second run starts from a killed catalog
        proc = interrupt_mid_load(tmp_path, db, pages, signal.SIGKILL, after)
        assert proc.returncode == -signal.SIGKILL
        held.append(check_whole_files(db, expected))
    assert 0 < held[0] < held[1] < len(expected)

    rerun = run(tmp_path, db, "load", pages, "--as-of", AS_OF)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{held[1] * ENTRIES} unchanged" in rerun.stderr.splitlines()[-1]
    assert check_whole_files(db, expected) == len(expected)
    assert snapshot(db) == clean_snapshot


# -- 6. Ctrl-C ------------------------------------------------------------------------

@pytest.mark.slow
def test_ctrl_c_mid_load_exits_130_with_whole_files_only(tmp_path, many_pages, clean_snapshot):
    pages, expected = many_pages
    db = tmp_path / "interrupted.db"
    proc = interrupt_mid_load(tmp_path, db, pages, signal.SIGINT, 5)
    stderr = stderr_of(proc)
    assert proc.returncode == 130, stderr
    assert_interrupted(stderr)
    held = check_whole_files(db, expected)
    assert 0 < held < len(expected)
    assert not list(tmp_path.glob(".*.creating"))
    # how many files were kept, and how to finish (#16)
    assert f"Interrupted: {held} of {len(expected)} files loaded and kept" in stderr
    assert "run the same command again to finish" in stderr

    rerun = run(tmp_path, db, "load", pages, "--as-of", AS_OF, "-q")
    assert rerun.returncode == 0, rerun.stderr
    assert snapshot(db) == clean_snapshot


class _InterruptingConnection:
    """A connection that raises KeyboardInterrupt (what Ctrl-C raises) in place of the
    ``nth`` statement of the ``txn``-th write transaction; the rest is the real one."""

    def __init__(self, conn: sqlite3.Connection, txn: int, nth: int) -> None:
        self._conn, self._txn, self._nth = conn, txn, nth
        self._begun = self._inside = 0
        self.statements: list[int] = []  # statements in each transaction, counted

    def _count(self, sql: str) -> None:
        if sql.lstrip().upper().startswith("BEGIN"):
            self._begun += 1
            self._inside = 0
            self.statements.append(0)
        elif self._begun and not sql.lstrip().upper().startswith(("COMMIT", "ROLLBACK")):
            self._inside += 1
            self.statements[-1] += 1
            if self._begun == self._txn and self._inside == self._nth:
                raise KeyboardInterrupt

    def execute(self, sql: str, *args: object) -> sqlite3.Cursor:
        self._count(sql)
        return self._conn.execute(sql, *args)

    def executemany(self, sql: str, *args: object) -> sqlite3.Cursor:
        self._count(sql)
        return self._conn.executemany(sql, *args)

    def __getattr__(self, name: str) -> object:
        return getattr(self._conn, name)


@pytest.mark.parametrize("where", [0.0, 0.5, 1.0])
def test_ctrl_c_inside_a_file_rolls_that_file_back(tmp_path, where):
    """The interrupt lands in the second page's transaction (at its first statement,
    half-way, at its last): none of that page is kept, and the load goes on from it."""
    from catalog.ingest import load_paths
    from catalog.store import open_db

    pages = tmp_path / "pages"
    expected = write_pages(pages, 3)
    as_of = dt.date(2026, 11, 22)
    conn = open_db(tmp_path / "measure.db", create=True)
    try:  # how many statements the second page takes, however the store writes it
        counting = _InterruptingConnection(conn, 0, 0)
        load_paths(counting, [str(pages)], as_of=as_of)  # type: ignore[arg-type]
    finally:
        conn.close()
    nth = 1 + round(where * (counting.statements[1] - 1))

    db = tmp_path / "c.db"
    conn = open_db(db, create=True)
    try:
        with pytest.raises(KeyboardInterrupt):
            load_paths(_InterruptingConnection(conn, 2, nth),  # type: ignore[arg-type]
                       [str(pages)], as_of=as_of)
        assert not conn.in_transaction
        assert check_whole_files(db, expected) == 1
        load_paths(conn, [str(pages)], as_of=as_of)  # the same connection carries on
    finally:
        conn.close()
    assert check_whole_files(db, expected) == 3


# -- 2. two writers and a reader ---------------------------------------------------------

@pytest.mark.slow
def test_two_loads_at_once_both_succeed_and_a_reader_sees_whole_pages(tmp_path):
    a = write_pages(tmp_path / "a", 100, who="Ann")
    b = write_pages(tmp_path / "b", 100, who="Bob", first=100)
    db = tmp_path / "shared.db"  # does not exist yet: both create it at the same moment
    writers = [start(tmp_path, db, "load", tmp_path / d, "--as-of", AS_OF, "-q")
               for d in ("a", "b")]
    seen: list[int] = []  # papers found by each `catalog search`, in order
    in_process: list[int] = []  # the same through the library, as often as it can
    failures: list[BaseException] = []
    done = threading.Event()

    def read_in_process() -> None:
        from catalog.api import Catalog

        try:
            with Catalog(db) as cat:
                while not done.is_set():
                    in_process.append(len(cat.search("reliability", limit=None).papers))
        except BaseException as e:  # reported by the main thread
            failures.append(e)

    reader = threading.Thread(target=read_in_process, daemon=True)
    try:
        wait_until(lambda: loads_count(db) > 0 or any(w.poll() is not None for w in writers))
        reader.start()
        while True:
            writing = any(w.poll() is None for w in writers)
            r = run(tmp_path, db, "search", "reliability", "--format", "json", "--limit", "0")
            assert r.returncode == 0, r.stderr
            assert "Traceback" not in r.stderr
            seen.append(len(json.loads(r.stdout)))
            if not writing:
                break
        for w in writers:
            w.wait(timeout=TIMEOUT)
    finally:
        done.set()
        for w in writers:
            stop(w)
        if reader.is_alive():
            reader.join(timeout=TIMEOUT)
    for w in writers:
        assert w.returncode == 0, stderr_of(w)
    assert not failures, failures
    for counts in (seen, in_process):
        assert counts == sorted(counts), "a reader saw the catalog shrink"
        # each page adds its own five papers; the survey all pages list is one paper
        assert all((n - 1) % OWN == 0 for n in counts), counts
    assert seen[-1] == 200 * OWN + 1

    both = {**a, **b}
    assert check_whole_files(db, both) == 200
    sequential = tmp_path / "sequential.db"
    for d in ("a", "b"):
        r = run(tmp_path, sequential, "load", tmp_path / d, "--as-of", AS_OF, "-q")
        assert r.returncode == 0, r.stderr

    def normalised(snap):
        papers, profiles = snap
        for p in papers:  # the order of a paper's profiles is the order they were loaded in
            p["profiles"].sort()
        return papers, profiles

    assert normalised(snapshot(db)) == normalised(snapshot(sequential))
    assert not list(tmp_path.glob(".*.creating"))


def test_a_writer_that_waits_too_long_gets_a_clear_error(tmp_path, monkeypatch):
    """When another process holds the write lock past the busy timeout, the load stops
    with one line naming the cause, and what it loaded before stays."""
    import catalog.store.open as store_open

    monkeypatch.setattr(store_open, "BUSY_TIMEOUT_MS", 200)
    db = tmp_path / "busy.db"
    runner = CliRunner()
    first = runner.invoke(cli, ["--db", str(db), "load", str(DATA / "000_281d56d23437e343.txt"),
                                "--as-of", AS_OF], catch_exceptions=False)
    assert first.exit_code == 0, first.stderr
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        result = runner.invoke(cli, ["--db", str(db), "load", str(DATA), "--as-of", AS_OF],
                               catch_exceptions=False)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1].startswith("Error: the catalog is busy")
    assert "Traceback" not in result.stderr
    assert len(snapshot(db)[0]) == 5


# -- 3. foreign and damaged database files -------------------------------------------

@pytest.mark.slow  # the in-process twin, in test_store.py, runs in the quick run
@pytest.mark.parametrize("kind", KINDS)
def test_foreign_or_damaged_file_real_process(tmp_path, kind):
    """The same through the real entry point: a one-line error, never a traceback."""
    directory = tmp_path / "d"
    directory.mkdir()
    target = make_file(kind, directory)
    digest = sha256_of(target)
    result = run(tmp_path, target, "load", DATA, "--as-of", AS_OF)
    assert result.returncode == 1
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert sha256_of(target) == digest
    assert sorted(os.listdir(directory)) == [target.name]


# -- 6. Ctrl-C during export -o FILE ---------------------------------------------------

needs_export = pytest.mark.skipif("export" not in cli.commands,
                                  reason="`catalog export` not there yet")
BEFORE = "the previous export, which must survive\n"

# `catalog export`, slowed to a crawl after a few papers so that a signal lands in the
# middle of writing; it touches a marker file when it gets there.
_SLOW_EXPORT = """
import sys, time
from pathlib import Path
import catalog.store.read as store
real = store.run_selection
def slow(*args, **kw):
    for i, row in enumerate(real(*args, **kw)):
        if i == 3:
            Path(sys.argv[1]).touch()
        if i >= 3:
            time.sleep(0.2)
        yield row
store.run_selection = slow
from catalog.cli import cli
cli(sys.argv[2:], prog_name="catalog")
"""


@needs_export
def test_ctrl_c_during_export_leaves_the_output_file_as_it_was(tmp_path, monkeypatch):
    from catalog.store import read as store

    db = real_catalog(tmp_path)
    out = tmp_path / "out" / "papers.csv"
    out.parent.mkdir()
    out.write_text(BEFORE)
    real = store.run_selection

    def interrupted(*args, **kw):
        for i, row in enumerate(real(*args, **kw)):
            if i == 3:
                raise KeyboardInterrupt
            yield row

    monkeypatch.setattr(store, "run_selection", interrupted)
    result = CliRunner().invoke(cli, ["--db", str(db), "export", "-o", str(out), "--force"],
                                catch_exceptions=False)
    assert result.exit_code == 130
    assert_interrupted(result.stderr)
    assert out.read_text() == BEFORE
    assert os.listdir(out.parent) == ["papers.csv"]  # no temporary file left


@pytest.mark.slow
@needs_export
@pytest.mark.parametrize("existing", [True, False])
def test_sigint_during_export_real_process(tmp_path, existing):
    db = real_catalog(tmp_path)
    out = tmp_path / "out" / "papers.csv"
    out.parent.mkdir()
    if existing:
        out.write_text(BEFORE)
    marker = tmp_path / "half-way"
    proc = subprocess.Popen(
        [sys.executable, "-c", _SLOW_EXPORT, str(marker), "--db", str(db), "export", "-o",
         str(out), "--force"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        env=child_env(tmp_path), stdin=subprocess.DEVNULL)
    try:
        wait_until(lambda: marker.exists() or proc.poll() is not None)
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=TIMEOUT)
    finally:
        stop(proc)
    assert proc.returncode == 130, stderr
    assert_interrupted(stderr)
    if existing:
        assert out.read_text() == BEFORE
        assert os.listdir(out.parent) == ["papers.csv"]
    else:
        assert os.listdir(out.parent) == []
