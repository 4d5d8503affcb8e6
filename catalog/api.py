"""The library's front door: ``Catalog(path)`` loads, searches and lists.

Every caller goes through this class: the CLI (one ``Catalog`` per invocation), the
benchmarks and the tests. It loads (``ingest``), selects and searches, browses
(``browse``: an author's page, topics, statistics) and offers shell completion. This
is where a typed query meets the catalog: names are resolved forgivingly, ``search``
decides what the words mean and how papers rank, and ``store`` runs the SQL.

    >>> from catalog import Catalog
    >>> cat = Catalog("catalog.db")
    >>> result = cat.search("mixture of experts", author="Damai Dai", since="2024")
    >>> [p.title for p in result.papers]
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from catalog import names
from catalog import search as best_match
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
from catalog.errors import (
    CatalogError,
    NotFound,
    QuerySyntaxError,
    SearchIndexError,
    UnknownAuthor,
)
from catalog.models import Hit, LoadReport, Paper, ProfileSummary
from catalog.query import Filters, Query, code_flag, date_bound, parse_query, year_range
from catalog.search_index import IndexUnavailable, SearchIndex, Synced, is_engine_failure
from catalog.store import browse as browse_sql
from catalog.store import read
from catalog.store import search as store_search
from catalog.store.open import can_write, is_damage, open_db

if TYPE_CHECKING:  # the writing modules load only for the commands that write
    from catalog.store.remove import Removed

__all__ = ["STAT_KEYS", "TOPIC_KEYS", "AuthorPage", "Catalog", "Stats", "TopicSummary",
           "check_profile_option", "complete_names", "complete_topics", "filters_from",
           "is_damage", "page_files", "report_lines"]


# unload rebuilds the search index of a catalog smaller than this (a few seconds)
UNLOAD_REBUILD_PAPERS = 100_000


@dataclass
class SearchResult:
    papers: list[Hit]
    notes: list[str] = field(default_factory=list)  # what was corrected or matched loosely
    corrected: str | None = None  # what was also searched for, when a word was unknown
    suggestions: list[str] = field(default_factory=list)  # when nothing was found
    terms: tuple[str, ...] = ()  # words to highlight

    @property
    def snippets(self) -> dict[str, str]:
        """{paper id: the stretch of its abstract holding most query words}; made on
        request (the table shows them; JSON does not)."""
        found = ((p.id, best_match.snippet(p.abstract, self.terms)) for p in self.papers)
        return {pid: snip for pid, snip in found if snip}


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
    search: best_match.Plan | None = None  # None: a plain list, no query
    selection: read.Selection | None = None


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
    def __init__(self, path: str | Path, *, create: bool = False, write: bool = False,
                 read_only: bool = False,
                 on_index: Callable[[int, int], None] | None = None) -> None:
        """Open (``create``: or make) the catalog at ``path``. One that cannot be
        written is opened read-only, unless ``write`` (or ``create``) says the caller
        means to write: then ``ReadOnlyCatalog``. ``read_only`` opens any catalog so
        (``catalog serve``): SQLite itself refuses every write.

        A catalog whose last load was cut short has papers not yet in its full-text
        and name indices (``store.backlog``): they are indexed here, before anything
        reads, unless the catalog is read-only."""
        self.path = Path(path)
        self.conn: sqlite3.Connection = open_db(self.path, create=create, write=write,
                                                read_only=read_only)
        # told (papers indexed, papers in all) while the search index is rebuilt or
        # catches up: the CLI shows a progress bar
        self.on_index = on_index
        self._engine: SearchIndex | None = None
        self._live: SearchIndex | None = None  # the engine, when it answers for SQLite now
        self.engine_error: str | None = None  # why search last ran without the engine
        self._writable = not read_only and can_write(self.path)
        self._current()

    def _current(self) -> None:
        """Before anything that FTS5 or the name index answers: index what a load left
        for later (one running now in another process, or one cut short), so that the
        answer holds every committed paper. A read-only catalog can't, and answers as is."""
        if self._writable and read.index_behind(self.conn):
            self.catch_up()

    def close(self) -> None:
        self._engine = self._live = None
        self.conn.close()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- loading ---------------------------------------------------------------
    def load(self, paths: Iterable[str | Path], *, as_of: dt.date | None = None,
             profile: str | None = None, strict: bool = False,
             encoding: str | None = None, read_stdin: Callable[[], bytes] | None = None,
             on_file: Callable[[LoadReport], None] | None = None,
             on_bytes: Callable[[int], None] | None = None) -> list[LoadReport]:
        """Load page files (or every ``*.txt`` below a directory; ``-`` reads
        ``read_stdin``), each in its own transaction; ``on_file`` sees each report as
        its file is done, ``on_bytes(n)`` that about n bytes of a large file are in.
        Failures are in the reports, not raised."""
        from catalog.ingest import load_paths

        reports = load_paths(self.conn, [str(p) for p in paths],
                             as_of=as_of or dt.date.today(), profile=profile, strict=strict,
                             encoding=encoding, read_stdin=read_stdin, on_file=on_file,
                             on_bytes=on_bytes)
        # not after Ctrl-C: the next Catalog (or search) catches up on what was committed
        self._index_loaded()
        return reports

    def _index_loaded(self) -> None:
        """Index what the load wrote: FTS5 and the name index (``store.backlog``) on a
        second connection, in a thread, while the search engine's index catches up
        here. SQLite and tantivy both work outside the GIL, so on two cores the two
        take about the time of the longer one instead of their sum."""
        if not read.index_behind(self.conn):
            self.sync_index(prune=True)
            return
        import threading

        from catalog.store import backlog

        failed: list[BaseException] = []
        stop = threading.Event()

        def fill() -> None:
            conn = open_db(self.path)
            try:
                backlog.catch_up(conn, stop=stop)
            except BaseException as e:  # noqa: BLE001 - raised again below, in the caller
                failed.append(e)
            finally:
                conn.close()

        worker = threading.Thread(target=fill, name="catalog-backlog")
        worker.start()
        try:
            self.sync_index(prune=True)
        except BaseException:
            stop.set()  # Ctrl-C: the thread ends once its chunk is committed
            raise
        finally:
            worker.join()
        if failed:
            raise failed[0]

    def catch_up(self) -> int:
        """Put what loads left for later (``store.backlog``) into the full-text and
        name indices; the number of papers indexed."""
        from catalog.store import backlog

        return backlog.catch_up(self.conn, self.on_index)

    # -- the search engine's index -------------------------------------------------
    def sync_index(self, *, rebuild: bool = False, prune: bool = False) -> Synced | None:
        """Bring the search index (``catalog.search_index``) up to the catalog's state:
        what a load, an unload or a search needs before it is trusted. None when it
        can't be written here (``engine_error`` says why): search then runs on FTS5.
        ``prune``: forget the change log it has taken in (writers only)."""
        engine = self._engine or SearchIndex(self.conn, self.path)
        self._engine = engine
        self._live = None
        try:
            done = engine.sync(self.on_index, rebuild=rebuild)
        except IndexUnavailable as e:
            self.engine_error = str(e)
            return None
        self._live, self.engine_error = engine, None
        if prune and engine.stamp is not None:
            store_search.forget_changes(self.conn, engine.stamp.applied)
        return done

    def reindex(self) -> Synced:
        """Rebuild the search index from SQLite (``catalog reindex``)."""
        done = self.sync_index(rebuild=True, prune=True)
        if done is None:
            raise SearchIndexError(f"the search index can't be rebuilt: {self.engine_error}")
        return done

    def holds_page(self, path: str | Path, as_of: dt.date) -> bool:
        """Is this page file, captured ``as_of``, in the catalog? (After Ctrl-C: the
        file being loaded may have committed just before the interrupt.)"""
        import hashlib

        try:
            data = Path(path).read_bytes()
        except OSError:
            return False
        return read.page_loaded(self.conn, hashlib.sha256(data).hexdigest(), as_of.isoformat())

    # -- one paper, the profiles ---------------------------------------------------
    def paper(self, pid: str) -> Paper:
        """The paper with this cite key (``he2015deep``), else with this id, or the one
        id it abbreviates (as in git: at least 4 characters; a shorter one is told how
        many papers it begins)."""
        typed = pid.strip()
        found = read.get_paper(self.conn, typed)
        if len(found) > 1:
            raise NotFound(f"id {pid!r} is ambiguous: " + ", ".join(p.id for p in found))
        if found:
            return found[0]
        if typed and len(typed) < read.MIN_ID_PREFIX:
            n = read.count_id_prefix(self.conn, typed.lower())
            if n:
                raise NotFound(
                    f"id {pid!r} is too short: it begins the ids of {n:,} paper"
                    f"{'s' * (n != 1)}; give at least {read.MIN_ID_PREFIX} characters")
        raise NotFound(f"no paper with key or id {pid!r} "
                       "(ids are shown by `catalog list`)")

    def profiles(self, *, topics: Sequence[str] = (), sort: str = "name"
                 ) -> Iterator[ProfileSummary]:
        """The author profiles (of these topic codes), in a ``read.PROFILE_SORTS`` order."""
        return read.iter_profiles(self.conn, topics=topics, sort=sort)

    # -- taking back (#16) -------------------------------------------------------
    def unload(self, target: str, *, dry_run: bool = False) -> Removed:
        """Remove what was loaded from a file (``target`` names it, its folder aside)
        or a profile (``target`` is its name): listings, the papers no other page
        lists, the profile. One transaction; ``dry_run`` rolls it back."""
        from catalog.store import remove

        ids = self._profiles_of(target)
        source = Path(target).name
        others = remove.other_sources(self.conn, ids, source)
        if others and remove.profile_ids_by_source(self.conn, source):
            name = remove.profile_name(self.conn, ids[0])
            raise CatalogError(
                f"{source} holds a page of the profile {name!r}, which was also loaded "
                f"from {', '.join(others)}; a file's part of a profile is not kept "
                f"apart: unload the whole profile with `catalog unload {_quote(name)}`")
        removed = remove.remove_profiles(self.conn, ids, dry_run=dry_run)
        if not dry_run:
            # A deleted paper's words count in the engine's statistics until its
            # segment merges: a catalog rebuilt in seconds is rebuilt, so that ranking
            # is exactly as if the pages were never loaded; a larger one catches up
            # (the drift bounded by search_index.REBUILD_SHARE).
            small = store_search.paper_count(self.conn) < UNLOAD_REBUILD_PAPERS
            self.sync_index(rebuild=small, prune=True)
        return removed

    def rename_profile(self, old: str, new: str) -> tuple[str, str]:
        """Name a profile (found by its name or its file); (old name, new name)."""
        from catalog.store import remove

        new = " ".join(new.split())
        if not names.name_key(new):
            raise QuerySyntaxError(f"{new!r} is not a name")
        ids = self._profiles_of(old)
        if len(ids) > 1:
            raise CatalogError(f"{old!r} names {len(ids)} profiles; give one profile's name")
        clash = remove.profile_by_key(self.conn, new)
        if clash and clash[0] != ids[0]:
            raise CatalogError(f"a profile named {clash[1]!r} exists already; unload one of "
                               "the two first, or load its page again with --profile")
        return remove.rename_profile(self.conn, ids[0], new), new

    def _profiles_of(self, target: str) -> list[int]:
        """The profiles a file name (loaded from it) or a profile name means. Names
        must match exactly (case, accents and spacing aside): these commands delete."""
        from catalog.store import remove

        ids = remove.profile_ids_by_source(self.conn, Path(target).name)
        if ids:
            return ids
        found = remove.profile_by_key(self.conn, target)
        if found:
            return [found[0]]
        near = names.nearest(target, read.profile_names(self.conn), limit=3)
        hint = f"; nearest profiles: {'; '.join(near)}" if near else ""
        raise NotFound(f"no profile or loaded file named {target!r}{hint} "
                       "(see `catalog authors`)")

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
               filters: Filters | None = None, all_words: bool = False,
               **kw: object) -> SearchResult:
        """Best-match search with FILTERS as keyword arguments; best match first.
        ``all_words``: every word required (the strict reading). See ``catalog.search``."""
        f = filters if filters is not None else filters_from(**kw)  # type: ignore[arg-type]
        plan = self.plan(query, f, sort=sort, limit=limit, all_words=all_words, search=True)
        return self._result(plan, self._engine_hits(plan, sort, limit))

    def _ready_engine(self) -> SearchIndex | None:
        self.sync_index()
        return self._live

    def _engine_hits(self, plan: Plan, sort: str | None, limit: int | None,
                     without: int | None = None) -> Iterator[Hit] | None:
        """The engine's answer to a best-match search ranked by relevance (what it is
        fast at); None where FTS5 answers (other orders, no engine here). An index
        found damaged while searching is rebuilt and asked again."""
        if (plan.search is None or plan.selection is None
                or (sort or "relevance") != "relevance" or self._live is None):
            return None
        for attempt in (1, 2):
            engine = self._live
            if engine is None:
                return None
            try:
                found = best_match.engine_hits(self.conn, engine, plan.search,
                                               plan.selection, limit=limit or None,
                                               without=without)
                return None if found is None else iter(list(found))
            except BaseException as e:
                if not is_engine_failure(e) or attempt == 2:
                    raise
                self.sync_index(rebuild=True)
        return None

    def related(self, paper_id: str, *, sort: str | None = None, limit: int | None = 20,
                filters: Filters | None = None, **kw: object) -> SearchResult:
        """The papers most like one paper (its title, abstract and visible authors),
        itself left out."""
        from catalog.store import search as search_sql

        f = filters if filters is not None else filters_from(**kw)  # type: ignore[arg-type]
        self._current()
        paper = self.paper(paper_id)
        pk, title, abstract = search_sql.paper_text(self.conn, paper.id) or (0, "", "")
        notes: list[str] = []
        selection = self._resolve(f, notes)
        engine = self._ready_engine()
        sp = best_match.related_plan(self.conn, title, abstract, paper.authors, engine)
        if not sp.should:
            return SearchResult([], notes=notes)
        sql, params = best_match.ranked(self.conn, sp, selection, sort=sort or "relevance",
                                        limit=limit, without=pk)
        plan = Plan(sql, params, notes, None, parse_query(""), [], sp, selection)
        return self._result(plan, self._engine_hits(plan, sort, limit, without=pk))

    def _result(self, plan: Plan, found: Iterator[Hit] | None = None) -> SearchResult:
        papers = list(found if found is not None else
                      best_match.hits(self.conn, plan.sql, plan.params))
        words = plan.search.highlight() if plan.search else ()
        result = SearchResult(papers, plan.notes, plan.corrected, terms=words)
        if not papers and plan.search is not None and plan.search.match():
            result.suggestions = best_match.suggestions(self.conn, plan.search, self._live)
        return result

    def papers(self, query: str = "", *, sort: str | None = None, limit: int | None = None,
               filters: Filters | None = None, **kw: object) -> Iterator[Paper]:
        """Stream the selection (list and export): memory stays flat at any size."""
        f = filters if filters is not None else filters_from(**kw)  # type: ignore[arg-type]
        return self.select(query, f, sort=sort, limit=limit).papers

    def select(self, query: str = "", filters: Filters | None = None, *,
               sort: str | None = None, limit: int | None = None,
               all_words: bool = False) -> Selected:
        """The selection as a stream, with what the user should be told about it."""
        plan = self.plan(query, filters or Filters(), sort=sort, limit=limit,
                         all_words=all_words, engine=True)
        if plan.search is None:
            rows = read.run_selection(self.conn, plan.sql, plan.params)
            return Selected((found.paper for found in rows), plan.notes)
        found = self._engine_hits(plan, sort, limit)
        if found is None:
            found = best_match.hits(self.conn, plan.sql, plan.params)
        return Selected(found, plan.notes)

    def count(self, query: str = "", filters: Filters | None = None) -> int:
        """How many papers the selection holds, without a limit (for "20 of 1,234"):
        a search's matches as the engine counts them (FTS5 would read every match)."""
        plan = self.plan(query, filters or Filters(), sort="date", limit=None, engine=True)
        if plan.search is not None and plan.selection is not None and self._live is not None:
            n = best_match.engine_count(self.conn, self._live, plan.search, plan.selection)
            if n is not None:
                return n
        return read.count_selection(self.conn, plan.sql, plan.params)

    def is_empty(self) -> bool:
        return store_search.paper_count(self.conn) == 0

    def plan(self, text: str, options: Filters, *, sort: str | None = None,
             limit: int | None = None, snippets: bool = False, all_words: bool = False,
             search: bool = False, engine: bool = False) -> Plan:
        """How a query will run. With ``search``, a query without words and without
        filters is an error (``search ""``), not a list of every paper."""
        self._current()
        query = parse_query(text)
        filters = options.merge(query.filters)
        notes: list[str] = list(query.notes)
        selection = self._resolve(filters, notes)
        if not text.strip() and not (search and filters == Filters()):
            sql, params = read.select_sql(selection, sort=sort or "date", limit=limit)
            return Plan(sql, params, notes, None, query, [])
        ready = self._ready_engine() if search or engine else None
        sp = best_match.plan(self.conn, query, all_words=all_words, text=text, engine=ready)
        notes += sp.notes
        if sort is None:
            sort = "relevance" if sp.match() else "date"
        sql, params = best_match.ranked(self.conn, sp, selection, sort=sort, limit=limit)
        return Plan(sql, params, notes, sp.corrected, query, [], sp, selection)

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
        match = self.match_person(name)
        if match.name is None:
            if match.candidates:
                raise UnknownAuthor(
                    f"author {name!r} is ambiguous; did you mean: "
                    + _some(match.candidates), list(match.candidates))
            near = self.nearest_people(name)
            hint = f"; nearest: {'; '.join(near)}" if near else ""
            raise UnknownAuthor(f"no author matches {name!r}{hint}", near)
        shown, people_ids, profile_ids, _ = self.resolve_author(match.name)
        return shown, people_ids, profile_ids, f'author "{name}" matched "{shown}"'

    # candidates whose papers are counted to rank them (a common surname alone may
    # name thousands of people: the closest, by name, are counted)
    RANKED_PEOPLE = 300

    def match_person(self, name: str) -> names.NameMatch:
        """A typed name against the people of the catalog, through the name index
        (#16): every typed word within one edit of a word of theirs (a swap counts
        one), the closest first, then the most papers (see ``names.choose``). A
        farther typo is compared with the names that carry the nearest words."""
        self._current()
        words = names.name_words(name).split()
        near = [read.near_name_words(self.conn, w) if len(w) >= names.MIN_FUZZY_WORD
                else [w] for w in words]
        found = read.people_with_words(self.conn, near) if words and all(near) else []
        if not found:
            return self._far_match(name)
        measured: list[tuple[names.Candidate, int]] = []
        for pid, shown, ws in read.people_names(self.conn, found):
            c = names.measure(words, shown, ws, 0)
            if c is not None:
                measured.append((c, pid))
        measured.sort(key=lambda cp: (cp[0].distance, cp[0].extra, cp[0].name.casefold()))
        if not measured:
            return self._far_match(name)
        # papers decide among the closest (and order the first few others shown): a
        # common name typed alone may be close to thousands, whose papers are not counted
        best = measured[0][0]
        tier = [cp for cp in measured if cp[0].distance == best.distance and
                (len(words) == 1 or cp[0].extra == best.extra)]
        counted = tier[: self.RANKED_PEOPLE] + measured[len(tier): len(tier) + 8]
        counts = read.paper_counts(self.conn, [pid for _, pid in counted])
        ranked = sorted((replace(c, papers=counts[pid]) for c, pid in counted),
                        key=names.Candidate.order)
        ranked += [c for c, pid in measured if pid not in counts]
        return names.choose(name, ranked)

    def _far_match(self, name: str) -> names.NameMatch:
        """More than one edit from every name: the rapidfuzz rule of ``names.resolve``,
        over the people whose names carry words near the typed ones (not every name)."""
        pool = self._near_pool(name)
        return names.resolve(name, [n for n, _ in pool], words=[w for _, w in pool])

    def _near_pool(self, name: str, per_word: int = 3) -> list[tuple[str, str]]:
        from rapidfuzz import fuzz, process

        vocab = read.name_vocabulary(self.conn)
        near: list[str] = []
        for w in names.name_words(name).split():
            near += [h[0] for h in process.extract(w, vocab, scorer=fuzz.ratio,
                                                   limit=per_word)]
        ids = sorted(read.people_with_word(self.conn, near))[:1000]
        return [(n, ws) for _, n, ws in read.people_names(self.conn, ids)]

    def nearest_people(self, name: str, limit: int = 5) -> list[str]:
        """The people whose names come closest to ``name``, however far."""
        pool = self._near_pool(name)
        return names.nearest(name, [n for n, _ in pool], limit=limit,
                             words=[w for _, w in pool])

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


def page_files(paths: Iterable[str]) -> list[tuple[str, Path | None, str | None]]:
    """(name, path, error) of each page file ``load`` will read from these paths, in
    its order (standard input, ``-``, has no path): for a progress bar, to fail early."""
    from catalog.ingest import find_files

    return list(find_files(paths))


def report_lines(report: LoadReport) -> tuple[list[str], str | None]:
    """One loaded file's warning lines (the first 20, then a count of the rest) and its
    error line, control characters escaped: what ``load`` prints on stderr."""
    from catalog.ingest import warning_lines
    from catalog.pages import escape_controls

    return warning_lines(report), escape_controls(report.error) if report.error else None


def check_profile_option(paths: Iterable[str], profile: str, *, as_of: dt.date,
                         encoding: str | None = None) -> None:
    """``ProfileNameClash`` when ``load --profile`` would name several pages."""
    from catalog.ingest import check_profile_option as check

    check(paths, profile, as_of=as_of, encoding=encoding)


def _some(candidates: Sequence[str], shown: int = 8) -> str:
    """The first candidates, and how many more there are."""
    more = len(candidates) - shown
    return "; ".join(candidates[:shown]) + (f"; and {more} more" if more > 0 else "")


def _quote(name: str) -> str:
    return name if name.replace("_", "").replace("-", "").isalnum() else f'"{name}"'
