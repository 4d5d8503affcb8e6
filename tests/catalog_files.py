"""Catalog files made for tests: a real catalog, and the foreign or damaged files
that every command must refuse (test_store.py, test_reliability.py)."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from catalog.cli import cli
from conftest import AS_OF, DATA


def real_catalog(directory: Path) -> Path:
    db = directory / "real.db"
    result = CliRunner().invoke(cli, ["--db", str(db), "load", str(DATA), "--as-of", AS_OF],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert not Path(f"{db}-wal").exists()  # checkpointed on close: one self-contained file
    return db


def make_file(kind: str, directory: Path) -> Path:
    target = directory / f"{kind}.db"
    if kind == "text":
        target.write_text("title,author\nA paper,Someone\n" * 20, encoding="utf-8")
    elif kind == "empty":
        target.write_bytes(b"")
    elif kind in ("other-app", "other-app-wal"):
        con = sqlite3.connect(target)
        if kind == "other-app-wal":
            con.execute("PRAGMA journal_mode = WAL")
        con.execute("CREATE TABLE recipes (name TEXT, minutes INTEGER)")
        con.execute("INSERT INTO recipes VALUES ('soup', 30)")
        con.commit()
        con.close()
    else:
        real = real_catalog(directory)
        shutil.copyfile(real, target)
        real.unlink()
        shutil.rmtree(f"{real}-search")  # its search index: the target is alone in directory
        size = target.stat().st_size
        if kind == "newer":
            con = sqlite3.connect(target)
            con.execute("PRAGMA user_version = 99")
            con.commit()
            con.close()
        elif kind == "truncated-half":
            os.truncate(target, size // 2)
        elif kind == "truncated-last-page":
            os.truncate(target, size - 4096)
        elif kind == "truncated-header":
            os.truncate(target, 60)
    for suffix in ("-wal", "-shm", "-journal"):
        assert not Path(f"{target}{suffix}").exists()
    return target


KINDS = ("text", "empty", "other-app", "other-app-wal", "truncated-half",
         "truncated-last-page", "truncated-header", "newer")


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
