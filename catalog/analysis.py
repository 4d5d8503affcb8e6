"""Text as the search index holds it, and queries as they are looked up: one function
for both, so that what is written and what is asked always agree.

SQLite's ``unicode61`` tokenizer folds only the accents Unicode decomposes (``é``) and
reads a run of Chinese, Japanese or Korean text as one token. Before it sees the text,
``index_text``

- folds letters as Lucene's ASCIIFoldingFilter does (``Łukasz`` -> ``Lukasz``,
  ``Sørensen`` -> ``Sorensen``, ``æ`` -> ``ae``, ``ß`` -> ``ss``, ``ﬁ`` -> ``fi``);
- writes each run of Han, kana or Hangul characters as its overlapping character
  bigrams (``中文句子`` -> ``中文 文句 句子``), so any run of two or more characters is
  found as a phrase of bigrams, as Lucene's CJKBigramFilter does;

Hyphenated words are not also indexed joined (``birthweight`` for ``birth-weight``):
that cost ranking quality on the shared collections (SciFact nDCG@10 -0.004); the
query side searches ``Birth-weight`` as the phrase and as ``birthweight`` instead.

Changing what this function returns changes the search engine's index: bump
``catalog.search_index.VERSION`` so that every index is rebuilt. (``papers_fts``, the
FTS5 index sqlite-utils and Datasette read, holds the text as written.)
"""

from __future__ import annotations

import functools
import re
import unicodedata

# Letters NFKD leaves alone, folded as Lucene's ASCIIFoldingFilter folds them.
_FOLD = str.maketrans({
    "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D",
    "ß": "ss", "ẞ": "SS", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ı": "i", "İ": "I",
    "þ": "th", "Þ": "TH", "ħ": "h", "Ħ": "H", "ŧ": "t", "Ŧ": "T", "ŋ": "n", "Ŋ": "N",
    "ĸ": "q", "ſ": "s", "ŀ": "l", "Ŀ": "L", "ƒ": "f", "ɐ": "a", "ə": "e", "Ə": "E",
    "ʃ": "s", "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-",
})
_NON_ASCII_RE = re.compile(r"[^\x00-\x7f]+")
_CJK = ("\u1100-\u11ff\u3040-\u309f\u30a0-\u30ff\u3130-\u318f\u31f0-\u31ff\u3400-\u4dbf"
        "\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0002ffff")
_CJK_RUN_RE = re.compile(f"[{_CJK}]+")
_HANGUL_RE = re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")


@functools.lru_cache(maxsize=65536)
def _fold_run(run: str) -> str:
    if _HANGUL_RE.search(run):  # NFKD would take Hangul syllables apart into jamo
        return "".join(_fold_run(c) if not _HANGUL_RE.match(c) else c for c in run) \
            if len(run) > 1 else run
    decomposed = unicodedata.normalize("NFKD", run.translate(_FOLD))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str) -> str:
    """ASCII folding, case kept (the tokenizer lower-cases)."""
    if text.isascii():
        return text
    return _NON_ASCII_RE.sub(lambda m: _fold_run(m.group()), text)


def _bigrams(m: re.Match[str]) -> str:
    run = m.group()
    if len(run) == 1:
        return f" {run} "
    return " " + " ".join(run[i:i + 2] for i in range(len(run) - 1)) + " "


def index_text(text: str) -> str:
    """``text`` as the search index is given it (see the module docstring)."""
    if not text:
        return text
    text = fold(text)
    if not text.isascii():
        text = _CJK_RUN_RE.sub(_bigrams, text)
    return text
