"""The queries of browsing (an author's page, topics, statistics) and of shell
completion (#4)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

from catalog.models import ProfileSummary
from catalog.names import fold, name_key
from catalog.store.open import open_read_only
from catalog.store.read import Selection, _in, iter_profiles, where_sql


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
    """(code, papers, first date, last date) per topic, most papers first. A paper
    counts under each of its codes (#14), so a count is what ``--topic`` finds: the
    first code is ``topic``; the others are read from ``topics`` (two letters each,
    space-joined) of the few papers with more than one, through their own index."""
    return conn.execute("""
        WITH RECURSIVE more(code, rest, date) AS (
            SELECT substr(topics, 4, 2), substr(topics, 7), date FROM papers
            WHERE length(topics) > 2
            UNION ALL
            SELECT substr(rest, 1, 2), substr(rest, 4), date FROM more WHERE rest <> '')
        SELECT code, count(*) AS n, min(date), max(date) FROM (
            SELECT topic AS code, date FROM papers WHERE topic IS NOT NULL
            UNION ALL
            SELECT code, date FROM more)
        GROUP BY code ORDER BY n DESC, code""").fetchall()


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
    return dict(zip(("papers", "profiles", "people", "with_code"), row, strict=True))


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
    """Completion's connection: none where there is no catalog, and a short wait."""
    if not path.is_file():
        return None
    return open_read_only(path, timeout=1)


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
        codes = {r[0] for r in topic_counts(conn)} | {r[0] for r in conn.execute(
            "SELECT DISTINCT topic FROM profiles WHERE topic IS NOT NULL")}
        return sorted(codes)
    finally:
        conn.close()
