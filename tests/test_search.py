"""Search and list: ranking, filters, field terms, names, typos, hostile queries (the query
language parsed on its own is in test_query.py)."""

from __future__ import annotations

import hashlib
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.api import Catalog
from catalog.errors import QuerySyntaxError, UnknownAuthor


@pytest.fixture
def cat(full_db):
    with Catalog(full_db) as c:
        yield c


def titles(papers):
    return [p.title for p in papers]


def cli_titles(invoke, db, *args):
    result = invoke("--db", db, *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return [p["title"] for p in json.loads(result.stdout)]


# -- ranking ------------------------------------------------------------------

def test_title_match_ranks_first(cat):
    assert titles(cat.search("faiss").papers)[0] == "The Faiss library"
    assert titles(cat.search("mixture of experts").papers)[0].startswith("DeepSeekMoE")
    assert titles(cat.search("residual learning").papers)[0] == (
        "Deep Residual Learning for Image Recognition")


def test_author_words_rank_above_abstract(cat):
    # "Vaswani" only appears as an author
    assert titles(cat.search("vaswani").papers) == ["Attention Is All You Need"]


def test_stemming_and_accents(cat):
    assert "Multi-Agent Collaboration for Code Generation" in titles(cat.search("eric").papers)
    assert "Mask R-CNN" in titles(cat.search("dollar").papers)
    assert titles(cat.search("segmentations").papers)[0] == "Mask R-CNN"


def test_phrase_or_not_prefix(cat):
    assert titles(cat.search('"expert specialization"').papers)[0].startswith("DeepSeekMoE")
    both = set(titles(cat.search("faiss OR momentum").papers))
    assert both == {"The Faiss library",
                    "Momentum Contrast for Unsupervised Visual Representation Learning"}
    no_deepseek = titles(cat.search("chest -privacy").papers)
    assert no_deepseek == [
        "Continual Self-supervised Learning Considering Medical Domain Knowledge in Chest CT "
        "Images"]
    assert "Masked Autoencoders Are Scalable Vision Learners" in titles(
        cat.search("autoencod*").papers)


def test_only_negative_terms_list_the_rest(cat):
    result = titles(cat.search("-deepseek", limit=None).papers)
    assert result and not any("DeepSeek" in t for t in result)


@pytest.mark.parametrize("query,expected", [
    ("GPT-4", "GPT-4 Technical Report"),
    ("DeepSeek-V3.2", "DeepSeek-V3.2: Pushing the Frontier of Open Large Language Models"),
    ("Mask R-CNN", "Mask R-CNN"),
    ("multi-agent", "Multi-Agent Collaboration for Code Generation"),
    ("o1-preview", "Learning to Reason with LLMs: o1-preview and Beyond"),
    ("DeepSeek-R1", "DeepSeek-R1: Incentivizing Reasoning Capability in LLMs via "
                    "Reinforcement Learning"),
])
def test_model_names_with_hyphens_and_dots(cat, query, expected):
    assert titles(cat.search(query).papers)[0] == expected


# -- filters --------------------------------------------------------------------

def test_each_filter_alone(invoke, full_db):
    # 7: one of them (Masked Autoencoders, LGCV) has CV as its second code
    assert len(cli_titles(invoke, full_db, "list", "--topic", "CV")) == 7
    assert len(cli_titles(invoke, full_db, "list", "--topic", "computer vision")) == 7
    assert cli_titles(invoke, full_db, "list", "--since", "2026-01") == [
        "Momentum Contrast for Unsupervised Visual Representation Learning",
        "Personalized Longitudinal Medical Report Generation via Temporally-Aware Federated "
        "Adaptation"]  # same day: by title
    assert cli_titles(invoke, full_db, "list", "--until", "2015") == [
        "Deep Residual Learning for Image Recognition"]
    assert len(cli_titles(invoke, full_db, "list", "--year", "2024")) == 8
    assert len(cli_titles(invoke, full_db, "list", "--year", "2023..2024")) == 10
    code = cli_titles(invoke, full_db, "list", "--code", "--limit", "0")
    assert len(code) == 10 and "The Faiss library" not in code
    assert len(cli_titles(invoke, full_db, "list", "--profile", "kaiming he")) == 4


def test_filters_combined(invoke, full_db):
    got = cli_titles(invoke, full_db, "list", "--topic", "CL", "--year", "2024", "--code",
                     "--author", "yk li")
    assert got == ["DeepSeek-V3 Technical Report",
                   "DeepSeek-V2: A Strong, Economical, and Efficient Mixture-of-Experts "
                   "Language Model",
                   "DeepSeek LLM: Scaling Open-Source Language Models with Longtermism"]


@pytest.mark.parametrize("inline,options", [
    ('author:"Y. K. Li"', ["--author", "Y. K. Li"]),
    ("topic:CV", ["--topic", "CV"]),
    ('topic:"computer vision"', ["--topic", "computer vision"]),
    ("year:2024", ["--year", "2024"]),
    ("year:2023..2025", ["--year", "2023..2025"]),
    ("since:2025-01 until:2025-12", ["--since", "2025-01", "--until", "2025-12"]),
    ("code:yes", ["--code"]),
    ('profile:"Kaiming He"', ["--profile", "Kaiming He"]),
])
def test_field_terms_equal_options(invoke, full_db, inline, options):
    by_terms = cli_titles(invoke, full_db, "search", f"learning {inline}", "--limit", "0")
    by_options = cli_titles(invoke, full_db, "search", "learning", *options, "--limit", "0")
    assert by_terms == by_options and by_terms


def test_field_terms_and_options_combine(invoke, full_db):
    got = cli_titles(invoke, full_db, "search", "learning topic:CV", "--year", "2017")
    assert got == []
    got = cli_titles(invoke, full_db, "search", "mask topic:CV", "--year", "2017")
    assert got == ["Mask R-CNN"]


# -- authors --------------------------------------------------------------------

def test_profile_owner_matches_papers_hidden_by_et_al(cat):
    # Y. K. Li is never a visible author; the profile's papers are his
    got = titles(cat.search("", author="Y. K. Li", limit=None).papers)
    assert len(got) == 7


@pytest.mark.parametrize("name", ["y.k. li", "YK Li", "Y. K. Li", "yk li", "Y.K.Li"])
def test_initials_spacing_and_dots(cat, name):
    assert len(cat.search("", author=name, limit=None).papers) == 7


@pytest.mark.parametrize("name", ["Piotr Dollar", "piotr dollár", "PIOTR DOLLAR"])
def test_accents_and_case(cat, name):
    assert titles(cat.search("", author=name).papers) == ["Mask R-CNN"]


def test_visible_author_matches(cat):
    assert len(cat.search("", author="Daya Guo", limit=None).papers) == 3


def test_fuzzy_author_says_what_it_matched(invoke, full_db):
    result = invoke("--db", full_db, "list", "--author", "Daya Gou", "-f", "json")
    assert result.exit_code == 0
    assert 'author "Daya Gou" matched "Daya Guo"' in result.stderr
    assert len(json.loads(result.stdout)) == 3


def test_ambiguous_author_lists_candidates_and_fails(invoke, full_db):
    result = invoke("--db", full_db, "list", "--author", "Li")
    assert result.exit_code == 1
    assert "ambiguous" in result.stderr and "Guang Li" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_author_lists_nearest(cat):
    with pytest.raises(UnknownAuthor) as e:
        cat.search("", author="Zzyzx Qwerty")
    assert e.value.candidates


def test_partial_first_name(cat):
    assert len(cat.search("", author="kaiming", limit=None).papers) == 4


def test_several_authors_are_any_of_them(cat):
    got = cat.search("", author=["Piotr Dollár", "Ashish Vaswani"], limit=None).papers
    assert set(titles(got)) == {"Mask R-CNN", "Attention Is All You Need"}


# -- typos ------------------------------------------------------------------------

def test_typo_is_corrected_and_said(invoke, full_db):
    result = invoke("--db", full_db, "search", "mixtre of experts", "-f", "json")
    assert result.exit_code == 0
    assert 'also searched for "mixture" (for "mixtre")' in result.stderr
    assert json.loads(result.stdout)[0]["title"].startswith("DeepSeekMoE")


def test_typo_correction_in_api(cat):
    result = cat.search("reinforcemnt lerning")
    assert result.corrected == '"reinforcement" (for "reinforcemnt"), "learning" (for "lerning")'
    assert result.papers


def test_no_results_suggests(invoke, full_db):
    result = invoke("--db", full_db, "search", "faiss +qqqzzzxx", "-f", "json")
    assert result.exit_code == 0
    assert "No papers match" in result.stderr
    assert json.loads(result.stdout) == []


# -- hostile queries ---------------------------------------------------------------

HOSTILE = [
    '"unbalanced', 'unbalanced"', '"', '""', "-", "--", "*", "**", "OR", "AND", "NOT",
    "OR OR OR", "a OR", "NEAR(", "NEAR(a b", "NEAR(a b, 2)", "(", ")", "((a)", "a:b",
    "title:x", "^x", "'; DROP TABLE papers; --", "1=1 OR 1=1", "x' OR '1'='1",
    "\x00\x01\x02 control", "tab\there", "\u202e rtl", "🙂 emoji", "a" * 5000,
    "word " * 300, "{col}: x", "papers_fts", "rank", "- -a", "-\"x\"", '"a" "b',
    "%", "_", "\\", "NOT NOT x", "x*y*z", "*x", "\u00a0",
]
MALFORMED = ["author:", 'author:"', "year:abc", "year:2025..2020", "since:2024-13", "until:2024-02-30",
             "code:maybe", "since:", "topic:", "topic:nonsense-topic-xyz"]


def _snapshot(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_get_a_clean_answer(invoke, full_db, query):
    before = _snapshot(full_db)
    result = invoke("--db", full_db, "search", "-f", "json", "--", query)
    assert result.exit_code in (0, 1, 2), result.stderr
    assert "Traceback" not in result.stderr
    if result.exit_code == 0:
        json.loads(result.stdout)
    if result.exit_code == 2:  # no word at all: a usage error, not every paper
        assert result.stderr.startswith("Error: nothing to search for")
        assert not any(c.isalnum() for c in query.replace("OR", "").replace("AND", "")
                       .replace("NOT", ""))
    assert _snapshot(full_db) == before


@pytest.mark.parametrize("query", MALFORMED)
def test_malformed_field_terms_exit_2(invoke, full_db, query):
    result = invoke("--db", full_db, "search", f"learning {query}")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error:")


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=40))
def test_random_text_never_breaks_search(cat, text):
    """Any text gives papers the catalog holds, each once and within the limit, or one
    of the two errors a user can cause, as one line."""
    try:
        result = cat.search(text, limit=5)
    except (QuerySyntaxError, UnknownAuthor) as e:
        assert str(e).strip() and "\n" not in str(e), repr(str(e))
        return
    ids = [p.id for p in result.papers]
    assert len(ids) <= 5 and len(set(ids)) == len(ids), ids
    assert set(ids) <= {p.id for p in cat.papers()}
    assert set(result.snippets) <= set(ids)


# -- output -------------------------------------------------------------------------

def test_show_prints_whole_paper(invoke, full_db):
    ids = json.loads(invoke("--db", full_db, "search", "faiss", "-f", "json").stdout)
    result = invoke("--db", full_db, "show", ids[0]["id"][:8], "-f", "table")
    assert result.exit_code == 0
    for text in ("Matthijs Douze", "Alexandr Guzhva", "Chengqi Deng", "002_84ad6e480aeb5c09",
                 "Vector databases typically manage"):
        assert text in result.stdout


def test_show_unknown_id(invoke, full_db):
    result = invoke("--db", full_db, "show", "ffffffffffff")
    assert result.exit_code == 1 and "no paper" in result.stderr


def test_piped_output_is_tsv_and_table_on_request(invoke, full_db):
    tsv = invoke("--db", full_db, "search", "faiss")
    assert tsv.stdout.splitlines()[0].split("\t")[:3] == ["id", "title", "authors"]
    table = invoke("--db", full_db, "search", "faiss", "-f", "table")
    assert "The Faiss library" in table.stdout and "\t" not in table.stdout


def test_limit_and_sort(invoke, full_db):
    assert len(cli_titles(invoke, full_db, "list", "--limit", "3")) == 3
    by_title = cli_titles(invoke, full_db, "list", "--sort", "title", "--limit", "0")
    assert by_title == sorted(by_title, key=str.lower)
    by_score = cli_titles(invoke, full_db, "list", "--sort", "score", "--limit", "2")
    assert by_score[0].startswith("DeepSeek-V3.2")


def test_read_commands_never_create_a_catalog(invoke, tmp_path):
    missing = tmp_path / "typo.db"
    for args in (["list"], ["search", "x"], ["authors"], ["show", "abc"]):
        result = invoke("--db", missing, *args)
        assert result.exit_code == 1
        assert "no catalog" in result.stderr
    assert not missing.exists()


def test_sqlite_utils_can_search_the_catalog(full_db):
    import sqlite_utils

    db = sqlite_utils.Database(full_db)
    assert db["papers"].detect_fts() == "papers_fts"
    assert [r["title"] for r in db["papers"].search("faiss")] == ["The Faiss library"]


def test_empty_author_is_a_usage_error(invoke, full_db):
    result = invoke("--db", full_db, "list", "--author", " . ")
    assert result.exit_code == 2 and "not a name" in result.stderr


def test_show_piped_defaults_to_tsv(invoke, full_db):
    ids = json.loads(invoke("--db", full_db, "search", "faiss", "-f", "json").stdout)
    result = invoke("--db", full_db, "show", ids[0]["id"])
    assert result.stdout.splitlines()[0].startswith("id\ttitle")
    one = json.loads(invoke("--db", full_db, "show", ids[0]["id"], "-f", "json").stdout)
    assert one["title"] == "The Faiss library"
