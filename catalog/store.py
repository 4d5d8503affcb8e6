"""The catalog file: opening it safely, writing pages into it, reading papers out.

Every SQL statement of the project lives here (and in ``migrations``); values are
always bound as parameters. A page is written in one transaction by ``save_page``:
the caller's crash or Ctrl-C leaves the catalog as it was before that page.

A paper is one row however many pages list it. Each page's view of it is kept in
``sightings``; the paper row is recomputed from them: for each field the latest capture
(``as_of``, then load order) that gives a value wins, and ``has_code`` is true if any
page says so.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import secrets
import sqlite3
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from catalog.errors import DatabaseError, DatabaseNotFound
from catalog.migrations import APPLICATION_ID, FTS_COLUMNS, SCHEMA_VERSION, migrate
from catalog.models import Entry, Page, Paper, ProfileSummary
from catalog.names import fold, name_key, name_words

_SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 30_000


def title_key(title: str) -> str:
    """Titles that differ only in case, accents, spacing or punctuation are one paper."""
    return " ".join(_NOT_ALNUM_RE.sub(" ", fold(title)).split())


_NOT_ALNUM_RE = re.compile(r"[\W_]")  # exactly the characters for which isalnum() is false


def paper_id(key: str) -> str:
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


# -- opening -----------------------------------------------------------------

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


def _inspect_sqlite(path: Path) -> tuple[int, int, int]:
    try:
        ro = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
        try:
            app = ro.execute("PRAGMA application_id").fetchone()[0]
            version = ro.execute("PRAGMA user_version").fetchone()[0]
            tables = ro.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        finally:
            ro.close()
    except sqlite3.DatabaseError as e:
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
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.creating")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(tmp, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            migrate(conn)
        finally:
            conn.close()
        os.link(tmp, path)
    except FileExistsError:
        pass  # another process made it first: use theirs
    except (OSError, sqlite3.Error) as e:
        if not path.parent.is_dir() or not os.access(path.parent, os.W_OK):
            raise DatabaseError(f"cannot create the catalog {path}: {e}") from None
        # no hard links on this file system: open_db creates it in place
    finally:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{tmp}{suffix}").unlink(missing_ok=True)


def open_db(path: str | Path, *, create: bool = False) -> sqlite3.Connection:
    """Open a catalog, migrating it forward; never writes to a file that is not one.

    ``create=False`` (the read-only commands) raises ``DatabaseNotFound`` rather than
    leaving an empty file behind a typo.
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
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000,
                               check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA recursive_triggers = ON")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:  # a newer catalog's commit the header did not show
            conn.close()
            raise _newer(path, version)
        if version < SCHEMA_VERSION:
            conn.execute("PRAGMA journal_mode = WAL")
            migrate(conn)
        conn.execute("PRAGMA synchronous = NORMAL")
    except sqlite3.DatabaseError as e:
        raise DatabaseError(f"{path} is damaged or not a catalog ({e})") from None
    return conn


# -- writing -----------------------------------------------------------------

@dataclass
class SaveResult:
    profile: str
    new: int = 0
    merged: int = 0
    unchanged: int = 0


_SIGHTING_FIELDS = ("title", "authors", "authors_truncated", "affiliations", "topic",
                    "date", "has_code", "score", "abstract")


def _sighting(e: Entry) -> tuple:
    return (e.title, ", ".join(e.authors), int(e.authors_truncated),
            ", ".join(e.affiliations), e.topic, e.date.isoformat() if e.date else None,
            int(e.has_code), e.score, e.abstract)


def _merge(sightings: Sequence[tuple]) -> dict:
    """The paper row from its sightings, ordered oldest capture first."""
    out: dict = dict(zip(_SIGHTING_FIELDS, sightings[-1]))
    for field in ("affiliations", "topic", "date", "score", "abstract"):
        i = _SIGHTING_FIELDS.index(field)
        for s in reversed(sightings):
            if s[i] not in (None, ""):
                out[field] = s[i]
                break
    out["has_code"] = int(any(s[_SIGHTING_FIELDS.index("has_code")] for s in sightings))
    return out


class WriteCache:
    """What one load has learnt, kept across its transactions: people's ids by name
    key. Ids written by a transaction count only once it commits (a rolled-back page
    takes its new people with it), and the cache is bounded for any corpus size."""

    LIMIT = 200_000

    def __init__(self) -> None:
        self.people: dict[str, int] = {}
        self._new: dict[str, int] = {}

    def person(self, key: str) -> int | None:
        return self.people.get(key) or self._new.get(key)

    def add(self, key: str, pid: int) -> None:
        self._new[key] = pid

    def commit(self) -> None:
        if len(self.people) + len(self._new) > self.LIMIT:
            self.people.clear()
        self.people.update(self._new)
        self._new.clear()

    def rollback(self) -> None:
        self._new.clear()


def known_name(conn: sqlite3.Connection, cache: WriteCache | None = None):
    """A predicate on name keys: does the catalog already know this person?"""
    def check(key: str) -> bool:
        if cache is not None and cache.person(key) is not None:
            return True
        return conn.execute(
            "SELECT 1 FROM people WHERE name_key = ?", (key,)).fetchone() is not None
    return check


def _person_id(conn: sqlite3.Connection, name: str, cache: WriteCache | None = None) -> int:
    """The person's id, added on first sight (the first spelling seen is the one kept)."""
    key = name_key(name)
    if cache is not None:
        pid = cache.person(key)
        if pid is not None:
            return pid
    # a look-up first: an upsert would rewrite the row of every known person
    row = conn.execute("SELECT id FROM people WHERE name_key = ?", (key,)).fetchone()
    if row is None:
        # lastrowid, not RETURNING ... fetchone(): with RETURNING, one insert in three
        # stalled for 10-30 ms during a load (measured); with lastrowid, none did
        row = (conn.execute("INSERT INTO people (name, name_key, words) VALUES (?, ?, ?)",
                            (name, key, name_words(name))).lastrowid,)
    if cache is not None:
        cache.add(key, row[0])
    return row[0]


def _fts_row(row: dict) -> tuple:
    return tuple(row[c] for c in FTS_COLUMNS)


_FTS_COLS_SQL = ", ".join(FTS_COLUMNS)
_FTS_INSERT = (f"INSERT INTO papers_fts (rowid, {_FTS_COLS_SQL}) "
               f"VALUES (?, {', '.join('?' * len(FTS_COLUMNS))})")
_FTS_DELETE = (f"INSERT INTO papers_fts (papers_fts, rowid, {_FTS_COLS_SQL}) "
               f"VALUES ('delete', ?, {', '.join('?' * len(FTS_COLUMNS))})")


def _begin_write(conn: sqlite3.Connection) -> None:
    """Take the write lock, waiting up to the busy timeout while another process holds
    it (another `catalog load`): IMMEDIATE, so a transaction never has to give up
    half-way because someone else wrote first."""
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as e:
        if "locked" in str(e) or "busy" in str(e):
            raise DatabaseError(
                f"the catalog is busy: another process has been writing to it for "
                f"{BUSY_TIMEOUT_MS // 1000} s; try again when it is done") from None
        raise


def save_page(
    conn: sqlite3.Connection,
    page: Page,
    *,
    profile_name: str,
    named: bool,
    as_of: dt.date,
    source: str,
    sha256: str,
    cache: WriteCache | None = None,
) -> SaveResult:
    """Write one parsed page in one transaction (all of it, or none of it).

    ``cache`` (one per load) saves look-ups that earlier pages of the load made."""
    cache = cache if cache is not None else WriteCache()
    _begin_write(conn)
    try:
        result = _save_page(conn, page, profile_name, named, as_of.isoformat(),
                            source, sha256, cache)
        conn.execute("COMMIT")
        cache.commit()
        return result
    except BaseException:
        cache.rollback()
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _save_profile(conn: sqlite3.Connection, page: Page, name: str, named: bool,
                  as_of: str, source: str, cache: WriteCache) -> int:
    p = page.profile
    figures = (p.topic, p.h_index, p.papers, p.citations, p.novelty, p.ai_score)
    key = name_key(name) or name
    person = _person_id(conn, name, cache) if named else None
    row = conn.execute("SELECT id, as_of FROM profiles WHERE name_key = ?", (key,)).fetchone()
    if row is None:
        profile_id = conn.execute(
            "INSERT INTO profiles (name, name_key, words, named, person_id, source, as_of, "
            "topic, h_index, papers, citations, novelty, ai_score) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (name, key, name_words(name), int(named), person, source, as_of, *figures),
        ).lastrowid
    else:
        profile_id = row[0]
        if as_of >= row[1]:  # the latest capture's figures are the profile's figures
            conn.execute(
                "UPDATE profiles SET name = ?, words = ?, source = ?, as_of = ?, topic = ?, "
                "h_index = ?, papers = ?, citations = ?, novelty = ?, ai_score = ? "
                "WHERE id = ?", (name, name_words(name), source, as_of, *figures, profile_id))
    if p.has_figures:
        conn.execute(
            "INSERT OR REPLACE INTO profile_snapshots (profile_id, as_of, source, topic, "
            "h_index, papers, citations, novelty, ai_score) VALUES (?,?,?,?,?,?,?,?,?)",
            (profile_id, as_of, source, *figures))
    return profile_id


def _save_page(conn: sqlite3.Connection, page: Page, name: str, named: bool, as_of: str,
               source: str, sha256: str, cache: WriteCache) -> SaveResult:
    result = SaveResult(name)
    profile_id = _save_profile(conn, page, name, named, as_of, source, cache)
    if conn.execute("SELECT 1 FROM loads WHERE sha256 = ? AND as_of = ? AND profile_id = ?",
                    (sha256, as_of, profile_id)).fetchone():
        # the very same page, captured on the same day: nothing to change
        result.unchanged = len(page.entries)
        return result
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    load_id = conn.execute(
        "INSERT INTO loads (source, sha256, as_of, profile_id, entries, loaded_at) "
        "VALUES (?,?,?,?,?,?)",
        (source, sha256, as_of, profile_id, len(page.entries), now),
    ).lastrowid
    keyed = [(title_key(e.title), e) for e in page.entries]
    held = _papers_held(conn, [k for k, _ in keyed])
    batch = _NewPapers(conn, profile_id, as_of, load_id, cache)
    for key, entry in keyed:
        sighting = _sighting(entry)
        pk = held.get(key) or batch.pks.get(key)
        if pk is None:
            # a new paper, the common case: written in batches, one statement a table
            _insert_paper(batch, key, sighting)
            result.new += 1
            continue
        # a paper that the catalog or this very page holds already: row by row (if
        # this page added it, its batch is written first, so that the SQL sees it)
        if pk in batch.pks.values():
            batch.flush()
        old = conn.execute(
            f"SELECT s.as_of, {_SIGHTING_VALUES} WHERE s.paper_pk = ? AND s.profile_id = ?",
            (pk, profile_id)).fetchone()
        # the same profile's older capture never overwrites a newer one
        if old is not None and (old[1:] == sighting or old[0] > as_of):
            conn.execute("INSERT OR IGNORE INTO listings (profile_id, paper_pk) "
                         "VALUES (?, ?)", (profile_id, pk))
            result.unchanged += 1
            continue
        result.merged += 1
        if old is not None:
            conn.execute("DELETE FROM sightings WHERE paper_pk = ? AND profile_id = ?",
                         (pk, profile_id))
        conn.execute(_SIGHTING_INSERT, (pk, profile_id, as_of, load_id, *sighting))
        conn.execute("INSERT OR IGNORE INTO listings (profile_id, paper_pk) VALUES (?, ?)",
                     (profile_id, pk))
        _remerge(conn, pk, cache, batch.fts_ops)
    batch.flush()
    return result


def _papers_held(conn: sqlite3.Connection, keys: Sequence[str]) -> dict[str, int]:
    """{title key: pk} of the papers with these keys that the catalog holds, in one
    query per 500 keys. Found by id, a hash of the key (its index is the one the
    catalog needs anyway), then checked against the key itself."""
    held: dict[str, int] = {}
    ids = list(dict.fromkeys(paper_id(k) for k in keys))
    wanted = set(keys)
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        for key, pk in conn.execute(
                f"SELECT title_key, pk FROM papers WHERE id IN {_in(chunk)}", chunk):
            if key in wanted:
                held[key] = pk
    return held


def _insert_paper(batch: _NewPapers, key: str, sighting: tuple) -> int:
    """Queue one new paper for the page's batch; its pk."""
    return batch.add(key, sighting)


class _NewPapers:
    """A page's new papers, written with one ``executemany`` per table. Their pks are
    assigned here as SQLite would (the largest so far, plus one): the page's write
    transaction holds the lock, so no one else can take them."""

    def __init__(self, conn: sqlite3.Connection, profile_id: int, as_of: str, load_id: int,
                 cache: WriteCache) -> None:
        self.conn, self.profile_id, self.as_of, self.load_id = conn, profile_id, as_of, load_id
        self.cache = cache
        self.pks: dict[str, int] = {}
        self.next_pk = 0
        self.papers: list[tuple] = []
        self.fts: list[tuple] = []
        self.authorships: list[tuple] = []
        self.sightings: list[tuple] = []
        self.fts_ops: list[tuple] = []  # (pk, statement, values) of re-merged papers

    def add(self, key: str, s: tuple) -> int:
        if not self.next_pk:
            self.next_pk = self.conn.execute(
                "SELECT coalesce(max(pk), 0) + 1 FROM papers").fetchone()[0]
        pk = self.next_pk
        self.next_pk += 1
        self.pks[key] = pk
        # s: title, authors, authors_truncated, affiliations, topic, date, has_code,
        # score, abstract (_SIGHTING_FIELDS)
        year = int(s[5][:4]) if s[5] else None
        self.papers.append((pk, paper_id(key), key, *s[:6], year, *s[6:]))
        self.fts.append((pk, s[0], s[1], s[3], s[8]))
        self.authorships += [(pk, i, _person_id(self.conn, n, self.cache))
                             for i, n in enumerate(s[1].split(", ")) if n]
        # the paper row was made from this sighting: its text is not stored twice
        self.sightings.append((pk, self.profile_id, self.as_of, self.load_id, None, None,
                               *s[2:8], None))
        return pk

    def flush(self) -> None:
        conn = self.conn
        # FTS5 keeps a transaction's index changes in memory only while their rowids
        # ascend: a change to an older paper after a newer one writes what it holds
        # to disk first, as one more small segment to merge (~10 ms each, measured).
        # So the re-merged (older) papers go first, in pk order, then the new ones.
        self.fts_ops.sort(key=lambda op: op[0])  # stable: a paper's own ops keep order
        for pk, statement, values in self.fts_ops:
            conn.execute(statement, (pk, *values))
        self.fts_ops.clear()
        if not self.papers:
            return
        conn.executemany(_PAPER_INSERT, self.papers)
        conn.executemany(_FTS_INSERT, self.fts)
        conn.executemany("INSERT INTO authorships (paper_pk, position, person_id) "
                         "VALUES (?, ?, ?)", self.authorships)
        conn.executemany(_SIGHTING_INSERT, self.sightings)
        conn.executemany("INSERT OR IGNORE INTO listings (profile_id, paper_pk) VALUES (?, ?)",
                         [(self.profile_id, row[0]) for row in self.papers])
        for rows in (self.papers, self.fts, self.authorships, self.sightings):
            rows.clear()


_PAPER_COLS = ("title", "authors", "authors_truncated", "affiliations", "topic", "date",
               "year", "has_code", "score", "abstract")


def _row_values(row: dict) -> tuple:
    year = int(row["date"][:4]) if row.get("date") else None
    return tuple(year if c == "year" else row[c] for c in _PAPER_COLS)


_PAPER_INSERT = (f"INSERT INTO papers (pk, id, title_key, {', '.join(_PAPER_COLS)}) "
                 f"VALUES (?, ?, ?, {', '.join('?' * len(_PAPER_COLS))})")
# A sighting's values: a NULL title, author list or abstract is the paper row's (the
# sightings of a paper that one page lists would otherwise double the catalog's text).
_SIGHTING_VALUES = (
    "coalesce(s.title, p.title), coalesce(s.authors, p.authors), s.authors_truncated, "
    "s.affiliations, s.topic, s.date, s.has_code, s.score, coalesce(s.abstract, p.abstract) "
    "FROM sightings s JOIN papers p ON p.pk = s.paper_pk")
_SIGHTING_INSERT = (f"INSERT INTO sightings (paper_pk, profile_id, as_of, load_id, "
                    f"{', '.join(_SIGHTING_FIELDS)}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)")


def _save_authorships(conn: sqlite3.Connection, pk: int, authors: str,
                      cache: WriteCache | None = None) -> None:
    conn.execute("DELETE FROM authorships WHERE paper_pk = ?", (pk,))
    conn.executemany(
        "INSERT INTO authorships (paper_pk, position, person_id) VALUES (?, ?, ?)",
        [(pk, i, _person_id(conn, n, cache)) for i, n in enumerate(authors.split(", ")) if n])


def _remerge(conn: sqlite3.Connection, pk: int, cache: WriteCache | None = None,
             fts_ops: list[tuple] | None = None) -> None:
    """Recompute a paper from its sightings. With ``fts_ops``, its index changes are
    queued there (see ``_NewPapers.flush``) rather than written now."""
    sightings = conn.execute(
        f"SELECT {_SIGHTING_VALUES} WHERE s.paper_pk = ? ORDER BY s.as_of, s.load_id",
        (pk,)).fetchall()
    new = _merge(sightings)
    cur = conn.execute(f"SELECT {', '.join(_PAPER_COLS)} FROM papers WHERE pk = ?",
                       (pk,)).fetchone()
    old = dict(zip(_PAPER_COLS, cur))
    values = _row_values(new)
    if tuple(cur) == values:
        return
    # sightings that share the paper row's text get their own copy of it first
    conn.execute("UPDATE sightings SET title = coalesce(title, ?), "
                 "authors = coalesce(authors, ?), abstract = coalesce(abstract, ?) "
                 "WHERE paper_pk = ?", (old["title"], old["authors"], old["abstract"], pk))
    conn.execute(
        f"UPDATE papers SET {', '.join(c + ' = ?' for c in _PAPER_COLS)} WHERE pk = ?",
        (*values, pk))
    if fts_ops is None:
        conn.execute(_FTS_DELETE, (pk, *_fts_row(old)))
        conn.execute(_FTS_INSERT, (pk, *_fts_row(new)))
    else:
        fts_ops += [(pk, _FTS_DELETE, _fts_row(old)), (pk, _FTS_INSERT, _fts_row(new))]
    if old["authors"] != new["authors"]:
        _save_authorships(conn, pk, new["authors"], cache)


# -- reading -----------------------------------------------------------------

PAPER_COLUMNS = """
SELECT p.id, p.title, p.authors, p.authors_truncated, p.affiliations, p.topic, p.date,
       p.has_code, p.score, p.abstract,
       (SELECT json_group_array(name) FROM (
            SELECT pr.name FROM listings l JOIN profiles pr ON pr.id = l.profile_id
            WHERE l.paper_pk = p.pk ORDER BY pr.id)) AS profiles"""
PAPER_SELECT = PAPER_COLUMNS + "\nFROM papers p"


def _split(text: str) -> tuple[str, ...]:
    return tuple(x for x in text.split(", ") if x) if text else ()


def paper_from_row(row: Sequence) -> Paper:
    return Paper(
        id=row[0], title=row[1], authors=_split(row[2]), authors_truncated=bool(row[3]),
        affiliations=_split(row[4]), topic=row[5], date=row[6], has_code=bool(row[7]),
        score=row[8], abstract=row[9], profiles=tuple(json.loads(row[10] or "[]")),
    )


def iter_papers(conn: sqlite3.Connection, sql: str, params: Sequence | dict = ()) -> Iterator[Paper]:
    for row in conn.execute(sql, params):
        yield paper_from_row(row)


def get_paper(conn: sqlite3.Connection, pid: str) -> list[Paper]:
    """Papers whose id is ``pid`` or starts with it (ids may be abbreviated, as in git)."""
    exact = list(iter_papers(conn, PAPER_SELECT + " WHERE p.id = ?", (pid,)))
    if exact:
        return exact
    like = pid.replace("\\", "").replace("%", "").replace("_", "")
    if len(like) < 4:
        return []
    return list(iter_papers(conn, PAPER_SELECT + " WHERE p.id LIKE ? || '%' LIMIT 10", (like,)))


PROFILE_SELECT = """
SELECT pr.name, pr.topic, pr.h_index, pr.papers, pr.citations, pr.novelty, pr.ai_score,
       (SELECT count(*) FROM listings l WHERE l.profile_id = pr.id) AS listed, pr.source
FROM profiles pr"""


# whitelisted ORDER BY clauses: user input only ever picks a key
PROFILE_SORTS = {
    "name": "pr.name COLLATE NOCASE",
    "topic": "pr.topic IS NULL, pr.topic, pr.name COLLATE NOCASE",
    "h-index": "pr.h_index IS NULL, pr.h_index DESC, pr.name",
    "papers": "pr.papers IS NULL, pr.papers DESC, pr.name",
    "citations": "pr.citations IS NULL, pr.citations DESC, pr.name",
    "novelty": "pr.novelty IS NULL, pr.novelty DESC, pr.name",
    "ai-score": "pr.ai_score IS NULL, pr.ai_score DESC, pr.name",
    "listed": "listed DESC, pr.name",
    "loaded": "pr.id",
}


def iter_profiles(conn: sqlite3.Connection, *, topics: Sequence[str] = (),
                  profile_id: int | None = None, sort: str = "loaded"
                  ) -> Iterator[ProfileSummary]:
    clauses, params = [], []
    if topics:
        clauses.append(f"pr.topic IN {_in(topics)}")
        params += list(topics)
    if profile_id is not None:
        clauses.append("pr.id = ?")
        params.append(profile_id)
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    for row in conn.execute(f"{PROFILE_SELECT} {where} ORDER BY {PROFILE_SORTS[sort]}",
                            params):
        yield ProfileSummary(*row)


# -- selection: filters and full-text search -------------------------------------

@dataclass(frozen=True)
class Selection:
    """Resolved filters: ids and bounds only, ready to become SQL."""

    person_ids: tuple[int, ...] = ()
    profile_ids: tuple[int, ...] = ()
    by_author: bool = False  # an author filter was given (even if it matched no one)
    listed_by: tuple[int, ...] = ()
    by_profile: bool = False
    topics: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    years: tuple[int, int] | None = None
    code: bool | None = None


def _in(values: Sequence) -> str:
    return "(" + ", ".join("?" * len(values)) + ")"


def where_sql(sel: Selection) -> tuple[list[str], list]:
    """WHERE clauses and their parameters; every value is bound."""
    clauses: list[str] = []
    params: list = []
    if sel.by_author:
        clauses.append(
            f"p.pk IN (SELECT paper_pk FROM authorships WHERE person_id IN {_in(sel.person_ids)}"
            f" UNION SELECT paper_pk FROM listings WHERE profile_id IN {_in(sel.profile_ids)})")
        params += [*sel.person_ids, *sel.profile_ids]
    if sel.by_profile:
        clauses.append(
            f"p.pk IN (SELECT paper_pk FROM listings WHERE profile_id IN {_in(sel.listed_by)})")
        params += list(sel.listed_by)
    if sel.topics:
        clauses.append(f"p.topic IN {_in(sel.topics)}")
        params += list(sel.topics)
    if sel.since:
        clauses.append("p.date >= ?")
        params.append(sel.since)
    if sel.until:
        clauses.append("p.date <= ?")
        params.append(sel.until)
    if sel.years:
        # the year is the date's: as a date range it uses the date index, in order
        clauses.append("p.date BETWEEN ? AND ?")
        params += [f"{sel.years[0]:04d}-01-01", f"{sel.years[1]:04d}-12-31"]
    if sel.code is not None:
        clauses.append("p.has_code = ?")
        params.append(int(sel.code))
    return clauses, params


# bm25 weights, in FTS column order: title, authors, affiliations, abstract
RANK = "bm25(papers_fts, 10.0, 5.0, 2.0, 1.0)"
# NULL sorts below every value in SQLite, so DESC already puts papers without a date
# (or score) last; written this way, the orders are the indices' (see migrations)
SORTS = {
    "date": "p.date DESC, p.title",
    "title": "p.title COLLATE NOCASE, p.date DESC",
    "score": "p.score DESC, p.date DESC",
    "relevance": "rank",
}


def select_sql(sel: Selection, *, match: str | None = None, exclude: str | None = None,
               sort: str = "date", limit: int | None = None,
               snippets: bool = False) -> tuple[str, list]:
    """The one SELECT behind list, search and export. Full-text search is a JOIN with
    the index (``rowid IN (... MATCH ...)`` would re-run the match for every row)."""
    if limit:
        return _select_top_sql(sel, match=match, exclude=exclude, sort=sort, limit=limit,
                               snippets=snippets)
    clauses, params = where_sql(sel)
    cols = PAPER_COLUMNS
    if match:
        if exclude:
            match = f"({match}) NOT ({exclude})"
            exclude = None
        cols += f", {RANK} AS rank"
        if snippets:
            cols += ", snippet(papers_fts, 3, '', '', '…', 14) AS snip"
        sql = f"{cols}\nFROM papers_fts JOIN papers p ON p.pk = papers_fts.rowid"
        clauses.insert(0, "papers_fts MATCH ?")
        params.insert(0, match)
    else:
        sql = cols + "\nFROM papers p"
        if sort == "relevance":
            sort = "date"
    if exclude:
        clauses.append("p.pk NOT IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?)")
        params.append(exclude)
    if clauses:
        sql += "\nWHERE " + " AND ".join(clauses)
    sql += f"\nORDER BY {SORTS[sort]}"
    if limit:
        sql += "\nLIMIT ?"
        params.append(limit)
    return sql, params


def _select_top_sql(sel: Selection, *, match: str | None, exclude: str | None, sort: str,
                    limit: int, snippets: bool) -> tuple[str, list]:
    """``select_sql`` with a limit: the inner query ranks (or sorts) the selection by
    pk alone, and only the rows it keeps get their columns, profiles and snippet. In
    one query, every match of a common word had its snippet made and its abstract
    carried through the sort, to show twenty."""
    clauses, params = where_sql(sel)
    if not match and sort == "relevance":
        sort = "date"
    if match:
        if exclude:
            match = f"({match}) NOT ({exclude})"
            exclude = None
        clauses.insert(0, "papers_fts MATCH ?")
        params.insert(0, match)
    if exclude:
        clauses.append("p.pk NOT IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?)")
        params.append(exclude)
    # papers joined in the inner query only where a filter or the order needs them
    inner = (bool(match), len(clauses) > 1 or sort != "relevance") if match else (False, True)
    where = " WHERE " + " AND ".join(clauses) if clauses else ""
    snip = bool(match and snippets)
    sql = (f"{PAPER_COLUMNS}{_TOP_COLUMNS[bool(match), snip]}\n"
           f"FROM ({_TOP_SELECT[inner]}{where} ORDER BY {SORTS[sort]}, {_TOP_TIE[inner]} "
           f"LIMIT ?) AS top CROSS JOIN papers p ON p.pk = top.pk{_TOP_SNIPPET_JOIN[snip]}\n"
           f"ORDER BY {_TOP_ORDER[sort]}, p.pk")
    params.append(limit)
    if snip:
        params.append(match)
    return sql, params


# The pieces of _select_top_sql, by (full-text match?, papers joined?) and the like.
# CROSS JOIN fixes the order: the kept rows drive, and papers and the index are looked
# up by rowid (left free, the planner ran the whole match again for snippet()).
_TOP_SELECT = {
    (True, True): "SELECT papers_fts.rowid AS pk, " + RANK + " AS rank FROM papers_fts "
                  "JOIN papers p ON p.pk = papers_fts.rowid",
    (True, False): "SELECT papers_fts.rowid AS pk, " + RANK + " AS rank FROM papers_fts",
    (False, True): "SELECT p.pk AS pk FROM papers p",
}
_TOP_TIE = {(True, True): "papers_fts.rowid", (True, False): "papers_fts.rowid",
            (False, True): "p.pk"}
_TOP_COLUMNS = {(False, False): "", (True, False): ", top.rank AS rank",
                (True, True): ", top.rank AS rank, snippet(papers_fts, 3, '', '', '…', 14) AS snip"}
_TOP_SNIPPET_JOIN = {
    False: "",
    # the index again, for the kept rows only: snippet() needs the match it shows
    True: "\nCROSS JOIN papers_fts ON papers_fts.rowid = top.pk AND papers_fts MATCH ?",
}
_TOP_ORDER = {**SORTS, "relevance": "top.rank"}


def run_selection(conn: sqlite3.Connection, sql: str, params: Sequence
                  ) -> Iterator[tuple[Paper, str | None]]:
    """Papers with their abstract snippet (None when the query has no words)."""
    try:
        cursor = conn.execute(sql, params)
        for row in cursor:
            yield paper_from_row(row), (row[12] if len(row) > 12 else None)
    except sqlite3.OperationalError as e:
        if "fts5" in str(e).lower() or "match" in str(e).lower():
            from catalog.errors import QuerySyntaxError

            raise QuerySyntaxError(f"the search index could not read this query ({e})") from None
        raise


def fts_matches(conn: sqlite3.Connection, match: str) -> bool:
    return conn.execute("SELECT 1 FROM papers_fts WHERE papers_fts MATCH ? LIMIT 1",
                        (match,)).fetchone() is not None


def vocabulary(conn: sqlite3.Connection, first: str) -> list[tuple[str, int]]:
    """Indexed (stemmed) terms starting with ``first``, with their document counts."""
    return conn.execute(
        "SELECT term, doc FROM papers_fts_vocab WHERE term >= ? AND term < ?",
        (first, first + "\U0010ffff")).fetchall()


def texts_matching(conn: sqlite3.Connection, match: str, limit: int = 20) -> list[str]:
    return [r[0] for r in conn.execute(
        "SELECT p.title || ' ' || p.abstract FROM papers_fts JOIN papers p "
        "ON p.pk = papers_fts.rowid WHERE papers_fts MATCH ? LIMIT ?", (match, limit))]


def people_by_key(conn: sqlite3.Connection, key: str) -> list[tuple[int, str]]:
    return conn.execute("SELECT id, name FROM people WHERE name_key = ?", (key,)).fetchall()


def profiles_for(conn: sqlite3.Connection, key: str, person_ids: Sequence[int]
                 ) -> list[tuple[int, str]]:
    return conn.execute(
        f"SELECT id, name FROM profiles WHERE name_key = ? OR person_id IN {_in(person_ids)}",
        (key, *person_ids)).fetchall()


def all_names(conn: sqlite3.Connection) -> list[str]:
    """Every person and profile name, for fuzzy matching."""
    return [r[0] for r in conn.execute(
        "SELECT name FROM people UNION SELECT name FROM profiles")]


def name_table(conn: sqlite3.Connection) -> tuple[list[str], list[str], list[str]]:
    """``all_names`` with each name's key and words, as stored (nothing to compute)."""
    # the rows of a UNION, in its order, without its sort of every row inside SQLite
    # (measured: 190 ms against 130 for 120,000 names): people are distinct already
    rows = conn.execute("SELECT name, name_key, words FROM people").fetchall()
    seen = set(rows)
    rows += [r for r in conn.execute("SELECT name, name_key, words FROM profiles")
             if r not in seen]
    rows.sort()
    if not rows:
        return [], [], []
    names, keys, words = (list(col) for col in zip(*rows))
    return names, keys, words


def profile_names(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT name FROM profiles")]


# -- browsing: author pages, topics, statistics, shell completion (#4) -----------

def profile_summary(conn: sqlite3.Connection, profile_id: int) -> ProfileSummary | None:
    return next(iter_profiles(conn, profile_id=profile_id), None)


def profile_history(conn: sqlite3.Connection, profile_id: int) -> list[tuple]:
    """(as_of, source, topic, h_index, papers, citations, novelty, ai_score) of each
    capture of a profile header, oldest first."""
    return conn.execute(
        "SELECT as_of, source, topic, h_index, papers, citations, novelty, ai_score "
        "FROM profile_snapshots WHERE profile_id = ? ORDER BY as_of", (profile_id,)).fetchall()


def coauthor_counts(conn: sqlite3.Connection, sel: Selection, exclude_keys: Sequence[str]
                    ) -> list[tuple[str, int]]:
    """(name, shared papers) of the people in the visible author lists of the selected
    papers, most shared first; ``exclude_keys`` (name keys) leaves the author out."""
    clauses, params = where_sql(sel)
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    return conn.execute(
        "SELECT pe.name, count(DISTINCT a.paper_pk) AS n FROM authorships a "
        "JOIN people pe ON pe.id = a.person_id "
        f"WHERE a.paper_pk IN (SELECT p.pk FROM papers p {where}) "
        f"AND pe.name_key NOT IN {_in(exclude_keys)} "
        "GROUP BY pe.id ORDER BY n DESC, pe.name COLLATE NOCASE",
        (*params, *exclude_keys)).fetchall()


def topic_counts(conn: sqlite3.Connection) -> list[tuple[str, int, str | None, str | None]]:
    """(code, papers, first date, last date) per topic, most papers first."""
    return conn.execute(
        "SELECT topic, count(*) AS n, min(date), max(date) FROM papers "
        "WHERE topic IS NOT NULL GROUP BY topic ORDER BY n DESC, topic").fetchall()


def year_counts(conn: sqlite3.Connection) -> list[tuple[int | None, int]]:
    """(year, papers), oldest first; the undated papers come last, as year None."""
    return conn.execute(
        "SELECT year, count(*) FROM papers GROUP BY year ORDER BY year IS NULL, year"
    ).fetchall()


def browse_counts(conn: sqlite3.Connection) -> dict[str, int]:
    row = conn.execute(
        "SELECT (SELECT count(*) FROM papers), (SELECT count(*) FROM profiles), "
        "(SELECT count(*) FROM people), (SELECT count(*) FROM papers WHERE has_code)"
    ).fetchone()
    return dict(zip(("papers", "profiles", "people", "with_code"), row))


# A person's papers: visible authorships plus the pages of the profiles they own,
# the rule of the --author filter.
_PERSON_PAPERS = """
SELECT person_id, paper_pk FROM authorships
UNION
SELECT pr.person_id, l.paper_pk FROM listings l JOIN profiles pr ON pr.id = l.profile_id
WHERE pr.person_id IS NOT NULL"""


def top_authors(conn: sqlite3.Connection, limit: int) -> list[tuple[str, int]]:
    """(name, papers) of the people with the most papers."""
    return conn.execute(
        f"SELECT pe.name, count(*) AS n FROM ({_PERSON_PAPERS}) pp "
        "JOIN people pe ON pe.id = pp.person_id "
        "GROUP BY pe.id ORDER BY n DESC, pe.name COLLATE NOCASE LIMIT ?", (limit,)).fetchall()


def _read_only(path: Path) -> sqlite3.Connection | None:
    """A connection that can neither create nor change the file (shell completion)."""
    if not path.is_file():
        return None
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=1)


_LIKE_ESCAPES = {ord(c): "\\" + c for c in "\\%_"}


def complete_names(path: Path, typed: str, *, profiles_only: bool = False,
                   limit: int = 100) -> list[str]:
    """Names of people and profiles that ``typed`` begins, matched by name key (case,
    accents, dots and spaces ignored); else names with a word that begins so."""
    conn = _read_only(path)
    if conn is None:
        return []
    try:
        tables = ("profiles",) if profiles_only else ("people", "profiles")
        union = " UNION ".join(f"SELECT name FROM {t} WHERE name_key GLOB ?" for t in tables)
        key = name_key(typed)
        found = [r[0] for r in conn.execute(
            f"SELECT name FROM ({union}) ORDER BY name COLLATE NOCASE LIMIT ?",
            (*(key + "*" for _ in tables), limit))]
        if found or not key:
            return found
        # no name begins so: a later word may ("dollar" -> "Piotr Dollár")
        conn.create_function("fold", 1, fold, deterministic=True)
        pattern = "% " + fold(typed).strip().translate(_LIKE_ESCAPES) + "%"
        union = " UNION ".join(
            f"SELECT name FROM {t} WHERE ' ' || fold(name) LIKE ? ESCAPE '\\'" for t in tables)
        return [r[0] for r in conn.execute(
            f"SELECT name FROM ({union}) ORDER BY name COLLATE NOCASE LIMIT ?",
            (*(pattern for _ in tables), limit))]
    finally:
        conn.close()


def complete_topics(path: Path) -> list[str]:
    """The topic codes the catalog's papers and profiles carry."""
    conn = _read_only(path)
    if conn is None:
        return []
    try:
        return [r[0] for r in conn.execute(
            "SELECT topic FROM papers WHERE topic IS NOT NULL "
            "UNION SELECT topic FROM profiles WHERE topic IS NOT NULL ORDER BY 1")]
    finally:
        conn.close()
