"""Paths -> pages -> catalog, one file at a time.

Each file is read, parsed and saved in its own transaction: a file that fails leaves
nothing behind and the others still load. Used by ``catalog load``, the tests and the
benchmarks alike, so nothing here knows about the terminal.

A load of many files reads and parses the next few in a second process
(``_ParseAhead``) while this one writes: on two cores the parser's time then hides
behind the database's. The result is the same as parsing here, file by file: the
parser asks the catalog which names it knows (to settle ambiguous title/author
splits), the child answers from what is committed so far and sends its answers
along, and a page whose answers are no longer true when its turn comes is parsed
again here.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import json
import operator
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING

from catalog.errors import PageError, ProfileNameClash
from catalog.models import Entry, LoadReport, Page, ParseWarning, Profile
from catalog.pages import parse_page
from catalog.store.open import database_file, open_read_only
from catalog.store.write import (
    WriteCache,
    defer_checkpoints,
    defer_indices,
    defer_syncs,
    end_deferred_syncs,
    known_name,
    name_known,
    save_page,
)

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

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


# C0 controls but the whitespace ones, DEL, and the C1 controls a latin-1 read makes
_CONTROL_BYTES = bytes([*range(0x09), 0x0B, *range(0x0E, 0x20), 0x7F])
_NOT_CONTROL = bytes(b for b in range(256) if b not in _CONTROL_BYTES)
_BINARY_SHARE = 0.10  # "mostly control characters": a tenth is far beyond any text


def _binary(data: bytes) -> str | None:
    """Why ``data`` is not text at all, or None: NUL bytes, or many control bytes."""
    nul = data.find(b"\x00")
    if nul >= 0:
        return f"NUL byte at offset {nul}"
    sample = data[:1 << 20]
    controls = len(sample.translate(None, _NOT_CONTROL))
    if sample and controls / len(sample) > _BINARY_SHARE:
        return f"{controls * 100 // len(sample)}% control bytes"
    return None


def _looks_8bit(data: bytes) -> bool:
    """Mostly ASCII text with some high bytes: a legacy 8-bit encoding may read it."""
    sample = data[:1 << 20]
    high = sum(1 for b in sample if b >= 0x80)
    return bool(sample) and high / len(sample) < 0.3 and _binary(sample) is None


def decode(data: bytes, source: str, encoding: str | None) -> str:
    """Bytes to text; a file that is not UTF-8 fails with the byte offset named.

    A byte-order mark says UTF-16 (or 32) whatever ``encoding`` says; a file that is
    not text at all (NUL bytes, mostly control characters) fails as binary whatever
    the encoding, rather than "loading" garbage."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        encoding = "utf-32"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif (why := _binary(data)) is not None:
        raise PageError(source, f"not a text file (binary: {why})")
    enc = encoding or "utf-8"
    try:
        text = data.decode(enc)
    except UnicodeDecodeError as e:
        hint = (" (use --encoding, e.g. --encoding latin-1)"
                if not encoding and _looks_8bit(data) else "")
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
    text = text.lstrip("\ufeff")
    if "\x00" in text:
        raise PageError(source, f"not a text file (binary: NUL character at character "
                                f"{text.index(chr(0))})")
    return text


MAX_WARNINGS_SHOWN = 20


def warning_lines(report: LoadReport, limit: int = MAX_WARNINGS_SHOWN) -> list[str]:
    """The stderr lines for one file's warnings: the first ``limit``, then a count of
    the rest; control characters escaped (a line of a page must not drive a terminal)."""
    from catalog.pages import escape_controls

    source = escape_controls(report.source)
    out = [f"warning: {source}:{w.line}: {escape_controls(w.message)}"
           for w in report.warnings[:limit]]
    if len(report.warnings) > limit:
        out.append(f"warning: {source}: and {len(report.warnings) - limit} more warning(s)")
    return out


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
    on_bytes: Callable[[int], None] | None = None,
) -> LoadReport:
    """Parse and save one page; errors are reported in the result, not raised.
    ``cache``: one per load, shared by its files (see ``store.write.WriteCache``);
    ``on_bytes(n)``: about ``n`` bytes of this file are written so far."""
    report = LoadReport(source=name)
    cache = cache if cache is not None else WriteCache()
    try:
        text = decode(data, name, encoding)
        page = parse_page(text, name, as_of=as_of, known=known_name(conn, cache))
    except PageError as e:
        report.error = str(e)
        return report
    return _save_parsed(conn, report, page, hashlib.sha256(data).hexdigest(), as_of=as_of,
                        profile=profile, strict=strict, cache=cache,
                        on_bytes=on_bytes, size=len(data))


def _save_parsed(conn: sqlite3.Connection, report: LoadReport, page: Page, sha256: str, *,
                 as_of: dt.date, profile: str | None, strict: bool, cache: WriteCache,
                 on_bytes: Callable[[int], None] | None = None, size: int = 0
                 ) -> LoadReport:
    name = report.source
    try:
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
        def progress(done: int, total: int) -> None:
            if on_bytes is not None:
                on_bytes(size * done // max(total, 1))

        saved = save_page(conn, page, profile_name=profile_name, named=named, as_of=as_of,
                          source=Path(name).name, sha256=sha256, cache=cache,
                          progress=progress if on_bytes is not None else None)
    except PageError as e:
        report.error = str(e)
        return report
    report.profile = saved.profile
    report.new, report.merged, report.unchanged = saved.new, saved.merged, saved.unchanged
    return report


def _size(path: Path | None) -> int:
    try:
        return path.stat().st_size if path is not None else 0
    except OSError:
        return 0


def _stem(name: str) -> str:
    return "stdin" if name == "<stdin>" else Path(name).stem


def check_profile_option(paths: Iterable[str], profile: str, *, as_of: dt.date,
                         encoding: str | None = None) -> None:
    """Refuse ``--profile NAME`` when more than one page without a profile header
    would take the name (#16): they would merge into one profile that is no one's
    page. Costs a parse of each file before the load (only with --profile and
    several files)."""
    files = [(name, path) for name, path, error in find_files(paths)
             if path is not None and not error]
    if len(files) < 2:
        return
    headerless = []
    for name, path in files:
        try:
            page = parse_page(decode(path.read_bytes(), name, encoding), name, as_of=as_of)
        except (OSError, PageError):
            continue  # the load reports it
        if not page.profile.name:
            headerless.append(name)
    if len(headerless) > 1:
        shown = ", ".join(headerless[:3]) + (", ..." if len(headerless) > 3 else "")
        raise ProfileNameClash(
            f"--profile {profile!r} would name {len(headerless)} pages that have no "
            f"profile header ({shown}); load each of them on its own with its --profile")


# page text per paper, about: 1,091 bytes in the generated corpus, 1,314 an entry in the
# bundled sample (a guess at how many papers a load brings, for ``defer_indices``)
BYTES_PER_PAPER = 1_100


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
    on_bytes: Callable[[int], None] | None = None,
) -> list[LoadReport]:
    """Load every page file of ``paths``, each in its own transaction. ``on_file``
    hears of each file when it is done; ``on_bytes(n)``, during a large file, that
    about ``n`` of its bytes are written."""
    reports = []
    # papers_fts and the name index are filled at the end, by the caller (store.backlog)
    cache = WriteCache(deferred=True)
    files = list(find_files(paths))
    ahead = _ParseAhead.start(conn, files, as_of=as_of, encoding=encoding)
    defer_checkpoints(conn)
    papers = sum(_size(path) for _, path, error in files if not error) // BYTES_PER_PAPER
    unsynced = defer_syncs(conn, papers)
    defer_indices(conn, papers)
    try:
        for i, (name, path, error) in enumerate(files):
            parsed = ahead.take(i, conn, cache) if ahead and path is not None else None
            if error:
                report = LoadReport(source=name, error=f"{name}: {error}")
            elif parsed is not None:
                report = LoadReport(source=name)
                if parsed.page is not None:
                    report = _save_parsed(conn, report, parsed.page, parsed.sha256,
                                          as_of=as_of, profile=profile, strict=strict,
                                          cache=cache, on_bytes=on_bytes, size=_size(path))
                else:
                    report.error = parsed.error
            else:
                try:
                    data = read_stdin() if path is None and read_stdin else path.read_bytes()  # type: ignore[union-attr]
                except OSError as e:
                    report = LoadReport(source=name, error=f"{name}: cannot read: {e.strerror}")
                else:
                    report = load_file(conn, name, data, as_of=as_of, profile=profile,
                                       strict=strict, encoding=encoding, cache=cache,
                                       on_bytes=on_bytes)
            reports.append(report)
            if on_file:
                on_file(report)
    finally:
        if ahead:
            ahead.close()
        if unsynced:
            end_deferred_syncs(conn)
    return reports


# -- parsing ahead in a second process ----------------------------------------------

PARSE_AHEAD_ENV = "CATALOG_PARSE_AHEAD"  # "0" turns it off; "N": N parsing processes
PARSE_AHEAD_MIN_FILES = 8  # fewer files do not repay starting the child
# files asked for ahead of the one being written: bounds the memory held. 12 had the
# writer wait on the parser, or the parser on the writer, whenever a few large pages
# came in a row (#13: 300,000 papers, pages in 74-75 s with 48, 80-81 s with 12)
_WINDOW = 48
# Parsing takes more CPU than writing (#13, 100,000 papers: 26 s against 18 s), so
# with one child the writer waited a third of the time. With as many children as
# cores, the operating system hands the writer's idle time to a second parser.
_MAX_CHILDREN = 4


@dataclass(frozen=True)
class _Parsed:
    """What the child made of a file: its page and the hash of its bytes, or the
    error that the file's report carries."""

    page: Page | None = None
    sha256: str = ""
    error: str | None = None


@dataclass(frozen=True)
class _Child:
    proc: BaseProcess
    pipe: Connection


def _children_wanted() -> int:
    setting = os.environ.get(PARSE_AHEAD_ENV, "")
    cores = os.cpu_count() or 1
    if setting.strip().isdigit():
        return min(int(setting), _MAX_CHILDREN)
    return min(cores, _MAX_CHILDREN) if cores >= 2 else 0


class _ParseAhead:
    """The child processes that read and parse files ahead of the writer.

    Forks (nothing to import again, nothing pickled) that talk JSON over a pipe each;
    file k of the load goes to child k mod n, and its reply is read in order. A child
    never touches the catalog connection it inherits and leaves with ``os._exit``.
    Anything odd (a child dies, a reply is not the one expected) and every file left
    is simply parsed here instead."""

    def __init__(self, children: list[_Child], files: list, as_of: dt.date,
                 encoding: str | None, db: str) -> None:
        self.children = children
        self.todo = [i for i, (_, path, error) in enumerate(files)
                     if path is not None and not error]
        self.files, self.as_of, self.encoding, self.db = files, as_of, encoding, db
        self.sent = 0  # how many of todo have been asked for
        self.taken = 0  # how many of todo have been taken
        self.dead = False

    @classmethod
    def start(cls, conn: sqlite3.Connection, files: list, *, as_of: dt.date,
              encoding: str | None) -> _ParseAhead | None:
        readable = sum(1 for _, path, error in files if path is not None and not error)
        wanted = _children_wanted()
        if readable < PARSE_AHEAD_MIN_FILES or wanted < 1 or not hasattr(os, "fork"):
            return None
        db = database_file(conn)
        if not db:
            return None  # an in-memory catalog: nothing a second process could read
        import multiprocessing
        import signal

        ctx = multiprocessing.get_context("fork")
        # Children are born ignoring Ctrl-C (they inherit the disposition): the writer
        # alone handles it, rolls back, and the children end with their pipes.
        try:
            previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        except ValueError:  # not the main thread (signals are its alone): parse here
            return None
        children: list[_Child] = []
        try:
            for _ in range(wanted):
                ours, theirs = ctx.Pipe()
                proc = ctx.Process(target=_parse_ahead_child, args=(theirs, ours),
                                   daemon=True)
                try:
                    proc.start()
                except OSError:
                    ours.close()
                    break
                finally:
                    theirs.close()
                children.append(_Child(proc, ours))
        finally:
            signal.signal(signal.SIGINT, previous)
        if not children:
            return None
        return cls(children, files, as_of, encoding, db)

    def _child(self, k: int) -> _Child:
        return self.children[k % len(self.children)]

    def _send(self) -> bool:
        i = self.todo[self.sent]
        name, path, _ = self.files[i]
        request = [i, name, str(path), self.as_of.isoformat(), self.encoding, self.db]
        try:
            self._child(self.sent).pipe.send_bytes(json.dumps(request).encode())
        except (OSError, ValueError):
            return False
        self.sent += 1
        return True

    def take(self, i: int, conn: sqlite3.Connection, cache: WriteCache) -> _Parsed | None:
        """File ``i`` as a child parsed it; None to parse it here. Files are taken in
        order."""
        k = self.taken
        if self.dead or k >= len(self.todo) or self.todo[k] != i:
            return None
        self.taken += 1
        while self.sent < min(len(self.todo), k + _WINDOW):
            if not self._send():
                self._die()
                return None
        try:
            seq, kind, *rest = json.loads(self._child(k).pipe.recv_bytes())
        except (OSError, EOFError, ValueError):  # the child is gone or garbled
            self._die()
            return None
        if seq != i or kind == "crash":
            if seq != i:
                self._die()
            return None
        if kind == "unreadable":
            return _Parsed(error=f"{self.files[i][0]}: cannot read: {rest[0]}")
        # the child knew the catalog as it was a few files ago: are its answers true?
        check = known_name(conn, cache)
        if any(check(key) != answer for key, answer in rest[-1].items()):
            return None
        if kind == "error":
            return _Parsed(error=rest[0])
        return _Parsed(page=_page_from_json(rest[0]), sha256=rest[1])

    def _die(self) -> None:
        """Parse here from now on."""
        self.dead = True
        for child in self.children:
            child.proc.kill()

    def close(self) -> None:
        for child in self.children:
            child.pipe.close()  # the child reads the end of its input and leaves
        for child in self.children:
            child.proc.join(timeout=2)
            if child.proc.is_alive():
                child.proc.kill()
                child.proc.join()


def _parse_ahead_child(pipe: Connection, parents_end: Connection) -> None:
    """The child's loop: [index, name, path, as_of, encoding, db] in, parsed out."""
    parents_end.close()
    ro: sqlite3.Connection | None = None
    try:
        while True:
            try:
                index, name, path, as_of, encoding, db = json.loads(pipe.recv_bytes())
            except (EOFError, OSError):
                break
            if ro is None:
                try:
                    ro = open_read_only(db)
                except sqlite3.Error:
                    pass
            known = _RecordedKnown(ro)
            reply: list
            try:
                data = Path(path).read_bytes()
            except OSError as e:
                reply = [index, "unreadable", e.strerror]
            else:
                try:
                    page = parse_page(decode(data, name, encoding), name,
                                      as_of=dt.date.fromisoformat(as_of), known=known)
                    reply = [index, "page", _page_to_json(page),
                             hashlib.sha256(data).hexdigest(), known.answers]
                except PageError as e:
                    reply = [index, "error", str(e), known.answers]
                except Exception:  # noqa: BLE001 - a bug: the writer parses it again, and shows it
                    reply = [index, "crash"]
            pipe.send_bytes(json.dumps(reply).encode())
    finally:
        if ro is not None:
            ro.close()
        os._exit(0)  # no clean-up of what the fork copied (the writer's connection)


_PROFILE_FIELDS = tuple(f.name for f in fields(Profile))
_ENTRY_FIELDS = tuple(f.name for f in fields(Entry))
# an entry's values in field order, read in one call (the pipe carries a few million)
_ENTRY_VALUES = operator.attrgetter(*_ENTRY_FIELDS)
_DATE_AT = _ENTRY_FIELDS.index("date")
_TUPLES_AT = tuple(i for i, f in enumerate(_ENTRY_FIELDS)
                   if f in ("authors", "affiliations", "topics"))


class _RecordedKnown:
    """The parser's ``known`` predicate in the child: the catalog as committed so far,
    every answer kept to be checked by the writer."""

    def __init__(self, ro: sqlite3.Connection | None) -> None:
        self.ro = ro
        self.answers: dict[str, bool] = {}

    def __call__(self, key: str) -> bool:
        if key not in self.answers:
            try:
                self.answers[key] = self.ro is not None and name_known(self.ro, key)
            except sqlite3.Error:
                self.answers[key] = False
        return self.answers[key]


def _page_to_json(page: Page) -> list:
    entries = []
    for e in page.entries:
        values = list(_ENTRY_VALUES(e))
        if e.date is not None:
            values[_DATE_AT] = e.date.isoformat()
        entries.append(values)
    return [[getattr(page.profile, f) for f in _PROFILE_FIELDS], entries,
            [[w.line, w.message] for w in page.warnings], page.source]


def _page_from_json(data: list) -> Page:
    profile, entries, warnings, source = data

    def entry(values: list) -> Entry:
        if len(values) != len(_ENTRY_FIELDS):
            raise ValueError("an entry of another shape")
        for i in _TUPLES_AT:
            values[i] = tuple(values[i])
        if values[_DATE_AT]:
            values[_DATE_AT] = dt.date.fromisoformat(values[_DATE_AT])
        return Entry(*values)

    return Page(Profile(**dict(zip(_PROFILE_FIELDS, profile, strict=True))),
                tuple(entry(e) for e in entries),
                tuple(ParseWarning(line, message) for line, message in warnings), source)
