"""The search engine's index: best-match top-k that stays fast at a million papers.

FTS5 scores every paper a query matches before it can keep the best twenty, and a
pasted claim or a common word matches most of a large catalog (p95 about 1.5 s at a
million papers). tantivy, a Rust search library of the Lucene family, finds the top k
with block-max WAND, skipping the papers that cannot make it; it is imported only when
a search or a load needs it.

The index is derived: SQLite stays the one source of truth, and this is a cache of it
beside the file (``catalog.db-search/``). Every change to a paper's row appends its pk
to SQLite's ``search_log`` in the same transaction (triggers, ``m007_search_log``).
Each index commit records, in the same commit, how far into that log it has read,
which catalog it belongs to and which ``VERSION`` of this module wrote it. Before a
search uses the index, ``ready`` compares: behind, it takes in the changed papers;
another catalog's, another version's, a log pruned past it, missing or unreadable, it
is rebuilt from SQLite (into a new folder, swapped in whole). A search therefore never
sees a stale or half-written index. Where the index can be neither used nor written
(another process holding its writer), search runs on FTS5's ``papers_fts``: the same
query meaning, slower, and over the text as written (``Łukasz`` is found as typed, not
as ``lukasz``; Chinese text by whole runs, not by any two characters).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from catalog.analysis import index_text
from catalog.store import search as store_search
from catalog.store.read import Selection

# Bump when the schema, the analysis or what a document holds changes: an index
# written by another version is rebuilt, never read.
VERSION = 4
# ``body`` holds title and abstract as one text, the title three times: BM25 over it
# is what ranks, with one document length, as FTS5's bm25 with a title weight of 3
# ranked before (catalog.store.search.WEIGHTS). Scored per field and summed instead
# (title 1.5, abstract 1), a short title's word outweighed the abstract's evidence:
# SciFact nDCG@10 0.649 against plain BM25's 0.702. With the title once in ``body``
# and 0.1-0.3 of the title field's own BM25 on top: 0.700-0.703; three times: 0.704,
# and higher on every other shared collection (python -m benchmarks relevance).
BODY = "body"
TITLE_REPEATS = 3
LARGE_PAPERS = 50_000  # from this many papers to index, the large heap and two threads
# On top of ``body``: a little of a word's BM25 in the author names (what people
# search people by; 0.1-1.0 made no difference on the collections, whose queries name
# no one) and in the affiliations (weak evidence: single words only, no positions).
BOOSTS = {BODY: 1.0, "authors": 0.5, "affiliations": 0.1}
POSITIONS = (BODY, "authors")  # the fields phrases are looked up in
# The writer's memory, split between its threads. A load's peak memory is this heap
# plus the segments tantivy merges while it indexes, which it reads through memory
# maps (counted in the process's RSS): at a million papers, a 96 MB heap peaked at
# 302-314 MB, 48 MB at 372 MB (larger merges fell at the peak), 64 MB at 206-208 MB,
# each one ``catalog reindex`` (measured with /proc/self/status, RssAnon + RssFile).
HEAP_BYTES = 64_000_000
SMALL_HEAP_BYTES = 16_000_000
# A large build's threads run this much nicer than the rest of the process (Linux).
# At the end of a load the FTS5 fill (store.backlog, one thread, about 48 s of CPU at a
# million papers) runs beside this build (about 75 s of CPU on three threads). At equal
# priority the fill had half a core and finished last; at a lower priority for the
# build, the fill has a core and the build the rest: the load's end took 66-68 s
# against 72-76 s (#13, 1M papers).
BUILD_NICENESS = 10
# An author or profile filter is handed to the engine as a set of pks up to this size;
# beyond it (a profile listing most of the catalog) FTS5 answers.
MAX_PK_SET = 20_000
# Typo correction compares a word with this many of the most common words sharing
# its first letters (``vocabulary``).
VOCABULARY_LIMIT = 2_000
# Up to this many papers, a set of pks is looked up pk by pk (see ``_pks``).
MAX_PK_TERMS = 5_000
# Catch up while at most 1/REBUILD_SHARE of the papers were replaced since the last
# rebuild (see ``sync``); beyond that, rebuild.
REBUILD_SHARE = 20
# Coordination (see catalog.search.COORD_POWER) reorders this many candidates.
COORD_CANDIDATES = 100
# A phrase whose rarest word this many papers hold is searched in two halves at once
# (see ``SearchIndex.top``): below it, a thread costs more than it saves.
SPLIT_DOCS = 100_000

Progress = Callable[[int, int], None]  # (papers indexed, papers in all)

_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


class AltLike(Protocol):
    """A word or phrase to look up (``catalog.search.Alt``)."""

    @property
    def text(self) -> str: ...
    @property
    def prefix(self) -> bool: ...
    @property
    def column(self) -> str | None: ...


def index_path(db: Path) -> Path:
    return db.with_name(db.name + "-search")


def _writable_place(folder: Path) -> bool:
    # access(2) answers EROFS on a read-only mount, for root too (as store.open relies on)
    return os.access(folder, os.W_OK)


def day_number(date: str | None) -> int | None:
    """``2024-03-05`` as 20240305: the order of the ISO dates SQLite compares."""
    m = _DATE_RE.match(date or "")
    return int(m.group(1) + m.group(2) + m.group(3)) if m else None


@dataclass(frozen=True)
class Stamp:
    """What an index commit says of itself."""

    catalog_id: str
    applied: int  # the last search_log seq it has taken in
    replaced: int = 0  # papers taken in again (or deleted) since it was built
    papers: int = 0  # papers it holds
    version: int = VERSION


@dataclass(frozen=True)
class Synced:
    """What ``sync`` did: nothing, took in ``papers`` changed papers, or rebuilt."""

    rebuilt: bool = False
    papers: int = 0


def is_engine_failure(e: BaseException) -> bool:
    """An error of tantivy reading or writing its files: a damaged or foreign index
    (rebuilt), not a bug of ours. tantivy reports some damage by panicking, which
    pyo3 raises as a ``PanicException`` (a BaseException)."""
    return (isinstance(e, (ValueError, OSError, TypeError, KeyError, json.JSONDecodeError))
            or type(e).__name__ == "PanicException")


class IndexUnavailable(Exception):
    """The index can't answer for SQLite now and can't be brought up to date here
    (internal: the caller falls back to FTS5)."""


def _tantivy() -> Any:
    import tantivy

    return tantivy


def _schema() -> Any:
    t = _tantivy()
    sb = t.SchemaBuilder()
    sb.add_integer_field("pk", stored=True, indexed=True, fast=True)
    for name in (BODY, "authors"):
        sb.add_text_field(name, stored=False, tokenizer_name="catalog",
                          index_option="position")
    sb.add_text_field("affiliations", stored=False, tokenizer_name="catalog",
                      index_option="freq")
    sb.add_text_field("topics", stored=False, tokenizer_name="raw", index_option="basic")
    sb.add_integer_field("day", stored=False, indexed=True, fast=True)
    sb.add_integer_field("code", stored=False, indexed=True)
    sb.add_text_field("meta", stored=False, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("stamp", stored=True, tokenizer_name="raw", index_option="basic")
    return sb.build()


def _analyzer() -> Any:
    """Words as FTS5's ``porter unicode61`` reads them, near enough: split at what is
    not a letter or digit, lower-cased, English-stemmed. Folding and CJK bigrams were
    done before (``index_text``)."""
    t = _tantivy()
    return (t.TextAnalyzerBuilder(t.Tokenizer.simple())
            .filter(t.Filter.remove_long(40)).filter(t.Filter.lowercase())
            .filter(t.Filter.stemmer("english")).build())


def _open(path: Path) -> Any:
    t = _tantivy()
    index = t.Index(_schema(), path=str(path), reuse=True)
    index.register_tokenizer("catalog", _analyzer())
    return index


def _document(row: store_search.IndexRow) -> Any:
    title, abstract = index_text(row.title), index_text(row.abstract)
    fields: dict[str, Any] = {BODY: [title] * TITLE_REPEATS + [abstract],
                              "authors": index_text(row.authors),
                              "affiliations": index_text(row.affiliations)}
    fields["pk"] = row.pk
    if row.topics.split():
        fields["topics"] = row.topics.split()
    day = day_number(row.date)
    if day is not None:
        fields["day"] = day
    fields["code"] = int(row.has_code)
    return _tantivy().Document(**fields)


def _stamp_document(stamp: Stamp) -> Any:
    return _tantivy().Document(meta="stamp", stamp=json.dumps(stamp.__dict__))


def _commit(writer: Any, stamp: Stamp) -> None:
    """The stamp is written in the very commit that holds the papers: a reader sees
    both or neither."""
    writer.delete_documents_by_term("meta", "stamp")
    writer.add_document(_stamp_document(stamp))
    writer.commit()
    writer.wait_merging_threads()


class SearchIndex:
    """The index of one catalog: brought up to date, then asked for the top papers."""

    def __init__(self, conn: sqlite3.Connection, db: Path) -> None:
        self.conn = conn
        # tantivy locks files even to read, so a catalog on a read-only place has its
        # index in the user's cache, by catalog id (see ``sync``)
        self.path: Path | None = index_path(db) if _writable_place(db.parent) else None
        self._index: Any = None
        self._stamp: Stamp | None = None
        self._analyzer: Any = None
        # term lists by (prefix, stamp): what the index held when they were read
        self._vocabulary: dict[tuple[str, Stamp | None], list[tuple[str, int]]] = {}

    @property
    def stamp(self) -> Stamp | None:
        """What the index last said of itself (None: not read yet, or no index)."""
        return self._stamp

    # -- keeping it current ------------------------------------------------------------
    def sync(self, progress: Progress | None = None, *, rebuild: bool = False) -> Synced:
        """Bring the index up to SQLite's state now: take in what changed, or rebuild
        it when it can't be trusted (or ``rebuild``). Raises ``IndexUnavailable``."""
        state = store_search.log_state(self.conn)
        if state is None:
            raise IndexUnavailable("the catalog has no change log (an older schema)")
        if self.path is None:
            from catalog.config import cache_dir

            self.path = cache_dir() / "search" / state.catalog_id
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise IndexUnavailable(f"no place for the search index ({e})") from None
        stamp = None if rebuild else self._read_stamp()
        if stamp is not None and stamp.applied < state.head:
            self._reload()  # another process may have caught it up meanwhile
            stamp = self._read_stamp()
        if stamp is not None and self._trusted(stamp, state):
            if stamp.applied == state.head:
                return Synced()
            caught = self._catch_up(stamp, state, progress)
            if caught is not None:
                return Synced(papers=caught)
        return Synced(rebuilt=True, papers=self._rebuild(progress))

    @staticmethod
    def _trusted(stamp: Stamp, state: store_search.LogState) -> bool:
        if stamp.catalog_id != state.catalog_id or stamp.version != VERSION:
            return False
        if stamp.applied > state.head:
            return False  # written for a later state of this file (a restored backup)
        if stamp.applied < state.head:
            # every change since must still be in the log (it is pruned as loads go)
            return state.oldest is not None and state.oldest <= stamp.applied + 1
        return True

    def _read_stamp(self) -> Stamp | None:
        try:
            index = self._opened()
            if index is None:
                return None
            searcher = index.searcher()
            t = _tantivy()
            found = searcher.search(t.Query.term_query(index.schema, "meta", "stamp"), 1,
                                    count=False).hits
            if not found:
                return None
            stamp = Stamp(**json.loads(searcher.doc(found[0][1])["stamp"][0]))
            if searcher.num_docs != stamp.papers + 1:  # the papers and the stamp
                raise ValueError("the index does not hold what its stamp says")
        except BaseException as e:
            if not is_engine_failure(e):
                raise
            self._index = None
            return None  # unreadable: rebuilt
        self._stamp = stamp
        return stamp

    def _opened(self) -> Any:
        if self._index is None:
            t = _tantivy()
            if self.path is None or not self.path.is_dir() or not t.Index.exists(str(self.path)):
                return None
            self._index = _open(self.path)
        return self._index

    def _reload(self) -> None:
        if self._index is not None:
            try:
                self._index.reload()
            except (ValueError, OSError):
                self._index = None

    def _writer(self, index: Any, papers: int = 0) -> Any:
        """A writer sized for the work: a second thread and a large heap pay off only
        when many papers go in (starting them costs more than a small catalog takes)."""
        large = papers >= LARGE_PAPERS
        threads = _threads() if large else 1
        heap = HEAP_BYTES if large else SMALL_HEAP_BYTES
        try:
            if large:
                return _niced(lambda: index.writer(heap_size=heap, num_threads=threads))
            return index.writer(heap_size=heap, num_threads=threads)
        except (ValueError, OSError) as e:  # another process holds it, a read-only place
            raise IndexUnavailable(f"the search index can't be written ({e})") from None

    def _catch_up(self, stamp: Stamp, state: store_search.LogState,
                  progress: Progress | None) -> int | None:
        """Take in the papers changed since ``stamp`` (their count), or None when so
        many were replaced that a rebuild is due."""
        writer = self._writer(self._index, state.head - stamp.applied)
        own_txn = not self.conn.in_transaction
        try:
            if own_txn:
                self.conn.execute("BEGIN")  # one snapshot: the rows and the log head agree
            state = store_search.log_state(self.conn) or state
            pks = store_search.changed_since(self.conn, stamp.applied, state.head)
            known = self._held(pks)
            if (stamp.replaced + len(known)) * REBUILD_SHARE > stamp.papers:
                # A replaced paper's old copy still counts in the index's word
                # statistics until segments merge; past a small share of them, ranking
                # would drift from what a fresh load gives: the index is built anew.
                if own_txn:
                    self.conn.execute("COMMIT")
                writer.rollback()
                return None
            for pk in known:
                writer.delete_documents_by_term("pk", pk)
            done = 0
            for row in store_search.index_rows(self.conn, pks):
                writer.add_document(_document(row))
                done += 1
                if progress and done % 1000 == 0:
                    progress(done, len(pks))
            if own_txn:
                self.conn.execute("COMMIT")
            new = Stamp(state.catalog_id, state.head, stamp.replaced + len(known),
                        stamp.papers - len(known) + done)
            _commit(writer, new)
        except BaseException:
            if own_txn and self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            writer.rollback()
            raise
        self._index.reload()
        self._stamp = new
        return len(pks)

    def _held(self, pks: Sequence[int]) -> list[int]:
        """Those of ``pks`` the index holds (a new paper's pk is not a replacement)."""
        if not pks:
            return []
        q = self._pks(pks)
        return [pk for pk, _ in self.top(q, len(pks))]

    def _rebuild(self, progress: Progress | None) -> int:
        """A whole new index from one consistent read of SQLite, built in a folder of
        its own and put in place whole: readers see the old index or the new one."""
        assert self.path is not None
        live = self.path
        building = live.parent / f"{live.name}.building-{os.getpid()}"
        _remove_stale_builds(live)
        try:
            shutil.rmtree(building, ignore_errors=True)
            building.mkdir()
            index = _open(building)
            writer = self._writer(index, store_search.paper_count(self.conn))
        except (OSError, ValueError, IndexUnavailable) as e:
            shutil.rmtree(building, ignore_errors=True)
            raise IndexUnavailable(f"the search index can't be written ({e})") from None
        own_txn = not self.conn.in_transaction
        try:
            if own_txn:
                self.conn.execute("BEGIN")  # one snapshot: the rows and the log head agree
            state = store_search.log_state(self.conn)
            assert state is not None
            total = store_search.paper_count(self.conn)
            done = 0
            for row in store_search.index_rows(self.conn):
                writer.add_document(_document(row))
                done += 1
                if progress and done % 5000 == 0:
                    progress(done, total)
            if own_txn:
                self.conn.execute("COMMIT")
            stamp = Stamp(state.catalog_id, state.head, 0, done)
            _commit(writer, stamp)
            if progress:
                progress(done, done)
            del writer
            self._index = None
            _swap(building, live)
        except BaseException:
            if own_txn and self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            shutil.rmtree(building, ignore_errors=True)
            raise
        self._stamp = stamp
        return done

    # -- asking it ----------------------------------------------------------------------
    def searcher(self) -> Any:
        index = self._opened()
        if index is None:
            raise IndexUnavailable("no search index")
        return index.searcher()

    def analyze(self, text: str) -> list[str]:
        if self._analyzer is None:
            self._analyzer = _analyzer()
        return list(self._analyzer.analyze(text))

    def doc_freq(self, alt_text: str) -> int:
        """How many papers hold the rarest word of ``alt_text`` in title or abstract
        (an upper bound on the phrase's count, and all that ranking clauses needs)."""
        searcher = self.searcher()
        counts = [searcher.doc_freq(BODY, w) for w in self.analyze(alt_text)]
        return min(counts) if counts else 0

    def holds(self, alt_text: str) -> bool:
        """Does some paper hold every word of ``alt_text``, in any field searched?
        (A word only in author names is a word the catalog holds: never corrected.)"""
        searcher = self.searcher()
        words = self.analyze(alt_text)
        return bool(words) and all(any(searcher.doc_freq(f, w) for f in BOOSTS)
                                   for w in words)

    def vocabulary(self, prefix: str) -> list[tuple[str, int]]:
        """The ``VOCABULARY_LIMIT`` most common indexed (stemmed) words of titles and
        abstracts starting with ``prefix``, with the number of papers holding each: a
        typo's correction must be far more common than the typo, and a million
        papers hold tens of thousands of rare words per prefix."""
        key = (prefix, self._stamp)
        if key not in self._vocabulary:  # a search that corrects, then suggests, asks twice
            self._vocabulary = {key: [
                (str(term), int(n)) for term, n in
                self.searcher().terms_with_prefix(BODY, prefix, limit=VOCABULARY_LIMIT)],
                **{k: v for k, v in self._vocabulary.items() if k[1] == self._stamp}}
        return self._vocabulary[key]

    def count(self, query: Any, *, split: bool = False) -> int:
        """How many papers match; ``split``: in two halves at once (see ``top``)."""
        searcher = self.searcher()
        parts = self._halves(query) if split else [query]
        return sum(_in_parallel(lambda q: int(searcher.search(q, 1, count=True).count),
                                parts))

    def top(self, query: Any, k: int | None, *, split: bool = False
            ) -> list[tuple[int, float]]:
        """(pk, score) of the ``k`` best papers for a tantivy query (None: all).

        ``split``, for a query that can skip nothing (``costly``): the papers are
        searched in two halves by pk, each on a thread of its own (tantivy lets go of
        the GIL while it searches), and the two lists merged by score. The scores are
        the same: each half is scored with the whole index's statistics."""
        searcher = self.searcher()
        if k is None:
            k = self.count(query, split=split)
        if k <= 0:
            return []  # tantivy panics on a limit of 0
        parts = self._halves(query) if split else [query]
        found = _in_parallel(lambda q: searcher.search(q, k, count=False).hits, parts)
        hits = sorted((hit for part in found for hit in part), key=lambda h: -h[0])[:k]
        return [(searcher.doc(addr)["pk"][0], score) for score, addr in hits]

    def costly(self, alts: Sequence[AltLike]) -> bool:
        """Is one of ``alts`` a phrase of words so common that the engine must read
        the positions of most papers (``"of the"``: 190-260 ms at a million papers)?
        Top-k skipping can't help a phrase; only its rarest word bounds the work."""
        return any(len(self.analyze(a.text)) > 1 and self.doc_freq(a.text) >= SPLIT_DOCS
                   for a in alts)

    def _halves(self, query: Any) -> list[Any]:
        """``query`` over the papers below the middle pk, and over the rest."""
        if _threads() < 2:
            return [query]
        t = _tantivy()
        schema = self._opened().schema
        middle = store_search.paper_count(self.conn) // 2 + 1
        ranges = [t.Query.range_query(schema, "pk", t.FieldType.Integer, None, middle,
                                      include_upper=False),
                  t.Query.range_query(schema, "pk", t.FieldType.Integer, middle, None)]
        return [t.Query.boolean_query([(t.Occur.Must, query),
                                       (t.Occur.Must, t.Query.const_score_query(r, 0.0))])
                for r in ranges]

    def filter_query(self, sel: Selection, pks: Sequence[int] | None) -> list[Any]:
        """The selection's filters as (scoreless) tantivy clauses."""
        t = _tantivy()
        schema = self._opened().schema
        out = []
        low, high = _day_bounds(sel)
        if low is not None or high is not None:
            out.append(t.Query.range_query(schema, "day", t.FieldType.Integer, low, high))
        if sel.topics:
            out.append(t.Query.term_set_query(schema, "topics", list(dict.fromkeys(sel.topics))))
        if sel.code is not None:
            out.append(t.Query.term_query(schema, "code", int(sel.code)))
        if pks is not None:
            out.append(self._pks(pks))
        return [t.Query.const_score_query(q, 0.0) for q in out]


    # -- queries -------------------------------------------------------------------------
    def alt_parts(self, alt: AltLike, weight: float = 1.0) -> list[Any]:
        """One word or phrase as its field queries, each field's BM25 times its boost
        (``BOOSTS``); a paper holding it in any field matches. Empty when the text holds
        no word the index could hold. (``title:`` and ``abstract:`` terms are FTS5's:
        see ``catalog.search.engine_hits``.)"""
        t = _tantivy()
        schema = self._opened().schema
        words = self.analyze(alt.text)
        if not words:
            return []
        parts = []
        for name, boost in BOOSTS.items():
            if alt.prefix:
                if name not in POSITIONS:
                    continue
                q = t.Query.phrase_prefix_query(schema, name, words)
            elif len(words) == 1:
                q = t.Query.term_query(schema, name, words[0])
            elif name in POSITIONS:
                q = t.Query.phrase_query(schema, name, words)
            else:
                continue
            parts.append(q if boost * weight == 1.0 else t.Query.boost_query(q, boost * weight))
        return parts

    def alt_query(self, alt: AltLike, weight: float = 1.0) -> Any | None:
        return _any(self.alt_parts(alt, weight))

    def clause_parts(self, alts: Sequence[AltLike]) -> list[Any]:
        """Any of ``alts``, as the field queries to OR; an alternative given n times
        weighs n times (more like this asks for a paper's telling words more than
        once)."""
        counted: dict[AltLike, int] = {}
        for a in alts:
            counted[a] = counted.get(a, 0) + 1
        return [q for a, n in counted.items() for q in self.alt_parts(a, float(n))]

    def query(self, *, must: Sequence[Sequence[AltLike]] = (),
              should: Sequence[Sequence[AltLike]] = (),
              excluded: Sequence[AltLike] = (), filters: Sequence[Any] = (),
              without: int | None = None) -> Any | None:
        """Required, optional and excluded clauses with filters, as one query; None
        when it can match nothing (a required clause with no indexable word)."""
        t = _tantivy()
        parts = []
        for alts in must:
            q = _any(self.clause_parts(alts))
            if q is None:
                return None
            parts.append((t.Occur.Must, q))
        # the optional clauses' field queries side by side, not nested a clause each:
        # a flat OR of term queries is what tantivy's block-max WAND prunes (a pasted
        # claim: 3 ms against 10 ms nested, at 100,000 papers)
        parts += [(t.Occur.Should, q) for alts in should for q in self.clause_parts(alts)]
        if not parts:
            return None
        # the words on their own: with no required word, a paper needs one of the
        # optional ones (beside the filters' Must, they would be optional)
        text = parts[0][1] if len(parts) == 1 else t.Query.boolean_query(parts)
        outer = [(t.Occur.Must, text)]
        for a in excluded:
            q = self.alt_query(a)
            if q is not None:
                outer.append((t.Occur.MustNot, q))
        outer += [(t.Occur.Must, f) for f in filters]
        if without is not None:
            outer.append((t.Occur.MustNot,
                          t.Query.term_query(self._opened().schema, "pk", without)))
        return text if len(outer) == 1 else t.Query.boolean_query(outer)

    def pk_set(self, pks: Sequence[int]) -> Any:
        """Only these papers (a filter: it adds nothing to the score)."""
        return _tantivy().Query.const_score_query(self._pks(pks), 0.0)

    def _pks(self, pks: Sequence[int]) -> Any:
        # tantivy's term set query walks each segment's whole term dictionary (15 ms
        # at a million papers for any set); an OR of term look-ups costs by the set
        # (a prolific author's 1,469 papers: 1 ms), up to sets of this size
        t = _tantivy()
        schema = self._opened().schema
        if len(pks) > MAX_PK_TERMS:
            return t.Query.term_set_query(schema, "pk", list(pks))
        return t.Query.boolean_query([(t.Occur.Should, t.Query.term_query(schema, "pk", pk))
                                      for pk in pks])


def _any(parts: Sequence[Any]) -> Any | None:
    if len(parts) <= 1:
        return parts[0] if parts else None
    t = _tantivy()
    return t.Query.boolean_query([(t.Occur.Should, q) for q in parts])


def _day_bounds(sel: Selection) -> tuple[int | None, int | None]:
    lows = [day_number(sel.since)] if sel.since else []
    highs = [day_number(sel.until)] if sel.until else []
    if sel.years:
        lows.append(sel.years[0] * 10000 + 101)
        highs.append(sel.years[1] * 10000 + 1231)
    low = max((d for d in lows if d is not None), default=None)
    high = min((d for d in highs if d is not None), default=None)
    return low, high


def _in_parallel(call: Callable[[Any], Any], queries: Sequence[Any]) -> list[Any]:
    """``call`` of each query, all at once, each on a thread of its own."""
    if len(queries) == 1:
        return [call(queries[0])]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(len(queries)) as pool:
        return list(pool.map(call, queries))


def _niced(make: Callable[[], Any]) -> Any:
    """``make()`` called on a thread of its own that first lowers its priority by
    ``BUILD_NICENESS``: the threads tantivy starts there inherit it (a Linux thread has
    a nice value of its own), and this thread and the caller keep theirs. Elsewhere,
    or where the priority can't be set, just ``make()``."""
    import sys

    if not sys.platform.startswith("linux"):
        return make()
    import threading
    from concurrent.futures import ThreadPoolExecutor

    def run() -> Any:
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(),
                           os.getpriority(os.PRIO_PROCESS, 0) + BUILD_NICENESS)
        except OSError:
            pass  # not allowed here: the build runs at the usual priority
        return make()

    with ThreadPoolExecutor(1, thread_name_prefix="catalog-index-writer") as pool:
        return pool.submit(run).result()


def _threads() -> int:
    return max(1, min(2, os.cpu_count() or 1))


def _swap(built: Path, live: Path) -> None:
    old = live.with_name(f"{live.name}.old-{os.getpid()}")
    if live.exists():
        os.rename(live, old)
    os.rename(built, live)
    shutil.rmtree(old, ignore_errors=True)


def _remove_stale_builds(live: Path) -> None:
    """Folders a killed rebuild left (their process is gone)."""
    for stale in live.parent.glob(f"{live.name}.*-*"):
        pid = stale.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
