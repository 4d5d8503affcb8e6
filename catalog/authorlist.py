"""Recognise author lists, and split the compact layout's glued ``TitleAuthors`` line.

The site prints at most three names, then ``et al.`` when there are more, then
optionally `` · `` and affiliation slugs. In the compact layout the title runs straight
into the first name with no separator, so the boundary has to be read from shape:

* names 2 and 3 are peeled off the right end at ``", "`` (titles contain commas, so
  peeling from the left would be wrong);
* the boundary is a position where an upper-case letter follows a non-space
  character (``ReportDeepSeek-AI``): a name never starts after a space inside the glue;
* each candidate is scored by how name-like the first name is and how title-like the
  end of the title is; where shape alone cannot decide, names already known (from
  spaced pages, other entries, the catalog) settle it.

Names in scripts without capitals (Han, kana, Hangul, and any other caseless script)
are names by length: a few letters, in one to three words. A Latin title glued to such
a name splits where the script changes. A caseless title glued to a caseless name has
no visible boundary at all: typical name lengths (Chinese and Korean three characters,
Japanese four), a change of script (kana to kanji) or of punctuation give a weak
preference, and a name known elsewhere on the page or in the catalog decides.

Everything here is pure and works on one line at a time.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Callable, Container
from dataclasses import dataclass

from catalog.names import name_key

_PARTICLES = frozenset(
    "van von der den de del della di da dos das du la le ten ter bin ibn al el zu y".split()
)
_SUFFIXES = frozenset({"Jr.", "Jr", "Sr.", "Sr", "II", "III", "IV"})
# Mc/Mac/O'/De... are surnames with an inner capital (McDonald, LeCun), not glue.
_CAMEL_PREFIXES = ("Mc", "Mac", "O'", "O’", "D'", "D’", "De", "Di", "Da", "Du", "Le", "La",
                   "Van", "Von", "Fitz")
_ORG_WORDS = frozenset(
    "AI Lab Labs Team Research Inc Inc. Group Institute University Consortium "
    "Collaboration Foundation Corporation Corp Corp. Ltd Ltd. Project Initiative "
    "Community Academy DeepMind Brain Center Centre".split()
)
# a word with digits that can name an organisation before Team/Lab/...: Emu3, Qwen2.5, GLM-4
_ORG_TOKEN_RE = re.compile(r"^[^\W\d_][\w.+-]*\d[\w.+-]*$")
_INITIAL_RE = re.compile(r"^(?:[^\W\d_]\.?-?){1,3}$")
# no leading [,\s]* in the pattern: re.search would retry it at every comma of a
# long run (quadratic on hostile input); strip_et_al walks back over them instead
_ET_AL_RE = re.compile(r"\bet\.? al\.?$", re.IGNORECASE)
# a capital's candidates (A-Z or any non-ASCII character) after a character that is
# not a space and does not open a word (-'’(/[{ and opening quotes): where a glued first
# name may start. (The character is matched first and the lookbehind checks the pair
# ending in it: the same matches as a lookbehind in front, but the engine can skip
# ahead to a candidate character instead of testing the lookbehind at every position.)
_CAPITAL_AFTER_GLUE_RE = re.compile(
    r"[A-Z\x80-\U0010ffff](?<=[^ \-'’(/\[{‘“«「『（][A-Z\x80-\U0010ffff])")
_AFFIL_SEP_RE = re.compile(r"\s+[·•]\s*|\s*[·•]\s+")
# an affiliation slug (stanford, microsoft-research): one word, no capitals
_SLUG_RE = re.compile(r"^[^\s,·•]{1,60}$")
# a one-word organisation that starts with digits: 01.AI, 42-Labs
_DIGIT_ORG_RE = re.compile(r"^\d+[.\-][^\W\d_][\w.\-]*$")
# a one-word organisation that ends in digits: Lab42, AI21 (not a model: GPT-4, Qwen2.5)
_WORD_DIGITS_RE = re.compile(r"^[^\W\d_]{2,}\d+$")
# a digit after glue (the lookbehind after it, as in _CAPITAL_AFTER_GLUE_RE)
_DIGIT_AFTER_GLUE_RE = re.compile(r"\d(?<=[^\s\d.,\-'’(/\[{]\d)")
_QUOTES = "'’"
# letters of a name in a caseless script may be joined by a katakana middle dot
_NAME_DOTS = "\u30fb\uff65"
_SENTENCE_ENDS = ".。．"
_MAX_NAMES = 3
_MAX_NAME_TOKENS = 6
_MAX_NAME_CHARS = 80
_MAX_CASELESS_NAME = 14  # letters and spaces of a name in a caseless script, at most
# An author line, or a title (arXiv's longest are ~300 characters) glued to one: three
# names and a few affiliation slugs. A longer line is prose and is not read as one,
# which also bounds the work per line on hostile input.
_MAX_AUTHOR_LINE_CHARS = 2000
_MAX_TITLE_CHARS = 400

#: A score at or above this is a name; single plain words ("Google", "Bread") score
#: below STRONG, and an author list needs at least one strong name.
NAME_MIN = 1.0
STRONG = 1.5
_KNOWN_BONUS = 3.0
_AMBIGUOUS_MARGIN = 1.0


@dataclass(frozen=True)
class AuthorList:
    names: tuple[str, ...]
    truncated: bool = False
    affiliations: tuple[str, ...] = ()


@dataclass(frozen=True)
class Split:
    title: str
    authors: AuthorList
    score: float
    margin: float  # how far ahead of the runner-up this split scored


def _is_upper(c: str) -> bool:
    # For one character (or none), istitle() is exactly "upper-case, or a title-case
    # letter (Lt)": checked over every code point; one C call on the parser's hot path.
    return c.istitle()


def _script(c: str) -> str:
    """The script class of one letter, as far as names care: ``han``, ``kana``,
    ``hangul``, ``caseless`` (any other script without capitals), ``cased``, or ``""``
    for what is not a letter."""
    o = ord(c)
    if 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x20000 <= o <= 0x2FFFF \
            or 0xF900 <= o <= 0xFAFF or o == 0x3005:  # 々 repeats a kanji
        return "han"
    if 0x3040 <= o <= 0x30FF or 0x31F0 <= o <= 0x31FF or 0xFF66 <= o <= 0xFF9F:
        return "" if c in _NAME_DOTS else "kana"
    if 0xAC00 <= o <= 0xD7AF or 0x1100 <= o <= 0x11FF or 0x3130 <= o <= 0x318F:
        return "hangul"
    if not c.isalpha():
        return "caseless" if unicodedata.category(c) in ("Mn", "Mc") and o > 0x2FF else ""
    if c.isupper() or c.islower() or c.istitle():
        return "cased"
    return "caseless"


def _is_caseless(c: str) -> bool:
    """A letter of a script without capitals: Han, kana, Hangul, Thai, Arabic..."""
    return bool(c) and not c.isascii() and _script(c) not in ("cased", "")


def _caseless_word(tok: str) -> bool:
    core = tok.strip(_NAME_DOTS)
    return core == tok and all(_is_caseless(c) or c in _NAME_DOTS for c in tok)


@functools.lru_cache(maxsize=1 << 12)
def _caseless_name_score(name: str) -> float:
    """A name written without capitals scores by length: Chinese and Korean names are
    two to four characters, Japanese ones two to six (longer in kana), names of
    spaced scripts (Thai, Arabic...) one to three words."""
    tokens = name.split()
    if len(tokens) > 3:
        return 0.0
    letters = [c for c in name if _is_caseless(c)]
    n = len(letters)
    scripts = {_script(c) for c in letters}
    if n < 2 or n > 16:
        return 0.0
    if scripts <= {"han", "hangul"} and "·" not in name:
        if scripts == {"han", "hangul"}:
            return 0.0
        if n <= 4:
            return 2.0
        return 1.0 if n <= 6 else 0.0
    if scripts <= {"han", "kana"}:
        if any(c in _NAME_DOTS for c in name) or len(tokens) > 1:
            return 1.5 if n <= 12 else 0.0
        return 1.5 if n <= 8 else (1.0 if n <= 10 else 0.0)
    if scripts & {"han", "kana", "hangul"}:
        return 0.0  # CJK mixed with another caseless script: not one name
    # other caseless scripts write spaces between words, as Latin does
    if all(len([c for c in t if _is_caseless(c)]) >= 2 for t in tokens):
        return 2.0 if len(tokens) >= 2 else 1.0
    return 0.0


def _mixed_script(tok: str) -> bool:
    """A word with letters of a caseless script and cased ones (``Ms山田太郎``): glue."""
    has_caseless = has_cased = False
    for c in tok:
        if c.isascii():
            has_cased = has_cased or c.isalpha()
            continue
        k = _script(c)
        has_caseless = has_caseless or k not in ("cased", "")
        has_cased = has_cased or k == "cased"
    return has_caseless and has_cased


def _humps(word: str) -> int:
    """Lower-to-upper changes inside a word: DeepSeek has one, Report none."""
    return sum(1 for a, b in itertools.pairwise(word) if a.islower() and _is_upper(b))


def _camel_is_surname(word: str) -> bool:
    return any(
        word.startswith(p) and len(word) > len(p) and _is_upper(word[len(p)])
        and _humps(word[len(p):]) == 0
        for p in _CAMEL_PREFIXES
    )


def _glued_caps(part: str) -> bool:
    """``BAlbert``, ``NNKaiming``, ``MsAnthropic``: capitals run into a capitalised
    word, the shape of an acronym (or a plural one) glued to a name (``Mistral 7B`` +
    ``Albert``, ``VLMs`` + ``Anthropic``), never a word of a name.
    The Dutch digraph (``IJsbrand``) is the one real spelling of that shape."""
    if len(part) > 2 and part[1] == "s" and _is_upper(part[0]) \
            and (_is_upper(part[2]) or part[2].isdigit()):
        return True  # MsAnthropic: a plural acronym's tail (VLMs) run into a name
    caps = 0
    while caps < len(part) and _is_upper(part[caps]):
        caps += 1
    if caps < 2 or caps == len(part) or not part[caps].islower():
        return False
    return not (caps == 2 and part.startswith("IJ"))


@functools.lru_cache(maxsize=1 << 16)  # pure; the same words come back line after line
def _token_kind(tok: str) -> str:
    """Classify one word of a name: cap, initial, particle, suffix, caps, camel,
    glued, other."""
    if tok in _SUFFIXES:
        return "suffix"
    if tok in _PARTICLES:
        return "particle"
    if _INITIAL_RE.match(tok) and all(_is_upper(c) for c in tok if c.isalpha()):
        letters = [i for i, c in enumerate(tok) if c.isalpha()]
        # Y.K., Y.-K., Y.K: a dot or hyphen after every letter but the last; "BY." is an
        # acronym cut from a title (Mistral 7B + Y. K. Li), not two initials
        if len(letters) == 1 or ("." in tok and all(tok[i + 1:i + 2] in (".", "-")
                                                    for i in letters[:-1])):
            return "initial"
    core = tok.rstrip(".")
    parts = re.split(r"[-'’]", core)
    if not core or not all(p and all(c.isalpha() for c in p) for p in parts):
        return "other"
    if not _is_upper(core[0]):
        return "other"
    alpha = [c for c in core if c.isalpha()]
    if len(alpha) >= 2 and all(_is_upper(c) for c in alpha):
        return "caps"
    if any(_glued_caps(p) for p in parts):
        return "glued"
    if all(_humps(p) == 0 for p in parts):
        # Jean-Pierre, O'Brien; a lower-case part after a hyphen (Bin-bin) is fine too
        return "cap"
    if _camel_is_surname(core):
        return "cap"
    return "camel"


@functools.lru_cache(maxsize=1 << 16)  # pure; each name is scored several times a page
def name_score(name: str) -> float:
    """How much ``name`` looks like a person or organisation name; 0 means not at all."""
    # Decomposed accents (``Dolla\u0301r``) are letters too.
    name = unicodedata.normalize("NFC", name.strip())
    if not name or len(name) > _MAX_NAME_CHARS or "," in name:
        return 0.0
    tokens = name.split()
    if len(tokens) > _MAX_NAME_TOKENS:
        return 0.0
    if not name.isascii():
        if all(_caseless_word(t) for t in tokens):
            return _caseless_name_score(name)
        if any(_mixed_script(t) or any(_is_caseless(c) for c in t) for t in tokens):
            return 0.0  # scripts mixed inside a name: a title's end glued to it
    kinds = [_token_kind(t) for t in tokens]
    if len(tokens) == 1:
        if tokens[0].endswith(".") and tokens[0] not in _ORG_WORDS:
            return 0.0  # "DeepSeek-R1." ends a sentence; only initials end in a dot
        return _org_score(tokens[0], kinds[0])
    if "glued" in kinds:
        return 0.0
    if "other" in kinds:
        # Emu3 Team, Qwen2.5 Team: a model's name before an organisation word
        if (tokens[-1] in _ORG_WORDS and kinds[-1] != "other" and len(tokens) <= 3
                and "initial" not in kinds
                and all(k != "other" or _org_digit_token(t)
                        for t, k in zip(tokens, kinds, strict=True))):
            return 2.0
        return 0.0
    if kinds[0] not in ("cap", "initial", "camel", "caps"):
        return 0.0
    last = kinds[-1]
    if last == "suffix" and len(kinds) > 2:
        last = kinds[-2]
    if last not in ("cap", "camel", "caps"):
        return 0.0
    if any(t.endswith(".") and k not in ("initial", "suffix")
           for t, k in zip(tokens, kinds, strict=True)):
        return 0.0  # "Learning." is the end of a sentence, not a name
    score = 3.0
    # A camel word inside a name is glue (``ReportDeep Seek``), unless it is an
    # organisation word: Google DeepMind.
    score -= 2.0 * sum(1 for t, k in zip(tokens, kinds, strict=True)
                       if k == "camel" and t not in _ORG_WORDS)
    if "caps" in kinds or any(k == "camel" and t in _ORG_WORDS
                              for t, k in zip(tokens, kinds, strict=True)):
        # Meta AI, Google DeepMind: organisations with several words
        score = min(score, 2.0 if any(t in _ORG_WORDS for t in tokens) else 1.5)
    if kinds.count("particle") > 2:
        score -= 1.0
    return max(score, 0.0)


def _org_digit_token(tok: str) -> bool:
    """Emu3, Qwen2.5, GLM-4: a model name with digits, not a glue of title and name
    (MsEmu3, BEmu3, T-4Emu3)."""
    return (bool(_ORG_TOKEN_RE.match(tok)) and _humps(tok) == 0 and not _glued_caps(tok)
            and not any(a.isdigit() and _is_upper(b) for a, b in itertools.pairwise(tok)))


def _acronym_tail(part: str) -> bool:
    """A long capital run after a lower-case letter (``MsNVIDIA``): an acronym glued to
    a word; organisations end in short ones (OpenAI, EleutherAI, OpenBMB)."""
    run = 0
    while run < len(part) and _is_upper(part[-1 - run]):
        run += 1
    return 4 <= run < len(part) and part[-run - 1].islower()


def _org_score(tok: str, kind: str) -> float:
    if kind == "camel":
        parts = re.split(r"[-'’]", tok)
        if any(_acronym_tail(p) for p in parts):
            return 0.5
        humps = sum(_humps(p) for p in parts)
        # one hump (OpenAI, DeepSeek-AI) is an organisation's shape; each more is more
        # likely a camel-case product name glued to one (AlphaFold + OpenAI)
        return max(2.0 - 1.0 * (humps - 1), 1.0)
    if kind == "caps":
        letters = sum(c.isalpha() for c in tok)
        if max(len(p) for p in tok.split("-")) > 6:
            return 0.5  # acronyms are short: LLMNVIDIA is two of them glued
        if "-" in tok:
            return 2.0
        return 1.5 if letters >= 3 else 0.5
    if kind == "cap":
        if "-" in tok and any(_is_upper(p[:1]) for p in tok.split("-")[1:]):
            return 2.0  # Meta-Llama, Stability-AI
        return 1.0  # one plain word: an organisation maybe, a grocery maybe
    if kind == "other" and ((_WORD_DIGITS_RE.match(tok) and _org_digit_token(tok)
                            and _is_upper(tok[0])) or _DIGIT_ORG_RE.match(tok)):
        # Lab42, AI21, 01.AI: one word with digits, as weak as any one plain word
        return 1.0
    if kind == "other" and "-" in tok and _is_upper(tok[0]):
        parts = tok.split("-")
        if all(p and p[0].isalnum() for p in parts) and any(_is_upper(p[0]) for p in parts[1:]):
            return 1.5
    return 0.0


def split_affiliations(text: str) -> tuple[str, tuple[str, ...]]:
    """``"A, B · pku, mit"`` -> ``("A, B", ("pku", "mit"))``."""
    if "·" not in text and "•" not in text:
        return text, ()  # most lines (titles, abstracts): skip the regex scan
    matches = list(_AFFIL_SEP_RE.finditer(text))
    if not matches:
        return text, ()
    # Only the last separator can start affiliations, and only if what follows it is
    # slugs: a title's own " · " (Perception · Planning · Control) is followed by words.
    m = matches[-1]
    affs = tuple(a.strip() for a in text[m.end():].split(",") if a.strip())
    if not affs or not all(_is_slug(a) for a in affs):
        return text, ()
    return text[: m.start()].rstrip(), affs


def _is_slug(text: str) -> bool:
    return bool(_SLUG_RE.match(text)) and not any(c.isupper() for c in text)


def strip_et_al(text: str) -> tuple[str, bool]:
    if "al" not in text[-5:].lower():
        return text, False  # cannot end in "et al.": skip scanning a long line
    m = _ET_AL_RE.search(text)
    if not m:
        return text, False
    end = m.start()
    while end > 0 and (text[end - 1] == "," or text[end - 1].isspace()):
        end -= 1
    if end == 0:
        return text, False
    return text[:end], True


def parse_author_list(line: str, known: Container[str] | None = None) -> AuthorList | None:
    """A whole line that is an author list (the spaced layout), else None."""
    found = _author_list_shape(line)
    if found is None:
        return None
    authors, strong = found
    if not strong and not (known and any(name_key(n) in known for n in authors.names)):
        return None
    return authors


@functools.lru_cache(maxsize=1024)
def _author_list_shape(line: str) -> tuple[AuthorList, bool] | None:
    """The part of ``parse_author_list`` that known names do not change, cached (the
    parser asks about most lines twice: with no names known, then with every name
    known): the author list if every name scores at least NAME_MIN, and whether one
    of them is STRONG."""
    if len(line) > _MAX_AUTHOR_LINE_CHARS:
        return None
    body, truncated, affs = _split_tail(line)
    names = [n.strip() for n in body.split(",")]
    if not names or len(names) > _MAX_NAMES or any(not n for n in names):
        return None
    strong = False
    for n in names:  # stop at the first non-name: most lines are prose
        # a long ASCII stretch (prose) scores 0 (NFC leaves ASCII as it is; n is
        # stripped): said without filling name_score's cache with it
        score = 0.0 if len(n) > _MAX_NAME_CHARS and n.isascii() else name_score(n)
        if score < NAME_MIN:
            return None
        strong = strong or score >= STRONG
    return AuthorList(tuple(names), truncated, affs), strong


@functools.lru_cache(maxsize=1024)
def _split_tail(line: str) -> tuple[str, bool, tuple[str, ...]]:
    """``line`` without its affiliations and ``et al.``: (body, truncated, affiliations).
    Cached: the author-list reader and the glued-line splitter both ask for each line."""
    body, affs = split_affiliations(line)
    body, truncated = strip_et_al(body)
    return body, truncated, affs


def _boundaries(segment: str) -> list[int]:
    """Positions where a glued first name may start: an upper-case letter after a
    non-space character, within the last few words of the segment."""
    # A first name is at most _MAX_NAME_CHARS (x4: decomposed accents): looking further
    # back only finds names that score 0, at quadratic cost on a huge line.
    floor = max(0, len(segment) - 4 * _MAX_NAME_CHARS)
    pos = len(segment)
    for _ in range(_MAX_NAME_TOKENS):  # back over the last few words
        pos = segment.rfind(" ", floor, pos)
        if pos < 0:
            break
    start = max(pos + 1 if pos >= 0 else floor, 1)
    # the regex finds A-Z or non-ASCII after glue in C; istitle() keeps the capitals
    out = []
    for m in _CAPITAL_AFTER_GLUE_RE.finditer(segment, start):
        c, i = m.group(), m.start()
        if _is_upper(c):
            out.append(i)
        elif _is_caseless(c) and segment[i - 1] not in _NAME_DOTS and (
                i >= len(segment) - _MAX_CASELESS_NAME or not _is_caseless(segment[i - 1])):
            # a caseless name may start anywhere in a caseless run: near its end
            out.append(i)
    # 01.AI after "CNNs": an organisation that starts with digits
    out += [m.start() for m in _DIGIT_AFTER_GLUE_RE.finditer(segment, start)
            if _DIGIT_ORG_RE.match(segment[m.start():].split(" ")[0])]
    # 'Grokking'Adobe: a closing quote, where the title opened one
    for q in _QUOTES:
        i = segment.find(q, start)
        while 0 < i < len(segment) - 1:
            nxt = segment[i + 1]
            if ((_is_upper(nxt) or _is_caseless(nxt)
                 or (nxt.isdigit() and _DIGIT_ORG_RE.match(segment[i + 1:].split(" ")[0])))
                    and segment[i - 1].isalpha()
                    and _opens_quote(segment[:i])):
                out.append(i + 1)
            i = segment.find(q, i + 1)
    return sorted(set(out))


def _opens_quote(text: str) -> bool:
    """Does ``text`` hold an opening single quote (after a space, or first)?"""
    return any(c in _QUOTES + "‘" and (k == 0 or text[k - 1] in " ([\"“")
               for k, c in enumerate(text))


def _title_end_score(title: str, name: str) -> float:
    last = title.rsplit(" ", 1)[-1]
    score = 0.0
    if _is_caseless(last[-1:]) or _is_caseless(name[:1]):
        return _caseless_end_score(title, name)
    if _humps(last.split("-")[-1]) and not last[-1].isdigit():
        score -= 0.75  # "ReportDeep": a title word that swallowed part of a name
    if last[-1:].isupper() and name[1:2].isupper():
        score -= 0.5  # cuts an acronym in two
    if last[-1:] in ".,;:":
        score -= 0.5
    if len(last) == 1 and last.isupper():
        score -= 1.0  # "Mask R-C" + "NN" style cuts leave a stray capital
    return score


# How typical a caseless name's length is, by script: a weak preference that only
# orders splits shape cannot otherwise tell apart (a known name outweighs it).
_LENGTH_PRIOR = {
    "chinese": {3: 0.4, 2: 0.25, 4: 0.1},
    "japanese": {4: 0.4, 3: 0.25, 5: 0.15, 2: 0.1, 6: 0.05},
    "korean": {3: 0.4, 2: 0.2, 4: 0.1},
}


def _caseless_end_score(title: str, name: str) -> float:
    """The glue between a title and a name where either is in a caseless script."""
    end, first = title[-1:], name[:1]
    if not (_is_caseless(end) and _is_caseless(first)):
        # a change of script or punctuation: the natural boundary (VLMs|王小明, 」|王小明)
        return 0.5
    # inside a run of caseless letters
    run = len(title)
    while run > 0 and _is_caseless(title[run - 1]):
        run -= 1
    if run > 0 and not any(_is_caseless(c) for c in title[:run]):
        return -1.5  # a Latin title does not end in the first letters of a name (VLMs王)
    if len(title) - run < 2 and (run == 0 or not title[run - 1].isalnum()):
        return -1.5  # nor in a word of one letter (", 山" + "田太郎")
    if _script(end) == "kana" and _script(first) == "han":
        return 0.6  # ...について|山田太郎: kana particles end a Japanese title's phrase
    scripts = {_script(c) for c in name if _is_caseless(c)}
    if scripts == {"hangul"}:
        lang = "korean"
    elif "kana" in scripts or any(_script(c) == "kana" for c in title):
        lang = "japanese"
    else:
        lang = "chinese"
    words = name.split()
    n = sum(1 for c in name if _is_caseless(c))
    score = _LENGTH_PRIOR[lang].get(n, 0.0)
    if len(words) > 1:  # a family name then the given name: 山田 太郎, 王 小明
        family = len(words[0])
        score += 0.3 if family == (2 if lang == "japanese" else 1) else 0.0
    return score


def split_glued(
    line: str,
    known: Container[str] | Callable[[str], bool] | None = None,
    *,
    strict: bool = False,
    expected: bool = False,
) -> Split | None:
    """Split ``TitleFirst Name, Second Name et al. · affs`` into title and authors.

    ``known`` holds name keys (or is a predicate on them) that break ties. With
    ``strict`` (a line inside an abstract), a title ending in a full stop is refused:
    that is a sentence, not a title. With ``expected`` (the line right under an entry
    header, where nothing else can be), names that are only weakly name-shaped (one
    plain word: ``Anthropic``, ``Adobe``) are enough.
    """
    found = _glued_candidates(line)
    if found is None or not found[2]:
        return None  # most lines (prose) have no candidate at all
    truncated, affs, every = found
    is_known = _known_predicate(known)
    candidates = [(total + 0.1 * sum(1 for t in names[1:] if is_known(t)), title, names)
                  for total, title, names, strict_ok in every if strict_ok or not strict]
    if not candidates:
        return None
    candidates.sort(key=lambda c: -c[0])
    if len(candidates) > 1 and candidates[0][0] - candidates[1][0] < _AMBIGUOUS_MARGIN:
        # Shape cannot decide: prefer a split whose first name is already known.
        rescored = [
            (t + (_KNOWN_BONUS if is_known(names[0]) else 0.0), title, names)
            for t, title, names in candidates
        ]
        rescored.sort(key=lambda c: -c[0])
        candidates = rescored
    best = candidates[0]
    if (max(name_score(n) for n in best[2]) < STRONG and not expected
            and not any(is_known(n) for n in best[2])):
        return None
    margin = best[0] - candidates[1][0] if len(candidates) > 1 else 99.0
    if not best[1].strip():
        return None
    return Split(best[1], AuthorList(best[2], truncated, affs), best[0], margin)


_Candidate = tuple[float, str, tuple[str, ...], bool]


@functools.lru_cache(maxsize=1024)
def _glued_candidates(line: str) -> tuple[bool, tuple[str, ...], tuple[_Candidate, ...]] | None:
    """The part of ``split_glued`` that known names do not change, cached (a page's
    parser asks about most lines twice): (truncated, affiliations, every candidate as
    (score before known tail names count, title, names, allowed in a strict read))."""
    if len(line) > _MAX_AUTHOR_LINE_CHARS:
        return None
    body, truncated, affs = _split_tail(line)
    parts = body.split(", ")
    if len(parts[-1]) > _MAX_TITLE_CHARS + _MAX_NAME_CHARS:
        return None
    if _ends_in_no_name(parts[-1]):
        # every candidate's names (the first, or the peeled tail) end in the line's
        # last word, so none scores: the usual case for a line of prose
        return truncated, affs, ()
    candidates: list[_Candidate] = []
    for k in range(1, _MAX_NAMES + 1):
        if len(parts) < k:
            break
        tail = parts[len(parts) - k + 1:] if k > 1 else []
        tail_scores = [name_score(t) for t in tail]
        if tail_scores and min(tail_scores) < NAME_MIN:
            break  # a longer peel cannot repair a non-name on the right
        glued = parts[len(parts) - k]
        starts = _boundaries(glued)
        if not starts:
            continue  # the usual case for a line of prose
        head = ", ".join(parts[: len(parts) - k])
        whole = name_score(glued) if head else 0.0
        for i in starts:
            first, title_tail = glued[i:], glued[:i]
            s = name_score(first)
            if s < NAME_MIN:
                continue
            title = f"{head}, {title_tail}" if head else title_tail
            strict_ok = not (title[-1:] in _SENTENCE_ENDS or len(title) > 400)
            total = s + _title_end_score(title, first)
            if head and all(_is_caseless(c) or c in _NAME_DOTS for c in title_tail):
                # "..., 山田" + "太郎": the part after a comma is a whole name, not
                # the end of a title cut from one
                total -= 2.0
            elif head and whole >= STRONG:
                total -= 1.0  # ", AaaMind": a whole name after a comma, cut in two
            if tail_scores:
                total += 0.25 * min(tail_scores)
            if truncated and k != _MAX_NAMES:
                total -= 0.5  # the site shows exactly three names before et al.
            if max([s, *tail_scores]) < STRONG:
                total -= 1.0
            candidates.append((total, title.rstrip(), (first, *tail), strict_ok))
    return truncated, affs, tuple(candidates)


def _ends_in_no_name(text: str) -> bool:
    """Does ``text`` end in a word that ends no name (``name_score`` is 0 for any name
    whose last word it is)? A word with a full stop that is not an initial, a suffix
    (Jr.) or an organisation word (Inc.): the end of a sentence. Only an ASCII word is
    judged: NFC, which ``name_score`` applies first, leaves it as it is."""
    words = text.rsplit(None, 1)
    if not words:
        return False
    last = words[-1]
    return (last.endswith(".") and last.isascii() and last not in _ORG_WORDS
            and _token_kind(last) not in ("initial", "suffix"))


def _known_predicate(
    known: Container[str] | Callable[[str], bool] | None,
) -> Callable[[str], bool]:
    if known is None:
        return lambda name: False
    if callable(known):
        check = known
        return lambda name: bool(check(name_key(name)))
    container = known
    return lambda name: name_key(name) in container


# The name vocabularies other modules share (export's BibTeX names): one source.
PARTICLES = _PARTICLES
NAME_SUFFIXES = _SUFFIXES
ORG_WORDS = _ORG_WORDS
