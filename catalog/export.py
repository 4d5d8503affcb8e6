"""Streaming writers: (records, text stream) -> count, one per output format.

Records are dataclasses with ``to_json``; writers never hold the whole result: JSON
arrays are written one element at a time, so memory stays flat for any size. The one
exception is BibTeX, which remembers the citation keys it has handed out (a set of
short strings) so that every key in a file is unique.

``open_output`` gives the stream: standard output, or a temporary file beside the
target that replaces it only once every row is written, so an export that fails or
is interrupted leaves no file, no temporary file, and any existing file untouched.

    >>> from catalog import Catalog
    >>> from catalog.export import export_papers, open_output
    >>> with Catalog("catalog.db") as cat, open_output("papers.bib", force=True) as out:
    ...     export_papers(cat.papers("mixture of experts"), "bibtex", out)
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import stat
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol, TextIO

from catalog.errors import CatalogError, OutputExists
from catalog.models import PAPER_KEYS


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


# -- CSV and TSV -----------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# a plain number ("-3", "+1.5e3") is data, not a formula; "-inf" or "-1+1" are not numbers
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def _cell(value: Any, escape_formulas: bool, excel: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        value = "; ".join(str(v) for v in value)
    elif excel and isinstance(value, str) and _NUMBER.fullmatch(value):
        # text that a spreadsheet would read as a number (the id "071606844053" loses
        # its zero, "5690598092e7" becomes 5.69E+16): a formula whose value is the text
        return f'="{value}"'
    text = str(value)
    if escape_formulas and text.startswith(_FORMULA_START) and not _NUMBER.fullmatch(text):
        # a spreadsheet would run it: the common "'" prefix keeps it text
        return "'" + text
    return text


def _rows(records: Iterable[Record], columns: Sequence[str] | None
          ) -> Iterator[list[Any]]:
    """The header, then each record's values in its order."""
    if columns:
        yield list(columns)  # an empty selection still has its header
    for i, r in enumerate(records):
        row = r.to_json()
        if not columns:
            columns = list(row)
            if not i:
                yield columns
        yield [row.get(c) for c in columns]


def write_csv(records: Iterable[Record], out: TextIO, *, escape_formulas: bool = True,
              excel: bool = False, columns: Sequence[str] | None = None) -> int:
    """RFC 4180 CSV (CRLF, quotes doubled), lists joined with ``; ``, spreadsheet
    formulas neutralised; ``excel``: text that looks like a number written ``="..."``."""
    writer = csv.writer(out, lineterminator="\r\n")
    n = -1
    for n, row in enumerate(_rows(records, columns)):
        writer.writerow([_cell(v, escape_formulas, excel and n > 0) for v in row])
    return max(n, 0)


_TSV_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}
_TSV_SPECIAL = re.compile(r"[\\\t\n\r]")


def tsv_field(text: str) -> str:
    """A value as a TSV field: backslash, tab, newline and carriage return written
    ``\\\\``, ``\\t``, ``\\n``, ``\\r`` (the IANA/Unix kind: no quoting, one line a
    record, so ``cut -f2`` gives clean fields)."""
    return _TSV_SPECIAL.sub(lambda m: _TSV_ESCAPES[m.group()], text)


def write_tsv(records: Iterable[Record], out: TextIO, *, escape_formulas: bool = False,
              excel: bool = False, columns: Sequence[str] | None = None) -> int:
    """Tab-separated values, one record a line, no quoting (see ``tsv_field``)."""
    n = -1
    for n, row in enumerate(_rows(records, columns)):
        out.write("\t".join(tsv_field(_cell(v, escape_formulas, excel and n > 0))
                            for v in row) + "\n")
    return max(n, 0)


def write_bibtex(records: Iterable[Record], out: TextIO, *, unicode: bool = False) -> int:
    """BibTeX (``catalog.bibtex``): loaded for this format only, as the other formats'
    commands (search, list) need none of it and its cite-key code (4 ms of start-up)."""
    from catalog.bibtex import write_bibtex as write

    return write(records, out, unicode=unicode)


# the writer of each of formats.PAPER_FORMATS (a test checks they are the same)
FORMATS: dict[str, Writer] = {
    "csv": write_csv,
    "tsv": write_tsv,
    "json": write_json,
    "jsonl": write_jsonl,
    "bibtex": write_bibtex,
}

BOM = "\ufeff"


def write_records(records: Iterable[Record], fmt: str, out: TextIO, *,
                  columns: Sequence[str] | None = None, escape_formulas: bool | None = None,
                  excel: bool = False, unicode: bool = False) -> int:
    """The one dispatch: ``records`` to ``out`` in ``fmt`` (a key of ``FORMATS``);
    return how many. csv/tsv: ``columns`` is the header (else the first record's keys),
    ``escape_formulas`` prefixes cells a spreadsheet would run with ``'`` (None: the
    writer's default), ``excel`` starts the output with a UTF-8 byte-order mark and
    writes text that looks like a number (ids such as ``071606844053``) as
    ``="..."``. bibtex: ``unicode`` writes letters as UTF-8 rather than LaTeX
    commands (for biber)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; one of {', '.join(FORMATS)}")
    if fmt in ("csv", "tsv"):
        if excel:
            out.write(BOM)
        kw: dict[str, Any] = {"columns": columns, "excel": excel}
        if escape_formulas is not None:
            kw["escape_formulas"] = escape_formulas
        return FORMATS[fmt](records, out, **kw)
    if excel:
        raise ValueError("excel (a byte-order mark) applies to csv and tsv only")
    if fmt == "bibtex":
        return FORMATS[fmt](records, out, unicode=unicode)
    if unicode:
        raise ValueError("unicode applies to bibtex only")
    return FORMATS[fmt](records, out)


def write_object(obj: dict[str, Any], fmt: str, out: TextIO) -> int:
    """One record as one JSON object: indented for json, one line for jsonl."""
    out.write(json.dumps(obj, ensure_ascii=False, indent=2 if fmt == "json" else None) + "\n")
    return 1


def export_papers(papers: Iterable[Record], fmt: str, out: TextIO, *,
                  escape_formulas: bool = True, excel: bool = False, unicode: bool = False,
                  columns: Sequence[str] | None = PAPER_KEYS) -> int:
    """Write ``papers`` to ``out`` in ``fmt`` (see ``write_records``); return how many.
    ``papers`` is consumed once, row by row."""
    return write_records(papers, fmt, out, columns=columns, escape_formulas=escape_formulas,
                         excel=excel, unicode=unicode)


# -- where the output goes -------------------------------------------------------

@contextlib.contextmanager
def open_output(path: str | os.PathLike[str] | None, *, force: bool = False
                ) -> Iterator[TextIO]:
    """A UTF-8 text stream without newline translation (the writers choose line ends).

    ``None`` or ``"-"``: standard output. A path: a temporary file in the same
    directory, renamed over ``path`` when the block ends normally and removed when it
    raises (KeyboardInterrupt included). Raises ``OutputExists`` if ``path`` exists and
    ``force`` is false, checked before anything is written and again at the rename.
    """
    if path is None or str(path) == "-":
        with _stdout() as out:
            yield out
        return
    target = Path(path)
    _check_target(target, force)
    import tempfile

    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                   suffix=".part")
    except OSError as e:
        raise CatalogError(f"cannot write {target}: {e.strerror or e}") from None
    try:
        with open(fd, "w", encoding="utf-8", newline="") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, _mode_for(target))
        _publish(tmp, target, force)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def _stdout() -> Iterator[TextIO]:
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:  # a text-only stream (some test harnesses): write to it as is
        yield sys.stdout
        sys.stdout.flush()
        return
    sys.stdout.flush()
    out = io.TextIOWrapper(buffer, encoding="utf-8", newline="")
    try:
        yield out
    finally:
        out.detach()  # flushes; leaves sys.stdout's buffer open


def _check_target(target: Path, force: bool) -> None:
    if target.is_dir():
        raise CatalogError(f"cannot write {target}: it is a directory")
    if not force and (target.exists() or target.is_symlink()):
        raise OutputExists(f"{target} already exists (--force replaces it)")


def _mode_for(target: Path) -> int:
    """An existing file's permissions, else what a new file would get (mkstemp's 0600
    is meant for secrets)."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _publish(tmp: str, target: Path, force: bool) -> None:
    try:
        if force:
            os.replace(tmp, target)
            return
        try:
            # a hard link fails if the target appeared meanwhile: never clobbered
            os.link(tmp, target)
        except FileExistsError:
            raise OutputExists(f"{target} already exists (--force replaces it)") from None
        except OSError:  # a file system without hard links
            if target.exists():
                raise OutputExists(f"{target} already exists (--force replaces it)") from None
            os.replace(tmp, target)
        else:
            os.unlink(tmp)
    except OSError as e:
        raise CatalogError(f"cannot write {target}: {e.strerror or e}") from None
