"""`catalog authors`, `author`, `topics`, `stats` and shell completion (issue #4)."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys

import pytest

from catalog.models import PROFILE_KEYS
from conftest import AS_OF

# Two captures of one profile page of our own: the figures grow between them, the
# later one adds a paper, and spells the owner's name without accents.
ANA_MARCH = """\
Ana María Pérez

IR
h-index12
3papers
1,200citations
Novelty40%
AI Score55

3 Papers

IRJan 5, 2026Code

Dense Retrieval for Long Documents

Ana María Pérez, Bob Stone, Chen Wei · example-lab

We study dense retrieval over long documents and show that chunk-level encoders improve recall.

IRMar 3, 2025

Sparse Lexical Expansion Revisited

Bob Stone, Ana María Pérez

We revisit sparse lexical expansion for first-stage retrieval and report strong baselines.

CLOct 9, 2024

Multilingual Query Rewriting

Dmitri Volkov, Eve Adams, Frank Ortiz et al.

We propose a query rewriting model that handles twenty languages with one shared vocabulary.
"""
ANA_NOVEMBER = ANA_MARCH.replace("h-index12", "h-index14").replace(
    "3papers", "4papers").replace("1,200citations", "1,500citations").replace(
    "Novelty40%", "Novelty42%").replace("3 Papers", "4 Papers") + """
IRAug 1, 2026Code

Retrieval Evaluation at Scale

Ana Maria Perez, Bob Stone

We describe an evaluation harness for retrieval systems that runs thousands of queries per second.
"""


def load_ana(invoke, db, folder):
    """Ana's page captured twice; the later capture is loaded first."""
    (folder / "ana_nov.txt").write_text(ANA_NOVEMBER, "utf-8")
    (folder / "ana_mar.txt").write_text(ANA_MARCH, "utf-8")
    for name, as_of in (("ana_nov.txt", "2026-11-22"), ("ana_mar.txt", "2026-03-01")):
        result = invoke("--db", db, "load", folder / name, "--as-of", as_of)
        assert result.exit_code == 0 and " 0 warning(s)" in result.stderr, result.stderr
    return db


@pytest.fixture
def ana_db(tmp_path, invoke):
    return load_ana(invoke, tmp_path / "ana.db", tmp_path)


def run_json(invoke, db, *args):
    result = invoke("--db", db, *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def run_table(invoke, db, *args):
    """The terminal view as an 80-column terminal shows it."""
    result = invoke("--db", db, *args, "-f", "table", env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.stderr
    assert_plain_80(result.stdout)
    return result.stdout


def assert_plain_80(text):
    assert "\x1b[" not in text  # CliRunner is not a terminal: no colour codes
    assert "\t" not in text
    assert max(len(line) for line in text.splitlines()) <= 80


# -- authors ---------------------------------------------------------------------

def test_profile_figures(invoke, full_db):
    profiles = {p["name"]: p for p in run_json(invoke, full_db, "authors")}
    assert profiles["Kaiming He"] == {
        "name": "Kaiming He", "topic": "CV", "h_index": 120, "papers": 4,
        "citations": 650000, "novelty": 60, "ai_score": 70, "listed": 4,
        "source": "kaiming_he.txt"}
    assert profiles["Y. K. Li"]["citations"] == 17431
    # unnamed pages: named after the file, no figures
    assert profiles["openai_compact"] == {
        "name": "openai_compact", "topic": None, "h_index": None, "papers": None,
        "citations": None, "novelty": None, "ai_score": None, "listed": 4,
        "source": "openai_compact.txt"}
    assert {"000_281d56d23437e343", "002_84ad6e480aeb5c09",
            "003_e95702871488c133"} < set(profiles)


@pytest.mark.parametrize("sort,key", [
    ("h-index", "h_index"), ("papers", "papers"), ("citations", "citations"),
    ("novelty", "novelty"), ("ai-score", "ai_score"), ("listed", "listed")])
def test_authors_sort_by_each_figure(invoke, full_db, tmp_path, sort, key):
    load_ana(invoke, full_db, tmp_path)  # a third profile with figures
    rows = run_json(invoke, full_db, "authors", "--sort", sort)
    assert len(rows) == 7
    values = [r[key] for r in rows]
    known = [v for v in values if v is not None]
    assert known == sorted(known, reverse=True) and known
    assert values[:len(known)] == known  # profiles without the figure come last


def test_authors_sort_by_name_and_topic(invoke, full_db):
    names = [r["name"] for r in run_json(invoke, full_db, "authors", "--sort", "name")]
    assert names == sorted(names, key=str.lower)
    topics = [r["topic"] for r in run_json(invoke, full_db, "authors", "--sort", "topic")]
    assert topics[:2] == ["CL", "CV"] and set(topics[2:]) == {None}


def test_authors_topic_filter(invoke, full_db):
    assert [r["name"] for r in run_json(invoke, full_db, "authors", "--topic", "cv")] == [
        "Kaiming He"]
    both = run_json(invoke, full_db, "authors", "--topic", "computation and language",
                    "--topic", "CV")
    assert [r["name"] for r in both] == ["Kaiming He", "Y. K. Li"]
    result = invoke("--db", full_db, "authors", "--topic", "basket weaving")
    assert result.exit_code == 2 and "unknown topic" in result.stderr


def test_authors_table_fits_80_columns(invoke, full_db):
    out = run_table(invoke, full_db, "authors")
    for name in ("000_281d56d23437e343", "openai_compact", "Kaiming He", "Y. K. Li"):
        assert name in out  # whole names, not cut short
    assert "650,000" in out and "AI score" in out and "Listed" in out


# -- author: name resolution ------------------------------------------------------

@pytest.mark.parametrize("typed,resolved,note", [
    ("yk li", "Y. K. Li", False),
    ("Y.K. Li", "Y. K. Li", False),
    ("Y. K. Li", "Y. K. Li", False),
    ("kaiming", "Kaiming He", True),  # a first name alone
    ("Kaimnig He", "Kaiming He", True),  # a typo
    ("piotr dollar", "Piotr Dollár", False),  # accents
])
def test_name_resolution(invoke, full_db, typed, resolved, note):
    result = invoke("--db", full_db, "author", typed, "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["name"] == resolved
    assert (f'author "{typed}" matched "{resolved}"' in result.stderr) is note


def test_ambiguous_name_lists_candidates(invoke, full_db):
    result = invoke("--db", full_db, "author", "li")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "ambiguous" in result.stderr
    assert "Y. K. Li" in result.stderr and "Guang Li" in result.stderr


def test_unknown_name_lists_nearest(invoke, full_db):
    result = invoke("--db", full_db, "author", "Zzyzx Qwerty")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("Error: no author matches 'Zzyzx Qwerty'; nearest: ")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("typed", [
    "%", "_", "\\", "'; DROP TABLE papers; --", "🙂", "a" * 500, "\x00", "-", "*", "(("])
def test_hostile_names_get_a_clean_answer(invoke, full_db, typed):
    before = full_db.read_bytes()
    result = invoke("--db", full_db, "author", "-f", "json", "--", typed)
    assert result.exit_code in (0, 1, 2) and "Traceback" not in result.stderr
    assert full_db.read_bytes() == before


def test_empty_name_is_a_usage_error(invoke, full_db):
    result = invoke("--db", full_db, "author", "  ")
    assert result.exit_code == 2 and "author's name" in result.stderr


# -- author: the page ---------------------------------------------------------------

def test_author_json_shape(invoke, full_db):
    page = run_json(invoke, full_db, "author", "Y. K. Li")
    assert list(page) == ["name", "profile", "history", "papers", "coauthors"]
    assert tuple(page["profile"]) == PROFILE_KEYS
    authors = {p["name"]: p for p in run_json(invoke, full_db, "authors")}
    assert page["profile"] == authors["Y. K. Li"]
    assert page["history"] == [{
        "as_of": AS_OF, "source": "001_3d4b083b5e58e23e.txt", "topic": "CL", "h_index": 38,
        "papers": 7, "citations": 17431, "novelty": 51, "ai_score": 47}]
    paper = page["papers"][0]
    assert set(paper) == {"id", "title", "authors", "authors_truncated", "affiliations", "topic",
                          "topics", "date", "has_code", "score", "abstract", "profiles", "key"}


def test_papers_newest_first(invoke, full_db):
    papers = run_json(invoke, full_db, "author", "Y. K. Li")["papers"]
    # the profile's papers, though `et al.` hides his name on every one of them
    assert [(p["date"], p["title"][:20]) for p in papers] == [
        ("2025-01-22", "DeepSeek-R1: Incenti"),
        ("2024-12-27", "DeepSeek-V3 Technica"),
        ("2024-05-07", "DeepSeek-V2: A Stron"),
        ("2024-02-05", "DeepSeekMath: Pushin"),
        ("2024-01-25", "DeepSeek-Coder: When"),
        ("2024-01-11", "DeepSeekMoE: Towards"),
        ("2024-01-05", "DeepSeek LLM: Scalin"),
    ]
    # the same papers as the --author filter selects
    listed = run_json(invoke, full_db, "list", "--author", "Y. K. Li", "--limit", "0")
    assert [p["id"] for p in listed] == [p["id"] for p in papers]


def test_coauthor_counts(invoke, full_db):
    page = run_json(invoke, full_db, "author", "yk li")
    assert [(c["name"], c["papers"]) for c in page["coauthors"]] == [
        ("DeepSeek-AI", 4), ("Aixin Liu", 2), ("Bei Feng", 2), ("Daya Guo", 2),
        ("Dejian Yang", 2), ("Qihao Zhu", 2), ("Chenggang Zhao", 1), ("Chengqi Deng", 1),
        ("Damai Dai", 1), ("Deli Chen", 1), ("Peiyi Wang", 1), ("Xiao Bi", 1),
        ("Zhihong Shao", 1)]
    # each count is the number of the author's papers that show the name
    for c in page["coauthors"]:
        assert c["papers"] == sum(c["name"] in p["authors"] for p in page["papers"])


def test_coauthor_without_profile(invoke, full_db):
    page = run_json(invoke, full_db, "author", "daya guo")
    assert page["name"] == "Daya Guo"
    assert page["profile"] is None and page["history"] == []
    assert [(p["date"], p["title"][:18]) for p in page["papers"]] == [
        ("2025-01-22", "DeepSeek-R1: Incen"), ("2024-01-25", "DeepSeek-Coder: Wh"),
        (None, "DeepSeek-Coder-V2:")]  # undated last
    assert [(c["name"], c["papers"]) for c in page["coauthors"]] == [
        ("DeepSeek-AI", 2), ("Dejian Yang", 2), ("Qihao Zhu", 2)]
    out = run_table(invoke, full_db, "author", "daya guo")
    assert "No profile page of their own" in out
    assert "and 1 undated" in out
    also = out.split("Also listed on")[1]
    assert re.search(r"Y\. K\. Li +2\n", also)


def test_profile_loaded_twice_shows_both_captures(invoke, ana_db):
    page = run_json(invoke, ana_db, "author", "ana maria perez")
    assert page["name"] == "Ana María Pérez"
    # the later capture's figures are the profile's, though it was loaded first
    assert page["profile"] == {
        "name": "Ana María Pérez", "topic": "IR", "h_index": 14, "papers": 4,
        "citations": 1500, "novelty": 42, "ai_score": 55, "listed": 4,
        "source": "ana_nov.txt"}
    assert [(s["as_of"], s["h_index"], s["papers"], s["citations"], s["novelty"])
            for s in page["history"]] == [("2026-03-01", 12, 3, 1200, 40),
                                          ("2026-11-22", 14, 4, 1500, 42)]
    out = run_table(invoke, ana_db, "author", "Ana María Pérez")
    assert "14 (+2 since 2026-03-01)" in out
    assert "1,500 (+300 since 2026-03-01)" in out
    assert re.search(r"2026-03-01 +12 +3 +1,200 +40% +55", out)
    assert re.search(r"2026-11-22 +14 +4 +1,500 +42% +55", out)


def test_own_pages_coauthors_and_the_person_themself(invoke, ana_db):
    page = run_json(invoke, ana_db, "author", "Ana María Pérez")
    assert [p["title"] for p in page["papers"]] == [
        "Retrieval Evaluation at Scale", "Dense Retrieval for Long Documents",
        "Sparse Lexical Expansion Revisited", "Multilingual Query Rewriting"]
    # "Ana Maria Perez" on the newest paper is her: not her own co-author
    assert [(c["name"], c["papers"]) for c in page["coauthors"]] == [
        ("Bob Stone", 3), ("Chen Wei", 1), ("Dmitri Volkov", 1), ("Eve Adams", 1),
        ("Frank Ortiz", 1)]
    bob = run_json(invoke, ana_db, "author", "bob stone")
    assert bob["profile"] is None
    assert [p["date"] for p in bob["papers"]] == ["2026-08-01", "2026-01-05", "2025-03-03"]
    assert [(c["name"], c["papers"]) for c in bob["coauthors"]] == [
        ("Ana María Pérez", 3), ("Chen Wei", 1)]


def test_author_terminal_view(invoke, full_db):
    out = run_table(invoke, full_db, "author", "Y. K. Li")
    for text in ("╭─ Y. K. Li", "CL (Computation and Language)", "17,431",
                 "7 on the page, 7 in the catalog", "Papers (7), newest first",
                 "Co-author", "DeepSeek-AI", "Papers per year", "Also listed on",
                 "003_e95702871488c133"):
        assert text in out, text
    assert out.index("DeepSeek-R1") < out.index("DeepSeek LLM")
    chart = out.split("Papers per year")[1].split("Also listed on")[0]
    assert re.search(r"^2024 █{50} 6$", chart, re.M)  # the busiest year: the whole bar
    assert re.search(r"^2025 █{8}▎ +1$", chart, re.M)  # 1/6 of it, to an eighth
    assert "Captures" not in out  # loaded once: no history table


def test_author_view_in_a_recording_console(full_db):
    from rich.console import Console

    from catalog.api import Catalog
    from catalog.render import author_view

    with Catalog(full_db) as cat:
        page = cat.author("kaiming")
    console = Console(width=80, record=True, file=io.StringIO(), color_system="truecolor")
    console.print(author_view(page))
    text = console.export_text(clear=False)
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "Kaiming He" in text and "Mask R-CNN" in text
    # every year from the first paper to the last has a row, so gaps show
    years = re.findall(r"^(\d{4}) ", text.split("Papers per year")[1], re.M)
    assert years == [str(y) for y in range(2015, 2027)]
    assert "\x1b[" in console.export_text(styles=True)  # colour on a terminal
    # a long list shows the newest papers and says how to see the rest
    console.print(author_view(page, max_papers=2))
    text = console.export_text()
    assert "Mask R-CNN" not in text.split("Co-authors")[0]
    assert 'and 2 older: catalog list --author "Kaiming He" --limit 0' in text


def test_author_piped_is_tsv_of_papers_and_jsonl_one_line(invoke, full_db):
    tsv = invoke("--db", full_db, "author", "kaiming")
    lines = tsv.stdout.splitlines()
    assert lines[0].split("\t")[:2] == ["id", "title"] and len(lines) == 5
    assert lines[1].split("\t")[1].startswith("Momentum Contrast")
    jsonl = invoke("--db", full_db, "author", "kaiming", "-f", "jsonl")
    assert jsonl.stdout.count("\n") == 1
    assert json.loads(jsonl.stdout)["name"] == "Kaiming He"


# -- topics and stats ------------------------------------------------------------------

def test_topics_counts(invoke, full_db):
    assert run_json(invoke, full_db, "topics") == [
        {"code": "CL", "name": "Computation and Language", "papers": 9,
         "first": "2023-03-15", "last": "2025-12-02"},
        # 7: Masked Autoencoders' header is LGCV, and a paper counts under each code
        {"code": "CV", "name": "Computer Vision and Pattern Recognition", "papers": 7,
         "first": "2015-12-10", "last": "2026-02-23"},
        {"code": "DC", "name": "Distributed, Parallel, and Cluster Computing", "papers": 2,
         "first": "2024-08-26", "last": "2025-05-14"},
        {"code": "LG", "name": "Machine Learning", "papers": 2,
         "first": "2017-06-12", "last": "2021-11-11"},
        {"code": "MA", "name": "Multiagent Systems", "papers": 1,
         "first": "2023-10-03", "last": "2023-10-03"},
        {"code": "SE", "name": "Software Engineering", "papers": 1,
         "first": "2024-01-25", "last": "2024-01-25"},
    ]
    # each count agrees with the --topic filter
    assert len(run_json(invoke, full_db, "list", "--topic", "CV", "--limit", "0")) == 7


def test_topics_table_and_tsv(invoke, full_db):
    out = run_table(invoke, full_db, "topics")
    assert re.search(r"CV +Computer Vision and Pattern Recognition +7 +2015-12-10 +2026-02-23",
                     out)
    tsv = invoke("--db", full_db, "topics").stdout.splitlines()
    assert tsv[0] == "code\tname\tpapers\tfirst\tlast"
    assert tsv[1] == "CL\tComputation and Language\t9\t2023-03-15\t2025-12-02"


def test_stats_json(invoke, full_db):
    stats = run_json(invoke, full_db, "stats")
    assert {k: stats[k] for k in ("papers", "profiles", "people", "topics", "with_code",
                                  "undated")} == {
        "papers": 24, "profiles": 6, "people": 45, "topics": 6, "with_code": 10,
        "undated": 3}
    assert stats["years"] == [{"year": y, "papers": n} for y, n in (
        (2015, 1), (2017, 2), (2021, 1), (2023, 2), (2024, 8), (2025, 5), (2026, 2))]
    assert sum(y["papers"] for y in stats["years"]) + stats["undated"] == stats["papers"]
    assert stats["top_topics"][:2] == [
        {"code": "CL", "name": "Computation and Language", "papers": 9},
        {"code": "CV", "name": "Computer Vision and Pattern Recognition", "papers": 7}]  # LGCV counts under CV too
    # an author's count follows the --author rule: profile pages count too
    assert stats["top_authors"][:3] == [
        {"name": "Y. K. Li", "papers": 7}, {"name": "DeepSeek-AI", "papers": 6},
        {"name": "Kaiming He", "papers": 4}]
    assert len(stats["top_authors"]) == 10


def test_stats_table_and_tsv(invoke, full_db):
    out = run_table(invoke, full_db, "stats")
    assert re.search(r"24 +papers +6 +profiles +45 +people +6 +topics", out)
    assert re.search(r"^2024 █+ 8$", out, re.M)
    assert re.search(r"^2016 +$", out, re.M)  # a year without papers keeps its row
    assert re.search(r"Y\. K\. Li +7", out)
    tsv = invoke("--db", full_db, "stats").stdout.splitlines()
    assert tsv[:2] == ["section\tkey\tvalue", "count\tpapers\t24"]
    assert "year\t2024\t8" in tsv and "topic\tCL\t9" in tsv and "author\tY. K. Li\t7" in tsv


def test_stats_of_an_empty_catalog(invoke, tmp_path):
    from catalog.api import Catalog

    db = tmp_path / "empty.db"
    Catalog(db, create=True).close()
    assert run_json(invoke, db, "stats")["papers"] == 0
    assert "No dated papers." in run_table(invoke, db, "stats")
    assert run_json(invoke, db, "topics") == []


@pytest.mark.parametrize("args", [["author", "x"], ["topics"], ["stats"]])
def test_read_commands_never_create_a_catalog(invoke, tmp_path, args):
    missing = tmp_path / "typo.db"
    result = invoke("--db", missing, *args)
    assert result.exit_code == 1 and "no catalog" in result.stderr
    assert not missing.exists()


# -- shell completion ----------------------------------------------------------------

def complete(invoke, words, shell="bash", env=None):
    """What the shell's completion script receives for the last word of ``words``."""
    cword = len(words) - 1
    result = invoke(env={"_CATALOG_COMPLETE": f"{shell}_complete",
                         "COMP_WORDS": "\n".join(words), "COMP_CWORD": str(cword),
                         **(env or {})}, prog_name="catalog")
    assert result.exit_code == 0, result.output
    return result.stdout


def test_completes_author_names(invoke, full_db):
    db = str(full_db)
    # bash inserts what it gets: the space is escaped (doubled for the script's `read`)
    assert complete(invoke, ["catalog", "--db", db, "author", "kai"]) == (
        "plain,Kaiming\\\\ He\n")
    assert complete(invoke, ["catalog", "--db", db, "author", "y.k"]) == (
        "plain,Y.\\\\ K.\\\\ Li\n")
    # a word begun with a quote: readline closes the quote, nothing to escape
    assert complete(invoke, ["catalog", "--db", db, "author", '"pio']) == (
        "plain,Piotr Dollár\n")
    # no name begins so: a later word of the name may
    assert complete(invoke, ["catalog", "--db", db, "list", "--author", "dollar"]) == (
        "plain,Piotr\\\\ Dollár\n")
    zsh = complete(invoke, ["catalog", "--db", db, "search", "x", "--author", "kai"], "zsh")
    assert zsh == "plain\nKaiming He\n_\n"


def test_completes_profiles_and_topics(invoke, full_db):
    db = str(full_db)
    got = complete(invoke, ["catalog", "--db", db, "list", "--profile", ""])
    assert got.splitlines() == [
        "plain,000_281d56d23437e343", "plain,002_84ad6e480aeb5c09",
        "plain,003_e95702871488c133", "plain,Kaiming\\\\ He", "plain,openai_compact",
        "plain,Y.\\\\ K.\\\\ Li"]
    got = complete(invoke, ["catalog", "--db", db, "list", "--topic", "c"])
    assert got.splitlines() == ["plain,CL", "plain,CV"]
    zsh = complete(invoke, ["catalog", "--db", db, "authors", "--topic", "CV"], "zsh")
    assert zsh == "plain\nCV\nComputer Vision and Pattern Recognition\n"
    got = complete(invoke, ["catalog", "--db", db, "list", "--topic", "machine"])
    assert got.splitlines() == ["plain,LG"]  # a topic's name offers its code


def test_completion_never_creates_or_fails(invoke, tmp_path):
    missing = tmp_path / "missing.db"
    assert complete(invoke, ["catalog", "--db", str(missing), "author", "k"]).strip() == ""
    assert not missing.exists()
    # the default catalog ($CATALOG_DB) is used when --db is not given
    assert complete(invoke, ["catalog", "author", "k"]).strip() == ""
    assert complete(invoke, ["catalog", "list", "--topic", "C"]).startswith("plain,CC\n")
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not a database at all" * 100)
    before = garbage.read_bytes()
    assert complete(invoke, ["catalog", "--db", str(garbage), "author", "k"]).strip() == ""
    assert garbage.read_bytes() == before


def test_completion_script(invoke):
    result = invoke(env={"_CATALOG_COMPLETE": "bash_source"}, prog_name="catalog")
    assert result.exit_code == 0
    assert "_catalog_completion()" in result.stdout
    assert "complete -o nosort -F _catalog_completion catalog" in result.stdout


def test_cli_import_stays_light():
    code = ("import sys, catalog.cli; "
            "print(sorted(m for m in ('rich', 'rapidfuzz', 'sqlite_utils', 'catalog.store', "
            "'catalog.browse', 'catalog.render') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
