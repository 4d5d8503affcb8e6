"""Tables in a real terminal (#16): tmux runs the command at 80 and 160 columns and
``capture-pane`` gives what a person sees."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from conftest import AS_OF, DATA, PAGES

pytestmark = pytest.mark.skipif(not shutil.which("tmux"), reason="tmux is not installed")

ID_LINE = re.compile(r"^[0-9a-f]{7}  ")
DONE = "__catalog_done__"


def in_tmux(args: list[str], width: int, tmp_path: Path, height: int = 60) -> str:
    """The screen after running ``catalog ARGS`` in a ``width``-column terminal."""
    sock = f"cat16-{uuid.uuid4().hex[:8]}"
    cmd = (f"env -u COLUMNS -u LINES TERM=xterm-256color NO_COLOR=1 "
           f"HOME={shlex.quote(str(tmp_path))} "
           f"{shlex.quote(sys.executable)} -m catalog {shlex.join(args)}; echo {DONE}; "
           "sleep 60")
    tmux = ["tmux", "-L", sock, "-f", os.devnull]
    subprocess.run([*tmux, "new-session", "-d", "-x", str(width), "-y", str(height), cmd],
                   check=True, cwd=Path(__file__).parent.parent)
    try:
        deadline = time.monotonic() + 30
        while True:
            screen = subprocess.run([*tmux, "capture-pane", "-p"], capture_output=True,
                                    text=True, check=True).stdout
            if DONE in screen or time.monotonic() > deadline:
                return screen.split(DONE)[0]
            time.sleep(0.2)
    finally:
        subprocess.run([*tmux, "kill-server"], check=False, capture_output=True)


@pytest.fixture(scope="module")
def shelf(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("tty") / "c.db"
    subprocess.run([sys.executable, "-m", "catalog", "--db", str(db), "load", str(DATA),
                    str(PAGES), "--as-of", AS_OF, "-q"], check=True)
    return db


def rows(screen: str) -> tuple[int, int, list[str]]:
    """(papers, lines they take, the lines) of the table on the screen."""
    lines = screen.rstrip("\n").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("──")) + 1
    # a paper's first line starts with its id, the others with the id's indent;
    # anything else (the stderr count) is not the table's
    table = [line for line in lines[start:]
             if ID_LINE.match(line) or (line.startswith(" " * 9) and line.strip())]
    papers = sum(1 for line in table if ID_LINE.match(line))
    return papers, len(table), lines


@pytest.mark.slow
@pytest.mark.parametrize("width,per_paper", [(80, 2), (160, 1)])
def test_list_fits_the_terminal(shelf, tmp_path, width, per_paper):
    screen = in_tmux(["--db", str(shelf), "list", "--limit", "10"], width, tmp_path)
    papers, lines, all_lines = rows(screen)
    assert papers == 10
    assert lines <= per_paper * papers, screen
    assert all(len(line) <= width for line in all_lines)
    assert "…" in screen  # long titles are cut, not wrapped
    if width == 160:
        assert "Authors" in screen and "Score" in screen
    assert "10 of 24; --limit for more" in screen.replace("`", "")


@pytest.mark.slow
@pytest.mark.parametrize("width,per_paper", [(80, 3), (160, 2)])
def test_search_with_snippets_fits_the_terminal(shelf, tmp_path, width, per_paper):
    screen = in_tmux(["--db", str(shelf), "search", "language", "model"], width, tmp_path)
    papers, lines, all_lines = rows(screen)
    assert papers >= 3
    assert lines <= per_paper * papers, screen
    assert all(len(line) <= width for line in all_lines)


SURNAMES = ("Lovelace", "Hopper", "Liskov", "Knuth", "Hamilton", "Goldberg", "Kay")


def big_page(path: Path, entries: int) -> Path:
    """One header-less page of ``entries`` papers (spaced layout), megabytes of it."""
    lines = []
    for i in range(entries):
        lines += [f"CLJan {i % 27 + 1}, 2025", "", f"Study Number {i} Of Scaling Things",
                  "", f"Ada {SURNAMES[i % len(SURNAMES)]}, Alan Turing", "",
                  "We study scaling and report results on several benchmarks. " * 6, ""]
    path.write_text("\n".join(lines), "utf-8")
    return path


def start_in_tmux(args: list[str], home: Path, *, width: int, height: int) -> list[str]:
    """``catalog ARGS`` started in a new tmux server's terminal; its exit status is
    printed after ``DONE``. The tmux command to look at it (and to kill it with)."""
    tmux = ["tmux", "-L", f"cat-{uuid.uuid4().hex[:8]}", "-f", os.devnull]
    cmd = (f"env -u COLUMNS -u LINES TERM=xterm-256color HOME={shlex.quote(str(home))} "
           f"{shlex.quote(sys.executable)} -m catalog {shlex.join(args)}; "
           f"echo {DONE} $?; sleep 60")
    subprocess.run([*tmux, "new-session", "-d", "-x", str(width), "-y", str(height), cmd],
                   check=True, cwd=Path(__file__).parent.parent)
    return tmux


@pytest.mark.slow
def test_large_load_shows_progress_by_bytes_and_ctrl_c_says_what_was_kept(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    small = pages / "a_small.txt"
    small.write_text((PAGES / "kaiming_he.txt").read_text("utf-8"), "utf-8")
    big_page(pages / "b_big.txt", 12000)
    db = tmp_path / "c.db"
    tmux = start_in_tmux(["--db", str(db), "load", str(pages), "--as-of", AS_OF], tmp_path,
                         width=100, height=30)
    try:
        deadline = time.monotonic() + 60
        seen = ""
        while time.monotonic() < deadline:
            seen = subprocess.run([*tmux, "capture-pane", "-p"], check=False, capture_output=True,
                                  text=True).stdout
            bar = re.search(r"loading .*\d+(\.\d+)?/\d+(\.\d+)? MB", seen)
            if (bar and "a_small.txt" in seen) or DONE in seen:
                break  # the bar, while the big file loads (the small one is done)
            time.sleep(0.05)
        assert DONE not in seen, "the load ended before its progress showed:\n" + seen
        subprocess.run([*tmux, "send-keys", "C-c"], check=True)
        while time.monotonic() < deadline and DONE not in seen:
            seen = subprocess.run([*tmux, "capture-pane", "-p", "-J"], check=False,
                                  capture_output=True,
                                  text=True).stdout
            time.sleep(0.1)
    finally:
        subprocess.run([*tmux, "kill-server"], check=False, capture_output=True)
    assert f"{DONE} 130" in seen, seen
    assert "Interrupted: 1 of 2 files loaded and kept" in seen
    assert "run the same command again to finish" in seen


@pytest.mark.slow
def test_rebuilding_the_search_index_shows_its_progress(tmp_path):
    """A search index rebuilt over many papers (here by `reindex`; a search finding it
    deleted does the same) shows a bar at a terminal, then says what it did."""
    db = tmp_path / "c.db"
    page = big_page(tmp_path / "big.txt", 30000)
    subprocess.run([sys.executable, "-m", "catalog", "--db", str(db), "load", str(page),
                    "--as-of", AS_OF, "-q"], check=True, env={**os.environ, "HOME": str(tmp_path)})
    tmux = start_in_tmux(["--db", str(db), "reindex"], tmp_path, width=80, height=20)
    bars = []
    try:
        deadline = time.monotonic() + 60
        seen = ""
        while time.monotonic() < deadline and DONE not in seen:
            seen = subprocess.run([*tmux, "capture-pane", "-p"], check=False,
                                  capture_output=True, text=True).stdout
            bars += re.findall(r"indexing for search .* (\d+)/30000", seen)
            time.sleep(0.02)
    finally:
        subprocess.run([*tmux, "kill-server"], check=False, capture_output=True)
    assert bars, "no progress bar showed:\n" + seen
    assert any(0 < int(n) < 30000 for n in bars), bars  # it moved, and went away at the end
    assert f"{DONE} 0" in seen, seen
    assert re.search(r"^Indexed 30,000 papers for search in \d+\.\d s$", seen, re.M), seen
    assert "indexing for search" not in seen.split("Indexed")[-1]  # the bar went away
