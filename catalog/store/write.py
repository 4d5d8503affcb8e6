"""Writing pages into the catalog: one transaction per page, merged papers.

A page is written in one transaction by ``save_page``: the caller's crash or Ctrl-C
leaves the catalog as it was before that page.

A paper is one row however many pages list it. Each page's view of it is kept in
``sightings``; the paper row is recomputed from them: for each field the latest capture
(``as_of``, then load order) that gives a value wins, and ``has_code`` is true if any
page says so.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, fields, replace

from catalog.errors import DatabaseError
from catalog.keys import citation_key, unique_key
from catalog.migrations import FTS_COLUMNS
from catalog.models import Entry, Page
from catalog.names import (
    MIN_FUZZY_WORD,
    deletion_variants,
    name_key,
    name_words,
    paper_id,
    title_key,
)
from catalog.store.open import BUSY_TIMEOUT_MS
from catalog.store.read import _in

# -- writing -----------------------------------------------------------------

@dataclass
class SaveResult:
    profile: str
    new: int = 0
    merged: int = 0
    unchanged: int = 0


@dataclass(frozen=True)
class Sighting:
    """One page's view of a paper, as the ``sightings`` table stores it (lists joined
    with ", ", the date in ISO form, flags as 0/1); merged, it is the paper row."""

    title: str
    authors: str
    authors_truncated: int
    affiliations: str
    topic: str | None
    topics: str | None  # every code of the header, space-joined; the first is topic
    date: str | None
    has_code: int
    score: float | None
    abstract: str

    @classmethod
    def of(cls, e: Entry) -> Sighting:
        return cls(e.title, ", ".join(e.authors), int(e.authors_truncated),
                   ", ".join(e.affiliations), e.topic,
                   " ".join(dict.fromkeys(e.topics or ((e.topic,) if e.topic else ())))
                   or None,
                   e.date.isoformat() if e.date else None,
                   int(e.has_code), e.score, e.abstract)

    @property
    def year(self) -> int | None:
        return int(self.date[:4]) if self.date else None

    def values(self) -> tuple:
        """The fields in column order (``SIGHTING_FIELDS``), for an INSERT."""
        return (self.title, self.authors, self.authors_truncated, self.affiliations,
                self.topic, self.topics, self.date, self.has_code, self.score, self.abstract)


SIGHTING_FIELDS = tuple(f.name for f in fields(Sighting))


def _merge(sightings: Sequence[Sighting]) -> Sighting:
    """The paper row from its sightings, ordered oldest capture first: the latest
    sighting, its empty fields filled from the latest one that gives them."""
    filled: dict[str, object] = {}
    for field in ("affiliations", "topic", "date", "score", "abstract"):
        for s in reversed(sightings):
            value = getattr(s, field)
            if value not in (None, ""):
                filled[field] = value
                if field == "topic":  # the codes come with the topic, from one listing
                    filled["topics"] = s.topics or value
                break
    return replace(sightings[-1], **filled,  # type: ignore[arg-type]
                   has_code=int(any(s.has_code for s in sightings)))


def _inserted(cursor: sqlite3.Cursor) -> int:
    """The rowid an INSERT just gave (sqlite3 types it optional for other statements)."""
    rowid = cursor.lastrowid
    if rowid is None:
        raise RuntimeError("an INSERT gave no rowid")
    return rowid


class WriteCache:
    """What one load has learnt, kept across its transactions: people's ids by name
    key. Ids written by a transaction count only once it commits (a rolled-back page
    takes its new people with it), and the cache is bounded for any corpus size.

    ``deferred``: the load's pages leave their new papers and people out of
    ``papers_fts`` and the name index, for ``store.backlog`` to index at its end."""

    LIMIT = 200_000

    def __init__(self, *, deferred: bool = False) -> None:
        self.people: dict[str, int] = {}
        self._new: dict[str, int] = {}
        self.deferred = deferred

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


def name_known(conn: sqlite3.Connection, key: str) -> bool:
    """Does the catalog (as this connection sees it) know a person of this name key?"""
    return conn.execute(
        "SELECT 1 FROM people WHERE name_key = ?", (key,)).fetchone() is not None


def known_name(conn: sqlite3.Connection, cache: WriteCache | None = None
               ) -> Callable[[str], bool]:
    """A predicate on name keys: does the catalog already know this person?"""
    def check(key: str) -> bool:
        if cache is not None and cache.person(key) is not None:
            return True
        return name_known(conn, key)
    return check


def defer_checkpoints(conn: sqlite3.Connection) -> None:
    """For a load of many files, on this connection only.

    Each file commits on its own, and a commit rewrites a few hundred pages of indices
    into the write-ahead log; checkpointing that log every 4 MB (SQLite's default) made
    the checkpoints' fsyncs a quarter of a large load's time. Every 256 MB instead (a
    page rewritten by many commits is copied back once); the last close checkpoints
    the rest and removes the log."""
    conn.execute("PRAGMA wal_autocheckpoint = 65536")


def defer_syncs(conn: sqlite3.Connection, papers: int) -> bool:
    """Before a load of about ``papers`` new papers into a catalog that holds none:
    write without waiting for the disk (``synchronous = OFF``) until ``end_deferred_syncs``.
    Whether it did (a connection set to sync more than catalog's NORMAL is left so).

    With ``synchronous = NORMAL`` each checkpoint of the write-ahead log waits for the
    log to reach the disk. A page's commit rewrites a few hundred pages of random-keyed
    indices, so a million papers wrote 25.7 GB of log, and waiting for it took 12-15 s
    of a 120 s pages phase (#13). Skipping those waits loses nothing to a crash of the
    program (``kill -9``, Ctrl-C): the log is in the operating system's hands at each
    commit. Only a power cut or an operating-system crash during the load could leave
    the file unusable, and then only a file that held no papers before it: this is
    done for a first load alone, where loading again is the whole remedy."""
    if papers < BULK_PAPERS or _largest_pk(conn) is not None \
            or conn.execute("PRAGMA synchronous").fetchone()[0] != _NORMAL:
        return False
    conn.execute("PRAGMA synchronous = OFF")
    return True


_NORMAL = 1  # PRAGMA synchronous's number for NORMAL


def end_deferred_syncs(conn: sqlite3.Connection) -> None:
    """Back to syncing as ``store.open`` sets it, and a checkpoint that syncs the log
    and the database file: what the load committed is on the disk from here on."""
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA wal_checkpoint(PASSIVE)")


# -- what a load leaves to index at its end (store.backlog) --------------------------

def defer_indexing(conn: sqlite3.Connection) -> None:
    """In a page's transaction: the papers and people it adds are indexed later.

    Each page kept ``papers_fts`` and the name index up to date, in many small
    transactions: FTS5 flushed a small segment at each commit and merged them again,
    and each name's words went to random places of three large indices. That was a
    third of the writer's time in a large load (#13). The load indexes them at its end
    instead, in large ordered transactions (``store.backlog.catch_up``).

    Rows added from now on take ids past every id so far: the backlog starts there
    unless it starts earlier already."""
    for name, last in LAST_ID.items():
        conn.execute(_DEFER, (name, conn.execute(last).fetchone()[0] or 0))


# each backlog's table: the largest id it holds
LAST_ID = {"papers_fts": "SELECT max(pk) FROM papers", "names": "SELECT max(id) FROM people"}
_DEFER = ("INSERT INTO index_backlog (name, from_id) VALUES (?, ? + 1) ON CONFLICT (name) "
          "DO UPDATE SET from_id = min(from_id, excluded.from_id)")


# Indices that a load never reads and whose entries land at random places (a paper's
# day, its topic, each author's id). Kept page by page, each page's commit rewrote a few
# hundred random pages of them; a load of a million papers into a new catalog spent
# 351 s on its pages with them and 257 s without, and building the three anew at its
# end takes 4.5 s (#13). The statements are those of migration 1; a test holds them to it.
BULK_INDICES = {
    "idx_papers_date": "CREATE INDEX IF NOT EXISTS idx_papers_date ON papers(date DESC)",
    "idx_papers_topic":
        "CREATE INDEX IF NOT EXISTS idx_papers_topic ON papers(topic, date DESC)",
    "idx_authorships_person":
        "CREATE INDEX IF NOT EXISTS idx_authorships_person ON authorships(person_id, paper_pk)",
}
_DROP_INDEX = {
    "idx_papers_date": "DROP INDEX IF EXISTS idx_papers_date",
    "idx_papers_topic": "DROP INDEX IF EXISTS idx_papers_topic",
    "idx_authorships_person": "DROP INDEX IF EXISTS idx_authorships_person",
}
# a load this large (and at least as large as the catalog) drops BULK_INDICES
BULK_PAPERS = 50_000


def defer_indices(conn: sqlite3.Connection, papers: int) -> bool:
    """Before a load of about ``papers`` new papers: drop ``BULK_INDICES`` for the
    backlog to build again (``store.backlog``), when that is cheaper than keeping
    them, i.e. when the load is large and the catalog no larger. Whether it did."""
    if papers < BULK_PAPERS or papers < (_largest_pk(conn) or 0):
        return False
    with write_transaction(conn):
        for name, drop in _DROP_INDEX.items():
            if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?",
                            (name,)).fetchone():
                conn.execute("INSERT OR IGNORE INTO index_backlog (name, from_id) "
                             "VALUES (?, 0)", (name,))
                conn.execute(drop)
    return True


def _largest_pk(conn: sqlite3.Connection) -> int | None:
    """The largest paper pk so far (None: the catalog holds no paper)."""
    largest = LAST_ID["papers_fts"]  # a fixed statement
    value: int | None = conn.execute(largest).fetchone()[0]
    return value


def backlog_from(conn: sqlite3.Connection, name: str) -> int | None:
    """Where the backlog of ``name`` ("papers_fts" or "names") starts; None: none."""
    row = conn.execute("SELECT from_id FROM index_backlog WHERE name = ?",
                       (name,)).fetchone()
    return row[0] if row else None


def in_fts(conn: sqlite3.Connection, pk: int) -> bool:
    """Is the paper in ``papers_fts``? (Not while its load's backlog holds it.)"""
    start = backlog_from(conn, "papers_fts")
    return start is None or pk < start


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
        row = (_inserted(conn.execute("INSERT INTO people (name, name_key, words) "
                                      "VALUES (?, ?, ?)", (name, key, name_words(name)))),)
        if cache is None or not cache.deferred:
            index_person(conn, row[0], name_words(name))
    if cache is not None:
        cache.add(key, row[0])
    return row[0]


def index_person(conn: sqlite3.Connection, person_id: int, words: str) -> None:
    """Add a person's name words to the name index (``m003_name_index``, #16)."""
    for word in set(words.split()):
        conn.execute("INSERT OR IGNORE INTO person_words (word, person_id) VALUES (?, ?)",
                     (word, person_id))
        if len(word) >= MIN_FUZZY_WORD and conn.execute(
                "INSERT OR IGNORE INTO name_vocab (word) VALUES (?)", (word,)).rowcount:
            conn.executemany("INSERT OR IGNORE INTO name_deletes (variant, word) VALUES (?, ?)",
                             [(v, word) for v in deletion_variants(word)])


def unindex_people(conn: sqlite3.Connection, person_ids: Sequence[int]) -> None:
    """Forget people (and their words no one else carries) in the name index."""
    for pid in person_ids:
        words = [r[0] for r in conn.execute(
            "SELECT word FROM person_words WHERE person_id = ?", (pid,))]
        conn.execute("DELETE FROM person_words WHERE person_id = ?", (pid,))
        for word in words:
            if conn.execute("SELECT 1 FROM person_words WHERE word = ?", (word,)).fetchone():
                continue
            if conn.execute("DELETE FROM name_vocab WHERE word = ?", (word,)).rowcount:
                conn.executemany("DELETE FROM name_deletes WHERE variant = ? AND word = ?",
                                 [(v, word) for v in deletion_variants(word)])


def _fts_row(s: Sighting) -> tuple:
    return tuple(getattr(s, c) for c in FTS_COLUMNS)


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


@contextlib.contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """One write transaction (``_begin_write``): committed when the block ends, rolled
    back when anything, Ctrl-C included, leaves it."""
    _begin_write(conn)
    try:
        yield
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
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
    progress: Callable[[int, int], None] | None = None,
) -> SaveResult:
    """Write one parsed page in one transaction (all of it, or none of it).

    ``cache`` (one per load) saves look-ups that earlier pages of the load made;
    ``progress(done, entries)`` is told as a large page's entries are written."""
    cache = cache if cache is not None else WriteCache()
    _begin_write(conn)
    try:
        if cache.deferred:
            defer_indexing(conn)
        result = _save_page(conn, page, profile_name, named, as_of.isoformat(),
                            source, sha256, cache, progress)
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
        profile_id = _inserted(conn.execute(
            "INSERT INTO profiles (name, name_key, words, named, person_id, source, as_of, "
            "topic, h_index, papers, citations, novelty, ai_score) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (name, key, name_words(name), int(named), person, source, as_of, *figures)))
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


# a large page's new papers are written this many at a time, so that its progress
# shows (#16) and the batch's memory stays bounded; still one statement a table each
PROGRESS_EVERY = 2000


def _save_page(conn: sqlite3.Connection, page: Page, name: str, named: bool, as_of: str,
               source: str, sha256: str, cache: WriteCache,
               progress: Callable[[int, int], None] | None = None) -> SaveResult:
    result = SaveResult(name)
    profile_id = _save_profile(conn, page, name, named, as_of, source, cache)
    if conn.execute("SELECT 1 FROM loads WHERE sha256 = ? AND as_of = ? AND profile_id = ?",
                    (sha256, as_of, profile_id)).fetchone():
        # the very same page, captured on the same day: nothing to change
        result.unchanged = len(page.entries)
        return result
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    load_id = _inserted(conn.execute(
        "INSERT INTO loads (source, sha256, as_of, profile_id, entries, loaded_at) "
        "VALUES (?,?,?,?,?,?)",
        (source, sha256, as_of, profile_id, len(page.entries), now)))
    keyed = [(title_key(e.title), e) for e in page.entries]
    held = _papers_held(conn, [k for k, _ in keyed])
    batch = _NewPapers(conn, profile_id, as_of, load_id, cache)
    for done, (key, entry) in enumerate(keyed):
        if progress is not None and done and not done % PROGRESS_EVERY:
            batch.flush()
            progress(done, len(keyed))
        sighting = Sighting.of(entry)
        pk = held.get(key) or batch.pks.get(key)
        if pk is None:
            # a new paper, the common case: written in batches, one statement a table
            batch.add(key, sighting)
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
        if old is not None and (Sighting(*old[1:]) == sighting or old[0] > as_of):
            conn.execute("INSERT OR IGNORE INTO listings (profile_id, paper_pk) "
                         "VALUES (?, ?)", (profile_id, pk))
            result.unchanged += 1
            continue
        result.merged += 1
        if old is not None:
            conn.execute("DELETE FROM sightings WHERE paper_pk = ? AND profile_id = ?",
                         (pk, profile_id))
        conn.execute(_SIGHTING_INSERT, (pk, profile_id, as_of, load_id, *sighting.values()))
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
        self.keys: set[str] = set()  # cite keys given to this batch
        self.fts_from = backlog_from(conn, "papers_fts")  # pks from here: not in FTS5

    def add(self, key: str, s: Sighting) -> int:
        """Queue one new paper for the page's batch; its pk."""
        if not self.next_pk:
            self.next_pk = self.conn.execute(
                "SELECT coalesce(max(pk), 0) + 1 FROM papers").fetchone()[0]
        pk = self.next_pk
        self.next_pk += 1
        self.pks[key] = pk
        self.papers.append((pk, paper_id(key), key, self._cite_key(s), *_row_values(s)))
        self.fts.append((pk, *_fts_row(s)))
        self.authorships += [(pk, i, _person_id(self.conn, n, self.cache))
                             for i, n in enumerate(s.authors.split(", ")) if n]
        # the paper row was made from this sighting: its text is not stored twice
        self.sightings.append((pk, self.profile_id, self.as_of, self.load_id, None, None,
                               s.authors_truncated, s.affiliations, s.topic, s.topics, s.date,
                               s.has_code, s.score, None))
        return pk

    def _cite_key(self, s: Sighting) -> str:
        """The paper's cite key, given now and never changed: the readable base
        (``he2015deep``), suffixed ``a``, ``b``... past the keys already given."""
        base = citation_key([a for a in s.authors.split(", ") if a], s.date, s.title)
        key = base
        if base in self.keys or self.conn.execute(
                "SELECT 1 FROM papers WHERE key = ?", (base,)).fetchone():
            # every key that starts with the base, in one range read of the unique
            # index: a common base ("anon") would otherwise cost a query per suffix
            taken = self.keys | {k for (k,) in self.conn.execute(
                "SELECT key FROM papers WHERE key >= ? AND key < ?", (base, base + "{"))}
            key = unique_key(base, taken.__contains__)
        self.keys.add(key)
        return key

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
        start = self.fts_from
        conn.executemany(_FTS_INSERT, [r for r in self.fts if start is None or r[0] < start])
        conn.executemany("INSERT INTO authorships (paper_pk, position, person_id) "
                         "VALUES (?, ?, ?)", self.authorships)
        conn.executemany(_SIGHTING_INSERT, self.sightings)
        conn.executemany("INSERT OR IGNORE INTO listings (profile_id, paper_pk) VALUES (?, ?)",
                         [(self.profile_id, row[0]) for row in self.papers])
        for rows in (self.papers, self.fts, self.authorships, self.sightings):
            rows.clear()


_PAPER_COLS = ("title", "authors", "authors_truncated", "affiliations", "topic", "topics",
               "date", "year", "has_code", "score", "abstract")


def _row_values(s: Sighting) -> tuple:
    """The paper row's values in ``_PAPER_COLS`` order: the sighting and its year."""
    return (s.title, s.authors, s.authors_truncated, s.affiliations, s.topic, s.topics,
            s.date, s.year, s.has_code, s.score, s.abstract)


_PAPER_INSERT = (f"INSERT INTO papers (pk, id, title_key, key, {', '.join(_PAPER_COLS)}) "
                 f"VALUES (?, ?, ?, ?, {', '.join('?' * len(_PAPER_COLS))})")
# A sighting's values: a NULL title, author list or abstract is the paper row's (the
# sightings of a paper that one page lists would otherwise double the catalog's text).
_SIGHTING_VALUES = (
    "coalesce(s.title, p.title), coalesce(s.authors, p.authors), s.authors_truncated, "
    "s.affiliations, s.topic, s.topics, s.date, s.has_code, s.score, "
    "coalesce(s.abstract, p.abstract) "
    "FROM sightings s JOIN papers p ON p.pk = s.paper_pk")
_SIGHTING_INSERT = (f"INSERT INTO sightings (paper_pk, profile_id, as_of, load_id, "
                    f"{', '.join(SIGHTING_FIELDS)}) "
                    f"VALUES (?,?,?,?,{', '.join('?' * len(SIGHTING_FIELDS))})")


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
    sightings = [Sighting(*row) for row in conn.execute(
        f"SELECT {_SIGHTING_VALUES} WHERE s.paper_pk = ? ORDER BY s.as_of, s.load_id",
        (pk,))]
    new = _merge(sightings)
    cur = conn.execute(f"SELECT {', '.join(_PAPER_COLS)} FROM papers WHERE pk = ?",
                       (pk,)).fetchone()
    values = _row_values(new)
    if tuple(cur) == values:
        return
    old = Sighting(*(v for c, v in zip(_PAPER_COLS, cur, strict=True) if c != "year"))
    # sightings that share the paper row's text get their own copy of it first
    conn.execute("UPDATE sightings SET title = coalesce(title, ?), "
                 "authors = coalesce(authors, ?), abstract = coalesce(abstract, ?) "
                 "WHERE paper_pk = ?", (old.title, old.authors, old.abstract, pk))
    conn.execute(
        f"UPDATE papers SET {', '.join(c + ' = ?' for c in _PAPER_COLS)} WHERE pk = ?",
        (*values, pk))
    # a paper of the backlog enters papers_fts with its final values (store.backlog)
    ops = ([(pk, _FTS_DELETE, _fts_row(old)), (pk, _FTS_INSERT, _fts_row(new))]
           if in_fts(conn, pk) else [])
    if fts_ops is None:
        for _, statement, row in ops:
            conn.execute(statement, (pk, *row))
    else:
        fts_ops += ops
    if old.authors != new.authors:
        _save_authorships(conn, pk, new.authors, cache)

