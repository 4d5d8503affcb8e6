"""What people type by habit (#16): unquoted words, -excluded, -h, short errors."""

from __future__ import annotations

import json

import pytest

from catalog.cli import cli
from conftest import PAGES


def titles(invoke, db, *args):
    result = invoke("--db", db, args[0], "-f", "json", *args[1:])
    assert result.exit_code == 0, result.stderr
    return [p["title"] for p in json.loads(result.stdout)]


def test_search_words_need_no_quotes(invoke, full_db):
    assert titles(invoke, full_db, "search", "mixture", "of", "experts") == \
        titles(invoke, full_db, "search", "mixture of experts")
    assert titles(invoke, full_db, "search", "mixture", "of", "experts")


def test_excluded_word_as_typed(invoke, full_db):
    everything = titles(invoke, full_db, "search", "model")
    without = titles(invoke, full_db, "search", "model", "-deepseek")
    assert without and len(without) < len(everything)
    assert not any("DeepSeek" in t for t in without)
    assert titles(invoke, full_db, "search", "-deepseek", "model") == without
    # the -- form too, and options still work around the words
    assert titles(invoke, full_db, "search", "--limit", "50", "--", "model", "-deepseek") \
        == without
    # a word that starts like an option (-f..., -h...) but is not one
    assert titles(invoke, full_db, "search", "model", "-fast") == \
        titles(invoke, full_db, "search", "model", "--", "-fast")


def test_export_takes_words_too(invoke, full_db):
    result = invoke("--db", full_db, "export", "mixture", "of", "experts", "-deepseekmoe",
                    "-f", "jsonl")
    assert result.exit_code == 0, result.stderr
    got = [json.loads(line)["title"] for line in result.stdout.splitlines()]
    assert got and not any(t.startswith("DeepSeekMoE") for t in got)


@pytest.mark.parametrize("command", [[], *([c] for c in sorted(cli.commands))])
def test_dash_h_is_help_everywhere(invoke, command):
    short, long = invoke(*command, "-h"), invoke(*command, "--help")
    assert short.exit_code == 0 and short.stdout == long.stdout
    assert short.stdout.startswith("Usage: ")


@pytest.mark.parametrize("args,message", [
    (["list", "--lmit", "3"], "Error: No such option '--lmit'. Did you mean '--limit'?"),
    (["list", "--sort", "colour"], "Error: Invalid value for '--sort'"),
    (["frobnicate"], "Error: No such command 'frobnicate'."),
    (["search"], "Error: Missing argument 'QUERY...'."),
])
def test_usage_error_is_one_line_and_a_hint(invoke, full_db, args, message):
    result = invoke("--db", full_db, *args)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 2, result.stderr
    assert lines[0].startswith(message)
    assert lines[1].startswith("Try '") and lines[1].endswith(" --help' for help.")


def test_db_errors_blame_where_the_path_came_from(invoke, tmp_path, monkeypatch):
    flag = invoke("--db", tmp_path, "list")
    assert flag.exit_code == 2
    assert flag.stderr.startswith(f"Error: Invalid value for '--db': {tmp_path} is a dir")
    assert "CATALOG_DB" not in flag.stderr
    monkeypatch.setenv("CATALOG_DB", str(tmp_path))
    env = invoke("list")
    assert env.exit_code == 2 and env.stderr.startswith("Error: Invalid value for $CATALOG_DB")
    monkeypatch.setenv("CATALOG_DB", str(tmp_path / "nothing.db"))
    missing = invoke("list")
    assert missing.exit_code == 1 and "(the path comes from $CATALOG_DB)" in missing.stderr
    typed = invoke("--db", tmp_path / "nothing.db", "list")
    assert typed.exit_code == 1 and "CATALOG_DB" not in typed.stderr


def test_every_error_line_has_one_style(invoke, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("a shopping list\neggs\nmilk\n")
    result = invoke("--db", tmp_path / "c.db", "load", bad, PAGES)
    assert result.exit_code == 1
    errors = [ln for ln in result.stderr.splitlines() if "bad.txt" in ln]
    assert errors and all(ln.startswith("Error: ") for ln in errors)


def test_empty_catalog_says_how_to_fill_it(invoke, tmp_path):
    from catalog.api import Catalog

    db = tmp_path / "empty.db"
    Catalog(db, create=True).close()
    for args in (["list"], ["search", "model"], ["list", "-f", "table"]):
        result = invoke("--db", db, *args)
        assert result.exit_code == 0
        assert "The catalog is empty: load pages with `catalog load PATH`" in result.stderr
        assert "No papers match" not in result.stderr


def test_page_count_on_stderr_for_a_table(invoke, full_db):
    result = invoke("--db", full_db, "list", "--limit", "5", "-f", "table")
    assert "5 of 24; `--limit` for more" in result.stderr
    assert "of 24" not in invoke("--db", full_db, "list", "--limit", "5").stderr  # piped
    assert "for more" not in invoke("--db", full_db, "list", "--limit", "0",
                                    "-f", "table").stderr


@pytest.mark.parametrize("command,n", [("authors", 2), ("topics", 3)])
def test_authors_and_topics_take_limit(invoke, full_db, command, n):
    all_rows = json.loads(invoke("--db", full_db, command, "-f", "json").stdout)
    some = json.loads(invoke("--db", full_db, command, "--limit", n, "-f", "json").stdout)
    assert len(all_rows) > n and some == all_rows[:n]


def test_title_and_abstract_field_terms(invoke, full_db):
    anywhere = titles(invoke, full_db, "search", "attention")
    in_title = titles(invoke, full_db, "search", "title:attention")
    assert in_title == ["Attention Is All You Need"] and len(anywhere) > 1
    result = invoke("--db", full_db, "search", "title:attention")
    assert "did you mean" not in result.stderr and "showing results" not in result.stderr
    phrase = titles(invoke, full_db, "search", 'title:"language model"')
    assert phrase and all("language model" in t.lower() for t in phrase)
    in_abstract = titles(invoke, full_db, "search", "abstract:transformer")
    assert "Attention Is All You Need" in in_abstract
    without = titles(invoke, full_db, "search", "model", "-title:deepseek")
    assert without and not any("DeepSeek " in t or "DeepSeek-" in t for t in without)


def test_unknown_field_is_searched_as_text_with_a_note(invoke, full_db):
    result = invoke("--db", full_db, "search", "-f", "json", "titel:attention")
    assert result.exit_code == 0
    assert ("unknown field 'titel:' (known: title:, abstract:, author:, topic:, year:, "
            "since:, until:, code:, profile:); searched as text") in result.stderr
    # pasted text with colons that are no field attempt: no note
    for text in ("see https://example.org", "at 10:30 today", "Note: attention"):
        assert "unknown field" not in invoke("--db", full_db, "search", text).stderr


def test_too_short_id_says_how_many_papers_it_begins(invoke, full_db):
    ids = [p["id"] for p in json.loads(invoke("--db", full_db, "list", "-f", "json").stdout)]
    one = ids[0]
    assert invoke("--db", full_db, "show", one[:4], "-f", "json").exit_code == 0
    result = invoke("--db", full_db, "show", one[:3])
    n = sum(i.startswith(one[:3]) for i in ids)
    assert result.exit_code == 1
    assert result.stderr == (f"Error: id '{one[:3]}' is too short: it begins the ids of "
                             f"{n} paper{'s' * (n != 1)}; give at least 4 characters\n")
    digit = "0123456789abcdef"
    shared = max(digit, key=lambda c: sum(i.startswith(c) for i in ids))
    many = sum(i.startswith(shared) for i in ids)
    assert f"begins the ids of {many} paper" in invoke("--db", full_db, "show", shared).stderr
    assert "no paper with key or id 'zz'" in invoke("--db", full_db, "show", "zz").stderr
