"""Opening a catalog file: the one way the project opens SQLite.

``open_db`` opens read-write (creating and migrating where asked); ``open_read_only``
opens a file that must neither be created nor changed (shell completion, the load's
parse-ahead child, inspecting a file in use). A file is inspected before SQLite
writes a byte to it: a foreign, damaged or newer file is refused with a message
that says which.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import time
from pathlib import Path

from catalog.errors import DatabaseError, DatabaseNotFound, ReadOnlyCatalog
from catalog.migrations import APPLICATION_ID, SCHEMA_VERSION, migrate

_SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 30_000


def _read_header(path: Path) -> tuple[bytes, int]:
    """The file's first 100 bytes (SQLite's database header) and its size."""
    try:
        with path.open("rb") as f:
            return f.read(100), os.fstat(f.fileno()).st_size
    except OSError as e:
        raise DatabaseError(f"cannot read the catalog {path}: {e.strerror}") from None


def _has_wal(path: Path) -> bool:
    return Path(f"{path}-wal").exists()


def _inspect(path: Path) -> tuple[int, int, int]:
    """(application_id, user_version, pages beyond the first) read without writing.

    The fields come straight from the header bytes, so a foreign, truncated or newer
    file is refused without SQLite opening it (a read-only connection to a WAL file
    leaves -wal and -shm files behind). Only while a -wal file exists, whose commits
    the header may not show yet, does a read-only connection look instead.
    """
    for attempt in range(3):
        wal = _has_wal(path)
        head, size = _read_header(path)
        if head[:16] != _SQLITE_MAGIC:
            raise DatabaseError(f"{path} is not a catalog: not a SQLite database file")
        if len(head) < 100:
            raise DatabaseError(f"{path} is damaged: truncated to {size} bytes")
        if wal or _has_wal(path) or head[24:28] != head[92:96]:
            return _inspect_sqlite(path)  # in use, or a header too old to tell its size
        page_size = int.from_bytes(head[16:18], "big")
        pages = int.from_bytes(head[28:32], "big")
        expected = (65536 if page_size == 1 else page_size) * pages
        if size >= expected:
            version = int.from_bytes(head[60:64], "big", signed=True)
            app = int.from_bytes(head[68:72], "big", signed=True)
            return app, version, pages - 1
        if attempt < 2:
            time.sleep(0.05)  # a checkpoint that just ended may have been writing it
    raise DatabaseError(f"{path} is damaged: truncated ({size} of {expected} bytes)")


# SQLite's primary result codes for a file that is not a database or is damaged
_SQLITE_CORRUPT, _SQLITE_NOTADB = 11, 26


def is_damage(e: sqlite3.DatabaseError) -> bool:
    """Does this error say the file is damaged or not a database (rather than that the
    code asked something wrong of a good file, e.g. "no such column", a bug)?"""
    code = getattr(e, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (_SQLITE_CORRUPT, _SQLITE_NOTADB)


def open_read_only(path: str | Path, *, timeout: float = 5) -> sqlite3.Connection:
    """A connection that can neither create nor change the file (no migration)."""
    return sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True,
                           timeout=timeout)


def database_file(conn: sqlite3.Connection) -> str:
    """The file a connection has open; "" for an in-memory catalog."""
    return conn.execute("PRAGMA database_list").fetchone()[2]


def _inspect_sqlite(path: Path) -> tuple[int, int, int]:
    try:
        ro = _connect_read_only(path)
        try:
            app = ro.execute("PRAGMA application_id").fetchone()[0]
            version = ro.execute("PRAGMA user_version").fetchone()[0]
            tables = ro.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        finally:
            ro.close()
    except sqlite3.DatabaseError as e:
        if not is_damage(e):
            raise
        raise DatabaseError(f"{path} is damaged or not a catalog ({e})") from None
    return app, version, tables


def _newer(path: Path, version: int) -> DatabaseError:
    return DatabaseError(
        f"{path} was written by a newer catalog (schema {version}, this one "
        f"knows {SCHEMA_VERSION}): upgrade catalog to use it")


def _create(path: Path) -> None:
    """Make a new, fully migrated catalog appear at ``path`` in one step.

    It is built under a temporary name and hard-linked into place, so that a second
    process creating the same catalog at the same moment never sees an empty or
    half-migrated file: whoever links first wins, the other uses that file.
    The parent directory must exist (a typo in ``--db`` must not grow directories);
    the caller creates the default app directory itself (#16).
    """
    parent = path.parent
    if not parent.is_dir():
        raise DatabaseError(f"cannot create the catalog {path}: no directory {parent}")
    # #16: say "read-only" before SQLite says something vaguer ("damaged", a traceback)
    if not os.access(parent, os.W_OK):
        raise ReadOnlyCatalog(f"cannot create the catalog {path}: {_why_read_only(parent)}")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.creating")
    try:
        try:
            _migrate_new(tmp)
        except (OSError, sqlite3.Error) as e:
            # the directory takes no database (/proc, a full or read-only disk)
            raise DatabaseError(f"cannot create the catalog {path}: {_reason(e)}") from None
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process made it first: use theirs
        except OSError:
            # no hard links on this file system: create it in place (migrate takes
            # the write lock, so a second process waits and then finds it migrated)
            _migrate_new(path)
    finally:
        for suffix in ("", "-wal", "-shm", "-journal"):
            try:
                Path(f"{tmp}{suffix}").unlink(missing_ok=True)
            except OSError:
                pass  # a clean-up must not hide the real error (EROFS, EACCES)


def _migrate_new(path: Path) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        migrate(conn)
    finally:
        conn.close()


def _reason(e: BaseException) -> str:
    if isinstance(e, OSError) and e.strerror:
        return e.strerror.lower()
    return str(e)


# -- read-only places (#16) -----------------------------------------------------------

def _why_read_only(place: Path) -> str:
    """Why ``place`` cannot be written: the file system, or the permissions."""
    try:
        if os.statvfs(place).f_flag & os.ST_RDONLY:
            return f"{place} is on a read-only file system"
    except OSError:
        pass
    return f"{place} is read-only (no write permission)"


def _unwritable(path: Path) -> str | None:
    """None when the catalog at ``path`` can be written, else why not. SQLite
    writes the file and, in WAL mode, a -wal and a -shm file beside it."""
    if not os.access(path, os.W_OK):
        return _why_read_only(path)
    if not os.access(path.parent, os.W_OK):
        return _why_read_only(path.parent)
    return None


def can_write(path: Path) -> bool:
    """Can this process write the catalog at ``path`` (and its WAL files)?"""
    return _unwritable(path) is None


def _connect_read_only(path: Path) -> sqlite3.Connection:
    """A connection that never writes, for a catalog on a read-only place: ``mode=ro``;
    when even that fails because the WAL index (-shm) of a WAL-mode file cannot be
    created beside it, ``immutable=1`` (SQLite then reads the main file alone)."""
    conn = open_read_only(path, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError:
        conn.close()
    return sqlite3.connect(f"{path.resolve().as_uri()}?immutable=1", uri=True,
                           isolation_level=None, check_same_thread=False)


def open_db(path: str | Path, *, create: bool = False, write: bool = False,
            read_only: bool = False) -> sqlite3.Connection:
    """Open a catalog, migrating it forward; never writes to a file that is not one.

    ``create=False`` (the read-only commands) raises ``DatabaseNotFound`` rather than
    leaving an empty file behind a typo. A catalog that cannot be written (read-only
    disk, no permission) is opened read-only for reading; ``write=True`` (or
    ``create``) raises ``ReadOnlyCatalog`` for it instead. ``read_only=True``
    (``catalog serve``) opens any catalog so, SQLite refusing every write; it must
    already be at this version.
    """
    path = Path(path)
    if path.is_dir():
        raise DatabaseError(f"{path} is a directory, not a catalog file")
    if path.exists():
        if path.stat().st_size == 0:
            raise DatabaseError(f"{path} is an empty file, not a catalog")
        app, version, tables = _inspect(path)
        if app != APPLICATION_ID and (tables or version):
            raise DatabaseError(
                f"{path} is a SQLite database of another application, not a catalog")
        if version > SCHEMA_VERSION:
            raise _newer(path, version)
    elif not create:
        raise DatabaseNotFound(
            f"no catalog at {path}: load pages first with `catalog load PATH`")
    else:
        _create(path)
    unwritable = _unwritable(path)
    if unwritable and (write or create):
        raise ReadOnlyCatalog(f"cannot write to the catalog {path}: {unwritable}")
    read_only = read_only or bool(unwritable)
    try:
        if read_only:
            conn = _connect_read_only(path)
        else:
            conn = sqlite3.connect(path, isolation_level=None,
                                   timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA recursive_triggers = ON")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:  # a newer catalog's commit the header did not show
            conn.close()
            raise _newer(path, version)
        if version < SCHEMA_VERSION:
            if read_only:
                conn.close()
                if not unwritable:
                    raise DatabaseError(f"{path} is an older catalog: open it once for "
                                        "writing (any catalog command) to upgrade it")
                raise ReadOnlyCatalog(
                    f"{path} needs an upgrade to this version of catalog, and {unwritable}"
                    ": copy it somewhere writable")
            conn.execute("PRAGMA journal_mode = WAL")
            migrate(conn)
        if not read_only:
            conn.execute("PRAGMA synchronous = NORMAL")
    except sqlite3.DatabaseError as e:
        if not is_damage(e):
            raise  # a bug, or the machine (disk full, I/O): not the file's fault
        raise DatabaseError(f"{path} is damaged or not a catalog ({e})") from None
    return conn
