"""Paths -> pages -> catalog, one file at a time.

Each file is read, parsed and saved in its own transaction: a file that fails leaves
nothing behind and the others still load. Used by ``catalog load``, the tests and the
benchmarks alike, so nothing here knows about the terminal.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from catalog.errors import PageError
from catalog.models import LoadReport
from catalog.pages import parse_page
from catalog.store import WriteCache, known_name, save_page

STDIN = "-"


def find_files(paths: Iterable[str]) -> Iterator[tuple[str, Path | None, str | None]]:
    """(display name, path, error) for each page file named or found below a directory."""
    for raw in paths:
        if raw == STDIN:
            yield "<stdin>", None, None
            continue
        p = Path(raw)
        if p.is_dir():
            found = sorted(f for f in p.rglob("*.txt") if f.is_file())
            if not found:
                yield raw, None, "no *.txt page files in this directory"
            for f in found:
                yield str(f), f, None
        elif p.exists():
            yield raw, p, None
        else:
            yield raw, None, "no such file or directory"


def decode(data: bytes, source: str, encoding: str | None) -> str:
    """Bytes to text; a file that is not UTF-8 fails with the byte offset named."""
    enc = encoding or "utf-8"
    try:
        text = data.decode(enc)
    except UnicodeDecodeError as e:
        hint = "" if encoding else " (use --encoding, e.g. --encoding latin-1)"
        raise PageError(
            source, f"not valid {codecs.lookup(enc).name} text: byte 0x{data[e.start]:02x} "
                    f"at offset {e.start}{hint}") from None
    if encoding:
        # codecs such as unicode_escape can yield lone surrogates, which no text
        # column can store
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as e:
            raise PageError(source, f"not valid {codecs.lookup(enc).name} text: an unpaired "
                                    f"surrogate at character {e.start}") from None
    return text.lstrip("\ufeff")


def load_file(
    conn: sqlite3.Connection,
    name: str,
    data: bytes,
    *,
    as_of: dt.date,
    profile: str | None = None,
    strict: bool = False,
    encoding: str | None = None,
    cache: WriteCache | None = None,
) -> LoadReport:
    """Parse and save one page; errors are reported in the result, not raised.
    ``cache``: one per load, shared by its files (see ``store.WriteCache``)."""
    report = LoadReport(source=name)
    cache = cache if cache is not None else WriteCache()
    try:
        text = decode(data, name, encoding)
        page = parse_page(text, name, as_of=as_of, known=known_name(conn, cache))
        report.warnings = list(page.warnings)
        report.entries = len(page.entries)
        report.declared = page.profile.papers
        if strict and page.warnings:
            w = page.warnings[0]
            raise PageError(name, f"{w.message} (--strict: {len(page.warnings)} "
                                  f"warning(s), file not loaded)", w.line)
        if page.profile.name:
            profile_name, named = page.profile.name, True
        elif profile:
            profile_name, named = profile, True
        else:
            profile_name, named = _stem(name), False
        saved = save_page(conn, page, profile_name=profile_name, named=named, as_of=as_of,
                          source=Path(name).name, sha256=hashlib.sha256(data).hexdigest(),
                          cache=cache)
    except PageError as e:
        report.error = str(e)
        return report
    report.profile = saved.profile
    report.new, report.merged, report.unchanged = saved.new, saved.merged, saved.unchanged
    return report


def _stem(name: str) -> str:
    return "stdin" if name == "<stdin>" else Path(name).stem


def load_paths(
    conn: sqlite3.Connection,
    paths: Iterable[str],
    *,
    as_of: dt.date,
    profile: str | None = None,
    strict: bool = False,
    encoding: str | None = None,
    read_stdin: Callable[[], bytes] | None = None,
    on_file: Callable[[LoadReport], None] | None = None,
) -> list[LoadReport]:
    reports = []
    cache = WriteCache()
    for name, path, error in find_files(paths):
        if error:
            report = LoadReport(source=name, error=f"{name}: {error}")
        else:
            try:
                data = read_stdin() if path is None and read_stdin else path.read_bytes()  # type: ignore[union-attr]
            except OSError as e:
                report = LoadReport(source=name, error=f"{name}: cannot read: {e.strerror}")
            else:
                report = load_file(conn, name, data, as_of=as_of, profile=profile,
                                   strict=strict, encoding=encoding, cache=cache)
        reports.append(report)
        if on_file:
            on_file(report)
    return reports
