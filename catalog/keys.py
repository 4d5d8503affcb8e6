"""Paper identity for citations: the cite key a paper is given once, when it enters the
catalog (the store writes it; BibTeX export reads it), and the name shapes a key and a
``.bib`` name both depend on. Kept apart from ``bibtex`` so the store can give keys
without importing an export format."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence

from catalog.names import fold

# scripts written without capitals whose names put the family name first and have no
# LaTeX letter commands: Han, Kana, Hangul (and their compatibility forms)
CJK = re.compile(
    "[\u1100-\u11ff\u2e80-\u2fdf\u3040-\u30ff\u3100-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\uff66-\uffdc\U00020000-\U0003134f]")


_SPACE = re.compile(r"\s+")


def one_line(text: str) -> str:
    # bibtexparser reads an "@" at the start of a line as a new entry, even inside a
    # value, and BibTeX treats line breaks in a value as spaces anyway
    return _SPACE.sub(" ", text).strip()


def is_organisation(name: str) -> bool:
    """``OpenAI``, ``DeepSeek-AI``, ``Meta AI``, ``Qwen2.5 Team``: a name BibTeX must
    not split into first and last names."""
    from catalog.authorlist import ORG_WORDS

    tokens = name.split()
    return (len(tokens) == 1 or any(t in ORG_WORDS for t in tokens)
            or any(c.isdigit() for c in name) or "and" in (t.lower() for t in tokens))


# letters only Vietnamese writes (ơ, ư and the stacked accents of U+1EA0-U+1EF9): a
# Vietnamese name puts the family name first (Nguyễn Văn An)
_VIETNAMESE = re.compile("[\u1ea0-\u1ef9\u01a0\u01a1\u01af\u01b0]")


def is_literal_name(name: str) -> bool:
    """A name BibTeX must take as written: an organisation, or a name whose family
    name comes first, as its script or letters show (``王小明``, ``山田 太郎``,
    ``이서연``, ``Nguyễn Văn An``); split into first and last, a style would reorder
    it."""
    return is_organisation(name) or bool(CJK.search(name) or _VIETNAMESE.search(name))


def name_parts(name: str) -> tuple[str, str, str]:
    """(first, last, suffix) of a person's name as printed (first names first)."""
    from catalog.authorlist import NAME_SUFFIXES, PARTICLES

    tokens = name.split()
    suffix = ""
    if len(tokens) > 2 and tokens[-1] in NAME_SUFFIXES:
        suffix = tokens.pop()
    i = len(tokens) - 1
    while i > 1 and tokens[i - 1] in PARTICLES:  # "van der Maaten" is one surname
        i -= 1
    return " ".join(tokens[:i]), " ".join(tokens[i:]), suffix


# -- citation keys -------------------------------------------------------------------

_STOPWORDS = frozenset(
    "a an the on of for in to with and or at by from is are via towards toward do does "
    "how what why when can we".split())
_TITLE_WORD = re.compile(r"[a-z0-9]+(?:[-'.][a-z0-9]+)*")


def _ascii_word(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", fold(text))


def citation_key(authors: Sequence[str], date: str | None, title: str) -> str:
    """The readable base of a citation key: first author's surname, year, first
    significant word of the title, in lower-case ASCII: ``he2015deep``,
    ``deepseekai2024deepseekv3`` (a hyphenated word is one word)."""
    surname = _key_surname(authors[0]) if authors else ""
    year = date[:4] if date and date[:4].isdigit() else ""
    words = (re.sub(r"[-'.]", "", w) for w in _TITLE_WORD.findall(fold(title)))
    word = next((w for w in words if len(w) > 1 and not w.isdigit() and w not in _STOPWORDS), "")
    return (surname or "anon") + year + word


@functools.lru_cache(maxsize=8192)
def _key_surname(name: str) -> str:
    name = one_line(name)
    return _ascii_word(name if is_literal_name(name) else name_parts(name)[1])


def _letters(i: int) -> str:
    """0 -> a, 25 -> z, 26 -> aa: the suffixes that tell colliding keys apart."""
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(ord("a") + r) + s
    return s


def unique_key(base: str, taken: Callable[[str], bool]) -> str:
    """``base``, else ``base`` + ``a``, ``b``... ``z``, ``aa``: the first not ``taken``."""
    key, i = base, 0
    while taken(key):
        key = base + _letters(i)
        i += 1
    return key


class CitationKeys:
    """Hands out unique keys in output order: the first paper with a base key gets it
    bare, later ones get ``a``, ``b``, ``c``... (never a key already handed out)."""

    def __init__(self) -> None:
        self.taken: set[str] = set()
        self.next_suffix: dict[str, int] = {}

    def __call__(self, base: str) -> str:
        key = base
        if key in self.taken:
            i = self.next_suffix.get(base, 0)
            while (key := base + _letters(i)) in self.taken:
                i += 1
            self.next_suffix[base] = i + 1
        self.taken.add(key)
        return key
