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
import functools
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
from catalog.names import fold
from catalog.topics import topic_name


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


def _cell(value: Any, escape_formulas: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        value = "; ".join(str(v) for v in value)
    text = str(value)
    if escape_formulas and text.startswith(_FORMULA_START) and not _NUMBER.fullmatch(text):
        # a spreadsheet would run it: the common "'" prefix keeps it text
        return "'" + text
    return text


def _write_delimited(records: Iterable[Record], out: TextIO, dialect: str,
                     escape_formulas: bool, columns: Sequence[str] | None) -> int:
    if dialect == "tsv":
        writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    else:
        writer = csv.writer(out, lineterminator="\r\n")
    if columns:
        writer.writerow(list(columns))  # an empty selection still has its header
    n = 0
    for r in records:
        row = r.to_json()
        if not n and not columns:
            writer.writerow(list(row))
        if dialect == "tsv":
            # one record per line: tabs and newlines inside a field become spaces
            writer.writerow([_cell(v, escape_formulas).replace("\t", " ").replace("\n", " ")
                             for v in row.values()])
        else:
            writer.writerow([_cell(v, escape_formulas) for v in row.values()])
        n += 1
    return n


def write_csv(records: Iterable[Record], out: TextIO, *, escape_formulas: bool = True,
              columns: Sequence[str] | None = None) -> int:
    """RFC 4180 CSV (CRLF, quotes doubled), lists joined with ``; ``, spreadsheet
    formulas neutralised."""
    return _write_delimited(records, out, "csv", escape_formulas, columns)


def write_tsv(records: Iterable[Record], out: TextIO, *, escape_formulas: bool = False,
              columns: Sequence[str] | None = None) -> int:
    return _write_delimited(records, out, "tsv", escape_formulas, columns)


# -- BibTeX ------------------------------------------------------------------------

_LATEX = {
    # BibTeX counts braces even after a backslash, so a lone "\{" would unbalance the
    # entry: the brace characters are written as commands
    "{": r"\textbraceleft{}", "}": r"\textbraceright{}", "\\": r"\textbackslash{}",
    "%": r"\%", "&": r"\&", "$": r"\$", "#": r"\#", "_": r"\_",
    "^": r"\textasciicircum{}", "~": r"\textasciitilde{}",
}
_LATEX_SPECIAL = re.compile(r"[{}%&$#_^~\\]")
_SPACE = re.compile(r"\s+")
# words skipped when a citation key takes the title's first word
_STOPWORDS = frozenset(
    "a an the on of for in to with and or at by from is are via towards toward do does "
    "how what why when can we".split())
_TITLE_WORD = re.compile(r"[a-z0-9]+(?:[-'.][a-z0-9]+)*")
# Name particles, suffixes and organisation words are the parser's (authorlist), and
# the month names the page format's (pages): imported where used, since neither module
# is needed to start the CLI, and the callers below are cached.
# opening marks, the word, closing marks and punctuation: "(MoCo)," -> "(", "MoCo", "),"
_WORD_EDGES = re.compile(r"^([(\[\"']*)(.*?)([)\]\"']*[,.:;!?]*)$", re.DOTALL)


def latex_escape(text: str) -> str:
    """Text with LaTeX's special characters ``{}%&$#_^~\\`` escaped; accents and other
    non-ASCII letters stay as they are (UTF-8)."""
    return _LATEX_SPECIAL.sub(lambda m: _LATEX[m.group()], text)


def _one_line(text: str) -> str:
    # bibtexparser reads an "@" at the start of a line as a new entry, even inside a
    # value, and BibTeX treats line breaks in a value as spaces anyway
    return _SPACE.sub(" ", text).strip()


def bibtex_title(title: str) -> str:
    """The escaped title with every word holding a capital in braces, so that styles
    which lower-case titles keep ``{DeepSeek-V3}``, ``{LLMs}`` and ``{Image}`` as
    written. Punctuation around a word stays outside its braces."""
    out = []
    for word in _one_line(title).split(" "):
        lead, core, trail = _WORD_EDGES.match(word).groups()  # type: ignore[union-attr]
        if not lead:
            # f(x): a closing mark without its opening one belongs to the word
            closers = len(trail) - len(trail.lstrip(")]\"'"))
            core, trail = core + trail[:closers], trail[closers:]
        if any(c.isupper() for c in core):
            core = latex_escape(core)
            # a group that starts with a command is an accent to BibTeX, not protection
            core = "{{" + core + "}}" if core.startswith("\\") else "{" + core + "}"
        else:
            core = latex_escape(core)
        out.append(latex_escape(lead) + core + latex_escape(trail))
    return " ".join(out)


def is_organisation(name: str) -> bool:
    """``OpenAI``, ``DeepSeek-AI``, ``Meta AI``, ``Qwen2.5 Team``: a name BibTeX must
    not split into first and last names."""
    from catalog.authorlist import ORG_WORDS

    tokens = name.split()
    return (len(tokens) == 1 or any(t in ORG_WORDS for t in tokens)
            or any(c.isdigit() for c in name) or "and" in (t.lower() for t in tokens))


def _name_parts(name: str) -> tuple[str, str, str]:
    """(first, last, suffix) of a person's name as printed (first names first)."""
    from catalog.authorlist import NAME_SUFFIXES, PARTICLES

    tokens = name.split()
    suffix = ""
    if len(tokens) > 2 and tokens[-1] in NAME_SUFFIXES:
        suffix = tokens.pop()
    i = len(tokens) - 1
    while i > 1 and tokens[i - 1] in PARTICLES:  # "van der Maaten" is one surname
        i -= 1
    return " ".join(tokens[:i]), " ".join(tokens[i:]), suffix


@functools.lru_cache(maxsize=8192)  # the same people recur on paper after paper
def bibtex_name(name: str) -> str:
    """``Liu, Aixin``; ``{DeepSeek-AI}`` for an organisation."""
    name = _one_line(name)
    if is_organisation(name):
        return "{" + latex_escape(name) + "}"
    first, last, suffix = _name_parts(name)
    parts = [last, suffix, first] if suffix else [last, first]
    return ", ".join(latex_escape(p) for p in parts if p)


def _ascii_word(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", fold(text))


def citation_key(authors: Sequence[str], date: str | None, title: str) -> str:
    """The readable base of a citation key: first author's surname, year, first
    significant word of the title, in lower-case ASCII: ``he2015deep``,
    ``deepseekai2024deepseekv3`` (a hyphenated word is one word)."""
    surname = _key_surname(authors[0]) if authors else ""
    year = date[:4] if date and date[:4].isdigit() else ""
    words = (re.sub(r"[-'.]", "", w) for w in _TITLE_WORD.findall(fold(title)))
    word = next((w for w in words if len(w) > 1 and not w.isdigit() and w not in _STOPWORDS), "")
    return (surname or "anon") + year + word


@functools.lru_cache(maxsize=8192)
def _key_surname(name: str) -> str:
    name = _one_line(name)
    return _ascii_word(name if is_organisation(name) else _name_parts(name)[1])


def _letters(i: int) -> str:
    """0 -> a, 25 -> z, 26 -> aa: the suffixes that tell colliding keys apart."""
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(ord("a") + r) + s
    return s


class CitationKeys:
    """Hands out unique keys in output order: the first paper with a base key gets it
    bare, later ones get ``a``, ``b``, ``c``... (never a key already handed out)."""

    def __init__(self) -> None:
        self.taken: set[str] = set()
        self.next_suffix: dict[str, int] = {}

    def __call__(self, base: str) -> str:
        key = base
        if key in self.taken:
            i = self.next_suffix.get(base, 0)
            while (key := base + _letters(i)) in self.taken:
                i += 1
            self.next_suffix[base] = i + 1
        self.taken.add(key)
        return key


def _value(text: str) -> str:
    return "{" + latex_escape(_one_line(text)) + "}"


@functools.cache
def _month(number: int) -> str:
    """``jan`` for 1: BibTeX's month macros are the page format's month names."""
    from catalog.pages import MONTHS

    return next(name for name, n in MONTHS.items() if n == number)


def bibtex_entry(paper: dict[str, Any], key: str) -> str:
    """One ``@misc`` entry (the site's papers are arXiv preprints: no journal)."""
    fields = [("title", "{" + bibtex_title(paper["title"]) + "}")]
    authors = [bibtex_name(a) for a in paper["authors"]]
    if paper["authors_truncated"]:
        authors.append("others")
    if authors:
        fields.append(("author", "{" + " and ".join(authors) + "}"))
    date = paper["date"] or ""
    if date[:4].isdigit():
        fields.append(("year", "{" + date[:4] + "}"))
        if date[5:7].isdigit() and 1 <= int(date[5:7]) <= 12:
            fields.append(("month", _month(int(date[5:7]))))  # BibTeX's macro
    if paper["abstract"]:
        fields.append(("abstract", _value(paper["abstract"])))
    if paper["topic"]:
        keywords = [latex_escape(paper["topic"])]
        if name := topic_name(paper["topic"]):
            # braces keep a name's own commas from splitting the keyword list
            keywords.append("{" + latex_escape(name) + "}" if "," in name else latex_escape(name))
        fields.append(("keywords", "{" + ", ".join(keywords) + "}"))
    if paper["affiliations"]:
        fields.append(("affiliation", _value("; ".join(paper["affiliations"]))))
    fields.append(("x-catalog-id", _value(paper["id"])))
    body = ",\n".join(f"  {name} = {value}" for name, value in fields)
    return f"@misc{{{key},\n{body}\n}}\n"


def write_bibtex(records: Iterable[Record], out: TextIO) -> int:
    """One entry per paper, keys unique within the output (see ``CitationKeys``)."""
    keys = CitationKeys()
    n = 0
    for r in records:
        paper = r.to_json()
        key = keys(citation_key(paper["authors"], paper["date"], paper["title"]))
        out.write(("\n" if n else "") + bibtex_entry(paper, key))
        n += 1
    return n


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
                  excel: bool = False) -> int:
    """The one dispatch: ``records`` to ``out`` in ``fmt`` (a key of ``FORMATS``);
    return how many. csv/tsv: ``columns`` is the header (else the first record's keys),
    ``escape_formulas`` prefixes cells a spreadsheet would run with ``'`` (None: the
    writer's default), ``excel`` starts the output with a UTF-8 byte-order mark."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; one of {', '.join(FORMATS)}")
    if fmt in ("csv", "tsv"):
        if excel:
            out.write(BOM)
        kw: dict[str, Any] = {"columns": columns}
        if escape_formulas is not None:
            kw["escape_formulas"] = escape_formulas
        return FORMATS[fmt](records, out, **kw)
    if excel:
        raise ValueError("excel (a byte-order mark) applies to csv and tsv only")
    return FORMATS[fmt](records, out)


def write_object(obj: dict[str, Any], fmt: str, out: TextIO) -> int:
    """One record as one JSON object: indented for json, one line for jsonl."""
    out.write(json.dumps(obj, ensure_ascii=False, indent=2 if fmt == "json" else None) + "\n")
    return 1


def export_papers(papers: Iterable[Record], fmt: str, out: TextIO, *,
                  escape_formulas: bool = True, excel: bool = False,
                  columns: Sequence[str] | None = PAPER_KEYS) -> int:
    """Write ``papers`` to ``out`` in ``fmt`` (see ``write_records``); return how many.
    ``papers`` is consumed once, row by row."""
    return write_records(papers, fmt, out, columns=columns, escape_formulas=escape_formulas,
                         excel=excel)


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
