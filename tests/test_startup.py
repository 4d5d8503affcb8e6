"""Start-up stays fast: the CLI module and `catalog --help` import none of the heavy
libraries (rich, rapidfuzz, sqlite-utils cost 15-135 ms each to import; Datasette, for
`serve` only, far more). Run in a fresh interpreter, since the test process has
imported everything already."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("rich", "rapidfuzz", "sqlite_utils", "datasette", "uvicorn", "selenium")

CHECK = """
import sys
{body}
heavy = sorted({{m.split(".")[0] for m in sys.modules}} & set({heavy!r}))
print("HEAVY:" + ",".join(heavy))
"""


def _imported(body: str) -> list[str]:
    code = CHECK.format(body=body, heavy=HEAVY)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=True)
    line = [x for x in out.stdout.splitlines() if x.startswith("HEAVY:")][-1]
    return [m for m in line[len("HEAVY:"):].split(",") if m]


def test_import_catalog_cli_leaves_heavy_libraries_out():
    assert _imported("import catalog.cli") == []


def test_help_leaves_heavy_libraries_out():
    body = ("from catalog.cli import cli\n"
            "try:\n"
            "    cli(['--help'], prog_name='catalog')\n"
            "except SystemExit:\n"
            "    pass")
    assert _imported(body) == []


def test_import_catalog_leaves_heavy_libraries_out():
    assert _imported("import catalog") == []


def test_the_output_writers_load_bibtex_only_for_bibtex():
    code = ("import io, sys\n"
            "from catalog.export import write_records\n"
            "write_records([], 'tsv', io.StringIO())\n"
            "print('before', 'catalog.bibtex' in sys.modules)\n"
            "write_records([], 'bibtex', io.StringIO())\n"
            "print('after', 'catalog.bibtex' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=True).stdout.split()
    assert out == ["before", "False", "after", "True"]
