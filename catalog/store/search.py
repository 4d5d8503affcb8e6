"""The SQL of best-match search (every statement binds its values).

``catalog.search`` decides what a query means; this module turns that into one
SELECT over the full-text index and reads the hits back.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from catalog.errors import QuerySyntaxError
from catalog.models import Hit, Paper
from catalog.store.read import (
    PAPER_COLUMNS,
    SORTS,
    Selection,
    _in,
    link_sets,
    paper_from_row,
    where_sql,
)

# The FTS5 index the searches the engine can't answer read (catalog.search_index):
# sqlite-utils' own, ``porter unicode61 remove_diacritics 2`` over the text as written.
# Columns: title, authors, affiliations, abstract.
FTS = "papers_fts"

# BM25 column weights, in the index's column order. A word in the title says far more
# about what a paper is about than one in its abstract (a title is ~10 words chosen
# to name the subject), an author's name is what people search a person by, and an
# affiliation slug is weak evidence. Tuned on the shared collections: title 2-3x the
# abstract was best everywhere (1x: nDCG@10 -0.01 to -0.02; 4x and more: lower again,
# a title that merely mentions a common word outranks abstracts about the query).
WEIGHTS = (3.0, 2.0, 0.5, 1.0)
_BM25 = f"bm25({FTS}, {', '.join(str(w) for w in WEIGHTS)})"


def _coordination(clauses: Sequence[str], factors: Sequence[float]) -> tuple[str, list]:
    """An SQL factor by the number of distinct should-clauses a row holds."""
    if len(clauses) < 2:
        return "1.0", []
    held = " + ".join(
        f"({FTS}.rowid IN (SELECT c.rowid FROM {FTS} AS c WHERE c.{FTS} MATCH ?))"
        for _ in clauses)
    cases = " ".join(f"WHEN {i} THEN {f!r}" for i, f in enumerate(factors))
    return f"(CASE {held} {cases} ELSE 1.0 END)", list(clauses)


def ranked_sql(sel: Selection, *, match: str, coordinate: Sequence[str] = (),
               factors: Sequence[float] = (), sort: str = "relevance",
               limit: int | None = None, without: int | None = None) -> tuple[str, list]:
    """Papers matching ``match`` (an FTS5 expression), each with its relevance: BM25
    times a coordination factor (``factors[n]`` for a paper holding ``n`` of the
    ``coordinate`` expressions). The inner query ranks by pk alone; only the rows
    it keeps get their columns and profiles."""
    clauses, params = where_sql(sel)
    coord, coord_params = _coordination(coordinate, factors)
    if without is not None:
        clauses.append(f"{FTS}.rowid != ?")
        params.append(without)
    joined = bool(clauses) or sort != "relevance"
    source = f"{FTS} JOIN papers p ON p.pk = {FTS}.rowid" if joined else FTS
    where = " AND ".join([f"{FTS} MATCH ?", *clauses])
    inner_order = ("relevance DESC" if sort == "relevance" else SORTS[sort]) + f", {FTS}.rowid"
    sql = (f"SELECT {FTS}.rowid AS pk, -{_BM25} * {coord} AS relevance "
           f"FROM {source} WHERE {where} ORDER BY {inner_order}")
    all_params = [*coord_params, match, *params]
    if limit:
        sql += " LIMIT ?"
        all_params.append(limit)
    outer = "top.relevance DESC" if sort == "relevance" else SORTS[sort]
    return (f"{PAPER_COLUMNS}, top.relevance\nFROM ({sql}) AS top "
            f"CROSS JOIN papers p ON p.pk = top.pk\nORDER BY {outer}, p.pk", all_params)


def rest_sql(sel: Selection, *, exclude: str, sort: str = "date",
             limit: int | None = None) -> tuple[str, list]:
    """The selected papers that do not match ``exclude`` (a query of only -words)."""
    clauses, params = where_sql(sel)
    clauses.append(f"p.pk NOT IN (SELECT rowid FROM {FTS} WHERE {FTS} MATCH ?)")
    params.append(exclude)
    where = " AND ".join(clauses)
    order = SORTS["date" if sort == "relevance" else sort]
    sql = f"{PAPER_COLUMNS}, 0.0\nFROM papers p WHERE {where}\nORDER BY {order}, p.pk"
    if limit:
        sql += " LIMIT ?"
        params.append(limit)
    return sql, params


_WIDTH = len(Paper.__dataclass_fields__)  # PAPER_COLUMNS; the relevance comes after


def run_ranked(conn: sqlite3.Connection, sql: str, params: Sequence) -> Iterator[Hit]:
    try:
        for row in conn.execute(sql, params):
            paper = paper_from_row(row)
            yield Hit(**{k: getattr(paper, k) for k in paper.__dataclass_fields__},
                      relevance=(row[_WIDTH] if len(row) > _WIDTH else None) or 0.0)
    except sqlite3.OperationalError as e:
        if "fts5" in str(e).lower() or "match" in str(e).lower():
            raise QuerySyntaxError(
                f"the search index could not read this query ({e})") from None
        raise


def doc_count(conn: sqlite3.Connection, match: str, cap: int = 5000) -> int:
    """How many papers match, counted up to ``cap`` (enough to tell rare from common)."""
    return conn.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM {FTS} WHERE {FTS} MATCH ? LIMIT ?)",
        (match, cap)).fetchone()[0]


def paper_count(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT max(pk) FROM papers").fetchone()[0] or 0


def paper_text(conn: sqlite3.Connection, pid: str) -> tuple[int, str, str] | None:
    """(pk, title, abstract) of the paper with this id."""
    row = conn.execute("SELECT pk, title, abstract FROM papers WHERE id = ?",
                       (pid,)).fetchone()
    return None if row is None else (row[0], row[1], row[2])


def matches(conn: sqlite3.Connection, match: str) -> bool:
    return conn.execute(f"SELECT 1 FROM {FTS} WHERE {FTS} MATCH ? LIMIT 1",
                        (match,)).fetchone() is not None


def vocabulary(conn: sqlite3.Connection, first: str) -> list[tuple[str, int]]:
    """Indexed (stemmed) terms starting with ``first``, with their document counts."""
    return conn.execute(
        f"SELECT term, doc FROM {FTS}_vocab WHERE term >= ? AND term < ?",
        (first, first + "\U0010ffff")).fetchall()


def texts_matching(conn: sqlite3.Connection, match: str, limit: int = 20) -> list[str]:
    return [r[0] for r in conn.execute(
        f"SELECT p.title || ' ' || p.abstract FROM {FTS} JOIN papers p "
        f"ON p.pk = {FTS}.rowid WHERE {FTS} MATCH ? LIMIT ?", (match, limit))]


# -- what the search engine's index is built from (catalog.search_index) ---------------

@dataclass(frozen=True)
class IndexRow:
    """One paper as the search engine's index holds it."""

    pk: int
    title: str
    authors: str
    affiliations: str
    abstract: str
    date: str | None
    topics: str
    has_code: bool


@dataclass(frozen=True)
class LogState:
    """Where the change log stands: the last sequence number ever given, the oldest
    still kept (None: the log is empty), and whose catalog this is."""

    head: int
    oldest: int | None
    catalog_id: str


_ROW_SQL = ("SELECT pk, title, authors, affiliations, abstract, date, "
            "coalesce(topics, topic, ''), has_code FROM papers")


def log_state(conn: sqlite3.Connection) -> LogState | None:
    """None for a catalog without the log (an older schema opened read-only)."""
    try:
        head = conn.execute(
            "SELECT seq FROM sqlite_sequence WHERE name = 'search_log'").fetchone()
        oldest = conn.execute("SELECT min(seq) FROM search_log").fetchone()[0]
        cid = conn.execute(
            "SELECT value FROM catalog_meta WHERE key = 'catalog_id'").fetchone()
    except sqlite3.OperationalError as e:
        if "no such table" in str(e):
            return None
        raise
    if cid is None:
        return None
    return LogState(head[0] if head else 0, oldest, cid[0])


def changed_since(conn: sqlite3.Connection, seq: int, head: int) -> list[int]:
    """The pks whose rows changed after ``seq`` (up to ``head``), each once."""
    return [r[0] for r in conn.execute(
        "SELECT DISTINCT pk FROM search_log WHERE seq > ? AND seq <= ? ORDER BY pk",
        (seq, head))]


def index_rows(conn: sqlite3.Connection, pks: Sequence[int] | None = None
               ) -> Iterator[IndexRow]:
    """Every paper (or those of ``pks`` that still exist), in pk order."""
    if pks is None:
        rows: Iterator = conn.execute(_ROW_SQL + " ORDER BY pk")
    else:
        rows = (r for i in range(0, len(pks), 500) for r in conn.execute(
            f"{_ROW_SQL} WHERE pk IN {_in(pks[i:i + 500])} ORDER BY pk",
            list(pks[i:i + 500])))
    for r in rows:
        yield IndexRow(r[0], r[1] or "", r[2] or "", r[3] or "", r[4] or "", r[5],
                       r[6] or "", bool(r[7]))


def forget_changes(conn: sqlite3.Connection, upto: int) -> None:
    """Prune the search index's change log up to what the index has taken in; a
    catalog that can't be written now (read-only, busy) keeps it for later."""
    try:
        conn.execute("DELETE FROM search_log WHERE seq <= ?", (upto,))
    except sqlite3.OperationalError as e:
        if not any(w in str(e) for w in ("readonly", "read-only", "locked", "busy")):
            raise


def selection_pks(conn: sqlite3.Connection, sel: Selection, cap: int) -> list[int] | None:
    """The pks the selection's author and profile filters allow (None: more than
    ``cap``, too many to hand the engine), read from the link tables alone."""
    sets, params = link_sets(sel)
    rows = conn.execute(f"SELECT * FROM ({' INTERSECT '.join(sets)}) LIMIT ?",
                        (*params, cap + 1)).fetchall()
    return None if len(rows) > cap else [r[0] for r in rows]


def hits_by_pk(conn: sqlite3.Connection, scored: Sequence[tuple[int, float]],
               sel: Selection) -> Iterator[Hit]:
    """The papers of ``scored`` (pk, relevance) that the selection holds, in that
    order: SQLite has the last word on the filters the engine read from its own
    fields (dates, topics, code); the author and profile filters came from SQLite
    (``selection_pks``) and are not asked again."""
    clauses, params = where_sql(replace(sel, person_ids=(), profile_ids=(), by_author=False,
                                        listed_by=(), by_profile=False))
    for start in range(0, len(scored), 500):
        chunk = scored[start:start + 500]
        where = " AND ".join([f"p.pk IN {_in(chunk)}", *clauses])
        rows = {row[-1]: row for row in conn.execute(
            f"{PAPER_COLUMNS}, p.pk FROM papers p WHERE {where}",
            (*(pk for pk, _ in chunk), *params))}
        for pk, relevance in chunk:
            row = rows.get(pk)
            if row is not None:
                paper = paper_from_row(row)
                yield Hit(**{k: getattr(paper, k) for k in paper.__dataclass_fields__},
                          relevance=relevance)
