"""Catalog files and places (#16): read-only catalogs, missing and odd directories,
shown and written through the CLI."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import AS_OF, DATA, PAGES


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[str]:
    """Make ``folder`` read-only for this process: a read-only bind mount as root
    (permissions do not stop root), else chmod. Yields how."""
    if os.geteuid() != 0:
        modes = {p: p.stat().st_mode for p in [folder, *folder.iterdir()]}
        for p in modes:
            p.chmod(0o555 if p.is_dir() else 0o444)
        try:
            yield "permissions"
        finally:
            for p, mode in modes.items():
                p.chmod(mode)
        return
    if not shutil.which("mount"):
        pytest.skip("root, and no mount to make a read-only place")
    bind = subprocess.run(["mount", "--bind", str(folder), str(folder)], check=False,
                          capture_output=True)
    if bind.returncode:
        pytest.skip(f"root, and cannot bind-mount: {bind.stderr.decode().strip()}")
    try:
        if subprocess.run(["mount", "-o", "remount,ro,bind", str(folder)], check=False,
                          capture_output=True).returncode:
            pytest.skip("root, and cannot remount read-only")
        yield "read-only file system"
    finally:
        # lazily: a connection the test still holds must not keep the mount
        subprocess.run(["umount", "-l", str(folder)], check=False, capture_output=True)


@pytest.fixture
def shelf(tmp_path, invoke) -> Path:
    """A folder holding a catalog of the seeds and the test pages."""
    folder = tmp_path / "shelf"
    folder.mkdir()
    result = invoke("--db", folder / "c.db", "load", DATA, PAGES, "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    return folder


READS = [("list", "-f", "json"), ("search", "model", "-f", "json"), ("stats", "-f", "json"),
         ("author", "kaiming", "-f", "json"), ("authors", "-f", "json"), ("topics", "-f", "json"),
         ("show", "a5bc", "-f", "json")]


def reads(invoke, db: Path) -> list[str]:
    out = []
    for args in READS:
        result = invoke("--db", db, *args)
        assert result.exit_code == 0, (args, result.stderr)
        json.loads(result.stdout)
        out.append(result.stdout)
    return out


def test_read_only_catalog_reads_and_refuses_writes_in_one_line(invoke, shelf):
    db = shelf / "c.db"
    expected = reads(invoke, db)
    files = sorted(p.name for p in shelf.iterdir())
    with read_only(shelf) as how:
        assert reads(invoke, db) == expected
        for args in (("load", PAGES), ("unload", "Kaiming He"),
                     ("rename-profile", "Kaiming He", "K. He")):
            result = invoke("--db", db, *args)
            assert result.exit_code == 1, args
            assert result.stderr.startswith(f"Error: cannot write to the catalog {db}: ")
            assert how in result.stderr and result.stderr.count("\n") == 1
        assert sorted(p.name for p in shelf.iterdir()) == files


def test_read_only_wal_catalog_with_its_log(invoke, shelf):
    """A catalog whose last writer left a -wal file (SQLite needs a -shm to read it):
    still read, immutable when the -shm cannot be made."""
    db = shelf / "c.db"
    expected = reads(invoke, db)
    # a writer that stops without checkpointing leaves committed pages in the -wal
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    conn.execute("UPDATE papers SET score = score")
    conn.commit()
    shutil.copy(db, shelf / "snap.db")
    shutil.copy(f"{db}-wal", shelf / "snap.db-wal")
    conn.close()
    snap = shelf / "snap.db"
    assert Path(f"{snap}-wal").exists()
    with read_only(shelf):
        result = invoke("--db", snap, "stats", "-f", "json")
        assert result.exit_code == 0, result.stderr
        assert json.loads(result.stdout)["papers"] == json.loads(expected[2])["papers"]


def test_new_catalog_on_a_read_only_place(invoke, shelf):
    with read_only(shelf) as how:
        result = invoke("--db", shelf / "new.db", "load", PAGES)
    assert result.exit_code == 1
    assert result.stderr == (f"Error: cannot create the catalog {shelf / 'new.db'}: "
                             f"{shelf} is {'on a ' if 'file' in how else ''}{how if 'file' in how else 'read-only (no write permission)'}\n")
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="no /proc")
def test_a_place_that_takes_no_database(invoke):
    result = invoke("--db", "/proc/x.db", "load", PAGES)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: cannot create the catalog /proc/x.db")
    assert "damaged" not in result.stderr and result.stderr.count("\n") == 1


def test_missing_directory_is_named_not_created(invoke, tmp_path):
    db = tmp_path / "missing" / "deeper" / "c.db"
    result = invoke("--db", db, "load", PAGES)
    assert result.exit_code == 1
    assert result.stderr == (f"Error: cannot create the catalog {db}: "
                             f"no directory {db.parent}\n")
    assert not (tmp_path / "missing").exists()


def test_default_app_directory_is_created(runner, tmp_path, monkeypatch):
    from catalog.cli import cli

    monkeypatch.delenv("CATALOG_DB")
    result = runner.invoke(cli, ["load", str(PAGES)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    path = runner.invoke(cli, ["path"]).stdout.strip()
    assert Path(path).is_file() and str(tmp_path) in path


def test_load_of_an_empty_folder_leaves_no_catalog(invoke, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    db = tmp_path / "c.db"
    result = invoke("--db", db, "load", empty)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {empty}: no *.txt page files in this directory\n"
    assert not db.exists()
    assert not list(tmp_path.glob(".c.db*"))
