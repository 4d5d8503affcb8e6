"""The docs stay true: every command has help and a README entry; the schema doc names
every table."""

from __future__ import annotations

import sqlite3

import pytest

from catalog.cli import cli
from catalog.store import open_db
from conftest import ROOT

README = (ROOT / "README.md").read_text("utf-8")


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_command_has_help_and_readme_entry(name):
    command = cli.commands[name]
    assert command.help and command.help.strip()
    assert f"catalog {name}" in README


def test_readme_set_up_commands_are_the_ci_ones():
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    assert "python -m pytest" in README and ci.strip().endswith("python -m pytest")
    assert "pip install -e '.[test]'" in README and "-e '.[test]'" in ci


def test_schema_doc_names_every_table(tmp_path):
    conn = open_db(tmp_path / "c.db", create=True)
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'papers_fts_%'"
        " AND name NOT LIKE 'sqlite_%'")]
    doc = (ROOT / "docs" / "schema.md").read_text("utf-8")
    for t in tables:
        assert f"`{t}`" in doc, t
    assert isinstance(conn, sqlite3.Connection)


REGENERATE = "cog -r docs/cli.md"


def test_cli_reference_is_current(capsys):
    from cogapp import Cog

    status = Cog().main(["cog", "--check", "--diff", "--check-fail-msg", f"run `{REGENERATE}`",
                         str(ROOT / "docs" / "cli.md")])
    diff = capsys.readouterr().out
    assert status == 0, f"docs/cli.md is out of date: run `{REGENERATE}`\n{diff}"


def test_cli_reference_covers_every_command():
    doc = (ROOT / "docs" / "cli.md").read_text("utf-8")
    assert REGENERATE in doc and "[[[cog" in doc
    for name in cli.commands:
        assert f"\n## catalog {name}\n" in doc, f"run `{REGENERATE}`"
