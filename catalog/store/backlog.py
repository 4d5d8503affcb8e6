"""Indexing what a load left for its end (#13): its papers in ``papers_fts``, its
people in the name index.

A load's pages write their papers and people without indexing them
(``store.write.defer_indexing``), and ``index_backlog`` says, in the same transaction,
where the rows not yet indexed start. A large load into a small catalog also drops
three SQLite indices it never reads (``store.write.defer_indices``), named there too.
``catch_up`` indexes the rows in id order, a chunk per transaction, the way a bulk
load of FTS5 is fastest; each chunk moves the backlog on in its own transaction, so a
catch-up cut short resumes where it stopped. Then it builds the dropped indices.

``Catalog`` catches up at the end of each load, and whenever it opens a catalog for
writing that has a backlog (a load cut short by Ctrl-C or ``kill -9``), before
anything reads. So what catalog shows never misses a paper; only another program
(``sqlite-utils search``, Datasette) reading the file during a load, or after a load
was cut short, sees the papers of that load before they are searchable.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable

from catalog.migrations import FTS_COLUMNS
from catalog.store.write import (
    BULK_INDICES,
    LAST_ID,
    backlog_from,
    index_person,
    write_transaction,
)

# rows indexed per transaction: large enough for FTS5 to write large segments, small
# enough that another writer (a second load) waits about a second at most
CHUNK = 20_000

_COLS = ", ".join(FTS_COLUMNS)
_FTS_FILL = (f"INSERT INTO papers_fts (rowid, {_COLS}) "
             f"SELECT pk, {_COLS} FROM papers WHERE pk >= ? AND pk < ? ORDER BY pk")


def pending_papers(conn: sqlite3.Connection) -> int:
    """How many papers are not in ``papers_fts`` yet."""
    start = backlog_from(conn, "papers_fts")
    if start is None:
        return 0
    return conn.execute("SELECT count(*) FROM papers WHERE pk >= ?", (start,)).fetchone()[0]


def catch_up(conn: sqlite3.Connection, progress: Callable[[int, int], None] | None = None,
             *, chunk: int = CHUNK, stop: threading.Event | None = None) -> int:
    """Index the backlog; the number of papers indexed. ``progress(done, total)`` is
    told after each chunk of papers; ``stop``, once set, ends it between chunks."""
    total = pending_papers(conn)
    done = 0
    while not (stop and stop.is_set()) and (step := _papers_chunk(conn, chunk)) is not None:
        done += step
        if progress is not None:
            progress(min(done, total), max(total, done))
    while not (stop and stop.is_set()) and _people_chunk(conn, chunk) is not None:
        pass
    for name, create in BULK_INDICES.items():
        if not (stop and stop.is_set()):
            _build_index(conn, name, create)
    return done


def _build_index(conn: sqlite3.Connection, name: str, create: str) -> None:
    """Build an index a large load dropped (``store.write.defer_indices``)."""
    with write_transaction(conn):
        if backlog_from(conn, name) is not None:
            conn.execute(create)
            conn.execute("DELETE FROM index_backlog WHERE name = ?", (name,))


def _papers_chunk(conn: sqlite3.Connection, chunk: int) -> int | None:
    """Index the next ``chunk`` pks of the backlog in one transaction: the number of
    papers indexed, or None when nothing was behind."""
    return _chunk(conn, "papers_fts", chunk, lambda lo, hi: conn.execute(
        _FTS_FILL, (lo, hi)).rowcount)


def _people_chunk(conn: sqlite3.Connection, chunk: int) -> int | None:
    def index(lo: int, hi: int) -> int:
        rows = conn.execute("SELECT id, words FROM people WHERE id >= ? AND id < ?",
                            (lo, hi)).fetchall()
        for pid, words in rows:
            index_person(conn, pid, words)  # adds only what is missing
        return len(rows)
    return _chunk(conn, "names", chunk, index)


def _chunk(conn: sqlite3.Connection, name: str, chunk: int,
           index: Callable[[int, int], int]) -> int | None:
    with write_transaction(conn):
        start = backlog_from(conn, name)  # read under the lock: another may have moved it
        if start is None:
            return None
        end = start + chunk
        count = index(start, end)
        largest = LAST_ID[name]  # a fixed statement per backlog
        last = conn.execute(largest).fetchone()[0]
        if last is None or end > last:
            conn.execute("DELETE FROM index_backlog WHERE name = ?", (name,))
        else:
            conn.execute("UPDATE index_backlog SET from_id = ? WHERE name = ?", (end, name))
        return count
