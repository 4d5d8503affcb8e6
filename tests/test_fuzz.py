"""Hostile pages (#7): whatever arrives, a load ends in records or in a clear error for
that file, never an uncaught exception, never a hang.

Random text and bytes come from hypothesis; the corpus is the bundled pages mutated
with a fixed random seed (flipped bytes, deleted and duplicated spans, random bytes,
NUL bytes, invalid UTF-8), plus pages built to be big: a 10 MB line, a 50,000-entry
page. Every parse runs under a generous alarm, so a hang fails instead of stalling CI;
nothing here asserts a speed (budgets are in benchmarks/): "linear in size" is checked by
counting the work a load does, which is the same on a busy machine as on an idle one.
"""

from __future__ import annotations

import contextlib
import random
import signal
import sqlite3
import sys
from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.cli import cli
from catalog.errors import PageError
from catalog.ingest import load_file
from catalog.models import LoadReport
from catalog.pages import parse_page
from catalog.store import open_db
from conftest import AS_OF_DATE, DATA

SEEDS = {p.name: p.read_bytes() for p in sorted(DATA.glob("*.txt"))}
SEED_LINES = sorted({line for data in SEEDS.values()
                     for line in data.decode("utf-8").splitlines() if line.strip()})
MB = 1 << 20
# Seconds before a parse or load counts as hung: a guard against a stalled CI, far above
# what any of these takes even on a busy machine; it is not a speed budget.
HANG = 120


class Hang(Exception):
    pass


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Fail (instead of hanging CI) when the block runs longer than ``seconds``."""
    def alarm(signum, frame):
        raise Hang(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def parse_or_error(text: str, source: str = "fuzz.txt") -> int:
    """Entries parsed, or 0 for a clean PageError; anything else propagates."""
    try:
        page = parse_page(text, source, as_of=AS_OF_DATE)
    except PageError as e:
        assert str(e).startswith(source) and "\n" not in str(e)
        return 0
    assert page.entries
    for e in page.entries:
        assert e.title.strip()
    for w in page.warnings:
        assert w.line >= 1 and "\n" not in w.message
    return len(page.entries)


@pytest.fixture(scope="module")
def conn(tmp_path_factory) -> Iterator[sqlite3.Connection]:
    db = open_db(tmp_path_factory.mktemp("fuzz") / "fuzz.db", create=True)
    yield db
    try:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        db.execute("INSERT INTO papers_fts(papers_fts) VALUES ('integrity-check')")
    finally:
        db.close()


def load(conn: sqlite3.Connection, data: bytes, name: str = "fuzz.txt",
         seconds: float = HANG) -> LoadReport:
    """One file through the loader: records, or one clear line naming the file."""
    with time_limit(seconds):
        report = load_file(conn, name, data, as_of=AS_OF_DATE)
    if report.error:
        assert report.error.startswith(name) and "\n" not in report.error, report.error
    else:
        assert report.entries > 0
    assert not conn.in_transaction
    return report


# -- hypothesis: random text and bytes ------------------------------------------------

FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


@FUZZ
@given(st.text(max_size=3000))
def test_random_text_parses_or_fails_cleanly(text):
    with time_limit(HANG):
        parse_or_error(text)


# text that looks like pages: real lines, spliced, cut and glued to random text
_line = st.one_of(st.sampled_from(SEED_LINES), st.text(max_size=120),
                  st.sampled_from(SEED_LINES).flatmap(
                      lambda s: st.integers(0, len(s)).map(lambda i: s[:i])),
                  st.tuples(st.sampled_from(SEED_LINES), st.sampled_from(SEED_LINES)).map(
                      "".join))


@pytest.mark.slow
@FUZZ
@given(st.lists(_line, max_size=60), st.sampled_from(["\n", "\n\n", "\r\n", "\r"]))
def test_page_shaped_text_parses_or_fails_cleanly(lines, sep):
    with time_limit(HANG):
        parse_or_error(sep.join(lines))


@FUZZ
@given(data=st.binary(max_size=4000))
def test_random_bytes_load_or_fail_cleanly(conn, data):
    load(conn, data)


@pytest.mark.slow
@FUZZ
@given(lines=st.lists(_line, min_size=1, max_size=40))
def test_page_shaped_bytes_load_or_fail_cleanly(conn, lines):
    load(conn, "\n".join(lines).encode("utf-8", "surrogatepass"))


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.binary(max_size=2000), encoding=st.sampled_from(
    [None, "latin-1", "utf-16", "unicode_escape", "cp1252", "utf-8-sig"]))
def test_random_files_through_catalog_load(tmp_path, data, encoding):
    """The command itself: exit 0 or 1, every stderr line a warning, an error or the
    summary; never a traceback."""
    page = tmp_path / "random.txt"
    page.write_bytes(data)
    args = ["--db", str(tmp_path / "cli.db"), "load", str(page), "--as-of", "2026-11-22"]
    if encoding:
        args += ["--encoding", encoding]
    with time_limit(HANG):
        result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code in (0, 1), result.stderr
    for line in result.stderr.splitlines():
        assert line.startswith(("warning: ", "Error: ", "Loaded ", str(page))), line


# -- the corpus: the bundled pages, mutated ---------------------------------------------

def _mutations(data: bytes, rng: random.Random) -> Iterator[tuple[str, bytes]]:
    n = len(data)
    for k in (1, 10, 100):
        b = bytearray(data)
        for _ in range(k):
            i = rng.randrange(n)
            b[i] ^= 1 << rng.randrange(8)
        yield f"flip{k}", bytes(b)
    for size in (1, 50, 2000):
        i = rng.randrange(n)
        yield f"delete{size}", data[:i] + data[i + size:]
        i = rng.randrange(n)
        yield f"duplicate{size}", data[:i + size] + data[i:]
    i = rng.randrange(n)
    yield "random-bytes", data[:i] + rng.randbytes(500) + data[i:]
    yield "all-random", rng.randbytes(n)
    b = bytearray(data)
    for _ in range(50):
        b.insert(rng.randrange(len(b)), 0)
    yield "nul-bytes", bytes(b)
    yield "nul-only", b"\x00" * 5000
    i = rng.randrange(n)
    yield "invalid-utf8", data[:i] + b"\xff\xfe\xc3" + data[i:]
    yield "latin-1", data.decode("utf-8").encode("latin-1", "replace")
    yield "truncated", data[: rng.randrange(n)]
    yield "cut-mid-character", data[: data.index("·".encode()) + 1]
    lines = data.split(b"\n")
    rng.shuffle(lines)
    yield "shuffled-lines", b"\n".join(lines)
    yield "no-newlines", data.replace(b"\n", b" ")
    yield "crlf-bom", b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n")
    yield "every-line-twice", b"\n".join(x for line in data.split(b"\n") for x in (line, line))


CORPUS = [(f"{name}:{kind}", blob) for name, data in SEEDS.items()
          for kind, blob in _mutations(data, random.Random(name))]


def test_mutated_seed_corpus_loads_or_fails_per_file(conn):
    outcomes = {"records": 0, "error": 0}
    for label, blob in CORPUS:
        report = load(conn, blob, name=label.replace(":", "_") + ".txt")
        outcomes["error" if report.error else "records"] += 1
    # the mutations are mild enough that most pages still give papers
    assert outcomes["records"] > outcomes["error"] > 0, outcomes


def test_invalid_utf8_names_file_and_offset(conn):
    data = SEEDS["001_3d4b083b5e58e23e.txt"]
    report = load(conn, data[:100] + b"\xff" + data[100:], name="bad.txt")
    assert report.error == ("bad.txt: not valid utf-8 text: byte 0xff at offset 100 "
                            "(use --encoding, e.g. --encoding latin-1)")


# -- big pages: never a hang, work linear in size -----------------------------------

def _ten_mb_lines() -> Iterator[tuple[str, str]]:
    n = 10 * MB
    yield "letters", "a" * n
    yield "capitals", "A" * n  # the shape of topic codes and of glued names
    yield "commas", "," * n  # the shape of an author list's separators
    yield "names", "Ada Byron, " * (n // 11)
    yield "glued", "T" * n + "Ada Byron, Alan Turing et al. · mit"
    yield "digits", "1" * n + "papers"
    yield "dots", "· " * (n // 2)
    yield "words", "reliable catalog " * (n // 17)


@pytest.mark.slow
@pytest.mark.parametrize("shape,line", list(_ten_mb_lines()), ids=lambda v: str(v)[:12])
def test_a_10mb_line_is_parsed_without_hanging(shape, line):
    seed = SEEDS["000_281d56d23437e343.txt"].decode("utf-8")
    for text in (line, seed + "\n" + line + "\n" + seed, line + "\n" + seed):
        with time_limit(HANG):  # a backtracking regex never ends
            parse_or_error(text)


@pytest.mark.slow
def test_a_10mb_line_loads_without_hanging(conn):
    seed = SEEDS["001_3d4b083b5e58e23e.txt"]
    for shape, line in (("capitals", b"A" * (10 * MB)), ("names", b"Ada Byron, " * MB)):
        report = load(conn, seed + b"\n" + line + b"\n", name=f"ten-mb-{shape}.txt", seconds=240)
        assert report.entries == 7, shape


def _long_page(entries: int) -> str:
    lines = ["Big Author", "CL", "h-index5", f"{entries}papers", f"{entries} Papers"]
    for i in range(entries):
        w = "".join("abcdefghijklmnopqrstuvwxyz"[int(d)] for d in f"{i:05d}")
        lines += [f"CLJan {i % 28 + 1}, 2024",
                  f"Reliability of {w} under load{'Ada ' + w.title()}, Bo Li et al. · mit",
                  f"We study {w}, with enough words in this abstract to be one."]
    return "\n".join(lines) + "\n"


def work_to_load(tmp_path, entries: int) -> int:
    """The work a load of an ``entries``-entry page into a fresh catalog does, counted:
    Python and C function calls, plus SQLite virtual-machine steps in tens (a scan
    or a sort hides in these). A count, so the same on a busy machine as on an idle one.
    The parser's caches are emptied first, so what an earlier load left there does not count."""
    for module in [m for name, m in sys.modules.items() if name.startswith("catalog.")]:
        for f in list(vars(module).values()):
            if callable(getattr(f, "cache_clear", None)):
                f.cache_clear()
    conn = open_db(tmp_path / f"linear-{entries}.db", create=True)
    data = _long_page(entries).encode("utf-8")
    work = 0

    def count_call(frame, event, arg):
        nonlocal work
        if event in ("call", "c_call"):
            work += 1

    def count_steps() -> int:
        nonlocal work
        work += 1
        return 0  # 0: carry on

    conn.set_progress_handler(count_steps, 10)
    sys.setprofile(count_call)
    try:
        report = load_file(conn, "linear.txt", data, as_of=AS_OF_DATE)
    finally:
        sys.setprofile(None)
        conn.set_progress_handler(None, 0)
        conn.close()
    assert (report.error, report.entries, report.new) == (None, entries, entries)
    return work


@pytest.mark.slow
def test_loading_a_page_is_linear_in_its_entries(tmp_path):
    work_to_load(tmp_path, 10)  # lazy imports and compiled patterns, once
    # four times the entries, about four times the work (FTS5 merges segments now and
    # then); a step that scans what came before (quadratic) makes it about sixteen
    small, big = work_to_load(tmp_path, 250), work_to_load(tmp_path, 1_000)
    assert big / small < 6, (small, big)


@pytest.mark.slow
def test_a_50000_entry_page_loads(conn):
    big = _long_page(50_000)
    report = load(conn, big.encode("utf-8"), name="fifty-thousand.txt", seconds=600)
    assert (report.error, report.entries, report.new) == (None, 50_000, 50_000)
    assert conn.execute("SELECT count(*) FROM listings l JOIN profiles p ON p.id = "
                        "l.profile_id WHERE p.name = 'Big Author'").fetchone()[0] == 50_000

