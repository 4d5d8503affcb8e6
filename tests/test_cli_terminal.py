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

from tests.conftest import AS_OF, DATA, PAGES

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
        subprocess.run([*tmux, "kill-server"], capture_output=True)


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


@pytest.mark.parametrize("width,per_paper", [(80, 3), (160, 2)])
def test_search_with_snippets_fits_the_terminal(shelf, tmp_path, width, per_paper):
    screen = in_tmux(["--db", str(shelf), "search", "language", "model"], width, tmp_path)
    papers, lines, all_lines = rows(screen)
    assert papers >= 3
    assert lines <= per_paper * papers, screen
    assert all(len(line) <= width for line in all_lines)
