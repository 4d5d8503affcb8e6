"""Reading the catalog: papers, profiles, the selection behind list, search and
export, and the look-ups that name resolution and typo correction make."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from catalog.errors import QuerySyntaxError
from catalog.models import Paper, ProfileSummary
from catalog.names import deletion_variants, edit_distance

PAPER_COLUMNS = """
SELECT p.id, p.title, p.authors, p.authors_truncated, p.affiliations, p.topic, p.date,
       p.has_code, p.score, p.abstract,
       (SELECT json_group_array(name) FROM (
            SELECT pr.name FROM listings l JOIN profiles pr ON pr.id = l.profile_id
            WHERE l.paper_pk = p.pk ORDER BY pr.id)) AS profiles, p.key, p.topics"""
PAPER_SELECT = PAPER_COLUMNS + "\nFROM papers p"


def _split(text: str) -> tuple[str, ...]:
    return tuple(x for x in text.split(", ") if x) if text else ()


def paper_from_row(row: Sequence) -> Paper:
    return Paper(
        id=row[0], title=row[1], authors=_split(row[2]), authors_truncated=bool(row[3]),
        affiliations=_split(row[4]), topic=row[5], date=row[6], has_code=bool(row[7]),
        score=row[8], abstract=row[9], profiles=tuple(json.loads(row[10] or "[]")),
        key=row[11] or "", topics=tuple((row[12] or "").split()),
    )


def iter_papers(conn: sqlite3.Connection, sql: str,
                params: Sequence | dict = ()) -> Iterator[Paper]:
    for row in conn.execute(sql, params):
        yield paper_from_row(row)


MIN_ID_PREFIX = 4  # as git asks


def count_id_prefix(conn: sqlite3.Connection, prefix: str) -> int:
    """How many papers' ids begin with ``prefix`` (a range of the id index)."""
    return conn.execute("SELECT count(*) FROM papers WHERE id >= ? AND id < ?",
                        (prefix, prefix + "\U0010ffff")).fetchone()[0]


def get_paper(conn: sqlite3.Connection, pid: str) -> list[Paper]:
    """The paper whose cite key is ``pid``, else papers whose id is ``pid`` or starts
    with it (ids may be abbreviated, as in git)."""
    # keys are lower-case ASCII: "He2015deep" as typed in a .tex file is the same key
    exact = list(iter_papers(conn, PAPER_SELECT + " WHERE p.key = ?", (pid.lower(),)))
    if exact:
        return exact
    pid = pid.lower()  # ids are lower-case hex
    exact = list(iter_papers(conn, PAPER_SELECT + " WHERE p.id = ?", (pid,)))
    if exact:
        return exact
    like = pid.replace("\\", "").replace("%", "").replace("_", "")
    if len(like) < MIN_ID_PREFIX:
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
    clauses: list[str] = []
    params: list[object] = []
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


def link_sets(sel: Selection) -> tuple[list[str], list]:
    """The author and profile filters as SELECTs of paper pks from the link tables
    alone (each must hold a paper), and their parameters."""
    sets: list[str] = []
    params: list = []
    if sel.by_author:
        sets.append(f"SELECT paper_pk FROM authorships WHERE person_id IN {_in(sel.person_ids)}"
                    f" UNION SELECT paper_pk FROM listings WHERE profile_id IN "
                    f"{_in(sel.profile_ids)}")
        params += [*sel.person_ids, *sel.profile_ids]
    if sel.by_profile:
        sets.append(f"SELECT paper_pk FROM listings WHERE profile_id IN {_in(sel.listed_by)}")
        params += list(sel.listed_by)
    return sets, params


def where_sql(sel: Selection) -> tuple[list[str], list]:
    """WHERE clauses and their parameters; every value is bound."""
    sets, params = link_sets(sel)
    clauses = [f"p.pk IN ({s})" for s in sets]
    if sel.topics:
        # any of the paper's codes (#14): the first is `topic`, whose index finds most;
        # a code is two capitals, so a space-bounded search of `topics` is exact
        codes = tuple(dict.fromkeys(sel.topics))
        clauses.append(f"(p.topic IN {_in(codes)} OR " + " OR ".join(
            ["instr(' ' || p.topics || ' ', ' ' || ? || ' ') > 0"] * len(codes)) + ")")
        params += [*codes, *codes]
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


@dataclass(frozen=True)
class Found:
    """A selected paper, with its abstract snippet where the query had words."""

    paper: Paper
    snippet: str | None = None


def run_selection(conn: sqlite3.Connection, sql: str, params: Sequence) -> Iterator[Found]:
    """The papers ``select_sql``'s SQL selects, in its order, streamed."""
    try:
        cursor = conn.execute(sql, params)
        # the snippet column is there when select_sql was asked for snippets of a match
        names = [d[0] for d in cursor.description]
        snip = names.index("snip") if "snip" in names else None
        for row in cursor:
            yield Found(paper_from_row(row), None if snip is None else row[snip])
    except sqlite3.OperationalError as e:
        if "fts5" in str(e).lower() or "match" in str(e).lower():
            raise QuerySyntaxError(f"the search index could not read this query ({e})") from None
        raise


def index_behind(conn: sqlite3.Connection) -> bool:
    """Has a load left papers or people to index (``store.backlog``)?"""
    return conn.execute("SELECT 1 FROM index_backlog LIMIT 1").fetchone() is not None


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
    # by index, each part: "name_key = ? OR person_id IN ()" scanned every profile
    # (27,000 at 1M papers: 3.5 ms a look-up, twice for every fuzzy name)
    if not person_ids:
        return conn.execute("SELECT id, name FROM profiles WHERE name_key = ?",
                            (key,)).fetchall()
    return conn.execute(
        "SELECT id, name FROM profiles WHERE name_key = ? UNION "
        f"SELECT id, name FROM profiles WHERE person_id IN {_in(person_ids)} ORDER BY id",
        (key, *person_ids)).fetchall()


# -- the name index (m003_name_index, #16) --------------------------------------------

def near_name_words(conn: sqlite3.Connection, word: str) -> list[str]:
    """The words of people's names within one edit of ``word`` (itself included):
    those sharing a deletion variant with it, then checked."""
    variants = sorted(deletion_variants(word))
    found = {r[0] for r in conn.execute(
        f"SELECT word FROM name_deletes WHERE variant IN {_in(variants)}", variants)}
    return [w for w in found if edit_distance(word, w) <= 1]


def people_with_word(conn: sqlite3.Connection, words: Sequence[str]) -> set[int]:
    """Ids of the people whose name has one of ``words``."""
    out: set[int] = set()
    for i in range(0, len(words), 500):
        chunk = list(words[i:i + 500])
        out.update(r[0] for r in conn.execute(
            f"SELECT person_id FROM person_words WHERE word IN {_in(chunk)}", chunk))
    return out


def people_with_words(conn: sqlite3.Connection, word_sets: Sequence[Sequence[str]]
                      ) -> list[int]:
    """Ids of the people whose name has a word of every set (one set a typed word:
    the words near it). The intersection runs in SQLite: a common surname's posting
    list holds thousands of people."""
    parts = [f"SELECT person_id FROM person_words WHERE word IN {_in(ws)}"
             for ws in word_sets]
    sql = " INTERSECT ".join(parts)
    return [r[0] for r in conn.execute(sql, [w for ws in word_sets for w in ws])]


def name_vocabulary(conn: sqlite3.Connection) -> list[str]:
    """Every distinct word of people's names (for the far-typo fallback)."""
    return [r[0] for r in conn.execute("SELECT word FROM name_vocab")]


def people_names(conn: sqlite3.Connection, person_ids: Sequence[int]
                 ) -> list[tuple[int, str, str]]:
    """(id, name, words) of these people."""
    ids = list(person_ids)
    out: list[tuple[int, str, str]] = []
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        out += conn.execute(
            f"SELECT id, name, words FROM people WHERE id IN {_in(chunk)}", chunk).fetchall()
    return out


def paper_counts(conn: sqlite3.Connection, person_ids: Sequence[int]) -> dict[int, int]:
    """Papers per person as ``--author`` finds them: their visible authorships, plus
    the papers of the profiles they own that do not name them. Two grouped queries
    (a common surname alone brings hundreds of candidates to rank)."""
    ids = list(person_ids)
    counts = dict.fromkeys(ids, 0)
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        for pid, n in conn.execute(
                f"SELECT person_id, count(*) FROM authorships WHERE person_id IN {_in(chunk)} "
                "GROUP BY person_id", chunk):
            counts[pid] += n
        for pid, n in conn.execute(
                "SELECT pr.person_id, count(*) FROM listings l "
                "JOIN profiles pr ON pr.id = l.profile_id "
                f"WHERE pr.person_id IN {_in(chunk)} AND NOT EXISTS (SELECT 1 FROM "
                "authorships a WHERE a.paper_pk = l.paper_pk AND a.person_id = pr.person_id) "
                "GROUP BY pr.person_id", chunk):
            counts[pid] += n
    return counts


def page_loaded(conn: sqlite3.Connection, sha256: str, as_of: str) -> bool:
    """Has a page with these bytes, captured that day, been loaded (and committed)?"""
    return conn.execute("SELECT 1 FROM loads WHERE sha256 = ? AND as_of = ? LIMIT 1",
                        (sha256, as_of)).fetchone() is not None


def count_selection(conn: sqlite3.Connection, sql: str, params: Sequence) -> int:
    """The rows a selection's SQL (without a limit) gives, for "20 of 1,234". SQLite
    flattens the subquery: no column but the count is computed, no ORDER BY run."""
    return conn.execute(f"SELECT count(*) FROM ({sql})", list(params)).fetchone()[0]


def profile_names(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT name FROM profiles")]


