"""Taking loads back (#16): unloading a profile's pages, renaming a profile.

Kept apart from ``store.write`` (which only ever adds) because it runs
the other way: a profile's sightings go, and each paper it listed is either deleted
(no other page lists it) or recomputed from the sightings that remain, with the same
``_remerge`` a load uses, so the result is what loading the other pages alone gives.
People no paper and no profile names any more leave the name index with them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field

from catalog.migrations import FTS_COLUMNS
from catalog.names import name_key, name_words
from catalog.store.read import _in
from catalog.store.write import (
    _FTS_DELETE,
    _begin_write,
    _person_id,
    _remerge,
    in_fts,
    unindex_people,
    write_transaction,
)


@dataclass
class Removed:
    """What an unload removed (or, in a dry run, would remove)."""

    profiles: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    papers_deleted: int = 0  # no other page listed them
    papers_kept: int = 0  # other pages list them: recomputed from those
    people_deleted: int = 0


def profile_ids_by_source(conn: sqlite3.Connection, source: str) -> list[int]:
    """The profiles whose pages were loaded from a file of this name."""
    return [r[0] for r in conn.execute(
        "SELECT DISTINCT profile_id FROM loads WHERE source = ? AND profile_id IS NOT NULL "
        "UNION SELECT id FROM profiles WHERE source = ? ORDER BY 1", (source, source))]


def other_sources(conn: sqlite3.Connection, profile_ids: Sequence[int], source: str
                  ) -> list[str]:
    """Other files that these profiles' pages were loaded from."""
    ids = list(profile_ids)
    return [r[0] for r in conn.execute(
        f"SELECT DISTINCT source FROM loads WHERE profile_id IN {_in(ids)} AND source != ? "
        "ORDER BY source", (*ids, source))]


def profile_name(conn: sqlite3.Connection, profile_id: int) -> str:
    return str(conn.execute("SELECT name FROM profiles WHERE id = ?",
                            (profile_id,)).fetchone()[0])


def profile_by_key(conn: sqlite3.Connection, name: str) -> tuple[int, str] | None:
    row = conn.execute("SELECT id, name FROM profiles WHERE name_key = ?",
                       (name_key(name) or name,)).fetchone()
    return (row[0], row[1]) if row else None


def remove_profiles(conn: sqlite3.Connection, profile_ids: Sequence[int], *,
                    dry_run: bool = False) -> Removed:
    """Remove these profiles, their listings and sightings, the papers no other page
    lists, and the people left without papers, in one transaction (rolled back for a
    dry run, so that its figures are exactly those of the real thing)."""
    _begin_write(conn)
    try:
        removed = _remove(conn, profile_ids)
        if dry_run:
            conn.execute("ROLLBACK")
        else:
            conn.execute("COMMIT")
        return removed
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _remove(conn: sqlite3.Connection, profile_ids: Sequence[int]) -> Removed:
    out = Removed()
    ids = list(profile_ids)
    people: set[int] = set()
    pks: set[int] = set()
    for pid in ids:
        name, source, person = conn.execute(
            "SELECT name, source, person_id FROM profiles WHERE id = ?", (pid,)).fetchone()
        out.profiles.append(name)
        out.sources += [r[0] for r in conn.execute(
            "SELECT DISTINCT source FROM loads WHERE profile_id = ? ORDER BY source", (pid,))
        ] or [source]
        if person is not None:
            people.add(person)
        pks.update(r[0] for r in conn.execute(
            "SELECT paper_pk FROM listings WHERE profile_id = ?", (pid,)))
        conn.execute("DELETE FROM sightings WHERE profile_id = ?", (pid,))
        conn.execute("DELETE FROM listings WHERE profile_id = ?", (pid,))
    # in pk order: FTS5 keeps a transaction's changes in memory while rowids ascend
    for pk in sorted(pks):
        people.update(r[0] for r in conn.execute(
            "SELECT person_id FROM authorships WHERE paper_pk = ?", (pk,)))
        if conn.execute("SELECT 1 FROM sightings WHERE paper_pk = ?", (pk,)).fetchone():
            _remerge(conn, pk)
            out.papers_kept += 1
            continue
        # the index's own row, as an external-content FTS5 table must be told it
        row = conn.execute(f"SELECT {', '.join(FTS_COLUMNS)} FROM papers WHERE pk = ?",
                           (pk,)).fetchone()
        if in_fts(conn, pk):
            conn.execute(_FTS_DELETE, (pk, *row))
        conn.execute("DELETE FROM authorships WHERE paper_pk = ?", (pk,))
        conn.execute("DELETE FROM papers WHERE pk = ?", (pk,))
        out.papers_deleted += 1
    for pid in ids:
        conn.execute("DELETE FROM profile_snapshots WHERE profile_id = ?", (pid,))
        conn.execute("DELETE FROM loads WHERE profile_id = ?", (pid,))
        conn.execute("DELETE FROM profiles WHERE id = ?", (pid,))
    out.people_deleted = _drop_orphans(conn, people)
    return out


def _drop_orphans(conn: sqlite3.Connection, candidates: set[int]) -> int:
    """Delete the people among ``candidates`` whom no paper and no profile names."""
    orphans = [pid for pid in sorted(candidates) if not conn.execute(
        "SELECT 1 FROM authorships WHERE person_id = ? UNION ALL "
        "SELECT 1 FROM profiles WHERE person_id = ? LIMIT 1", (pid, pid)).fetchone()]
    unindex_people(conn, orphans)
    conn.executemany("DELETE FROM people WHERE id = ?", [(pid,) for pid in orphans])
    return len(orphans)


def rename_profile(conn: sqlite3.Connection, profile_id: int, new: str) -> str:
    """Give a profile a new name (an unnamed page's file-name profile its owner's):
    the profile then belongs to that person, as if its page had carried the name.
    Returns the old name."""
    with write_transaction(conn):
        old, person = conn.execute("SELECT name, person_id FROM profiles WHERE id = ?",
                                   (profile_id,)).fetchone()
        owner = _person_id(conn, new)
        conn.execute("UPDATE profiles SET name = ?, name_key = ?, words = ?, named = 1, "
                     "person_id = ? WHERE id = ?",
                     (new, name_key(new), name_words(new), owner, profile_id))
        if person is not None and person != owner:
            _drop_orphans(conn, {person})
        return str(old)
