"""Best-match search: what a typed or pasted query means, and how papers rank.

People type a few words, or paste a title, a claim or a paragraph; the paper they
want rarely holds every word (a claim that a drug *raises* a level is answered by
the paper reporting that it *lowers* it). So plain words are *should* clauses: a
paper needs one of them, and ranks by BM25 over title, authors and abstract times
a coordination factor that puts papers holding more of the query's distinct words
first. ``"exact phrase"`` and ``+word`` are required, ``-word`` excludes, field terms
filter (``catalog.query`` parses them). English stop words are left out of the
should clauses unless quoted, or unless the query has nothing else. ``all_words``
(``--all``) keeps the old meaning for scripts: every word required.

Typo correction only ever *adds* an alternative for a word the catalog does not
hold (``mixtre`` also searches ``mixture``), and never for words with digits,
acronyms or gene-like tokens (``CD4``, ``p53``, ``IL-6``): the query still runs as
typed, and the note says what was added.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from catalog.analysis import index_text
from catalog.errors import QuerySyntaxError
from catalog.models import Hit
from catalog.query import Query, Term
from catalog.search_index import COORD_CANDIDATES, MAX_PK_SET, SearchIndex
from catalog.store import search as store_search
from catalog.store.read import Selection

STOP_WORDS = frozenset("""
a about above after again against all also am an and any are as at be because been
before being below between both but by can could did do does doing down during each
few for from further had has have having he her here hers herself him himself his how
i if in into is it its itself just me more most my myself no nor not of off on once
only or other our ours ourselves out over own same she should so some such than that
the their theirs them themselves then there these they this those through to too
under until up very via was we were what when where which while who whom why will
with would you your yours yourself yourselves
""".split())

# At most this many should-clauses reach the index: a pasted paragraph keeps its rarest
# words (the ones that say what it is about); its common ones add time, not ranking.
MAX_SHOULD = 32
# Beside more unquoted words than this, quotes are a pasted text's quotation marks
# ("Mouse models can be generated using "artificial spermatids".") rather than a
# demand: the quoted phrase then ranks higher but is not required.
MAX_TYPED_WORDS = 4
# Typo correction looks at short, typed queries only: a pasted text's unknown words
# are names and jargon, not typos.
MAX_CORRECTED_QUERY = 12
# Coordination: a paper holding m of the n should-clauses has its BM25 score times
# ((1 + m) / (1 + n)) ** COORD_POWER, so that of two papers a short typed query finds,
# the one holding more of its words comes first (BM25 alone saturates repeats of one
# word, but a rare word repeated can still beat two common ones). For longer queries
# (claims, pasted text) it cost ranking quality on every shared collection (nDCG@10
# -0.005 to -0.02 at 4-6 words and more, measured), so there BM25 ranks alone.
COORD_POWER = 0.5
COORD_MAX_CLAUSES = 3

_WORD_RE = re.compile(r"\w+", re.UNICODE)
# Inside one unquoted token, these separate words that are searched on their own
# ("x:y", "IL-6/STAT3"); a hyphen, dot or apostrophe binds parts into one phrase
# ("GPT-4", "DeepSeek-V3.2"), and so does a slash between digits ("1/500").
_PIECES_RE = re.compile(r"[^\w\-.'’/]+|(?<!\d)/|/(?!\d)")


@dataclass(frozen=True)
class Alt:
    """One way to meet a clause: a word or a phrase, written as the engine's index
    holds text (folded, CJK bigrams: ``index_text``), maybe a prefix, maybe in one
    column only. Either engine reads it: ``catalog.search_index`` its ``text``, SQLite's
    FTS5 (``fts()``) the text as typed too, since ``papers_fts`` holds the text
    unfolded (``Łukasz`` is found as typed there, not as ``lukasz``)."""

    text: str
    prefix: bool = False
    column: str | None = None
    typed: str = ""

    def fts(self) -> str:
        """As FTS5 query text (quoted phrases: never read as FTS5 syntax)."""
        star = "*" if self.prefix else ""
        column = f"{self.column} : " if self.column else ""
        forms = dict.fromkeys(t.strip() for t in (self.text, self.typed) if t.strip())
        if not forms:
            forms = {"": None}
        parts = [f'{column}"{t.replace(chr(34), chr(34) * 2)}"{star}' for t in forms]
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"


def fts_string(words: Sequence[str], prefix: bool = False) -> Alt:
    """Words as one alternative (a phrase when several)."""
    text = " ".join(words)
    return Alt(index_text(text), prefix, typed=text)


def term_fts(t: Term) -> Alt:
    """A parsed term; ``title:``/``abstract:`` terms search that column."""
    text = " ".join(t.words)
    return Alt(index_text(text), t.prefix, t.column, text)


@dataclass(frozen=True)
class Clause:
    """One thing the query asks for: a paper satisfies it by holding any alternative."""

    alternatives: tuple[Alt, ...]
    words: tuple[str, ...]  # for highlighting
    label: str  # as the user wrote it
    word: str | None = None  # the plain word, when the clause is one (correctable)
    raw: str = ""

    def fts(self) -> str:
        inner = " OR ".join(a.fts() for a in self.alternatives)
        return f"({inner})" if len(self.alternatives) > 1 else inner

    def with_alternative(self, word: str) -> Clause:
        return Clause((*self.alternatives, fts_string((word,))), (*self.words, word),
                      self.label, self.word, self.raw)


@dataclass
class Plan:
    """What the index is asked: required, optional and excluded clauses."""

    must: list[Clause] = field(default_factory=list)
    should: list[Clause] = field(default_factory=list)
    excluded: list[Alt] = field(default_factory=list)
    added: dict[str, str] = field(default_factory=dict)  # typed word -> also searched
    notes: list[str] = field(default_factory=list)

    def match(self) -> str | None:
        """The FTS5 expression of the positive part (None: no positive clause)."""
        must = " AND ".join(c.fts() for c in self.must)
        should = " OR ".join(a.fts() for c in self.should for a in c.alternatives)
        if must and should:
            # the should-clauses stay in the expression so that BM25 scores them;
            # OR'ed with a required clause they never decide whether a paper matches
            return " AND ".join([must, "(" + " OR ".join([self.must[0].fts(), should]) + ")"])
        return must or should or None

    def exclude_match(self) -> str | None:
        return " OR ".join(a.fts() for a in self.excluded) or None

    def coordination(self) -> tuple[list[str], list[float]]:
        n = len(self.should)
        if not 2 <= n <= COORD_MAX_CLAUSES:
            return [], []
        factors = [((1 + m) / (1 + n)) ** COORD_POWER for m in range(n + 1)]
        return [c.fts() for c in self.should], factors

    def highlight(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(w for c in (*self.must, *self.should) for w in c.words))

    @property
    def corrected(self) -> str | None:
        if not self.added:
            return None
        return ", ".join(f'"{new}" (for "{old}")' for old, new in self.added.items())


def plan(conn, query: Query, *, all_words: bool = False, text: str = "",
         engine: SearchIndex | None = None) -> Plan:
    """Read a parsed query as best-match (or, with ``all_words``, every word required).

    Raises ``QuerySyntaxError`` for a query with no word at all (``""``, ``OR``, ``*``)."""
    p = Plan(excluded=[term_fts(t) for t in query.excluded])
    if all_words:
        for group in query.groups:
            p.must.append(_group_clause(group))
    else:
        # In pasted text (a paragraph, a question with a "quotation" in it) quotes are
        # quotations, not a demand: there a quoted phrase ranks but is not required.
        pasted = sum(len(t.words) for g in query.groups for t in g
                     if not t.quoted) > MAX_TYPED_WORDS
        for group in query.groups:
            if len(group) > 1:  # a OR b: either, as one optional clause
                p.should.append(_group_clause(group))
            elif group[0].required and not (pasted and group[0].quoted):
                p.must.append(_term_clause(group[0]))
            else:
                p.should += _split(group[0])
        p.should = list({c.alternatives: c for c in p.should}.values())
        content = [c for c in p.should if not (c.word and c.word in STOP_WORDS)]
        if content or p.must:
            p.should = content  # else a query of only stop words searches them
    if not (p.must or p.should or p.excluded) and query.filters == type(query.filters)():
        raise QuerySyntaxError(
            f"nothing to search for in {text!r}: the query has no words "
            "(quote words to search them literally)")
    if len(p.should) > MAX_SHOULD:
        p.should = _rarest(conn, p.should, engine)
    if len(p.must) + len(p.should) <= MAX_CORRECTED_QUERY:
        _correct(conn, p, engine)
    return p


def _group_clause(group: Sequence[Term]) -> Clause:
    alts = tuple(dict.fromkeys(term_fts(t) for t in group))
    return Clause(alts, tuple(w for t in group for w in t.words),
                  " OR ".join(t.raw or t.text for t in group),
                  group[0].words[0] if len(group) == 1 and len(group[0].words) == 1
                  and not group[0].prefix and not group[0].column else None, group[0].raw)


def _term_clause(t: Term) -> Clause:
    word = t.words[0] if len(t.words) == 1 and not t.prefix and not t.column else None
    return Clause((term_fts(t),), t.words, t.raw or t.text, word, t.raw)


def _split(t: Term) -> list[Clause]:
    """An unquoted word: itself, or the pieces punctuation makes of it."""
    if len(t.words) == 1 or t.quoted or t.column:
        return [_term_clause(t)]
    out = []
    for piece in _PIECES_RE.split(t.raw):
        words = tuple(w.lower() for w in _WORD_RE.findall(piece))
        if not words:
            continue
        if len(words) == 1:
            out.append(Clause((fts_string(words),), words, piece, words[0], piece))
            continue
        alts = [fts_string(words)]
        digits = any(c.isdigit() for c in piece)
        if "-" in piece and "." not in piece and (digits or all(w.isalpha() for w in words)):
            alts.append(fts_string(("".join(words),)))  # Birth-weight: birthweight; IL6
        out.append(Clause(tuple(alts), words, piece))
        if digits:
            # a name with digits is written many ways (IL-6, IL6, interleukin 6): its
            # word parts count on their own too (measured: SciFact nDCG@10 +0.004)
            out += [Clause((fts_string((w,)),), (w,), w, w, w) for w in words
                    if w not in STOP_WORDS and not w.isdigit()]
    if t.prefix and out:
        last = out[-1]
        out[-1] = Clause(tuple(replace(a, prefix=True) for a in last.alternatives),
                         last.words, last.label)
    return out


def _rarest(conn, clauses: list[Clause], engine: SearchIndex | None) -> list[Clause]:
    """The ``MAX_SHOULD`` clauses held by the fewest papers (but by some); counted by
    the engine's term statistics when there is one (FTS5 reads the document lists)."""
    def count(c: Clause) -> int:
        if engine is not None:
            return max(engine.doc_freq(a.text) for a in c.alternatives)
        return store_search.doc_count(conn, c.fts())

    counted = [(count(c), i, c) for i, c in enumerate(clauses[: MAX_SHOULD * 8])]
    held = sorted((n, i, c) for n, i, c in counted if n)
    keep = sorted(held[:MAX_SHOULD], key=lambda x: x[1])
    return [c for _, _, c in keep] or clauses[:MAX_SHOULD]


# -- typo correction ------------------------------------------------------------

_ACRONYM_RE = re.compile(r"[A-Z].*[A-Z]|[a-z][A-Z]")  # CD, mRNA, DeepSeek, iPhone


def correctable(word: str, raw: str) -> bool:
    """Only plain lower-case or capitalised words of letters may be corrected: never
    digits, acronyms, mixed case or gene-like tokens (CD4, p53, IL-6, mRNA)."""
    raw = raw.strip(".,;:!?()[]{}'\"")
    return (len(word) >= 4 and word.isalpha() and word.isascii()
            and not _ACRONYM_RE.search(raw) and raw.lower() == word)


def _correct(conn, p: Plan, engine: SearchIndex | None = None) -> None:
    store = store_search

    for clauses in (p.must, p.should):
        for i, c in enumerate(clauses):
            if c.word is None or not correctable(c.word, c.raw or c.word):
                continue
            if (any(engine.holds(a.text) for a in c.alternatives) if engine
                    else store.matches(conn, c.fts())):
                continue  # the catalog holds it: never rewritten
            better = nearest_word(conn, c.word, engine=engine)
            if better and better != c.word:
                clauses[i] = c.with_alternative(better)
                p.added[c.word] = better
    if p.added:
        p.notes.append(f"also searched for {p.corrected}")


def nearest_word(conn, word: str, cutoff: float = 80.0,
                 engine: SearchIndex | None = None) -> str | None:
    """A close word the catalog holds, if one is clearly better than the runner-up
    and common enough to be what was meant; else None."""
    from rapidfuzz import fuzz
    from rapidfuzz.distance import Levenshtein

    store = store_search

    scored: list[tuple[float, int, str]] = []
    stem = _rough_stem(word)
    # Reading the vocabulary walks every term's document list: look among the terms
    # sharing the first two letters first (most typos keep them), then the first one.
    for prefix in dict.fromkeys((word[:2], word[:1])):
        # the engine's term dictionary knows each term's count; FTS5's vocabulary
        # table counts by reading document lists (half a second at a million papers)
        vocabulary = engine.vocabulary(prefix) if engine else store.vocabulary(conn, prefix)
        for term, docs in vocabulary:
            if abs(len(term) - len(word)) > 4 or not term.isalpha():
                continue
            score = max(fuzz.ratio(word, term), fuzz.ratio(stem, term))
            if len(term) >= max(4, len(word) - 4):
                # the index holds stems: "reinforc" for "reinforcement"
                score = max(score, fuzz.ratio(word[: len(term)], term) - 5)
            scored.append((score, docs, term))
        if any(s >= cutoff for s, _, _ in scored):
            break
    scored.sort(reverse=True)
    if not scored or scored[0][0] < cutoff:
        return None
    best = scored[0]
    runner = next((s for s in scored[1:] if s[2] != best[2]), None)
    if runner and runner[0] > best[0] - 5 and runner[1] * 3 > best[1]:
        return None  # two near-equal candidates: no clear reading
    surface = _surface_word(conn, best[2])
    if Levenshtein.distance(word, surface) > (1 if len(word) <= 5 else 2):
        return None
    return surface


def _surface_word(conn, stem: str) -> str:
    """The most common real word in the catalog that the index stems to ``stem``."""
    from rapidfuzz import fuzz

    from catalog import names

    store = store_search

    words: Counter[str] = Counter()
    # porter may change the end of a word (nearly -> nearli): match on a shorter root
    root = stem[:-1] if len(stem) > 3 else stem
    rx = re.compile(rf"\b({re.escape(root)}\w*)", re.IGNORECASE)
    # as a prefix: a query word is stemmed again (coffe -> coff), a prefix is not
    for text in store.texts_matching(conn, fts_string((stem,), prefix=True).fts()):
        words.update(m.lower() for m in rx.findall(names.fold(text)))
    if not words:
        return stem
    return max(words, key=lambda w: (fuzz.ratio(w[: len(stem)], stem), words[w]))


_SUFFIXES = ("ations", "ation", "ments", "ment", "ings", "ing", "ness", "ies", "ed", "es",
             "ly", "s")


def _rough_stem(word: str) -> str:
    """Enough of a stemmer to compare a misspelt word with the index's porter stems."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def suggestions(conn, plan_: Plan, engine: SearchIndex | None = None) -> list[str]:
    """Near words for a search that found nothing (looser than correction)."""
    out = []
    for c in (*plan_.must, *plan_.should):
        if c.word and c.word not in plan_.added:
            near = nearest_word(conn, c.word, cutoff=60.0, engine=engine)
            if near and near != c.word:
                out.append(near)
    return out


# -- ranking and snippets ----------------------------------------------------------

def ranked(conn, p: Plan, selection, *, sort: str = "relevance", limit: int | None = None,
           without: int | None = None) -> tuple[str, list]:
    """The SQL that ranks (or sorts) the papers the plan selects."""
    match = p.match()
    if match is None:  # only exclusions: the rest of the selection, newest first
        return store_search.rest_sql(selection, exclude=p.exclude_match() or '""',
                                     sort=sort, limit=limit)
    if p.excluded:
        match = f"({match}) NOT ({p.exclude_match()})"
    coordinate, factors = p.coordination()
    return store_search.ranked_sql(selection, match=match, coordinate=coordinate,
                                   factors=factors, sort=sort, limit=limit, without=without)


def engine_count(conn, engine: SearchIndex, p: Plan, selection: Selection) -> int | None:
    """How many papers ``engine_hits`` would find without a limit (None: ask FTS5)."""
    filters = _engine_filters(conn, engine, p, selection)
    if filters is None:
        return None
    query = None if filters.empty else _engine_query(engine, p, filters.queries)
    return 0 if query is None else engine.count(query, split=_costly(engine, p))


def _costly(engine: SearchIndex, p: Plan) -> bool:
    return engine.costly(list(_alternatives(p)))


def _engine_query(engine: SearchIndex, p: Plan, filters: list,
                  without: int | None = None) -> Any | None:
    """The plan's clauses and the filters as one engine query (None: nothing can
    match)."""
    return engine.query(must=[c.alternatives for c in p.must],
                        should=[c.alternatives for c in p.should], excluded=p.excluded,
                        filters=filters, without=without)


@dataclass
class _EngineFilters:
    queries: list
    empty: bool = False  # nothing can match (an author filter naming no paper)


def _engine_filters(conn, engine: SearchIndex, p: Plan, selection: Selection
                    ) -> _EngineFilters | None:
    """The selection as the engine's filters; None where FTS5 must answer (a query
    of only -words, ``title:``/``abstract:`` terms, which the engine has no fields
    for, an author filter covering more papers than the engine is handed)."""
    if p.match() is None or any(a.column for a in _alternatives(p)):
        return None
    pks = None
    if selection.by_author or selection.by_profile:
        pks = store_search.selection_pks(conn, selection, MAX_PK_SET)
        if pks is None:
            return None
        if not pks:
            return _EngineFilters([], empty=True)
    return _EngineFilters(engine.filter_query(selection, pks))


def engine_hits(conn, engine: SearchIndex, p: Plan, selection: Selection, *,
                limit: int | None, without: int | None = None) -> Iterator[Hit] | None:
    """The ``limit`` (None: all) best papers by the search engine's index (top-k: only
    the papers that can make the list are scored), or None where FTS5 must answer."""
    found = _engine_filters(conn, engine, p, selection)
    if found is None:
        return None
    query = None if found.empty else _engine_query(engine, p, found.queries, without)
    if query is None:
        return iter(())
    split = _costly(engine, p)
    coordinate, factors = p.coordination()
    if not coordinate:
        return _settled(store_search.hits_by_pk(
            conn, engine.top(query, limit and limit + TIE_MARGIN, split=split), selection),
            limit)
    # Coordination reorders the best candidates by BM25 by how many of the (two or
    # three) words each holds: a paper holding them all sums all their scores, so it is
    # among the candidates unless a hundred others outscore it with fewer words.
    k = max(limit, COORD_CANDIDATES) if limit else None
    scored = dict(engine.top(query, k, split=split))
    held = Counter[int]()
    within = engine.pk_set(list(scored))
    for clause in p.should:
        q = engine.query(must=[clause.alternatives], filters=[within])
        if q is not None:
            held.update(pk for pk, _ in engine.top(q, len(scored)))
    ranked_ = sorted(((pk, score * factors[held[pk]]) for pk, score in scored.items()),
                     key=lambda x: (-x[1], x[0]))
    if limit:
        ranked_ = ranked_[:limit + TIE_MARGIN]
    return _settled(store_search.hits_by_pk(conn, ranked_, selection), limit)


# Papers that score alike are ordered by id, a hash of the title, not by when they were
# loaded: the same catalog content ranks the same whatever order its pages came in.
# The engine is asked for this many more than shown, so that ties across the cut are
# settled the same way too.
TIE_MARGIN = 10


def _settled(found: Iterator[Hit], limit: int | None) -> Iterator[Hit]:
    ordered = sorted(found, key=lambda h: (-h.relevance, h.id))
    return iter(ordered[:limit] if limit else ordered)


def _alternatives(p: Plan) -> Iterator[Alt]:
    for c in (*p.must, *p.should):
        yield from c.alternatives
    yield from p.excluded


def hits(conn, sql: str, params: Sequence) -> Iterator[Hit]:
    return store_search.run_ranked(conn, sql, params)


def snippet(text: str, words: Sequence[str], width: int = 28) -> str | None:
    """The stretch of ``text`` (``width`` words) holding most of the query's words."""
    tokens = text.split()
    if not tokens or not words:
        return None
    stems = tuple(w[: max(4, len(w) - 2)] for w in words if w)
    hit = [t.lower().strip("()[],.;:\"'").startswith(stems) for t in tokens]
    if not any(hit):
        return None
    best = n = sum(hit[:width])
    best_start = 0
    for start in range(1, max(1, len(tokens) - width + 1)):  # a sliding count
        n += hit[start + width - 1] - hit[start - 1]
        if n > best:
            best, best_start = n, start
    best = best_start
    start = max(0, min(best, len(tokens) - width))
    body = " ".join(tokens[start:start + width])
    return ("…" if start else "") + body + ("…" if start + width < len(tokens) else "")


# -- more like this -------------------------------------------------------------------

RELATED_WORDS = 25
RELATED_MIN_DOCS = 3


def related_plan(conn, title: str, abstract: str, authors: Sequence[str] = (),
                 engine: SearchIndex | None = None) -> Plan:
    """The should-clauses that say what a paper is about: its words weighted by how
    often it uses them and how rare they are, as Lucene's MoreLikeThis chooses them.
    A word held by fewer than ``RELATED_MIN_DOCS`` papers is left out (MoreLikeThis's
    minDocFreq): such words are a paper's own phrasing, and with them the nearest
    papers of the sample were papers sharing one odd word."""
    tf: Counter[str] = Counter()
    for w in _WORD_RE.findall(f"{title} {abstract}".lower()):
        if len(w) > 2 and w not in STOP_WORDS and not w.isdigit():
            tf[w] += 1
    total = max(1, store_search.paper_count(conn))
    scored = []
    for w, n in tf.most_common(200):
        alt = fts_string((w,))
        df = engine.doc_freq(alt.text) if engine else store_search.doc_count(conn, alt.fts())
        if df >= RELATED_MIN_DOCS:
            scored.append((n * math.log(1 + total / df), w))
    scored.sort(reverse=True)
    kept = scored[:RELATED_WORDS]
    # BM25 weighs each query word alike; a word that says more about this paper is
    # given more weight by asking for it more than once (at most three times)
    top = kept[0][0] if kept else 1.0
    should = [Clause((fts_string((w,)),) * max(1, round(3 * s / top)), (w,), w, w, w)
              for s, w in kept]
    # the people who wrote it: a shared author is strong evidence of a shared subject
    for name in authors[:3]:
        words = tuple(w.lower() for w in _WORD_RE.findall(name))
        if words and store_search.doc_count(conn, fts_string(words).fts(), cap=2) > 1:
            should.append(Clause((fts_string(words),), words, name))
    return Plan(should=should)
