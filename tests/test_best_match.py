"""Best-match search: should/must/excluded words, stop words, pasted text, typo
alternatives that never damage a query, relevance, related papers."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from catalog.api import Catalog
from conftest import DATA, build_catalog, private_copy, write_pages

PAGE = """\
MDMar 15, 2023

Birth-weight and the 1/500 risk of neonatal outcomes

Łukasz Nowak, Søren Sørensen

We measured birth weight in a cohort and found a 1/500 risk of adverse neonatal
outcomes, with interleukin IL-6 levels raised and CD4 counts lowered.

MDApr 2, 2023

Coffee and sleep quality

Ann Smith, Bob Jones

Coffee consumption reduces sleep quality in adults; coffee coffee coffee coffee.

MDApr 3, 2023

Coffee, sleep and stress in students

Carl Young, Dana White

Coffee consumption, sleep duration and stress in students were measured together.

MDApr 4, 2023

Birthweight registries in rural clinics

Eva Green, Finn Black

A registry of birthweight at rural clinics, and what it leaves out.
"""


@pytest.fixture(scope="module")
def _small_built(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("small")
    return build_catalog(directory, *write_pages(directory, {"med/med.txt": PAGE}))


@pytest.fixture
def small_db(_small_built, tmp_path):
    return private_copy(_small_built, tmp_path / "small.db")


def search(invoke, db, *args):
    result = invoke("--db", db, "search", *args, "-f", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout), result.stderr


def titles(hits):
    return [h["title"] for h in hits]


def test_a_question_finds_the_paper_that_answers_it(invoke, full_db):
    hits, _ = search(invoke, full_db,
                     "does scaling the number of experts improve language model quality")
    assert hits[0]["title"].startswith("DeepSeekMoE")


def test_more_distinct_words_rank_above_repeats(invoke, small_db):
    # "Coffee and sleep quality" repeats coffee; the other holds all three words
    hits, _ = search(invoke, small_db, "coffee sleep stress")
    assert titles(hits)[:2] == ["Coffee, sleep and stress in students",
                                "Coffee and sleep quality"]


def test_relevance_key_in_json_and_csv(invoke, small_db):
    hits, _ = search(invoke, small_db, "coffee sleep stress")
    scores = [h["relevance"] for h in hits]
    assert all(isinstance(s, float) for s in scores) and scores == sorted(scores, reverse=True)
    assert scores[0] > scores[-1] >= 0
    out = invoke("--db", small_db, "search", "stress", "-f", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows and float(rows[0]["relevance"]) > 0
    line = invoke("--db", small_db, "search", "coffee", "-f", "jsonl").stdout.splitlines()[0]
    assert "relevance" in json.loads(line)


def test_required_phrase_plus_and_minus(invoke, small_db):
    assert titles(search(invoke, small_db, "coffee +stress")[0]) == [
        "Coffee, sleep and stress in students"]
    assert titles(search(invoke, small_db, '"sleep quality" coffee')[0]) == [
        "Coffee and sleep quality"]
    assert titles(search(invoke, small_db, "coffee -stress")[0]) == ["Coffee and sleep quality"]


def test_all_keeps_every_word_required(invoke, small_db):
    assert len(search(invoke, small_db, "coffee stress")[0]) == 2
    assert titles(search(invoke, small_db, "coffee stress", "--all")[0]) == [
        "Coffee, sleep and stress in students"]
    assert search(invoke, small_db, "coffee registries", "--all")[0] == []


def test_export_takes_all_too(invoke, small_db):
    out = invoke("--db", small_db, "export", "coffee stress", "-f", "jsonl").stdout
    assert len(out.splitlines()) == 2
    out = invoke("--db", small_db, "export", "coffee stress", "--all", "-f", "jsonl").stdout
    assert [json.loads(x)["title"] for x in out.splitlines()] == [
        "Coffee, sleep and stress in students"]


def test_stop_words_ignored_unless_alone_or_quoted(invoke, small_db):
    with Catalog(small_db) as cat:
        assert cat.search("the coffee").terms == ("coffee",)
        assert cat.search("the and").papers  # only stop words: they are searched
        assert titles_of(cat.search('"and the 1/500"').papers) == [
            "Birth-weight and the 1/500 risk of neonatal outcomes"]


def titles_of(papers):
    return [p.title for p in papers]


@pytest.mark.parametrize("query", ['""', "OR", "-", "*", "  ", "( )", "%", "AND NOT"])
def test_a_query_without_words_is_a_usage_error(invoke, small_db, query):
    result = invoke("--db", small_db, "search", "--", query)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: nothing to search for")
    assert result.stdout == ""


def test_pasted_text_of_any_shape_runs(invoke, full_db):
    with open(DATA / "000_281d56d23437e343.txt", encoding="utf-8") as f:
        page = f.read()
    junk = ' "unbalanced ( NEAR( 50% a/b x:y * author-like: ) '
    text = (junk + page) * (12_000 // len(page) + 1)
    assert len(text) > 10_000
    hits, _ = search(invoke, full_db, text)
    assert hits


def test_ratio_and_hyphenated_words(invoke, small_db):
    hits, _ = search(invoke, small_db, "1/500 risk")
    assert hits[0]["title"].startswith("Birth-weight and the 1/500")
    got = set(titles(search(invoke, small_db, "Birth-weight")[0]))
    assert got == {"Birth-weight and the 1/500 risk of neonatal outcomes",
                   "Birthweight registries in rural clinics"}
    got = set(titles(search(invoke, small_db, "birthweight")[0]))
    assert "Birthweight registries in rural clinics" in got


@pytest.mark.parametrize("query", ["CD4", "IL-6", "p53", "coffee", "rural", "Bayes"])
def test_known_words_and_gene_names_are_never_corrected(invoke, small_db, query):
    result = invoke("--db", small_db, "search", query, "-f", "json")
    assert result.exit_code == 0
    assert "also searched" not in result.stderr


def test_a_word_only_in_author_names_is_never_corrected(invoke, tmp_path):
    page = tmp_path / "p.txt"
    page.write_text("".join(
        f"CVMar {d}, 2024\n\nCoffee study number {d}\n\nAna Coffe{'e' * (d > 1)}\n\n"
        f"Coffee and sleep in cohort {d}.\n\n" for d in range(1, 6)), encoding="utf-8")
    db = tmp_path / "c.db"
    assert invoke("--db", db, "load", page, "--as-of", "2026-01-01").exit_code == 0
    hits, err = search(invoke, db, "coffe")  # a name (Ana Coffe), one letter from coffee
    assert "also searched" not in err
    assert titles(hits) == ["Coffee study number 1"]


def test_a_typo_adds_an_alternative_and_keeps_the_word(invoke, small_db):
    hits, err = search(invoke, small_db, "cofee sleep")
    assert 'also searched for "coffee" (for "cofee")' in err
    assert hits
    with Catalog(small_db) as cat:
        result = cat.search("cofee")
        assert "cofee" in result.terms and "coffee" in result.terms


def test_words_of_the_catalog_are_never_rewritten(full_db):
    with Catalog(full_db) as cat:
        words = {w.lower() for p in cat.papers() for w in p.title.split() if w.isalpha()}
        for word in sorted(words):
            assert cat.search(word).corrected is None, word


def test_related_lists_the_nearest_papers_without_itself(invoke, full_db):
    with Catalog(full_db) as cat:
        v3 = cat.search('"DeepSeek-V3 Technical Report"', limit=1).papers[0]
        near = cat.related(v3.id, limit=5).papers
    assert v3.id not in [p.id for p in near]
    assert all(p.title.startswith("DeepSeek") for p in near), titles_of(near)
    result = invoke("--db", full_db, "related", v3.id[:8], "--limit", "3", "-f", "json")
    assert result.exit_code == 0, result.stderr
    got = json.loads(result.stdout)
    assert [p["id"] for p in got] == [p.id for p in near[:3]]
    assert got[0]["relevance"] > 0


def test_related_takes_filters_and_unknown_ids_fail(invoke, full_db):
    with Catalog(full_db) as cat:
        v3 = cat.search('"DeepSeek-V3 Technical Report"', limit=1).papers[0]
    hits = json.loads(invoke("--db", full_db, "related", v3.id, "--since", "2025",
                             "-f", "json").stdout)
    assert hits and all(h["date"] >= "2025" for h in hits)
    result = invoke("--db", full_db, "related", "ffffffffffff")
    assert result.exit_code == 1 and "no paper" in result.stderr


# -- folding and scripts without spaces (step 2) --------------------------------------

SCRIPTS_PAGE = """\
CLMay 5, 2024

Word Segmentation of 中文句子的自动分词研究

Wei Zhang, Xiaoming Wang

We study segmentation. 这是关于中文句子的研究。本論文では日本語のテキストを扱う。王小明, 山田太郎, 이서연. 한국어 문장도 포함한다.

CLMay 6, 2024

Straße networks and œuvre analysis

Łukasz Kaiser, Søren Sørensen, Đorđe Petrović

We study the Æsir dataset for Straße networks, with Łódź and Ærø as examples.
"""


@pytest.fixture(scope="module")
def _scripts_built(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("scripts")
    return build_catalog(directory, *write_pages(directory, {"p/scripts.txt": SCRIPTS_PAGE}))


@pytest.fixture
def scripts_db(_scripts_built, tmp_path):
    return private_copy(_scripts_built, tmp_path / "scripts.db")


@pytest.mark.parametrize("query", ["lukasz", "Łukasz", "sorensen", "SØRENSEN", "dorde",
                                   "strasse", "Straße", "aesir", "oeuvre", "lodz", "aero"])
def test_letters_fold_as_lucene_ascii_folding(invoke, scripts_db, query):
    hits, err = search(invoke, scripts_db, query)
    assert titles(hits) == ["Straße networks and œuvre analysis"], err
    assert "also searched" not in err


@pytest.mark.parametrize("query", ["中文", "中文句子", "文句", "日本語", "テキスト", "王小明",
                                   "小明", "山田", "이서연", "한국어", "문장"])
def test_cjk_text_is_found_by_any_run_of_two(invoke, scripts_db, query):
    hits, _ = search(invoke, scripts_db, query)
    assert titles(hits) == ["Word Segmentation of 中文句子的自动分词研究"]


def test_names_in_scripts_without_capitals_are_indexed_as_bigrams():
    # (the page parser does not yet take such names in a spaced author list)
    from catalog.analysis import index_text

    assert index_text("Wei Zhang, 王小明, 이서연").split() == [
        "Wei", "Zhang,", "王小", "小明", ",", "이서", "서연"]


def test_cjk_run_not_in_the_text_finds_nothing(invoke, scripts_db):
    assert search(invoke, scripts_db, "+英文")[0] == []


def test_sqlite_utils_search_still_works(scripts_db):
    import sqlite_utils

    db = sqlite_utils.Database(scripts_db)
    assert db["papers"].detect_fts() == "papers_fts"
    assert [r["title"] for r in db["papers"].search("networks")] == [
        "Straße networks and œuvre analysis"]


def test_an_old_catalog_loses_its_second_fts_index_and_still_folds(scripts_db):
    import sqlite3

    conn = sqlite3.connect(scripts_db)  # schema 7 had a folded FTS5 index of its own
    conn.execute("CREATE VIRTUAL TABLE papers_search USING fts5(title, content='')")
    conn.execute("CREATE VIRTUAL TABLE papers_search_vocab USING fts5vocab(papers_search, 'row')")
    conn.execute("PRAGMA user_version = 7")
    conn.commit()
    conn.close()
    with Catalog(scripts_db) as cat:
        assert titles_of(cat.search("lukasz").papers) == ["Straße networks and œuvre analysis"]
        assert titles_of(cat.search("中文").papers) == [
            "Word Segmentation of 中文句子的自动分词研究"]
        left = cat.conn.execute("SELECT name FROM sqlite_master WHERE name LIKE "
                                "'papers_search%'").fetchall()
    assert left == []


def test_search_index_stays_consistent_when_a_paper_changes(tmp_path, invoke):
    (tmp_path / "p").mkdir()
    page = tmp_path / "p" / "scripts.txt"
    page.write_text(SCRIPTS_PAGE, encoding="utf-8")
    db = tmp_path / "c.db"
    assert invoke("--db", db, "load", page, "--as-of", "2026-01-01").exit_code == 0
    page.write_text(SCRIPTS_PAGE.replace("Æsir dataset", "Ørsted dataset"), encoding="utf-8")
    assert invoke("--db", db, "load", page, "--as-of", "2026-02-01").exit_code == 0
    with Catalog(db) as cat:
        cat.conn.execute("INSERT INTO papers_fts (papers_fts) VALUES ('integrity-check')")
        assert cat.search("+orsted").papers and not cat.search("+aesir").papers


def test_related_on_the_bundled_sample_are_the_deepseek_reports(seeds_db):
    with Catalog(seeds_db) as cat:
        v3 = cat.search('"DeepSeek-V3 Technical Report"', limit=1).papers[0]
        near = titles_of(cat.related(v3.id, limit=6).papers)
    assert all(t.startswith(("DeepSeek", "Insights into DeepSeek")) for t in near), near
