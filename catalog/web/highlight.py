"""Marking the searched words in titles, authors and abstracts, as HTML.

The index stems words and folds accents, so ``experts`` finds "expert" and ``muller``
finds "Müller": a word is marked when its folded form starts with the folded root of
a searched word. The text is HTML-escaped here; only the ``<mark>`` tags are ours.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from markupsafe import Markup, escape

_SUFFIXES = ("ations", "ation", "ments", "ment", "ings", "ing", "ness", "ies", "ied",
             "ed", "es", "s", "ly", "y", "e")


def _fold_char(c: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", c.casefold())
                   if not unicodedata.combining(ch))


def _root(word: str) -> str:
    word = _fold_char(word) if len(word) == 1 else "".join(_fold_char(c) for c in word)
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def pattern(terms: Iterable[str]) -> re.Pattern[str] | None:
    """A regex over folded text matching the words that ``terms`` search for."""
    roots = sorted({_root(t) for t in terms if t and t.strip()}, key=len, reverse=True)
    roots = [r for r in roots if r]
    if not roots:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(r) for r in roots) + r")\w*")


def highlight(text: str | None, terms: Iterable[str] | re.Pattern[str] | None) -> Markup:
    """``text`` escaped, with the words of ``terms`` wrapped in ``<mark>``."""
    text = text or ""
    rx = terms if isinstance(terms, re.Pattern) else pattern(terms or ())
    if rx is None:
        return escape(text)
    folded: list[str] = []
    origin: list[int] = []  # the index in ``text`` of each folded character
    for i, c in enumerate(text):
        f = _fold_char(c) or c
        folded.append(f)
        origin += [i] * len(f)
    flat = "".join(folded)
    out: list[str] = []
    at = 0
    for m in rx.finditer(flat):
        start, end = origin[m.start()], origin[m.end() - 1] + 1
        if start < at:
            continue
        out += [str(escape(text[at:start])), "<mark>", str(escape(text[start:end])),
                "</mark>"]
        at = end
    out.append(str(escape(text[at:])))
    return Markup("".join(out))


def shorten(text: str | None, limit: int = 240) -> str:
    """``text`` cut at a word boundary near ``limit`` characters, with an ellipsis."""
    text = text or ""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit].rstrip(" ,;:.") + "…"
