"""How exported CSV and TSV read back, shared by the writer tests (test_export.py) and
the command tests (test_cli_export.py)."""

from __future__ import annotations

import csv
import io

from catalog.models import PAPER_KEYS


def csv_rows(text):
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == list(PAPER_KEYS)
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def as_cell(value):
    """What a CSV or TSV cell holds for a JSON value (formulas left as they are)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "; ".join(value)
    return str(value)
