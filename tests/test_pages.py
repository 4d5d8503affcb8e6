"""The page parser: layouts, headers, dates, mess, and what is not a page."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog.errors import PageError
from catalog.pages import clean_lines, parse_entry_header, parse_page, resolve_date
from conftest import AS_OF_DATE, DATA

SEEDS = sorted(DATA.glob("*.txt"))


def parse(text: str, **kw):
    kw.setdefault("as_of", AS_OF_DATE)
    return parse_page(text, "t.txt", **kw)


def seed(n: int) -> str:
    return SEEDS[n].read_text(encoding="utf-8")


def test_seed_entry_counts_and_no_warnings():
    pages = [parse(seed(i)) for i in range(4)]
    assert [len(p.entries) for p in pages] == [5, 7, 9, 9]
    assert all(p.warnings == () for p in pages)


def test_spaced_profile_header():
    page = parse(seed(1))
    p = page.profile
    assert (p.name, p.topic, p.h_index, p.papers, p.citations, p.novelty, p.ai_score) == (
        "Y. K. Li", "CL", 38, 7, 17431, 51, 47)


def test_compact_pages_have_no_profile():
    for i in (0, 2, 3):
        assert parse(seed(i)).profile.name is None
        assert not parse(seed(i)).profile.has_figures


def test_entry_without_header_gets_no_topic_or_date():
    first = parse(seed(2)).entries[0]
    assert first.title == "DeepSeek-VL: Towards Real-World Vision-Language Understanding"
    assert (first.topic, first.date, first.has_code, first.score) == (None, None, False, None)
    assert first.affiliations == ("microsoft-research", "pku")


def test_score_topic_date_code_header():
    e = parse(seed(2)).entries[3]
    assert (e.score, e.topic, e.date) == (57.0, "CL", dt.date(2025, 12, 2))


@pytest.mark.parametrize("line,expected", [
    ("CLJan 22, 2025Code", (None, ("CL",), dt.date(2025, 1, 22), True)),
    ("DCAug 26, 2024", (None, ("DC",), dt.date(2024, 8, 26), False)),
    ("57.0CLDec 2, 2025", (57.0, ("CL",), dt.date(2025, 12, 2), False)),
    ("CVFeb 23", (None, ("CV",), dt.date(2026, 2, 23), False)),
    ("CVDec 20", (None, ("CV",), dt.date(2025, 12, 20), False)),
    ("LGCLMar 3, 2023Code", (None, ("LG", "CL"), dt.date(2023, 3, 3), True)),
    ("8.5Nov 22", (8.5, (), dt.date(2026, 11, 22), False)),
    ("Code", (None, (), None, True)),
    ("CV", (None, ("CV",), None, False)),
])
def test_entry_header(line, expected):
    h = parse_entry_header(line, AS_OF_DATE)
    assert (h.score, h.topics, h.date, h.has_code) == expected


@pytest.mark.parametrize("line", [
    "CLIP", "Mask R-CNN", "42", "Feb 30, 2024", "XQJan 2, 2024x", "", "Codex",
])
def test_not_entry_headers(line):
    assert parse_entry_header(line, AS_OF_DATE) is None


def test_yearless_dates_resolve_against_as_of():
    as_of = dt.date(2026, 11, 22)
    assert resolve_date(2, 23, None, as_of) == dt.date(2026, 2, 23)
    assert resolve_date(12, 20, None, as_of) == dt.date(2025, 12, 20)
    assert resolve_date(11, 22, None, as_of) == dt.date(2026, 11, 22)
    assert resolve_date(2, 29, None, as_of) == dt.date(2024, 2, 29)


def test_as_of_changes_yearless_date():
    text = seed(3)
    e = [x for x in parse(text, as_of=dt.date(2026, 1, 1)).entries if x.topic == "CV"][0]
    assert e.date == dt.date(2025, 2, 23)


def test_crlf_bom_trailing_and_nbsp_change_nothing():
    plain = parse(seed(1))
    messy = "\ufeff" + seed(1).replace("\n", "  \r\n").replace("Y. K. Li", "Y.\u00a0K. Li")
    assert parse(messy) == plain
    no_final_newline = seed(1).rstrip("\n")
    assert parse(no_final_newline) == plain


def test_line_numbers_survive_cleaning():
    assert clean_lines("a\r\n\r\n  b \u00a0\n") == [(1, "a"), (3, "b")]


def test_spaced_title_that_looks_like_names_stays_a_title():
    page = parse(
        "CVMar 20, 2017Code\n\nMask R-CNN\n\nKaiming He, Georgia Gkioxari, Piotr Dollár et al.\n\n"
        "We present a conceptually simple, flexible, and general framework for object "
        "instance segmentation.\n")
    e = page.entries[0]
    assert e.title == "Mask R-CNN"
    assert e.authors == ("Kaiming He", "Georgia Gkioxari", "Piotr Dollár")


def test_partial_profile_header():
    page = parse("h-index6\n2papers\nCVFeb 2, 2024\nA Study of ThingsAlice Smith, Bob Jones\n"
                 "We study things in great detail and report what we found.\n")
    assert page.profile.h_index == 6 and page.profile.papers == 2
    assert page.profile.name is None
    assert page.entries[0].authors == ("Alice Smith", "Bob Jones")


def test_header_name_then_entries():
    page = parse("Kaiming He\nCVMar 20, 2017Code\nMask R-CNNKaiming He, Georgia Gkioxari, "
                 "Piotr Dollár et al.\nWe present a conceptually simple, flexible, and "
                 "general framework.\n")
    assert page.profile.name == "Kaiming He"
    assert page.entries[0].title == "Mask R-CNN"


def test_multi_paragraph_abstract():
    page = parse("CLJan 1, 2024\nTitle of a PaperJane Doe\nFirst paragraph of the abstract "
                 "here.\nSecond paragraph follows it here.\n")
    assert page.entries[0].abstract == (
        "First paragraph of the abstract here.\nSecond paragraph follows it here.")


def test_unplaceable_line_is_a_warning_with_line_number():
    page = parse("CLJan 1, 2024\nTitle of a PaperJane Doe\nThe abstract says what was done "
                 "and why.\nCVFeb 2, 2024\n???\nCLMar 1, 2024\nAnother PaperJohn Smith\n"
                 "Another abstract with enough words in it.\n")
    assert len(page.entries) == 2
    assert [w.line for w in page.warnings] == [4, 5]


def test_entry_without_abstract_warns():
    page = parse("CLJan 1, 2024\nTitle of a PaperJane Doe\n")
    assert page.entries[0].abstract == ""
    assert "no abstract" in page.warnings[0].message


@pytest.mark.parametrize("text", [
    "Milk\nEggs\nBread, Butter\nApples\n",
    "Milk, Eggs, Bread\nOlive oil\n",
    "just some prose that is not a page at all.\nAnd more of it.\n",
])
def test_a_shopping_list_is_not_a_page(text):
    with pytest.raises(PageError, match="no paper entries"):
        parse(text)


def test_empty_page_fails():
    with pytest.raises(PageError, match="empty"):
        parse("  \n\r\n\ufeff")


def test_known_names_settle_ambiguous_split():
    # "ReportDeepSeek-AI" reads as Report + DeepSeek-AI or ReportDeep + Seek-AI
    text = ("CLDec 27, 2024\nDeepSeek-V3 Technical ReportDeepSeek-AI, Aixin Liu, Bei Feng "
            "et al.\nWe present DeepSeek-V3, a strong language model.\n")
    assert parse(text).entries[0].authors[0] == "DeepSeek-AI"
    flipped = parse(text, known={"seekai"}).entries[0]
    assert (flipped.title, flipped.authors[0]) == ("DeepSeek-V3 Technical ReportDeep", "Seek-AI")


def test_bare_name_above_headerless_entry_is_the_profile_name():
    page = parse("Daya Guo\nA Study of ThingsDaya Guo, Bob Jones\nWe study things in great "
                 "detail and report.\n")
    assert page.profile.name == "Daya Guo"
    assert page.warnings == ()


def test_spaced_title_on_first_line_is_not_a_name():
    page = parse("Mask R-CNN\nKaiming He, Georgia Gkioxari\nWe present a simple flexible "
                 "general framework.\n")
    assert page.profile.name is None and page.entries[0].title == "Mask R-CNN"


def test_entry_header_with_spaces_between_parts():
    e = parse("CL Jan 22, 2025 Code\nA Study of ThingsDaya Guo, Bob Jones\nWe study things "
              "in great detail and report.\n").entries[0]
    assert (e.topic, e.date, e.has_code) == ("CL", dt.date(2025, 1, 22), True)


_SPACES = "".join(c for c in map(chr, range(0x3001)) if c.isspace()) + "ab\u200b"


@given(st.text(alphabet=st.sampled_from(_SPACES), max_size=60))
def test_clean_lines_folds_every_kind_of_space_as_one_pattern_would(text):
    """The check that skips the space pattern on clean text never skips a page that
    needs it: the lines are those of the pattern applied to every text."""
    import re

    invisible = "[\u200b-\u200d\u2060\ufeff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
    folded = re.sub(r"[^\S\n]{2,}|[^\S\n ]", " ", re.sub(
        invisible, "", text.replace("\r\n", "\n").replace("\r", "\n")))
    expected = [(n, line.strip()) for n, line in enumerate(folded.split("\n"), start=1)
                if line.strip()]
    assert clean_lines(text) == expected
