"""The SQL of best-match search (every statement binds its values).

``catalog.search`` decides what a query means; this module turns that into one
SELECT over the full-text index and reads the hits back.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence

from catalog.errors import QuerySyntaxError
from catalog.models import Hit, Paper
from catalog.store.read import PAPER_COLUMNS, SORTS, Selection, paper_from_row, where_sql

# The index best-match searches: the text as catalog.analysis.index_text writes it
# (folded, CJK bigrams). Columns: title, authors, affiliations, abstract.
FTS = "papers_search"

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
