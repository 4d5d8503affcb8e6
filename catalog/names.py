"""Keys: a paper's identity (``title_key``, ``paper_id``), author-name keys and
forgiving name matching.

A name is kept exactly as printed; matching goes through ``name_key``, which folds
case, accents, spacing, dots and hyphens, so ``y.k. li``, ``YK Li`` and ``Y. K. Li``
are one name. rapidfuzz is imported inside the functions that need it (start-up time).
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# runs of the characters for which isalnum() is false: what every key leaves out
NON_WORD = re.compile(r"[\W_]+")
# letters NFKD does not decompose
_EXTRA = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D",
                        "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ı": "i"})


def fold(text: str) -> str:
    """Lower-case, accent-free text: ``Dollár`` -> ``dollar``."""
    if text.isascii():
        return text.lower()  # the same, without a Python loop over every character
    decomposed = unicodedata.normalize("NFKD", text.translate(_EXTRA))
    folded = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    # a letter can reach _EXTRA's table only once its accent is gone (Ǣ -> Æ -> ae)
    return folded.translate(_EXTRA)


@functools.lru_cache(maxsize=1 << 14)  # pure; the page parser keys each name many times
def name_key(name: str) -> str:
    """The match key of a name: folded, letters and digits only. Idempotent."""
    return NON_WORD.sub("", fold(name))


def title_key(title: str) -> str:
    """Titles that differ only in case, accents, spacing or punctuation are one paper."""
    return " ".join(NON_WORD.sub(" ", fold(title)).split())


def paper_id(key: str) -> str:
    """A paper's id: a short hash of its title key (stable across catalogs)."""
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


def name_words(name: str) -> str:
    """Folded words of a name, runs of single letters joined (``Y. K. Li`` -> ``yk li``),
    for fuzzy comparison where word boundaries matter."""
    out: list[str] = []
    run = False  # is out[-1] made of single letters?
    for w in NON_WORD.sub(" ", fold(name)).split():
        if len(w) == 1 and run:
            out[-1] += w
        else:
            out.append(w)
            run = len(w) == 1
    return " ".join(out)


@dataclass(frozen=True)
class NameMatch:
    """How a typed name resolved: ``name`` is None when nothing matched, and
    ``candidates`` lists the names that came close."""

    query: str
    name: str | None
    exact: bool
    candidates: tuple[str, ...] = ()


def resolve(query: str, names: Sequence[str], *, cutoff: float = 85.0,
            keys: Sequence[str] | None = None, words: Sequence[str] | None = None
            ) -> NameMatch:
    """Resolve a typed name against known display names.

    Exact key match wins; then a unique word match (``kaiming``); then the single
    clearly-best rapidfuzz match. Several equally good -> no name, candidates listed.
    ``keys`` and ``words``, when given, are ``name_key`` and ``name_words`` of each
    name, computed ahead (the catalog stores them: a million names take seconds).
    """
    key = name_key(query)
    if not key:
        return NameMatch(query, None, False)
    keys = keys if keys is not None else [name_key(n) for n in names]
    exact = [n for n, k in zip(names, keys, strict=True) if k == key]
    if exact:
        return NameMatch(query, exact[0], True)
    words = words if words is not None else [name_words(n) for n in names]
    qwords = name_words(query).split()
    if len(qwords) == 1:
        partial = sorted({n for n, w in zip(names, words, strict=True) if qwords[0] in w.split()})
        if len(partial) == 1:
            return NameMatch(query, partial[0], False)
        if len(partial) > 1:
            return NameMatch(query, None, False, tuple(partial[:10]))
    return _fuzzy(query, names, cutoff, words)


def _fuzzy(query: str, names: Sequence[str], cutoff: float,
           words: Sequence[str] | None = None) -> NameMatch:
    from rapidfuzz import fuzz, process

    choices = dict(zip(names, words if words is not None else map(name_words, names), strict=True))
    hits = process.extract(
        name_words(query), choices, scorer=fuzz.token_sort_ratio, limit=5,
        score_cutoff=cutoff * 0.8,
    )
    # extract over a dict yields (choice, score, key)
    ranked = [(h[2], h[1]) for h in hits]
    if ranked and ranked[0][1] >= cutoff and (
        len(ranked) == 1 or ranked[0][1] - ranked[1][1] >= 5
    ):
        return NameMatch(query, ranked[0][0], False, tuple(n for n, _ in ranked))
    return NameMatch(query, None, False, tuple(n for n, _ in ranked))


def nearest(query: str, names: Iterable[str], limit: int = 5,
            words: Iterable[str] | None = None) -> list[str]:
    """The closest names to ``query``, best first, however far."""
    from rapidfuzz import fuzz, process

    names = list(names)
    choices = dict(zip(names, words if words is not None else map(name_words, names), strict=True))
    return [h[2] for h in process.extract(
        name_words(query), choices, scorer=fuzz.WRatio, limit=limit)]


# -- resolution over the catalog's name index (#16) --------------------------------
#
# A million papers name about a hundred thousand people; comparing a typed name with
# each of them took 350 ms. The catalog instead indexes the distinct words of names
# by their one-letter deletions (SymSpell's trick): two words within one edit of each
# other (Damerau: a swap of neighbours is one edit) share a deletion variant, so the
# words near a typed word are found by a few index look-ups, and only the people who
# carry those words are compared with it.

MIN_FUZZY_WORD = 2  # one-letter words (initials) are matched exactly only


def deletion_variants(word: str) -> set[str]:
    """The word and every string one deleted character away from it."""
    return {word} | {word[:i] + word[i + 1:] for i in range(len(word))}


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions and
    swaps of neighbouring letters each count one (``lui`` -> ``liu`` is one edit)."""
    from rapidfuzz.distance import OSA

    return int(OSA.distance(a, b))


@dataclass(frozen=True)
class Candidate:
    """A known person measured against a typed name: ``distance`` is the edits
    between the typed words and theirs, ``extra`` the words of theirs not typed."""

    name: str
    words: str
    papers: int
    distance: int
    extra: int
    first: bool  # the typed word is their first word (a first name)

    def order(self) -> tuple:
        return (self.distance, self.extra, -self.papers, self.name.casefold())


def measure(query_words: Sequence[str], name: str, words: str, papers: int
            ) -> Candidate | None:
    """How far ``words`` (a name's ``name_words``) is from the typed words: each typed
    word is paired with the closest unused word of the name, order free. None when a
    typed word has no counterpart within one edit."""
    theirs = words.split()
    if len(theirs) < len(query_words):
        return None
    unused = list(theirs)
    total = 0
    for q in sorted(query_words, key=len, reverse=True):
        best = min(unused, key=lambda w: edit_distance(q, w))
        d = edit_distance(q, best)
        if d > (1 if len(q) >= MIN_FUZZY_WORD else 0):
            return None
        total += d
        unused.remove(best)
    first = len(query_words) == 1 and edit_distance(query_words[0], theirs[0]) == total
    return Candidate(name, words, papers, total, len(unused), first)


PROLIFIC_RATIO = 3  # a first name resolves to its owner with 3x the runner-up's papers
PROLIFIC_MIN = 3


def choose(query: str, ranked: Sequence[Candidate]) -> NameMatch:
    """The person a typed name means, given the candidates best first (by closeness,
    then papers): the closest, where one is; among equally close ones, the one with
    more papers; a first name typed alone, its owner when one person with that first
    name has far more papers than the others. Otherwise no name, and the candidates."""
    names = tuple(c.name for c in ranked)
    if not ranked:
        return NameMatch(query, None, False)
    best = ranked[0]
    if len(name_words(query).split()) > 1:
        # a name typed whole: closeness, then papers
        peers = [c for c in ranked[1:] if (c.distance, c.extra) == (best.distance, best.extra)]
        if not peers or best.papers > peers[0].papers:
            return NameMatch(query, best.name, False, names)
        return NameMatch(query, None, False, names)
    same = [c for c in ranked if c.distance == best.distance]
    if len(same) == 1:
        return NameMatch(query, best.name, False, names)
    firsts = sorted(same, key=lambda c: -c.papers)
    if all(c.first for c in same) and (firsts[0].papers >= PROLIFIC_MIN and
                                       firsts[0].papers >= PROLIFIC_RATIO * firsts[1].papers):
        return NameMatch(query, firsts[0].name, False, names)
    return NameMatch(query, None, False, names)
