"""Name keys and forgiving name matching."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from catalog.names import fold, name_key, name_words, nearest, resolve

NAMES = ["Y. K. Li", "Guang Li", "Daya Guo", "Dejian Yang", "Kaiming He", "Piotr Dollár",
         "Éric Dupont", "Łukasz Kaiser", "DeepSeek-AI", "Quoc V. Le"]


@pytest.mark.parametrize("a,b", [
    ("Y. K. Li", "YK Li"), ("Y. K. Li", "y.k. li"), ("Y. K. Li", "Y.K.Li"),
    ("Piotr Dollár", "piotr dollar"), ("Éric Dupont", "Eric Dupont"),
    ("Łukasz Kaiser", "Lukasz Kaiser"), ("DeepSeek-AI", "deepseek ai"),
    ("Quoc V. Le", "quoc v le"),
])
def test_same_key(a, b):
    assert name_key(a) == name_key(b)


@pytest.mark.parametrize("a,b", [("Y. K. Li", "Guang Li"), ("Daya Guo", "Dejian Yang")])
def test_different_key(a, b):
    assert name_key(a) != name_key(b)


@given(st.text(max_size=40))
@example("Ǣ")  # decomposes to Æ, which only the extra table folds
def test_name_key_is_idempotent(text):
    assert name_key(name_key(text)) == name_key(text)


@given(st.text(max_size=40))
def test_name_words_is_idempotent(text):
    assert name_words(name_words(text)) == name_words(text)


def test_name_words_joins_initials_only():
    assert name_words("Y. K. Li") == "yk li"
    assert name_words("Bo K Li") == "bo k li"


def test_fold():
    assert fold("Dollár Łódź") == "dollar lodz"


@pytest.mark.parametrize("query,expected", [
    ("yk li", "Y. K. Li"), ("Y.K. Li", "Y. K. Li"), ("piotr dollar", "Piotr Dollár"),
    ("Daya Gou", "Daya Guo"), ("kaiming", "Kaiming He"), ("Lukasz Kaizer", "Łukasz Kaiser"),
])
def test_resolve(query, expected):
    assert resolve(query, NAMES).name == expected


def test_exact_match_is_marked_exact():
    assert resolve("yk li", NAMES).exact
    assert not resolve("Daya Gou", NAMES).exact


def test_ambiguous_partial_name_lists_candidates():
    m = resolve("li", NAMES)
    assert m.name is None and set(m.candidates) == {"Y. K. Li", "Guang Li"}


def test_unknown_name():
    m = resolve("Zzyzx Qwerty", NAMES)
    assert m.name is None
    assert nearest("Zzyzx Qwerty", NAMES)


def test_empty_query():
    assert resolve("  ..  ", NAMES).name is None
