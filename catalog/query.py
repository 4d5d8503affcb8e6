"""The query language of ``catalog search`` and ``catalog export``.

    free words          best match: any may match, more (and rarer) matched words rank
                        higher (stemmed: ``models`` finds ``model``); with ``--all``
                        every word must match, and OR binds tighter than that AND:
                        ``vision OR language model`` = (vision OR language) AND model
    "exact phrase"      words in this order; required
    +word               required
    a OR b              either
    -word, -"phrase"    must not match (NOT word works too)
    prefix*             any word starting with prefix
    author:NAME topic:CODE|NAME year:2024 year:2023..2025 since:DATE until:DATE
    code:yes|no profile:NAME          the same as the FILTERS options; values may be quoted
    title:WORD abstract:"a phrase"     words searched in that field only (#16)

A ``name:value`` whose name is no field (``foo:bar``) is searched as text, and a note
says so (``unknown field 'foo:' (known: ...)``): pasted text holds such things
(``ratio:1/500``), so it is never an error; only a word of letters before the colon
and a value after it count as an attempt at a field (not ``https://``, ``10:30``).

Every word reaches FTS5 as a quoted string, so text that FTS5 would read as syntax
(``GPT-4``, ``DeepSeek-V3.2``, ``NEAR(``, a stray quote) is searched literally; a word
with inner punctuation becomes a phrase of its parts, which is how the index holds it.
Only a malformed field term is refused, with ``QuerySyntaxError``. What the words
mean (best match or all required, stop words, corrections) is ``catalog.search``'s job.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field, replace

from catalog.errors import QuerySyntaxError

FIELDS = ("author", "topic", "year", "since", "until", "code", "profile")
# field terms that search one column of the full-text index (#16)
TEXT_FIELDS = ("title", "abstract")
_FIELD_ATTEMPT_RE = re.compile(r"[A-Za-z]{2,15}")
_WORD_RE = re.compile(r"\w+", re.UNICODE)
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
MAX_QUERY_CHARS = 20_000  # a pasted abstract or two; the rest is cut off
MAX_PHRASE_WORDS = 16  # a longer "quoted" stretch is pasted text, not a phrase
MAX_TERMS = 64  # excluded terms; the positive ones are capped by search.py


@dataclass(frozen=True)
class Filters:
    """What FILTERS options and field terms select; all lists are OR'd within a kind."""

    authors: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    profiles: tuple[str, ...] = ()
    since: str | None = None  # inclusive ISO date
    until: str | None = None  # inclusive ISO date
    years: tuple[int, int] | None = None
    code: bool | None = None

    def merge(self, other: Filters) -> Filters:
        """Options and field terms combine: lists add up, ranges intersect."""
        since = max(filter(None, (self.since, other.since)), default=None)
        until = min(filter(None, (self.until, other.until)), default=None)
        years = self.years
        if other.years:
            years = other.years if years is None else (
                max(years[0], other.years[0]), min(years[1], other.years[1]))
        return Filters(
            authors=self.authors + other.authors,
            topics=self.topics + other.topics,
            profiles=self.profiles + other.profiles,
            since=since, until=until, years=years,
            code=other.code if other.code is not None else self.code,
        )


@dataclass(frozen=True)
class Term:
    """One searchable unit: a word, a phrase of words, or a prefix."""

    words: tuple[str, ...]
    prefix: bool = False
    column: str | None = None  # one of TEXT_FIELDS: searched in that column only
    required: bool = False  # +word, or an "exact phrase"
    quoted: bool = False  # written in quotes: stop words count
    raw: str = field(default="", compare=False)  # as typed (case kept: CD4 vs cd4)

    def fts(self) -> str:
        text = '"' + " ".join(w.replace('"', '""') for w in self.words) + '"'
        text = text + "*" if self.prefix else text
        return f"{self.column} : {text}" if self.column in TEXT_FIELDS else text

    @property
    def text(self) -> str:
        return " ".join(self.words)


@dataclass(frozen=True)
class Query:
    """A parsed query: groups of OR'd terms (AND'ed together), excluded terms, filters."""

    groups: tuple[tuple[Term, ...], ...] = ()
    excluded: tuple[Term, ...] = ()
    filters: Filters = field(default_factory=Filters)
    notes: tuple[str, ...] = ()  # what the user should be told about how it was read

    def match(self) -> str | None:
        """The FTS5 MATCH expression for the positive part, or None."""
        if not self.groups:
            return None
        parts = []
        for group in self.groups:
            inner = " OR ".join(t.fts() for t in group)
            parts.append(f"({inner})" if len(group) > 1 else inner)
        return " AND ".join(parts)

    def exclude_match(self) -> str | None:
        if not self.excluded:
            return None
        return " OR ".join(t.fts() for t in self.excluded)

    def terms(self) -> list[Term]:
        return [t for g in self.groups for t in g]

    def with_terms(self, mapping: dict[Term, Term]) -> Query:
        groups = tuple(tuple(mapping.get(t, t) for t in g) for g in self.groups)
        return replace(self, groups=groups)

    def text(self) -> str:
        """The query's words written back as a query (field terms left out)."""
        def one(t: Term) -> str:
            body = t.text if len(t.words) == 1 and not t.quoted else f'"{t.text}"'
            return ("+" if t.required and not t.quoted else "") + (
                f"{t.column}:" if t.column else "") + body + ("*" if t.prefix else "")

        parts = [" OR ".join(one(t) for t in g) for g in self.groups]
        parts += ["-" + one(t) for t in self.excluded]
        return " ".join(parts)


# -- tokenising ---------------------------------------------------------------

@dataclass(frozen=True)
class _Tok:
    kind: str  # word | phrase | or | field
    text: str
    negated: bool = False
    prefix: bool = False
    name: str = ""
    required: bool = False


def _tokens(text: str, notes: list[str] | None = None) -> list[_Tok]:
    out: list[_Tok] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
            continue
        negated = required = False
        if c in "-+" and i + 1 < n and not text[i + 1].isspace():
            negated, required, i = c == "-", c == "+", i + 1
            c = text[i]
        if c == '"':
            end = text.find('"', i + 1)
            if end < 0:  # an unbalanced quote is text: a pasted paragraph stays words
                i += 1
                continue
            phrase = text[i + 1:end]
            i = end + 1
            if len(_WORD_RE.findall(phrase)) > MAX_PHRASE_WORDS:
                # pasted text whose quotes pair up across sentences: words, not a phrase
                out += _tokens(phrase)
                continue
            prefix = i < n and text[i] == "*"
            i += prefix
            out.append(_Tok("phrase", phrase, negated, prefix, required=required))
            continue
        j = i
        while j < n and not text[j].isspace():
            if text[j] == '"' and j > i and text[j - 1] == ":":
                end = text.find('"', j + 1)
                j = n if end < 0 else end + 1
                break
            j += 1
        raw = text[i:j]
        i = j
        name, sep, value = raw.partition(":")
        if sep and name.lower() in FIELDS:
            value = value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else \
                value.strip('"')
            out.append(_Tok("field", value, negated, name=name.lower()))
        elif sep and name.lower() in TEXT_FIELDS and value.strip('"*'):
            quoted = value.startswith('"')
            prefix = value.endswith("*")
            value = value.rstrip("*").strip('"')
            out.append(_Tok("phrase" if quoted else "word", value, negated, prefix,
                            name=name.lower(), required=required))
        elif sep and notes is not None and value and value[0] != "/" \
                and _FIELD_ATTEMPT_RE.fullmatch(name):
            known = ", ".join(f"{f}:" for f in (*TEXT_FIELDS, *FIELDS))
            notes.append(f"unknown field '{name}:' (known: {known}); searched as text")
            prefix = raw.endswith("*")
            out.append(_Tok("word", raw.rstrip("*"), negated, prefix, required=required))
        elif raw == "OR" and not (negated or required):
            out.append(_Tok("or", raw))
        elif raw in ("AND",) and not (negated or required):
            continue
        elif raw == "NOT" and not (negated or required):
            out.append(_Tok("not", raw))
        else:
            # a lone * (or *x, x*y) is text; only a trailing * after a word is a prefix
            prefix = raw.endswith("*") and bool(_WORD_RE.match(raw.rstrip("*")[-1:] or " "))
            out.append(_Tok("word", raw.rstrip("*") if prefix else raw, negated, prefix,
                            required=required))
    return out


def _term(tok: _Tok) -> Term | None:
    words = tuple(w.lower() for w in _WORD_RE.findall(tok.text))
    if not words:
        return None
    phrase = tok.kind == "phrase"
    return Term(words, tok.prefix, tok.name if tok.name in TEXT_FIELDS else None,
                required=tok.required or phrase, quoted=phrase, raw=tok.text)


def parse_query(text: str) -> Query:
    """Parse what the user typed. Raises ``QuerySyntaxError`` only for field terms."""
    text = _CONTROL_RE.sub(" ", text or "")[:MAX_QUERY_CHARS]
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    filters = Filters()
    join_next = False
    negate_next = False
    notes: list[str] = []
    for tok in _tokens(text, notes):
        if tok.kind == "or":
            join_next = bool(groups)
            continue
        if tok.kind == "not":
            negate_next = True
            continue
        if tok.kind == "field":
            if tok.negated:
                raise QuerySyntaxError(f"{tok.name}: cannot be negated; use the filter "
                                       "the other way round (e.g. code:no)")
            filters = filters.merge(field_filter(tok.name, tok.text))
            join_next = negate_next = False
            continue
        term = _term(tok)
        if term is None:
            continue
        if tok.negated or negate_next:
            if term not in excluded:
                excluded.append(term)
                if len(excluded) > MAX_TERMS:
                    raise QuerySyntaxError(f"too many excluded terms (at most {MAX_TERMS})")
        elif not join_next and [term] in groups:
            pass  # "word word": the same condition twice
        elif join_next and groups:
            groups[-1].append(term)
        else:
            groups.append([term])
        join_next = negate_next = False
    return Query(tuple(tuple(g) for g in groups), tuple(excluded), filters, tuple(notes))


# -- field values -------------------------------------------------------------

_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_YEARS_RE = re.compile(r"^(\d{4})(?:\s*(?:\.\.|-|–)\s*(\d{4}))?$")
_YES = {"yes", "y", "true", "1", "on"}
_NO = {"no", "n", "false", "0", "off"}


def date_bound(value: str, *, end: bool, what: str = "date") -> str:
    """``2024`` / ``2024-03`` / ``2024-03-05`` -> the first (or last) day it covers."""
    m = _DATE_RE.match(value.strip())
    if not m:
        raise QuerySyntaxError(f"{what}: {value!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
    year = int(m[1])
    month = int(m[2]) if m[2] else (12 if end else 1)
    if not 1 <= month <= 12:
        raise QuerySyntaxError(f"{what}: {value!r} has no month {month}")
    last = calendar.monthrange(year, month)[1]
    day = int(m[3]) if m[3] else (last if end else 1)
    if not 1 <= day <= last:
        raise QuerySyntaxError(f"{what}: {value!r} has no day {day}")
    return f"{year:04d}-{month:02d}-{day:02d}"


def year_range(value: str) -> tuple[int, int]:
    m = _YEARS_RE.match(value.strip())
    if not m:
        raise QuerySyntaxError(f"year: {value!r} is not a year or a range (2024, 2023..2025)")
    lo = int(m[1])
    hi = int(m[2]) if m[2] else lo
    if hi < lo:
        raise QuerySyntaxError(f"year: {value!r} ends before it starts")
    return lo, hi


def code_flag(value: str) -> bool:
    v = value.strip().lower()
    if v in _YES:
        return True
    if v in _NO:
        return False
    raise QuerySyntaxError(f"code: {value!r} is not yes or no")


def field_filter(name: str, value: str) -> Filters:
    value = value.strip()
    if not value:
        raise QuerySyntaxError(f"{name}: needs a value (e.g. {name}:{_EXAMPLES[name]})")
    if name == "author":
        return Filters(authors=(value,))
    if name == "topic":
        return Filters(topics=(value,))
    if name == "profile":
        return Filters(profiles=(value,))
    if name == "year":
        return Filters(years=year_range(value))
    if name == "since":
        return Filters(since=date_bound(value, end=False, what="since"))
    if name == "until":
        return Filters(until=date_bound(value, end=True, what="until"))
    if name == "code":
        return Filters(code=code_flag(value))
    raise QuerySyntaxError(f"unknown field {name}:")  # pragma: no cover - FIELDS guards


_EXAMPLES = {"author": '"Y. K. Li"', "topic": "CL", "profile": '"Y. K. Li"', "year": "2024",
             "since": "2024-01", "until": "2025", "code": "yes"}
