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
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from catalog.errors import DatabaseError, DatabaseNotFound
from catalog.migrations import APPLICATION_ID, FTS_COLUMNS, SCHEMA_VERSION, migrate
from catalog.models import Entry, Page, Paper, ProfileSummary
from catalog.names import fold, name_key

_SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 30_000


def title_key(title: str) -> str:
    """Titles that differ only in case, accents, spacing or punctuation are one paper."""
    return " ".join("".join(c if c.isalnum() else " " for c in fold(title)).split())


def paper_id(key: str) -> str:
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


# -- opening -----------------------------------------------------------------

def _inspect(path: Path) -> tuple[int, int, int]:
    """(application_id, user_version, table count) read without writing anything."""
    try:
        with path.open("rb") as f:
            magic = f.read(16)
    except OSError as e:
        raise DatabaseError(f"cannot read the catalog {path}: {e.strerror}") from None
    if magic != _SQLITE_MAGIC:
        raise DatabaseError(f"{path} is not a catalog: not a SQLite database file")
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
            raise DatabaseError(
                f"{path} was written by a newer catalog (schema {version}, this one "
                f"knows {SCHEMA_VERSION}): upgrade catalog to use it")
    elif not create:
        raise DatabaseNotFound(
            f"no catalog at {path}: load pages first with `catalog load PATH`")
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000,
                               check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA recursive_triggers = ON")
        if conn.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
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


def known_name(conn: sqlite3.Connection):
    """A predicate on name keys: does the catalog already know this person?"""
    def check(key: str) -> bool:
        return conn.execute(
            "SELECT 1 FROM people WHERE name_key = ?", (key,)).fetchone() is not None
    return check


def _person_id(conn: sqlite3.Connection, name: str) -> int:
    return conn.execute(
        "INSERT INTO people (name, name_key) VALUES (?, ?) "
        "ON CONFLICT(name_key) DO UPDATE SET name_key = excluded.name_key RETURNING id",
        (name, name_key(name)),
    ).fetchone()[0]


def _fts_row(row: dict) -> tuple:
    return tuple(row[c] for c in FTS_COLUMNS)


_FTS_COLS_SQL = ", ".join(FTS_COLUMNS)
_FTS_INSERT = (f"INSERT INTO papers_fts (rowid, {_FTS_COLS_SQL}) "
               f"VALUES (?, {', '.join('?' * len(FTS_COLUMNS))})")
_FTS_DELETE = (f"INSERT INTO papers_fts (papers_fts, rowid, {_FTS_COLS_SQL}) "
               f"VALUES ('delete', ?, {', '.join('?' * len(FTS_COLUMNS))})")


def save_page(
    conn: sqlite3.Connection,
    page: Page,
    *,
    profile_name: str,
    named: bool,
    as_of: dt.date,
    source: str,
    sha256: str,
) -> SaveResult:
    """Write one parsed page in one transaction (all of it, or none of it)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        result = _save_page(conn, page, profile_name, named, as_of.isoformat(),
                            source, sha256)
        conn.execute("COMMIT")
        return result
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _save_profile(conn: sqlite3.Connection, page: Page, name: str, named: bool,
                  as_of: str, source: str) -> int:
    p = page.profile
    figures = (p.topic, p.h_index, p.papers, p.citations, p.novelty, p.ai_score)
    key = name_key(name) or name
    person = _person_id(conn, name) if named else None
    row = conn.execute("SELECT id, as_of FROM profiles WHERE name_key = ?", (key,)).fetchone()
    if row is None:
        profile_id = conn.execute(
            "INSERT INTO profiles (name, name_key, named, person_id, source, as_of, topic, "
            "h_index, papers, citations, novelty, ai_score) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) "
            "RETURNING id", (name, key, int(named), person, source, as_of, *figures),
        ).fetchone()[0]
    else:
        profile_id = row[0]
        if as_of >= row[1]:  # the latest capture's figures are the profile's figures
            conn.execute(
                "UPDATE profiles SET name = ?, source = ?, as_of = ?, topic = ?, "
                "h_index = ?, papers = ?, citations = ?, novelty = ?, ai_score = ? "
                "WHERE id = ?", (name, source, as_of, *figures, profile_id))
    if p.has_figures:
        conn.execute(
            "INSERT OR REPLACE INTO profile_snapshots (profile_id, as_of, source, topic, "
            "h_index, papers, citations, novelty, ai_score) VALUES (?,?,?,?,?,?,?,?,?)",
            (profile_id, as_of, source, *figures))
    return profile_id


def _save_page(conn: sqlite3.Connection, page: Page, name: str, named: bool, as_of: str,
               source: str, sha256: str) -> SaveResult:
    result = SaveResult(name)
    profile_id = _save_profile(conn, page, name, named, as_of, source)
    if conn.execute("SELECT 1 FROM loads WHERE sha256 = ? AND as_of = ? AND profile_id = ?",
                    (sha256, as_of, profile_id)).fetchone():
        # the very same page, captured on the same day: nothing to change
        result.unchanged = len(page.entries)
        return result
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    load_id = conn.execute(
        "INSERT INTO loads (source, sha256, as_of, profile_id, entries, loaded_at) "
        "VALUES (?,?,?,?,?,?) RETURNING id",
        (source, sha256, as_of, profile_id, len(page.entries), now),
    ).fetchone()[0]
    for entry in page.entries:
        key = title_key(entry.title)
        sighting = _sighting(entry)
        row = conn.execute("SELECT pk FROM papers WHERE title_key = ?", (key,)).fetchone()
        if row is None:
            pk = _insert_paper(conn, key, sighting)
            result.new += 1
        else:
            pk = row[0]
            old = conn.execute(
                f"SELECT as_of, {', '.join(_SIGHTING_FIELDS)} FROM sightings "
                "WHERE paper_pk = ? AND profile_id = ?", (pk, profile_id)).fetchone()
            # the same profile's older capture never overwrites a newer one
            if old is not None and (old[1:] == sighting or old[0] > as_of):
                conn.execute("INSERT OR IGNORE INTO listings (profile_id, paper_pk) "
                             "VALUES (?, ?)", (profile_id, pk))
                result.unchanged += 1
                continue
            result.merged += 1
        conn.execute(
            f"INSERT OR REPLACE INTO sightings (paper_pk, profile_id, as_of, load_id, "
            f"{', '.join(_SIGHTING_FIELDS)}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (pk, profile_id, as_of, load_id, *sighting))
        conn.execute("INSERT OR IGNORE INTO listings (profile_id, paper_pk) VALUES (?, ?)",
                     (profile_id, pk))
        if row is not None:
            _remerge(conn, pk)
    return result


_PAPER_COLS = ("title", "authors", "authors_truncated", "affiliations", "topic", "date",
               "year", "has_code", "score", "abstract")


def _row_values(row: dict) -> tuple:
    year = int(row["date"][:4]) if row.get("date") else None
    return tuple(year if c == "year" else row[c] for c in _PAPER_COLS)


def _insert_paper(conn: sqlite3.Connection, key: str, sighting: tuple) -> int:
    row = dict(zip(_SIGHTING_FIELDS, sighting))
    pk = conn.execute(
        f"INSERT INTO papers (id, title_key, {', '.join(_PAPER_COLS)}) "
        f"VALUES (?, ?, {', '.join('?' * len(_PAPER_COLS))}) RETURNING pk",
        (paper_id(key), key, *_row_values(row)),
    ).fetchone()[0]
    conn.execute(_FTS_INSERT, (pk, *_fts_row(row)))
    _save_authorships(conn, pk, row["authors"])
    return pk


def _save_authorships(conn: sqlite3.Connection, pk: int, authors: str) -> None:
    conn.execute("DELETE FROM authorships WHERE paper_pk = ?", (pk,))
    conn.executemany(
        "INSERT INTO authorships (paper_pk, position, person_id) VALUES (?, ?, ?)",
        [(pk, i, _person_id(conn, n)) for i, n in enumerate(authors.split(", ")) if n])


def _remerge(conn: sqlite3.Connection, pk: int) -> None:
    sightings = conn.execute(
        f"SELECT {', '.join(_SIGHTING_FIELDS)} FROM sightings WHERE paper_pk = ? "
        "ORDER BY as_of, load_id", (pk,)).fetchall()
    new = _merge(sightings)
    cur = conn.execute(f"SELECT {', '.join(_PAPER_COLS)} FROM papers WHERE pk = ?",
                       (pk,)).fetchone()
    old = dict(zip(_PAPER_COLS, cur))
    values = _row_values(new)
    if tuple(cur) == values:
        return
    conn.execute(
        f"UPDATE papers SET {', '.join(c + ' = ?' for c in _PAPER_COLS)} WHERE pk = ?",
        (*values, pk))
    conn.execute(_FTS_DELETE, (pk, *_fts_row(old)))
    conn.execute(_FTS_INSERT, (pk, *_fts_row(new)))
    if old["authors"] != new["authors"]:
        _save_authorships(conn, pk, new["authors"])


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


def iter_profiles(conn: sqlite3.Connection, where: str = "", params: Sequence = (),
                  order: str = "pr.id") -> Iterator[ProfileSummary]:
    for row in conn.execute(f"{PROFILE_SELECT} {where} ORDER BY {order}", params):
        yield ProfileSummary(*row)


def counts(conn: sqlite3.Connection) -> dict[str, int]:
    return {
        t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("papers", "profiles", "people", "loads")
    }


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
        clauses.append("p.year BETWEEN ? AND ?")
        params += list(sel.years)
    if sel.code is not None:
        clauses.append("p.has_code = ?")
        params.append(int(sel.code))
    return clauses, params


# bm25 weights, in FTS column order: title, authors, affiliations, abstract
RANK = "bm25(papers_fts, 10.0, 5.0, 2.0, 1.0)"
SORTS = {
    "date": "p.date IS NULL, p.date DESC, p.title",
    "title": "p.title COLLATE NOCASE, p.date DESC",
    "score": "p.score IS NULL, p.score DESC, p.date DESC",
    "relevance": "rank",
}


def select_sql(sel: Selection, *, match: str | None = None, exclude: str | None = None,
               sort: str = "date", limit: int | None = None,
               snippets: bool = False) -> tuple[str, list]:
    """The one SELECT behind list, search and export. Full-text search is a JOIN with
    the index (``rowid IN (... MATCH ...)`` would re-run the match for every row)."""
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


def profile_names(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT name FROM profiles")]
