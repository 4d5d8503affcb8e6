"""BibTeX that both toolchains read right: classic 8-bit ``bibtex`` and ``biber``.

Classic ``bibtex`` counts bytes, not characters: a style that abbreviates first names
(``abbrv``, ``IEEEtran``, ``acm``) cuts ``Łukasz`` after its first byte. So by default
every letter outside ASCII that LaTeX has a command for is written as that command,
braced as one "special character" (``{\\L}ukasz``, ``{\\'E}ric``, ``Erd{\\H{o}}s``),
which bibtex abbreviates, sorts and case-changes as one letter. Letters LaTeX has no
command for (CJK, Hangul) stay UTF-8; a name written in such a script is one braced
literal (``{王小明}``) that no style splits, reorders or abbreviates. ``unicode=True``
writes every letter as UTF-8, for biber users.

Titles: words holding a capital are braced so styles that lower-case titles keep
them; ``$...$`` math is kept as math (braced, so its letters keep their case);
straight double quotes become ``\\`\\``` and ``''``.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from typing import Any, Protocol, TextIO

from catalog.keys import CitationKeys, citation_key, is_literal_name
from catalog.keys import name_parts as _name_parts
from catalog.keys import one_line as _one_line
from catalog.topics import topic_name


class Record(Protocol):
    def to_json(self) -> dict[str, Any]: ...


# -- LaTeX text ------------------------------------------------------------------

_LATEX = {
    # BibTeX counts braces even after a backslash, so a lone "\{" would unbalance the
    # entry: the brace characters are written as commands
    "{": r"\textbraceleft{}", "}": r"\textbraceright{}", "\\": r"\textbackslash{}",
    "%": r"\%", "&": r"\&", "$": r"\$", "#": r"\#", "_": r"\_",
    "^": r"\textasciicircum{}", "~": r"\textasciitilde{}",
}
_LATEX_SPECIAL = re.compile(r"[{}%&$#_^~\\]")
_LATEX_OR_NON_ASCII = re.compile(r"[{}%&$#_^~\\]|[^\x00-\x7f]")

# combining mark (as unicodedata decomposes a letter) -> LaTeX accent command
_ACCENTS = {
    "\u0300": "`", "\u0301": "'", "\u0302": "^", "\u0303": "~", "\u0304": "=",
    "\u0307": ".", "\u0308": '"', "\u0306": "u", "\u030a": "r", "\u030b": "H",
    "\u030c": "v", "\u0327": "c", "\u0328": "k", "\u0323": "d", "\u0331": "b",
    "\u0326": "textcommabelow",
}
_ACCENTS_BELOW = frozenset("\u0327\u0328\u0323\u0331\u0326")
# letters that are not an ASCII letter plus accents; bibtex's purify$ knows the
# first ten (it sorts {\ss} as "ss"); the rest need T1 (\usepackage[T1]{fontenc})
_LETTERS = {
    "ß": r"\ss", "æ": r"\ae", "Æ": r"\AE", "œ": r"\oe", "Œ": r"\OE", "ø": r"\o",
    "Ø": r"\O", "ł": r"\l", "Ł": r"\L", "å": r"\aa", "Å": r"\AA", "ı": r"\i", "ȷ": r"\j",
    "ẞ": r"\SS", "đ": r"\dj", "Đ": r"\DJ", "ð": r"\dh", "Ð": r"\DH", "þ": r"\th",
    "Þ": r"\TH", "ŋ": r"\ng", "Ŋ": r"\NG",
}
# typography that LaTeX writes in ASCII
_PUNCTUATION = {
    "\u00a0": "~", "\u2013": "--", "\u2014": "---", "\u2018": "`", "\u2019": "'",
    "\u201c": "``", "\u201d": "''", "\u2026": r"\ldots{}",
}
@functools.lru_cache(maxsize=4096)
def latex_letter(char: str) -> str | None:
    """``Ł`` -> ``{\\L}``, ``É`` -> ``{\\'E}``, ``ő`` -> ``{\\H{o}}``, ``ệ`` ->
    ``{\\d{\\^e}}``: one braced special character, or None where LaTeX has no command
    (CJK, Cyrillic...). Built from the Unicode decomposition: an ASCII letter (or one
    of ``_LETTERS``) followed by accents LaTeX knows."""
    if char in _LETTERS:
        return "{" + _LETTERS[char] + "}"
    if char in _PUNCTUATION:
        return _PUNCTUATION[char]
    decomposed = unicodedata.normalize("NFD", char)
    base, marks = decomposed[0], decomposed[1:]
    if not marks or not (base.isascii() and base.isalpha()) or any(
            m not in _ACCENTS for m in marks):
        return None
    if base in "ij" and not any(m in _ACCENTS_BELOW for m in marks):
        base = "\\" + base  # the dotless i under an accent: {\'\i}
    text = base
    for mark in marks:
        command = _ACCENTS[mark]
        if command.isalpha():
            text = f"\\{command}{{{text}}}"
        elif text.startswith("\\") and len(text) == 2:  # \'\i
            text = f"\\{command}{text}"
        else:
            text = f"\\{command}{{{text}}}" if len(text) > 1 else f"\\{command}{text}"
    return "{" + text + "}"


def _latex_char(m: re.Match[str]) -> str:
    char = m.group()
    if char in _LATEX:
        return _LATEX[char]
    return latex_letter(char) or char


def latex_escape(text: str, *, unicode: bool = True) -> str:
    """Text with LaTeX's special characters ``{}%&$#_^~\\`` escaped. ``unicode``:
    other characters stay as they are (UTF-8); else letters LaTeX has a command for
    are written as that command (see ``latex_letter``)."""
    if unicode:
        return _LATEX_SPECIAL.sub(lambda m: _LATEX[m.group()], text)
    return _LATEX_OR_NON_ASCII.sub(_latex_char, text)


# a straight double quote opens at the start or after a space or an opening bracket
_OPENING_QUOTE = re.compile(r'(?<![^\s(\[{])"')


def _quotes(text: str) -> str:
    """``"Quoted Title"`` -> ````Quoted Title''``: LaTeX prints a straight ``"`` as a
    closing quote."""
    if '"' not in text:
        return text
    return _OPENING_QUOTE.sub("``", text).replace('"', "''")


# $...$ as pandoc reads it: no space just inside the dollars, no digit just after the
# closing one ("costs $5 and $10" is not math), no dollar or trailing backslash inside
_MATH = re.compile(r"\$(?=[^\s$])([^$]*?[^\s$\\])\$(?!\d)|\$([^\s$\\])\$(?!\d)")
_MATH_SPECIAL = re.compile(r"[%#&]")


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def _segments(text: str) -> Iterable[tuple[bool, str]]:
    """(is math, text) pieces of ``text``; math is what sits between a balanced pair
    of dollars, with balanced braces (else BibTeX would lose the entry's end) and no
    accented text letter (``$À$`` is prose in dollars: LaTeX's accent commands are
    errors in math mode, so it is escaped as text)."""
    pos = 0
    for m in _MATH.finditer(text):
        inner = m.group(1) if m.group(1) is not None else m.group(2)
        if not _balanced(inner) or any(
                not c.isascii() and latex_letter(c) is not None for c in inner):
            continue
        if m.start() > pos:
            yield False, text[pos:m.start()]
        yield True, inner
        pos = m.end()
    if pos < len(text):
        yield False, text[pos:]


def _math(inner: str) -> str:
    # % starts a comment, # and & are errors even in math: the rest is LaTeX's
    return "$" + _MATH_SPECIAL.sub(lambda m: "\\" + m.group(), inner) + "$"


def latex_text(text: str, *, unicode: bool = False) -> str:
    """A field's text (an abstract): one line, quotes made LaTeX's, ``$...$`` math
    kept, everything else escaped."""
    out = []
    for is_math, piece in _segments(_quotes(_one_line(text))):
        out.append(_math(piece) if is_math else latex_escape(piece, unicode=unicode))
    return "".join(out)


# opening marks, the word, closing marks and punctuation: "(MoCo)," -> "(", "MoCo", "),"
_WORD_EDGES = re.compile(r"^([(\[`'‘“]*)(.*?)([)\]'’”]*[,.:;!?]*)$", re.DOTALL)


def _title_word(word: str, unicode: bool) -> str:
    lead, core, trail = _WORD_EDGES.match(word).groups()  # type: ignore[union-attr]
    if not lead:
        # f(x): a closing mark without its opening one belongs to the word
        closers = len(trail) - len(trail.lstrip(")]"))
        core, trail = core + trail[:closers], trail[closers:]
    escaped = latex_escape(core, unicode=unicode)
    if any(c.isupper() for c in core):
        # a group that starts with a command is an accent to BibTeX, not protection
        escaped = "{{" + escaped + "}}" if escaped.startswith("\\") else "{" + escaped + "}"
    return latex_escape(lead, unicode=unicode) + escaped + latex_escape(trail, unicode=unicode)


def bibtex_title(title: str, *, unicode: bool = False) -> str:
    """The escaped title with every word holding a capital in braces, so that styles
    which lower-case titles keep ``{DeepSeek-V3}``, ``{LLMs}`` and ``{Image}`` as
    written; ``$...$`` math braced whole. Punctuation around a word stays outside its
    braces."""
    out = []
    for is_math, piece in _segments(_quotes(_one_line(title))):
        if is_math:
            out.append("{" + _math(piece) + "}")
        else:
            out.append(" ".join(_title_word(w, unicode) for w in piece.split(" ")))
    return "".join(out)


# -- names ---------------------------------------------------------------------------

# Name particles, suffixes and organisation words are the parser's (authorlist), and
# the month names the page format's (pages): imported where used, since neither module
# is needed to start the CLI, and the callers below are cached.


# a letter at the start of a name word or of a hyphenated part (Jean-Paul -> J.-P.):
# where bibtex takes an initial
_INITIAL = re.compile(r"(?:^|(?<=[\s-]))[^\x00-\x7f]")


def _uncommanded_initial(name: str) -> bool:
    """Would 8-bit bibtex cut an initial of this name in half? A letter LaTeX has no
    command for (Cyrillic, Greek...) cannot be written as one braced character that
    both bibtex and biber read (``{\\relax Ж}`` confuses biber), so such a name is
    written as one literal instead."""
    return any(latex_letter(m.group()) is None for m in _INITIAL.finditer(name))


@functools.lru_cache(maxsize=8192)  # the same people recur on paper after paper
def bibtex_name(name: str, *, unicode: bool = False) -> str:
    """``Liu, Aixin``; ``{DeepSeek-AI}`` for an organisation, ``{王小明}`` for a
    name in a script without capitals, and (unless ``unicode``) ``{Иван Петров}``
    for a name whose initial LaTeX has no command for."""
    name = _one_line(name)
    if is_literal_name(name) or (not unicode and _uncommanded_initial(name)):
        return "{" + latex_escape(name, unicode=unicode) + "}"
    first, last, suffix = _name_parts(name)
    parts = [last, suffix, first] if suffix else [last, first]
    return ", ".join(latex_escape(p, unicode=unicode) for p in parts if p)


# -- entries -------------------------------------------------------------------------

@functools.cache
def _month(number: int) -> str:
    """``jan`` for 1: BibTeX's month macros are the page format's month names."""
    from catalog.pages import MONTHS

    return next(name for name, n in MONTHS.items() if n == number)


def bibtex_entry(paper: dict[str, Any], key: str, *, unicode: bool = False) -> str:
    """One ``@misc`` entry (the site's papers are arXiv preprints: no journal)."""
    def value(text: str) -> str:
        return "{" + latex_text(text, unicode=unicode) + "}"

    fields = [("title", "{" + bibtex_title(paper["title"], unicode=unicode) + "}")]
    authors = [bibtex_name(a, unicode=unicode) for a in paper["authors"]]
    if paper["authors_truncated"]:
        authors.append("others")
    if authors:
        fields.append(("author", "{" + " and ".join(authors) + "}"))
    date = paper["date"] or ""
    if date[:4].isdigit():
        fields.append(("year", "{" + date[:4] + "}"))
        if date[5:7].isdigit() and 1 <= int(date[5:7]) <= 12:
            fields.append(("month", _month(int(date[5:7]))))  # BibTeX's macro
    if paper["abstract"]:
        fields.append(("abstract", value(paper["abstract"])))
    if paper["topic"]:
        keywords = [latex_escape(paper["topic"], unicode=unicode)]
        if name := topic_name(paper["topic"]):
            name = latex_escape(name, unicode=unicode)
            # braces keep a name's own commas from splitting the keyword list
            keywords.append("{" + name + "}" if "," in name else name)
        fields.append(("keywords", "{" + ", ".join(keywords) + "}"))
    if paper["affiliations"]:
        fields.append(("affiliation", value("; ".join(paper["affiliations"]))))
    fields.append(("x-catalog-id", value(paper["id"])))
    body = ",\n".join(f"  {name} = {value}" for name, value in fields)
    return f"@misc{{{key},\n{body}\n}}\n"


def write_bibtex(records: Iterable[Record], out: TextIO, *, unicode: bool = False) -> int:
    """One entry per paper, under the key the catalog gave it (``key``). A record
    without one (built outside a catalog) gets one made from its fields, unique within
    the output (see ``CitationKeys``)."""
    keys = CitationKeys()
    n = 0
    for r in records:
        paper = r.to_json()
        key = paper.get("key") or keys(
            citation_key(paper["authors"], paper["date"], paper["title"]))
        keys.taken.add(key)
        out.write(("\n" if n else "") + bibtex_entry(paper, key, unicode=unicode))
        n += 1
    return n
