"""Render records as page text in either layout, parse them back, get the same records.

The generator draws what unseen pages hold: names in Latin with accents, Chinese,
Japanese (kanji and kana), Korean, mixed in one list; organisations of one word, camel
case, all capitals and with digits; titles ending in every shape a title ends in (plural
acronyms, digits, ``?``, ``)``, quoted words, caseless scripts) and holding `` · `` and
commas; the site's own text above, between and below; papers listed twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from catalog.clutter import is_ui_line
from catalog.models import Entry, Page, Profile
from catalog.names import title_key
from catalog.pages import parse_page, render_page
from conftest import AS_OF_DATE

_NOT_WORDS = ("Sr", "Jr", "Le", "La", "De", "Di", "Da", "Du", "Ms")  # suffixes, particles


def _plain(word: str) -> bool:
    return not is_ui_line(word)


lower = st.text("abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=9).filter(_plain)
capital = st.builds(lambda a, b: a + b, st.sampled_from("ABCDEFGHIJKLMNOPRSTVWZ"),
                    st.text("aeiounrstlmkhgzy", min_size=1, max_size=8)).filter(
    lambda w: w not in _NOT_WORDS and _plain(w))
accented = st.builds(lambda a, b: a + b, st.sampled_from(["Ł", "Ö", "É", "Ž", "Å", "Ç", "Ø"]),
                     st.text("aeiouáéíóúñçøåüß", min_size=2, max_size=6))
acronym = st.text("ABCDEFGHKLMNPRTVX", min_size=2, max_size=5)
product = st.sampled_from(["DeepSeek-V3", "GPT-4", "Mixture-of-Experts", "BERT:", "(MoE)",
                           "LLaMA-2", "Fine-Tuned", "R-CNN", "o1-preview", "--", "3D", "·"])
title_word = st.one_of(lower, capital, acronym, product)

# -- names, in every script ---------------------------------------------------
latin = st.one_of(
    st.builds(lambda a, b: f"{a} {b}", st.one_of(capital, accented), st.one_of(capital, accented)),
    st.builds(lambda a, i, b: f"{a} {i}. {b}", capital, st.sampled_from("ABCDKPVY"), capital),
    st.builds(lambda i, j, b: f"{i}. {j}. {b}", st.sampled_from("ABCKY"),
              st.sampled_from("DKLM"), capital),
)
chinese = st.builds(lambda s, g: s + g, st.sampled_from("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"),
                    st.text("小明华伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛", min_size=1, max_size=2))
japanese = st.builds(lambda f, sep, g: f + sep + g,
                     st.sampled_from(["山田", "田中", "佐藤", "鈴木", "高橋", "伊藤", "渡辺", "中村"]),
                     st.sampled_from(["", " "]),
                     st.sampled_from(["太郎", "花子", "健太", "美咲", "翔", "大輔", "さくら", "陽菜"]))
kana = st.builds(lambda a, b: f"{a}・{b}", st.text("ジョンスミアリタナカハコ", min_size=2, max_size=4),
                 st.text("スミタナカハコリーウ", min_size=2, max_size=4))
korean = st.builds(lambda s, g: s + g, st.sampled_from("김이박최정강조윤장임"),
                   st.text("서연민준지우현수영호하은", min_size=2, max_size=2))
caseless = st.one_of(chinese, japanese, kana, korean)
person = st.one_of(latin, latin, caseless)
# organisations: strong shapes, and one plain word or a word with digits (weak: only
# where position says an author list must stand, or where the page names them twice)
org_strong = st.one_of(
    # (a two-letter word ending in s, "AsAI", is a plural acronym's tail glued to a name)
    st.builds(lambda a, b: a + b, capital.filter(lambda w: len(w) > 2),
              st.sampled_from(["AI", "Mind", "Labs", "Fold"])),
    st.builds(lambda a: f"{a} Team", capital),
    st.builds(lambda a, d: f"{a}{d} Labs", capital.filter(lambda w: len(w) > 2),
              st.integers(1, 99)),
)
org_weak = st.one_of(
    capital.filter(lambda w: len(w) >= 3),
    st.builds(lambda a, d: f"{a}{d}", capital.filter(lambda w: len(w) > 2), st.integers(1, 999)),
    st.builds(lambda d, a: f"{d:02d}.{a}", st.integers(0, 99), st.sampled_from(["AI", "Labs"])),
)
org_caps = st.text("ABCDEFGHKLMNPRSTVX", min_size=3, max_size=6)

# -- titles, ending in every shape a title ends in ----------------------------
END_SHAPES = ("lower", "capital", "acronym", "plural", "digits", "question", "paren",
              "quoted", "caseless")
cjk_title = st.one_of(
    st.text("视觉语言模型的对齐方法研究深度学习", min_size=2, max_size=12),
    st.builds(lambda a, b: a + "による" + b, st.sampled_from(["深層学習", "強化学習"]),
              st.sampled_from(["画像認識", "言語理解"])),
    st.builds(lambda a, b: f"{a} {b}", st.sampled_from(["비전", "언어", "모델"]),
              st.sampled_from(["정렬", "학습", "연구"])),
)


@st.composite
def title_end(draw, shape: str) -> str:
    if shape == "lower":
        return draw(lower)
    if shape == "capital":
        return draw(capital)
    if shape == "acronym":
        return draw(acronym)
    if shape == "plural":
        return draw(acronym) + "s"
    if shape == "digits":
        return draw(st.sampled_from(["2024", "GPT-4", "3D", "v2", "100K", "Llama-3"]))
    if shape == "question":
        return draw(st.one_of(lower, capital)) + "?"
    if shape == "paren":
        return f"({draw(st.one_of(acronym, capital))})"
    if shape == "quoted":
        q = draw(st.sampled_from(['"{}"', "“{}”", "'{}'", "‘{}’"]))
        return q.format(draw(st.one_of(capital, lower)))
    return draw(cjk_title)


@st.composite
def titles(draw) -> tuple[str, str]:
    shape = draw(st.sampled_from(END_SHAPES))
    words = draw(st.lists(title_word, min_size=0, max_size=8))
    if draw(st.booleans()):  # a title's own " · " and commas
        words = [*words[:2], "·", draw(capital), "·", draw(capital) + ",", draw(lower) + ",",
                 "and", *words[2:]]
    return " ".join([*words, draw(title_end(shape))]), shape


@st.composite
def author_lists(draw, end: str, has_header: bool) -> tuple[str, ...]:
    """One to three names; the first meets the title's end at the glue."""
    kinds = ["person", "person", "strong org"]
    if end not in ("acronym", "plural", "digits"):
        kinds.append("caps org")  # BERT + NVIDIA has no visible boundary
    if has_header:
        kinds.append("weak org")  # one plain word: only where an entry must start
    first_kind = draw(st.sampled_from(kinds))
    if first_kind == "person":
        first = draw(person)
    elif first_kind == "strong org":
        first = draw(org_strong)
    elif first_kind == "caps org":
        first = draw(org_caps)
    else:
        first = draw(org_weak)
        if end == "digits" and first[0].isdigit():
            first = draw(capital.filter(lambda w: len(w) >= 3))  # 2024 + 01.AI: no boundary
    rest = draw(st.lists(st.one_of(person, org_strong), max_size=2))
    names = tuple(dict.fromkeys([first, *rest]))
    return names


slug = st.text("abcdefghijklmnopqrstuvwxyz-", min_size=2, max_size=12).filter(
    lambda s: s[0] != "-" and s[-1] != "-")
sentence = st.builds(lambda first, ws: " ".join([first, *ws]) + ".",
                     capital, st.lists(st.one_of(lower, capital, acronym), min_size=5,
                                       max_size=30))
abstract = st.lists(sentence, min_size=1, max_size=3).map(" ".join)
codes = st.sampled_from(["CL", "CV", "LG", "DC", "SE", "NE", "IR", "CY", "DL", "AI"])
dates = st.dates(dt.date(2000, 1, 1), AS_OF_DATE)


@st.composite
def entries(draw, layout: str) -> Entry:
    has_header = draw(st.booleans())
    title, end = draw(titles())
    authors = draw(author_lists(end, has_header))
    if layout == "compact" and end == "caseless" and any(
            c for c in authors[0][:1] if not c.isascii() and not c.isupper()):
        # a caseless title glued to a caseless name has no visible boundary (see
        # test_pages for what settles it); keep this one readable
        title += "?"
    truncated = len(authors) == 3 and draw(st.booleans())
    topics = tuple(draw(st.lists(codes, min_size=0, max_size=3, unique=True))) if has_header else ()
    date = draw(st.one_of(st.none(), dates)) if has_header else None
    code = draw(st.booleans()) if has_header else False
    if has_header and date is None and not code:
        code = True  # the site always shows a date or a code mark
    score = draw(st.one_of(st.none(), st.integers(0, 999).map(lambda x: x / 10))) \
        if has_header else None
    return Entry(
        title=title, authors=authors, abstract=draw(abstract),
        authors_truncated=truncated,
        affiliations=tuple(draw(st.lists(slug, max_size=3, unique=True))),
        topic=topics[0] if topics else None, topics=topics, date=date, has_code=code,
        score=score,
    )


@st.composite
def pages(draw, layout: str) -> Page:
    named = draw(st.booleans())
    profile = Profile(
        name=draw(st.one_of(latin, caseless)) if named else None,
        topic=draw(codes) if named else None,
        h_index=draw(st.one_of(st.none(), st.integers(0, 300))),
        papers=draw(st.one_of(st.none(), st.integers(1, 2000))),
        citations=draw(st.one_of(st.none(), st.integers(0, 500_000))),
        novelty=draw(st.one_of(st.none(), st.integers(0, 100))),
        ai_score=draw(st.one_of(st.none(), st.integers(0, 100))),
    )
    found = draw(st.lists(entries(layout), min_size=1, max_size=6,
                          unique_by=lambda e: title_key(e.title)))
    return Page(profile, tuple(found))


# -- the site's own text ------------------------------------------------------
site_name = st.builds(lambda a, b: a + b, capital, st.sampled_from(["Feed", "Papers", "Scholar",
                                                                    "Hub", "Nest"]))
NAV = ["Home", "Explore", "Trending", "Sign in", "Log in", "About", "Search"]
BUTTONS = ["Follow", "Share", "Follow  Share", "Load more", "Show more", "Copy link"]


@st.composite
def clutter(draw) -> dict[str, list[str]]:
    """Lines of a select-all copy: above the profile, under it, after abstracts, below."""
    site = draw(site_name)
    nav = "  ".join(draw(st.lists(st.sampled_from(NAV), min_size=2, max_size=5, unique=True)))
    above = [site, nav] + draw(st.lists(st.sampled_from(
        ["Search papers, authors…", "Sign in to follow authors and get alerts."]), max_size=2))
    under = draw(st.lists(st.sampled_from(BUTTONS), max_size=2))
    after = draw(st.lists(st.sampled_from(["Share", "Show more", "Cite"]), max_size=1))
    year = draw(st.integers(2020, 2030))
    below = draw(st.lists(st.sampled_from(["Load more", "Show more papers", "Back to top"]),
                          max_size=2, unique=True)) + [f"© {year} {site} · Privacy · Terms"]
    return {"above": above, "under": under, "after": after, "below": below}


def _with_clutter(page: Page, layout: str, junk: dict[str, list[str]]) -> tuple[str, int]:
    """The page as a select-all copy shows it, the site's text in every gap; and how
    many lines of it there are."""
    head = render_page(Page(page.profile, ()), layout).strip("\n") if _has_header(page) else ""
    body = [render_page(Page(Profile(), (e,)), layout).strip("\n") for e in page.entries]
    sep = "\n\n" if layout == "spaced" else "\n"
    blocks = [*junk["above"]]
    if head:
        lines = head.split(sep)
        blocks += ([lines[0], *junk["under"], *lines[1:]] if page.profile.name
                   else [*lines, *junk["under"]])
    for k, b in enumerate(body):
        blocks.append(b)
        if k < len(body) - 1:
            blocks += junk["after"]
    blocks += junk["below"]
    count = (len(junk["above"]) + (len(junk["under"]) if head else 0)
             + len(junk["after"]) * (len(body) - 1) + len(junk["below"]))
    return sep.join(blocks) + "\n", count


def _has_header(page: Page) -> bool:
    return any(v is not None for v in vars(page.profile).values())


def _listed_twice(page: Page, k: int, before: bool) -> Page:
    """Entry ``k`` listed a second time without its header line."""
    e = page.entries[k]
    bare = replace(e, topic=None, topics=(), date=None, has_code=False, score=None)
    listed = list(page.entries)
    listed.insert(k if before else len(listed), bare)
    return Page(page.profile, tuple(listed))


LAYOUTS = st.sampled_from(["compact", "spaced"])


@pytest.mark.slow  # several seconds of hypothesis examples: CI runs it, the quick run does not
@settings(max_examples=100, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), layout=LAYOUTS)
def test_render_then_parse_gives_the_same_records(data, layout):
    page = data.draw(pages(layout))
    text = render_page(page, layout)
    again = parse_page(text, as_of=AS_OF_DATE)
    assert again == page, text
    assert again.warnings == (), text


@pytest.mark.slow  # about 2 s of hypothesis examples: CI runs it, the quick run does not
@settings(max_examples=40, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), layout=LAYOUTS)
def test_site_text_around_the_page_is_skipped_with_warnings(data, layout):
    page = data.draw(pages(layout))
    junk = data.draw(clutter())
    text, count = _with_clutter(page, layout, junk)
    again = parse_page(text, as_of=AS_OF_DATE)
    assert again == page, text
    skipped = [w.message for w in again.warnings]
    assert all("site's own text" in m for m in skipped), (skipped, text)
    assert len(skipped) == count, (skipped, text)


@pytest.mark.slow  # several seconds of hypothesis examples: CI runs it, the quick run does not
@settings(max_examples=60, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), layout=LAYOUTS, before=st.booleans())
def test_a_paper_listed_twice_is_one_paper(data, layout, before):
    page = data.draw(pages(layout))
    k = data.draw(st.integers(0, len(page.entries) - 1))
    twice = _listed_twice(page, k, before)
    text = render_page(twice, layout)
    again = parse_page(text, as_of=AS_OF_DATE)
    assert again == page, text


@pytest.mark.slow
@pytest.mark.xfail(strict=False, reason="at length it still finds spaced entries whose title "
                   "is itself name-shaped (`AA Aa` over `Aa Aa`): open, see issue 14's report")
# no shrinking or explaining: the failure is known, and shrinking it costs minutes of CI
@settings(max_examples=500, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(data=st.data(), layout=LAYOUTS, before=st.booleans(), junk=st.booleans())
def test_round_trip_at_length(data, layout, before, junk):
    page = data.draw(pages(layout))
    k = data.draw(st.integers(0, len(page.entries) - 1))
    twice = _listed_twice(page, k, before)
    text = (_with_clutter(twice, layout, data.draw(clutter()))[0] if junk
            else render_page(twice, layout))
    assert parse_page(text, as_of=AS_OF_DATE) == page, text


@pytest.mark.slow  # about 2 s of hypothesis examples: CI runs it, the quick run does not
@settings(max_examples=60, derandomize=True, deadline=None)
@given(data=st.data())
def test_crlf_and_bom_do_not_change_records(data):
    page = data.draw(pages("spaced"))
    text = "\ufeff" + render_page(page, "spaced").replace("\n", " \r\n")
    assert parse_page(text, as_of=AS_OF_DATE) == page
