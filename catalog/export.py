"""Streaming writers: (records, text stream) -> None, one per output format.

Records are dataclasses with ``to_json``; writers never hold the whole result: JSON
arrays are written one element at a time, so memory stays flat for any size.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol, TextIO


class Record(Protocol):
    def to_json(self) -> dict[str, Any]: ...


Writer = Callable[..., int]


def _dump(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False)


def write_json(records: Iterable[Record], out: TextIO) -> int:
    n = 0
    out.write("[")
    for r in records:
        out.write(",\n " if n else "\n ")
        out.write(_dump(r.to_json()))
        n += 1
    out.write("\n]\n" if n else "]\n")
    return n


def write_jsonl(records: Iterable[Record], out: TextIO) -> int:
    n = 0
    for r in records:
        out.write(_dump(r.to_json()) + "\n")
        n += 1
    return n


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any, escape_formulas: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        value = "; ".join(str(v) for v in value)
    text = str(value)
    if escape_formulas and text.startswith(_FORMULA_START) and not _is_number(text):
        # a spreadsheet would run it: the common "'" prefix keeps it text
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _write_delimited(records: Iterable[Record], out: TextIO, dialect: str,
                     escape_formulas: bool, columns: Sequence[str] | None) -> int:
    if dialect == "tsv":
        writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    else:
        writer = csv.writer(out, lineterminator="\r\n")
    header_done = False
    n = 0
    for r in records:
        row = r.to_json()
        if not header_done:
            writer.writerow(list(row))
            header_done = True
        if dialect == "tsv":
            # one record per line: tabs and newlines inside a field become spaces
            writer.writerow([_cell(v, escape_formulas).replace("\t", " ").replace("\n", " ")
                             for v in row.values()])
        else:
            writer.writerow([_cell(v, escape_formulas) for v in row.values()])
        n += 1
    if not header_done and columns:
        writer.writerow(list(columns))  # an empty selection still has its header
    return n


def write_csv(records: Iterable[Record], out: TextIO, *, escape_formulas: bool = True,
              columns: Sequence[str] | None = None) -> int:
    """RFC 4180 CSV, lists joined with ``; ``, spreadsheet formulas neutralised."""
    return _write_delimited(records, out, "csv", escape_formulas, columns)


def write_tsv(records: Iterable[Record], out: TextIO, *, escape_formulas: bool = False,
              columns: Sequence[str] | None = None) -> int:
    return _write_delimited(records, out, "tsv", escape_formulas, columns)


FORMATS: dict[str, Writer] = {
    "json": write_json,
    "jsonl": write_jsonl,
    "csv": write_csv,
    "tsv": write_tsv,
}
