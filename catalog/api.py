"""The library's front door: ``Catalog(path)`` loads, searches and lists.

Every caller goes through this class: the CLI (one ``Catalog`` per invocation), the
benchmarks and the tests. It loads (``ingest``), selects and searches, browses
(``browse``: an author's page, topics, statistics) and offers shell completion. This
is where a typed query meets the catalog: names are resolved forgivingly, misspelt
words are corrected against the index, and ``store`` runs the SQL.

    >>> from catalog import Catalog
    >>> cat = Catalog("catalog.db")
    >>> result = cat.search("mixture of experts", author="Damai Dai", since="2024")
    >>> [p.title for p in result.papers]
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from catalog import names
from catalog.browse import (
    STAT_KEYS,
    TOP,
    TOPIC_KEYS,
    AuthorPage,
    Stats,
    TopicSummary,
    author_page,
    catalog_stats,
    topic_summaries,
)
from catalog.errors import NotFound, QuerySyntaxError, UnknownAuthor
from catalog.models import LoadReport, Paper, ProfileSummary
from catalog.query import Filters, Query, Term, code_flag, date_bound, parse_query, year_range
from catalog.store import browse as browse_sql
from catalog.store import read
from catalog.store.open import is_damage, open_db

__all__ = ["STAT_KEYS", "TOPIC_KEYS", "AuthorPage", "Catalog", "Stats", "TopicSummary",
           "complete_names", "complete_topics", "count_page_files", "filters_from",
           "is_damage"]


@dataclass
class SearchResult:
    papers: list[Paper]
    snippets: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what was corrected or matched loosely
    corrected: str | None = None  # the query as searched, when a word was corrected
    suggestions: list[str] = field(default_factory=list)  # when nothing was found
    terms: tuple[str, ...] = ()  # words to highlight


@dataclass
class Selected:
    papers: Iterator[Paper]
    notes: list[str]


@dataclass
class Plan:
    """A resolved query: the SQL that selects, plus what the user should be told."""

    sql: str
    params: list
    notes: list[str]
    corrected: str | None
    query: Query
    missing: list[str]


def filters_from(
    author: str | Sequence[str] | None = None,
    topic: str | Sequence[str] | None = None,
    since: str | None = None,
    until: str | None = None,
    year: str | int | None = None,
    code: bool | str | None = None,
    profile: str | Sequence[str] | None = None,
) -> Filters:
    """FILTERS options (or keyword arguments) as a ``Filters``; bad values raise
    ``QuerySyntaxError``."""
    def many(v: str | Sequence[str] | None) -> tuple[str, ...]:
        if v is None:
            return ()
        return (v,) if isinstance(v, str) else tuple(v)

    return Filters(
        authors=many(author), topics=many(topic), profiles=many(profile),
        since=date_bound(since, end=False, what="since") if since else None,
        until=date_bound(until, end=True, what="until") if until else None,
        years=year_range(str(year)) if year is not None else None,
        code=code_flag(code) if isinstance(code, str) else code,
    )


class Catalog:
    def __init__(self, path: str | Path, *, create: bool = False) -> None:
        self.path = Path(path)
        self.conn: sqlite3.Connection = open_db(self.path, create=create)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- loading ---------------------------------------------------------------
    def load(self, paths: Iterable[str | Path], *, as_of: dt.date | None = None,
             profile: str | None = None, strict: bool = False,
             encoding: str | None = None, read_stdin: Callable[[], bytes] | None = None,
             on_file: Callable[[LoadReport], None] | None = None) -> list[LoadReport]:
        """Load page files (or every ``*.txt`` below a directory; ``-`` reads
        ``read_stdin``), each in its own transaction; ``on_file`` sees each report as
        its file is done. Failures are in the reports, not raised."""
        from catalog.ingest import load_paths

        return load_paths(self.conn, [str(p) for p in paths], as_of=as_of or dt.date.today(),
                          profile=profile, strict=strict, encoding=encoding,
                          read_stdin=read_stdin, on_file=on_file)

    # -- one paper, the profiles ---------------------------------------------------
    def paper(self, pid: str) -> Paper:
        """The paper with this cite key (``he2015deep``), else with this id, or the one
        id it abbreviates (as in git)."""
        found = read.get_paper(self.conn, pid.strip())
        if not found:
            raise NotFound(f"no paper with key or id {pid!r} "
                           "(ids are shown by `catalog list`)")
        if len(found) > 1:
            raise NotFound(f"id {pid!r} is ambiguous: " + ", ".join(p.id for p in found))
        return found[0]

    def profiles(self, *, topics: Sequence[str] = (), sort: str = "name"
                 ) -> Iterator[ProfileSummary]:
        """The author profiles (of these topic codes), in a ``read.PROFILE_SORTS`` order."""
        return read.iter_profiles(self.conn, topics=topics, sort=sort)

    # -- browsing ------------------------------------------------------------------
    def author(self, name: str) -> AuthorPage:
        """One author's page. Raises ``UnknownAuthor`` when the name matches no one or
        several people equally well."""
        shown, person_ids, profile_ids, note = self.resolve_author(name)
        return author_page(self.conn, shown, person_ids, profile_ids, note)

    def topics(self) -> list[TopicSummary]:
        """The topics the catalog's papers carry, most papers first."""
        return topic_summaries(self.conn)

    def stats(self, top: int | None = None) -> Stats:
        """Counts, papers per year, the ``top`` topics and authors."""
        return catalog_stats(self.conn, TOP if top is None else top)

    # -- selecting -------------------------------------------------------------
    def search(self, query: str = "", *, sort: str | None = None, limit: int | None = 20,
               filters: Filters | None = None, **kw: object) -> SearchResult:
        """Full-text search with FILTERS as keyword arguments; best match first."""
        f = filters if filters is not None else filters_from(**kw)  # type: ignore[arg-type]
        plan = self.plan(query, f, sort=sort, limit=limit, snippets=True)
        papers, snippets = [], {}
        for found in read.run_selection(self.conn, plan.sql, plan.params):
            papers.append(found.paper)
            if found.snippet:
                snippets[found.paper.id] = found.snippet
        result = SearchResult(papers, snippets, plan.notes, plan.corrected,
                              terms=tuple(w for t in plan.query.terms() for w in t.words))
        if not papers and plan.missing:
            result.suggestions = self._suggest(plan.missing)
        return result

    def papers(self, query: str = "", *, sort: str | None = None, limit: int | None = None,
               filters: Filters | None = None, **kw: object) -> Iterator[Paper]:
        """Stream the selection (list and export): memory stays flat at any size."""
        f = filters if filters is not None else filters_from(**kw)  # type: ignore[arg-type]
        return self.select(query, f, sort=sort, limit=limit).papers

    def select(self, query: str = "", filters: Filters | None = None, *,
               sort: str | None = None, limit: int | None = None) -> Selected:
        """The selection as a stream, with what the user should be told about it."""
        plan = self.plan(query, filters or Filters(), sort=sort, limit=limit)
        rows = read.run_selection(self.conn, plan.sql, plan.params)
        return Selected((found.paper for found in rows), plan.notes)

    def plan(self, text: str, options: Filters, *, sort: str | None = None,
             limit: int | None = None, snippets: bool = False) -> Plan:
        query = parse_query(text)
        filters = options.merge(query.filters)
        notes: list[str] = []
        selection = self._resolve(filters, notes)
        query, corrected, missing = self._correct(query, text, notes)
        if sort is None:
            sort = "relevance" if query.groups else "date"
        sql, params = read.select_sql(selection, match=query.match(),
                                       exclude=query.exclude_match(), sort=sort,
                                       limit=limit, snippets=snippets)
        return Plan(sql, params, notes, corrected, query, missing)

    # -- names -------------------------------------------------------------------
    def resolve_author(self, name: str) -> tuple[str, list[int], list[int], str | None]:
        """(resolved name, person ids, profile ids, note). A visible author or a profile
        owner, matched regardless of case, accents, spacing and initials; then by
        rapidfuzz when one close name is clearly best."""
        key = names.name_key(name)
        if not key:
            raise QuerySyntaxError(f"author: {name!r} is not a name")
        people = read.people_by_key(self.conn, key)
        profiles = read.profiles_for(self.conn, key, [p[0] for p in people])
        if people or profiles:
            shown = people[0][1] if people else profiles[0][1]
            return shown, [p[0] for p in people], [p[0] for p in profiles], None
        everyone, keys, words = read.name_table(self.conn)
        match = names.resolve(name, everyone, keys=keys, words=words)
        if match.name is None:
            if match.candidates:
                raise UnknownAuthor(
                    f"author {name!r} is ambiguous; did you mean: "
                    + "; ".join(match.candidates[:8]), list(match.candidates))
            near = names.nearest(name, everyone, words=words)
            hint = f"; nearest: {'; '.join(near)}" if near else ""
            raise UnknownAuthor(f"no author matches {name!r}{hint}", near)
        shown, people_ids, profile_ids, _ = self.resolve_author(match.name)
        return shown, people_ids, profile_ids, f'author "{name}" matched "{shown}"'

    def resolve_profile(self, name: str) -> tuple[str, int]:
        names_ = read.profile_names(self.conn)
        match = names.resolve(name, names_)
        if match.name is None:
            near = match.candidates or tuple(names.nearest(name, names_))
            raise UnknownAuthor(f"no profile matches {name!r}"
                                + (f"; nearest: {'; '.join(near)}" if near else ""), list(near))
        row = read.profiles_for(self.conn, names.name_key(match.name), [])
        return match.name, row[0][0]

    def _resolve(self, f: Filters, notes: list[str]) -> read.Selection:
        from catalog.topics import resolve_topic

        person_ids: list[int] = []
        profile_ids: list[int] = []
        for a in f.authors:
            _, ppl, prof, note = self.resolve_author(a)
            person_ids += ppl
            profile_ids += prof
            if note:
                notes.append(note)
        listed = []
        for pname in f.profiles:
            shown, pid = self.resolve_profile(pname)
            listed.append(pid)
            if names.name_key(shown) != names.name_key(pname):
                notes.append(f'profile "{pname}" matched "{shown}"')
        topics = []
        for t in f.topics:
            code = resolve_topic(t)
            if code is None:
                raise QuerySyntaxError(f"unknown topic {t!r} (see `catalog topics`)")
            topics.append(code)
        return read.Selection(
            person_ids=tuple(person_ids), profile_ids=tuple(profile_ids),
            by_author=bool(f.authors), listed_by=tuple(listed), by_profile=bool(f.profiles),
            topics=tuple(topics), since=f.since, until=f.until, years=f.years, code=f.code,
        )

    # -- typo correction -------------------------------------------------------
    def _correct(self, query: Query, text: str, notes: list[str]
                 ) -> tuple[Query, str | None, list[str]]:
        """Replace words the index does not hold with the nearest indexed word."""
        mapping: dict[Term, Term] = {}
        missing: list[str] = []
        for term in query.terms():
            if term.prefix or read.fts_matches(self.conn, term.fts()):
                continue
            fixed = list(term.words)
            changed = False
            for i, word in enumerate(term.words):
                if read.fts_matches(self.conn, Term((word,)).fts()):
                    continue
                better = self._nearest_word(word)
                if better is None:
                    missing.append(word)
                    continue
                fixed[i] = better
                changed = True
            if changed:
                mapping[term] = Term(tuple(fixed), term.prefix)
        if not mapping:
            return query, None, missing
        query = query.with_terms(mapping)
        shown = query.text()
        notes.append(f'showing results for "{shown}"')
        return query, shown, missing

    def _nearest_word(self, word: str, cutoff: float = 80.0) -> str | None:
        if len(word) < 3 or not word[0].isalpha():
            return None
        from rapidfuzz import fuzz

        best: tuple[float, int, str] | None = None
        # Reading the vocabulary walks every term's document list: look among the
        # terms sharing the first two letters first (most typos keep them), and only
        # then among all terms with the same first letter.
        for prefix in dict.fromkeys((word[:2], word[:1])):
            for term, docs in read.vocabulary(self.conn, prefix):
                if abs(len(term) - len(word)) > 4:
                    continue
                score = max(fuzz.ratio(word, term), fuzz.ratio(_rough_stem(word), term))
                if len(term) >= max(4, len(word) - 4):
                    # the index holds stems: "reinforc" for "reinforcement"
                    score = max(score, fuzz.ratio(word[: len(term)], term) - 5)
                if score >= cutoff and (best is None or (score, docs) > best[:2]):
                    best = (score, docs, term)
            if best is not None:
                return self._surface_word(best[2])
        return None

    def _surface_word(self, stem: str) -> str:
        """The most common real word in the catalog that the index stems to ``stem``."""
        from rapidfuzz import fuzz

        words: Counter[str] = Counter()
        # porter may change the end of a word (nearly -> nearli): match on a shorter root
        root = stem[:-1] if len(stem) > 3 else stem
        rx = re.compile(rf"\b({re.escape(root)}\w*)", re.IGNORECASE)
        for text in read.texts_matching(self.conn, Term((stem,)).fts()):
            words.update(m.lower() for m in rx.findall(names.fold(text)))
        if not words:
            return stem
        return max(words, key=lambda w: (fuzz.ratio(w[: len(stem)], stem), words[w]))

    def _suggest(self, missing: Sequence[str]) -> list[str]:
        out = []
        for word in missing:
            near = self._nearest_word(word, cutoff=60.0)
            if near and near != word:
                out.append(near)
        return out


# -- shell completion ----------------------------------------------------------------
# Completing a word must never create, migrate or lock a catalog, nor fail: these read
# the file through a read-only connection and give nothing when there is no catalog.

def complete_names(path: str | Path, typed: str, *, profiles_only: bool = False
                   ) -> list[str]:
    """People and profile owners whose name begins with ``typed``."""
    return browse_sql.complete_names(Path(path), typed, profiles_only=profiles_only)


def complete_topics(path: str | Path) -> list[str]:
    """The topic codes the catalog's papers and profiles carry."""
    return browse_sql.complete_topics(Path(path))


def count_page_files(paths: Iterable[str]) -> int:
    """How many page files ``load`` will read from these paths (for a progress bar)."""
    from catalog.ingest import STDIN, find_files

    paths = list(paths)
    return sum(1 for _ in find_files(p for p in paths if p != STDIN)) + paths.count(STDIN)


_SUFFIXES = ("ations", "ation", "ments", "ment", "ings", "ing", "ness", "ies", "ed", "es",
             "ly", "s")


def _rough_stem(word: str) -> str:
    """Enough of a stemmer to compare a misspelt word with the index's porter stems."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word
