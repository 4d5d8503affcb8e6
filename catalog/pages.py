"""Page text -> ``Page`` records, and back.

A page is what a user copies from a ScholarFeed author page: an optional profile
header, then entries of ``[header line] title, author list, abstract``, in one of two
layouts (spaced: every element on its own line; compact: title and author list glued).
The parser reads the format, not particular files: blank lines carry no meaning, an
entry is recognised by shape (a title followed by an author list whose names look like
names) and a line it cannot place becomes a warning with its line number.

Pure: no file I/O, no database. ``known`` names (from the catalog) only break ties
in the glued-line splitter.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Container
from dataclasses import dataclass, replace

from catalog.authorlist import (
    STRONG,
    AuthorList,
    name_score,
    parse_author_list,
    split_glued,
)
from catalog.clutter import Clutter
from catalog.errors import PageError
from catalog.models import Entry, Page, ParseWarning, Profile
from catalog.names import name_key, title_key
from catalog.topics import TOPICS

MONTHS = {m: i for i, m in enumerate(
    "jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}
_MONTH_NAMES = [m.title() for m in MONTHS]

_ENTRY_HEADER_RE = re.compile(
    r"""^(?P<score>\d{1,4}(?:\.\d+)?)?\ ?
        (?P<topics>(?:[A-Z]{2})+)?\ ?
        (?P<date>(?P<mon>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?
            \ ?(?P<day>\d{1,2})(?:,?\ ?(?P<year>\d{4}))?)?
        (?P<code>\ ?Code)?$""",
    re.VERBOSE,
)
_STAT_RES: dict[str, re.Pattern[str]] = {
    "h_index": re.compile(r"^h-?index\s*:?\s*(\d[\d,]*)$", re.I),
    "papers": re.compile(r"^(\d[\d,]*)\s*papers$", re.I),
    "citations": re.compile(r"^(\d[\d,]*)\s*citations?$", re.I),
    "novelty": re.compile(r"^novelty\s*:?\s*(\d+(?:\.\d+)?)\s*%?$", re.I),
    "ai_score": re.compile(r"^ai\s*score\s*:?\s*(\d+(?:\.\d+)?)$", re.I),
}
_TOPIC_LINE_RE = re.compile(r"^(?:[A-Z]{2})+$")
# Spaces that a copy from a browser brings in, and characters that carry nothing.
# Runs of any Unicode space but the line end (\s covers NBSP, thin, ideographic...)
# become one plain space; a lone plain space, already right, is not matched at all.
_SPACE_RE = re.compile(r"[^\S\n]{2,}|[^\S\n ]")
# What ``[^\S\n ]`` matches: every character str.isspace() holds but "\n" and " ".
_ODD_SPACES = ("\t", "\x0b", "\x0c", "\r", "\x1c", "\x1d", "\x1e", "\x1f", "\x85", "\xa0",
               "\u1680", *map(chr, range(0x2000, 0x200b)), "\u2028", "\u2029", "\u202f",
               "\u205f", "\u3000")
_INVISIBLE_RE = re.compile(r"[\u200b-\u200d\u2060\ufeff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MIN_HEADERLESS_ABSTRACT_WORDS = 5
# `57.0LGCLDec 2, 2025Code` is 25 characters: a much longer line is not an entry header
# (and a megabyte of capitals is not worth matching letter pair by letter pair)
_MAX_HEADER_CHARS = 100


@dataclass(frozen=True)
class EntryHeader:
    score: float | None
    topics: tuple[str, ...]
    date: dt.date | None
    has_code: bool


def clean_lines(text: str) -> list[tuple[int, str]]:
    """Non-blank lines with their 1-based numbers; BOM, CR, odd spaces folded."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Every invisible character and odd space is a format character, a control or a
    # separator, which isprintable() refuses: a page without any (the usual one) is
    # told by one fast pass instead of a regex pass and a search per odd space.
    plain = text.replace("\n", " ").isprintable()
    # the whole text in two passes of C, not two per line: neither pattern touches "\n"
    if not plain:
        text = _INVISIBLE_RE.sub("", text)
    if "  " in text or (not plain and any(c in text for c in _ODD_SPACES)):
        text = _SPACE_RE.sub(" ", text)  # 1 ms on a 40 kB page, an eighth of its parse
    out = []
    for n, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if line:
            out.append((n, line))
    return out


def resolve_date(month: int, day: int, year: int | None, as_of: dt.date) -> dt.date:
    """A year-less date is the most recent such day not after ``as_of``."""
    if year is not None:
        return dt.date(year, month, day)
    for y in range(as_of.year, as_of.year - 9, -1):
        try:
            d = dt.date(y, month, day)
        except ValueError:
            continue  # Feb 29 in a common year
        if d <= as_of:
            return d
    raise ValueError(f"no such day: {month}-{day}")


def parse_entry_header(line: str, as_of: dt.date) -> EntryHeader | None:
    if len(line) > _MAX_HEADER_CHARS:
        return None
    m = _ENTRY_HEADER_RE.match(line)
    if not m or not line:
        return None
    topics = tuple(line[m.start("topics") + i: m.start("topics") + i + 2]
                   for i in range(0, len(m["topics"] or ""), 2))
    if not (m["date"] or m["code"]):
        # "CL" alone or "42" alone: only a header if every code is a real topic
        if not topics or not all(t in TOPICS for t in topics):
            return None
    date = None
    if m["date"]:
        try:
            date = resolve_date(MONTHS[m["mon"].lower()], int(m["day"]),
                                int(m["year"]) if m["year"] else None, as_of)
        except ValueError:
            return None
    score = float(m["score"]) if m["score"] else None
    return EntryHeader(score, topics, date, bool(m["code"]))


def _stat(line: str) -> tuple[str, float | int] | None:
    for key, rx in _STAT_RES.items():
        m = rx.match(line)
        if m:
            raw = m.group(1).replace(",", "")
            if len(raw.partition(".")[0]) > 18:
                return None  # no figure is that big; int() and SQLite's INTEGER would fail
            value: float | int = float(raw) if key in ("novelty", "ai_score") else int(raw)
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            return key, value
    return None


def _is_profile_line(line: str) -> bool:
    return _stat(line) is not None or bool(_TOPIC_LINE_RE.match(line))


class _Parser:
    def __init__(self, text: str, source: str, as_of: dt.date,
                 known: Container[str] | Callable[[str], bool] | None) -> None:
        self.lines = clean_lines(text)
        self.source = source
        self.as_of = as_of
        self.warnings: list[ParseWarning] = []
        self.page_names: set[str] = set()
        self.external = known
        texts = [line for _, line in self.lines]
        self.clutter = Clutter(texts)
        # Every line's header, site kind and author list are asked for (most of them
        # several times): each is read once, here, and looked up by index after.
        self._headers = [parse_entry_header(line, as_of) for line in texts]
        self._site = [self.clutter.kind(line) for line in texts]
        self._authors = [None if site else parse_author_list(line)
                         for line, site in zip(texts, self._site, strict=True)]
        self._weak_authors: dict[int, AuthorList | None] = {}

    # -- knowledge -------------------------------------------------------------
    def known(self, key: str) -> bool:
        if key in self.page_names:
            return True
        ext = self.external
        if ext is None:
            return False
        return bool(ext(key)) if callable(ext) else key in ext

    def _learn_names(self) -> None:
        """Names that are certain on this page settle the ambiguous glued lines: whole
        author lines, names after a comma, and first names that shape alone placed."""
        for i, (_, line) in enumerate(self.lines):
            al = self.author_line(i)
            if al:
                self.page_names.update(name_key(n) for n in al.names)
                continue
            after_header = i > 0 and self.header(i - 1) is not None
            if after_header and self.header(i) is None and (
                    self.author_line(i + 1) or self.weak_author_line(i + 1)):
                # spaced: the title's next line is the author list, weak names and all
                weak = self.weak_author_line(i + 1)
                if weak:
                    self.page_names.update(name_key(n) for n in weak.names)
                continue
            split = split_glued(line, strict=not after_header, expected=after_header)
            if split:
                names = split.authors.names if split.margin >= 1.0 else split.authors.names[1:]
                self.page_names.update(name_key(n) for n in names)

    # -- line classification (memoised: each line is asked about several times) -
    def header(self, i: int) -> EntryHeader | None:
        return self._headers[i]

    def author_line(self, i: int) -> AuthorList | None:
        return self._authors[i] if i < len(self._authors) else None

    def weak_author_line(self, i: int) -> AuthorList | None:
        """An author line of names that are only weakly name-shaped (``Anthropic``):
        enough where an entry header says an entry must follow."""
        if i >= len(self.lines):
            return None
        if i not in self._weak_authors:
            # every name scores at least NAME_MIN in any list parse_author_list returns
            self._weak_authors[i] = None if self.site(i) or self.header(i) is not None \
                else parse_author_list(self.lines[i][1], known=_Everything())
        return self._weak_authors[i]

    def known_author_line(self, i: int) -> AuthorList | None:
        """A weak author line (``Anthropic``) that holds a name known on this page."""
        found = self.weak_author_line(i)
        if found is None or not any(self.known(name_key(n)) for n in found.names):
            return None
        return found

    def site(self, i: int) -> str | None:
        """What kind of the site's own text line ``i`` is, if it is any."""
        return self._site[i]

    def entry_start(self, i: int, strict: bool) -> tuple[str, AuthorList, int] | None:
        """Title and authors starting at line ``i``, and the index after them.
        ``strict`` is False right under an entry header: an entry must start here."""
        line = self.lines[i][1]
        if self.site(i):
            return None
        nxt = self.author_line(i + 1) or self.known_author_line(i + 1)
        if nxt is not None and self.header(i) is None and not (
                strict and (self.author_line(i + 2) is not None or line[-1] in ".。")):
            # spaced: position decides, whatever the title looks like; but of two
            # name-shaped lines in a row the first is the title, and inside an
            # abstract a line ending in a full stop is a sentence
            return line, nxt, i + 2
        if not strict and self.header(i) is None:
            # under an entry header, a next line of weakly name-shaped names (Anthropic)
            # is the author list: in the compact layout that line would be an abstract
            nxt = self.weak_author_line(i + 1)
            if nxt is not None:
                return line, nxt, i + 2
        split = split_glued(line, self.known, strict=strict)
        if split is not None:
            return split.title, split.authors, i + 1
        if strict or self.header(i) is not None:
            return None
        # under an entry header: names that are only weakly name-shaped will do
        split = split_glued(line, self.known, expected=True)
        if split is not None:
            return split.title, split.authors, i + 1
        return None

    # -- the page ------------------------------------------------------------
    def parse(self) -> tuple[Profile, list[Entry]]:
        self._learn_names()
        i, profile = self.parse_profile()
        if profile.name:
            self.page_names.add(name_key(profile.name))
        entries: list[Entry] = []
        pending: tuple[int, EntryHeader] | None = None
        n = len(self.lines)
        while i < n:
            lineno = self.lines[i][0]
            head = self.header(i)
            if head is not None:
                if pending:
                    self.warn(pending[0], "entry header with no paper under it")
                pending = (lineno, head)
                i += 1
                continue
            start = self.entry_start(i, strict=pending is None)
            if start is None:
                self.unplaced(i, loose=True)
                i += 1
                continue
            title, authors, j = start
            abstract_at: list[int] = []
            while j < n and self.header(j) is None and self.entry_start(j, strict=True) is None:
                if self.site(j) and abstract_at:
                    self.unplaced(j)  # a button or footer after the abstract's first line
                else:
                    abstract_at.append(j)
                j += 1
            # notices and the like trailing after the abstract (its first line stays)
            while len(abstract_at) > 1 and self.clutter.loose_kind(self.lines[abstract_at[-1]][1]):
                self.unplaced(abstract_at.pop(), loose=True)
            abstract = "\n".join(self.lines[k][1] for k in abstract_at)
            if pending is None and len(abstract.split()) < _MIN_HEADERLESS_ABSTRACT_WORDS:
                # no header and no prose: nothing says this is a paper (a shopping list)
                for k in range(i, j):
                    self.unplaced(k, loose=True)
                i = j
                continue
            if not abstract:
                self.warn(lineno, f"entry has no abstract: {_excerpt(title)}")
            entries.append(self.make_entry(title, authors, abstract,
                                           pending[1] if pending else None, lineno))
            pending = None
            i = j
        if pending:
            self.warn(pending[0], "entry header with no paper under it")
        return profile, _merge_listings(entries)

    def unplaced(self, i: int, *, loose: bool = False) -> None:
        """Warn about line ``i``: the site's own text, or a line that fits nowhere.
        ``loose``: where no abstract can stand, notices count as the site's text too."""
        lineno, line = self.lines[i]
        kind = self.clutter.loose_kind(line) if loose else self.site(i)
        if kind:
            self.warn(lineno, f"skipped the site's own text ({kind}): {_excerpt(line)}")
        else:
            self.warn(lineno, f"could not place this line: {_excerpt(line)}")

    def _top(self) -> tuple[int, bool]:
        """Where the page's own content starts: the first profile figure (True) or the
        first entry (False). Lines above it are a name and the site's text."""
        n = len(self.lines)
        for k in range(n):
            line = self.lines[k][1]
            if self.site(k):
                continue
            if _stat(line) is not None or (
                    _TOPIC_LINE_RE.match(line) and (k + 1 < n and (
                        _stat(self.lines[k + 1][1]) is not None or self.site(k + 1)))):
                return k, True
            if _TOPIC_LINE_RE.match(line) and any(not self.site(j) for j in range(k)):
                return k, True  # a code under the name: the profile's topic (an entry
                # header shows a date or Code besides its codes)
            if self.header(k) is not None:
                return k, False
            start = self.entry_start(k, strict=True)
            if start is not None and self._has_prose(start[2]):
                return k, False
        return n, False

    def _has_prose(self, j: int) -> bool:
        """Does an abstract of a few words follow from line ``j``?"""
        words = 0
        while j < len(self.lines) and self.header(j) is None \
                and self.entry_start(j, strict=True) is None:
            words += len(self.lines[j][1].split())
            if words >= _MIN_HEADERLESS_ABSTRACT_WORDS:
                return True
            j += 1
        return False

    def parse_profile(self) -> tuple[int, Profile]:
        """The optional header: name, topic, figures, ``N Papers``; any may be missing.

        The name is the last line above the figures (or, with no figures, a name-shaped
        line right above the first entry) that is not the site's own text; whatever
        stands above it is the site's (its name, navigation) and is skipped."""
        lines, n = self.lines, len(self.lines)
        top, figures = self._top()
        fields: dict[str, object] = {}
        # above the profile no abstract can stand: notices count as the site's text
        above = [k for k in range(top) if not self.clutter.loose_kind(lines[k][1])]
        name_at = -1
        if above:
            line = lines[above[-1]][1]
            if len(line) <= 80 and (figures or name_score(line) >= STRONG):
                fields["name"] = line
                name_at = above[-1]
        for k in range(top):
            if k != name_at:
                self.unplaced(k, loose=True)
        i = top
        while i < n:
            line = lines[i][1]
            stat = _stat(line)
            if stat is not None:
                key, value = stat
                if key == "papers" and "papers" in fields:
                    pass  # "7papers" then the list heading "7 Papers": same figure
                else:
                    fields[key] = value
                i += 1
                continue
            if _TOPIC_LINE_RE.match(line) and "topic" not in fields and (
                "name" in fields or fields or (i + 1 < n and _stat(lines[i + 1][1]))
            ) and (self.author_line(i + 1) is None or self.author_line(i + 2) is not None):
                # (a code line right above an author line is a title: position decides)
                fields["topic"] = line[:2]
                i += 1
                continue
            if fields and self.site(i):
                self.unplaced(i)  # a Follow button amid the figures
                i += 1
                continue
            break
        return i, Profile(**fields)  # type: ignore[arg-type]

    def make_entry(self, title: str, authors: AuthorList, abstract: str,
                   head: EntryHeader | None, lineno: int) -> Entry:
        return Entry(
            title=title,
            authors=authors.names,
            abstract=abstract,
            authors_truncated=authors.truncated,
            affiliations=authors.affiliations,
            topic=head.topics[0] if head and head.topics else None,
            topics=head.topics if head else (),
            date=head.date if head else None,
            has_code=head.has_code if head else False,
            score=head.score if head else None,
            line=lineno,
        )

    def warn(self, line: int, message: str) -> None:
        self.warnings.append(ParseWarning(line, message))


class _Everything:
    """A ``known`` that knows every name: where position says names must be."""

    def __contains__(self, item: object) -> bool:
        return True


_MERGED_FIELDS = ("abstract", "affiliations", "topic", "topics", "date", "score")


def _merge_listings(entries: list[Entry]) -> list[Entry]:
    """A paper listed twice on one page is one entry, where it first stands: what one
    listing leaves out (a listing without its header line has no topic, date or Code)
    is filled from the other, and never erased by it."""
    by_key: dict[str, int] = {}
    out: list[Entry] = []
    for e in entries:
        key = title_key(e.title)
        if key not in by_key:
            by_key[key] = len(out)
            out.append(e)
            continue
        k = by_key[key]
        first = out[k]
        filled = {f: getattr(e, f) for f in _MERGED_FIELDS
                  if getattr(first, f) in (None, "", ()) and getattr(e, f) not in (None, "", ())}
        if len(e.authors) > len(first.authors):
            filled.update(authors=e.authors, authors_truncated=e.authors_truncated)
        out[k] = replace(first, has_code=first.has_code or e.has_code, **filled)
    return out


# C0 and C1 controls, and the invisible format characters: never printed raw
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")


def escape_controls(text: str) -> str:
    """``text`` with control characters written as ``\\xNN``/``\\uNNNN``: a warning or an
    error naming a line must never send a terminal escape sequence."""
    return _CONTROL_RE.sub(
        lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
        else f"\\u{ord(m.group()):04x}", text)


def _excerpt(line: str, width: int = 60) -> str:
    line = escape_controls(line)
    return line if len(line) <= width else line[: width - 1] + "…"


def parse_page(
    text: str,
    source: str = "<stdin>",
    *,
    as_of: dt.date | None = None,
    known: Container[str] | Callable[[str], bool] | None = None,
) -> Page:
    """Parse one page. Raises ``PageError`` when the page holds no entry at all."""
    parser = _Parser(text, source, as_of or dt.date.today(), known)
    if not parser.lines:
        raise PageError(source, "empty page: no text in it")
    profile, entries = parser.parse()
    if not entries:
        raise PageError(source, "no paper entries found (is this a ScholarFeed author page?)")
    warnings = sorted(parser.warnings, key=lambda w: w.line)
    return Page(profile, tuple(entries), tuple(warnings), source)


# -- rendering: records back to page text -------------------------------------

def format_date(d: dt.date, *, with_year: bool = True) -> str:
    text = f"{_MONTH_NAMES[d.month - 1]} {d.day}"
    return f"{text}, {d.year}" if with_year else text


def _render_score(score: float) -> str:
    return f"{score:.1f}" if score == round(score, 1) else repr(score)


def render_entry_header(e: Entry) -> str:
    parts = []
    if e.score is not None:
        parts.append(_render_score(e.score))
    parts.append("".join(e.topics or ((e.topic,) if e.topic else ())))
    if e.date:
        parts.append(format_date(e.date))
    if e.has_code:
        parts.append("Code")
    return "".join(parts)


def render_author_list(e: Entry) -> str:
    text = ", ".join(e.authors)
    if e.authors_truncated:
        text += " et al."
    if e.affiliations:
        text += " · " + ", ".join(e.affiliations)
    return text


def render_profile_header(p: Profile) -> list[str]:
    """The header lines of a profile, the figures as the site glues them."""
    head: list[str] = []
    if p.name:
        head.append(p.name)
    if p.topic:
        head.append(p.topic)
    if p.h_index is not None:
        head.append(f"h-index{p.h_index}")
    if p.papers is not None:
        head.append(f"{p.papers}papers")
    if p.citations is not None:
        head.append(f"{p.citations:,}citations")
    if p.novelty is not None:
        head.append(f"Novelty{p.novelty:g}%")
    if p.ai_score is not None:
        head.append(f"AI Score{p.ai_score:g}")
    return head


def render_page(page: Page, layout: str = "compact") -> str:
    """Write a page the way the site shows it; ``parse_page`` reads it back."""
    if layout not in ("compact", "spaced"):
        raise ValueError(f"unknown layout {layout!r}")
    blocks: list[list[str]] = []
    head = render_profile_header(page.profile)
    if head:
        blocks.append(head)
    for e in page.entries:
        header = render_entry_header(e)
        lines = [header] if header else []
        if layout == "compact":
            lines.append(e.title + render_author_list(e))
        else:
            lines += [e.title, render_author_list(e)]
        lines += e.abstract.split("\n") if e.abstract else []
        blocks.append(lines)
    sep = "\n\n" if layout == "spaced" else "\n"
    return sep.join(sep.join(b) for b in blocks) + "\n"
