"""Render records as page text in either layout, parse them back, get the same records."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.models import Entry, Page, Profile
from catalog.pages import parse_page, render_page
from conftest import AS_OF_DATE

lower = st.text("abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=9)
capital = st.builds(lambda a, b: a + b, st.sampled_from("ABCDEFGHIJKLMNOPRSTVWZ"),
                    st.text("aeiounrstlmkhgzy", min_size=1, max_size=8)).filter(
    lambda w: w not in ("Sr", "Jr", "Le", "La", "De", "Di", "Da", "Du"))  # suffixes, particles
accented = st.builds(lambda a, b: a + b, st.sampled_from(["Ł", "Ö", "É", "Ž", "Å"]),
                     st.text("aeiouáéíóúñ", min_size=2, max_size=6))
acronym = st.text("ABCDEFGHKLMNPRSTVX", min_size=2, max_size=5)
product = st.sampled_from(["DeepSeek-V3", "GPT-4", "Mixture-of-Experts", "BERT:", "(MoE)",
                           "LLaMA-2", "Fine-Tuned", "R-CNN", "o1-preview", "--", "3D"])
title_word = st.one_of(lower, capital, acronym, product)
title = st.builds(lambda ws, last: " ".join([*ws, last]),
                  st.lists(title_word, min_size=0, max_size=10), lower)

person = st.one_of(
    st.builds(lambda a, b: f"{a} {b}", st.one_of(capital, accented), capital),
    st.builds(lambda a, i, b: f"{a} {i}. {b}", capital, st.sampled_from("ABCDKPVY"), capital),
    st.builds(lambda i, j, b: f"{i}. {j}. {b}", st.sampled_from("ABCKY"),
              st.sampled_from("DKLM"), capital),
)
slug = st.text("abcdefghijklmnopqrstuvwxyz-", min_size=2, max_size=12).filter(
    lambda s: s[0] != "-" and s[-1] != "-")
sentence = st.builds(lambda first, ws: " ".join([first, *ws]) + ".",
                     capital, st.lists(st.one_of(lower, capital, acronym), min_size=5,
                                       max_size=30))
abstract = st.lists(sentence, min_size=1, max_size=3).map(" ".join)
codes = st.sampled_from(["CL", "CV", "LG", "DC", "SE", "NE", "IR", "CY", "DL", "AI"])
dates = st.dates(dt.date(2000, 1, 1), AS_OF_DATE)


@st.composite
def entries(draw) -> Entry:
    authors = tuple(draw(st.lists(person, min_size=1, max_size=3, unique=True)))
    truncated = len(authors) == 3 and draw(st.booleans())
    has_header = draw(st.booleans())
    topics = tuple(draw(st.lists(codes, min_size=0, max_size=2, unique=True))) if has_header else ()
    date = draw(st.one_of(st.none(), dates)) if has_header else None
    code = draw(st.booleans()) if has_header else False
    if has_header and date is None and not code:
        code = True  # the site always shows a date or a code mark
    score = draw(st.one_of(st.none(), st.integers(0, 999).map(lambda x: x / 10))) \
        if has_header else None
    return Entry(
        title=draw(title), authors=authors, abstract=draw(abstract),
        authors_truncated=truncated,
        affiliations=tuple(draw(st.lists(slug, max_size=3, unique=True))),
        topic=topics[0] if topics else None, topics=topics, date=date, has_code=code,
        score=score,
    )


@st.composite
def pages(draw) -> Page:
    named = draw(st.booleans())
    profile = Profile(
        name=draw(person) if named else None,
        topic=draw(codes) if named else None,
        h_index=draw(st.one_of(st.none(), st.integers(0, 300))),
        papers=draw(st.one_of(st.none(), st.integers(1, 2000))),
        citations=draw(st.one_of(st.none(), st.integers(0, 500_000))),
        novelty=draw(st.one_of(st.none(), st.integers(0, 100))),
        ai_score=draw(st.one_of(st.none(), st.integers(0, 100))),
    )
    return Page(profile, tuple(draw(st.lists(entries(), min_size=1, max_size=6))))


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(page=pages(), layout=st.sampled_from(["compact", "spaced"]))
def test_render_then_parse_gives_the_same_records(page, layout):
    text = render_page(page, layout)
    again = parse_page(text, as_of=AS_OF_DATE)
    assert again == page, text
    assert again.warnings == ()


@pytest.mark.slow
@settings(max_examples=100, deadline=None)
@given(page=pages())
def test_crlf_and_bom_do_not_change_records(page):
    text = "\ufeff" + render_page(page, "spaced").replace("\n", " \r\n")
    assert parse_page(text, as_of=AS_OF_DATE) == page
