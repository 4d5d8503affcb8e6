"""The command line: options in, core calls, records out. No SQL and no parsing here.

Heavy modules (sqlite3 work, rich, rapidfuzz) are imported inside the commands that
need them, so ``catalog --help`` starts fast.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from catalog import config
from catalog.completion import complete_author, complete_profile, complete_topic
from catalog.errors import CatalogError
from catalog.formats import PAPER_FORMATS, RECORD_FORMATS, TABLE

if TYPE_CHECKING:
    from catalog.api import Catalog

FORMATS = (TABLE, *RECORD_FORMATS)


class CatalogGroup(click.Group):
    """Turns every expected failure into one line on stderr and the contract's exit code."""

    def main(self, args: Any = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             **extra: Any) -> Any:
        """A usage error is one ``Error:`` line and a hint (click prints the usage and
        a blank line too: four lines for one mistake)."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.UsageError as e:
            command = e.ctx.command_path if e.ctx else (prog_name or "catalog")
            click.echo(f"Error: {e.format_message()}", err=True)
            click.echo(f"Try '{command} --help' for help.", err=True)
            sys.exit(e.exit_code)
        except click.ClickException as e:
            e.show()
            sys.exit(e.exit_code)
        except click.Abort:
            click.echo("Aborted.", err=True)
            sys.exit(1)
        sys.exit(rv if isinstance(rv, int) else 0)

    def invoke(self, ctx: click.Context) -> Any:
        import sqlite3

        from catalog.errors import DatabaseError

        try:
            return super().invoke(ctx)
        except CatalogError as e:
            if config.debug():
                raise
            blame = ""
            if isinstance(e, DatabaseError) and getattr(ctx.obj, "from_env", False):
                blame = f" (the path comes from ${config.DB_ENV})"
            click.echo(f"Error: {e}{blame}", err=True)
            ctx.exit(e.exit_code)
        except sqlite3.Error as e:
            if config.debug():
                raise
            from catalog.api import is_damage

            if isinstance(e, sqlite3.DatabaseError) and is_damage(e):
                where = getattr(ctx.obj, "path", "the catalog")
                click.echo(f"Error: {where} is damaged or not a catalog ({e})", err=True)
            else:  # a bug: say so, and how to see it
                click.echo(f"Error: internal error ({type(e).__module__}.{type(e).__name__}: "
                           f"{e}); rerun with {config.DEBUG_ENV}=1 for details", err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("Interrupted: nothing half-done was kept.", err=True)
            ctx.exit(130)
        except BrokenPipeError:
            # `catalog list | head -1`: the reader left; end quietly
            _silence_stdout()
            ctx.exit(0)


_NEGATED = "\x00"  # marks an excluded word (-word) while click parses the line


class QueryCommand(click.Command):
    """A command whose QUERY words may start with ``-`` (an excluded word, as in
    ``catalog search attention -survey``): a ``-word`` that is not one of the
    command's options is a query word. ``--`` still ends the options, as usual."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        known = {name for p in self.get_params(ctx) for name in (*p.opts, *p.secondary_opts)}
        out: list[str] = []
        for i, arg in enumerate(args):
            if arg == "--":
                out += args[i:]
                break
            negated = (len(arg) > 2 and arg[0] == "-" and arg[1] not in "-0123456789"
                       and arg.split("=")[0] not in known)
            out.append(_NEGATED + arg[1:] if negated else arg)
        return super().parse_args(ctx, out)


def query_text(words: tuple[str, ...]) -> str:
    """QUERY words as one query: joined by spaces, as gh, llm and papis do."""
    return " ".join(w.replace(_NEGATED, "-", 1) if w.startswith(_NEGATED) else w
                    for w in words)


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


@click.group(cls=CatalogGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="catalog")
@click.option("--db", "db_path", type=click.Path(path_type=Path),
              envvar=config.DB_ENV, show_envvar=True,
              help="Catalog file [default: catalog.db in the app directory]")
@click.pass_context
def cli(ctx: click.Context, db_path: Path | None) -> None:
    """A catalog of research papers from ScholarFeed author pages.

    \b
    catalog load data/                 # load page files
    catalog search mixture of experts --since 2024
    catalog author "Y. K. Li"
    catalog unload data/000_281d56d23437e343.txt --dry-run
    """
    from click.core import ParameterSource

    # errors about the catalog's path blame where it came from: the flag or $CATALOG_DB
    from_env = ctx.get_parameter_source("db_path") == ParameterSource.ENVIRONMENT
    if db_path is not None and db_path.is_dir():
        raise click.BadParameter(f"{db_path} is a directory, not a catalog file",
                                 param_hint=f"${config.DB_ENV}" if from_env else "'--db'")
    session = _Session(Path(db_path) if db_path else config.default_db_path())
    session.from_env = from_env
    session.default = db_path is None
    ctx.obj = ctx.with_resource(session)


class _Session:
    """The invocation's one ``Catalog``, opened when a command first asks for it (so
    that `--help`, a usage error or `catalog path` never touch the file) and closed
    with the root context."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.cat: Catalog | None = None
        self.from_env = False  # the path came from $CATALOG_DB
        self.default = False  # the path is the default one, in the app directory

    def __enter__(self) -> _Session:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.cat is not None:
            if isinstance(self.cat.on_index, _IndexProgress):
                self.cat.on_index.stop()
            self.cat.close()
            self.cat = None

    def catalog(self, create: bool, write: bool) -> Catalog:
        if self.cat is None:
            from catalog.api import Catalog

            if create and self.default:
                # the app directory is ours to make; a --db directory that does not
                # exist is a typo, and an error that names it
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self.cat = Catalog(self.path, create=create, write=write,
                               on_index=_IndexProgress(sys.stderr.isatty()))
        return self.cat


def db_path(ctx: click.Context) -> Path:
    return ctx.find_root().obj.path


def _catalog(ctx: click.Context, create: bool = False, write: bool = False) -> Catalog:
    """The invocation's catalog; only `load` creates one (read commands never do),
    and the commands that change it say so (``write``): a read-only one refuses."""
    return ctx.find_root().obj.catalog(create, write)


def resolve_format(fmt: str | None) -> str:
    if fmt:
        return fmt
    return "table" if sys.stdout.isatty() else "tsv"


def format_option(choices: tuple[str, ...] = FORMATS) -> Callable:
    return click.option(
        "-f", "--format", "fmt", type=click.Choice(choices, case_sensitive=False),
        help="Output format [default: table on a terminal, tsv when piped]")


def emit(records: Iterable[Any], fmt: str, *, columns: tuple[str, ...] = (),
         view: Callable[[list[Any]], Any] | None = None,
         obj: Callable[[], dict[str, Any]] | None = None,
         empty: str | None = "No results.") -> int:
    """The one output dispatch: ``view(rows)`` (rich) on a terminal, else the export
    writers on standard output. ``obj``: the command shows one record (a paper, an
    author, the stats) whose rows are ``records``; json and jsonl write the object.
    ``empty`` is said on stderr instead of an empty table (None: the caller says)."""
    if fmt == "table":
        from catalog.render import console

        rows = list(records)
        if not rows and obj is None:
            if empty:
                click.echo(empty, err=True)
            return 0
        console().print(view(rows) if view else rows)
        return len(rows)
    from catalog.export import open_output, write_object, write_records

    with open_output(None) as out:
        if obj is not None and fmt in ("json", "jsonl"):
            return write_object(obj(), fmt, out)
        return write_records(records, fmt, out, columns=columns)


def parse_as_of(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


def check_encoding(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    import codecs

    try:
        codecs.lookup(value)
    except LookupError:
        raise click.BadParameter(f"unknown encoding {value!r}") from None
    return value


# -- load ----------------------------------------------------------------------

@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--as-of", callback=parse_as_of, metavar="YYYY-MM-DD",
              help="The day the pages were captured; year-less dates resolve against it "
                   "[default: today]")
@click.option("--profile", metavar="NAME", help="Name the profile of a page that has none")
@click.option("--strict", is_flag=True, help="A page with warnings fails and is not loaded")
@click.option("--encoding", callback=check_encoding, metavar="NAME",
              help="Read pages in this encoding (e.g. latin-1) [default: utf-8]")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors")
@click.pass_context
def load(ctx: click.Context, paths: tuple[str, ...], as_of: dt.date, profile: str | None,
         strict: bool, encoding: str | None, quiet: bool) -> None:
    """Load page files, or every *.txt below a directory, into the catalog.

    \b
    catalog load data/
    catalog load page.txt --as-of 2026-11-22 --profile "Kaiming He"
    pbpaste | catalog load - --profile "Y. K. Li"
    """
    from catalog.api import check_profile_option, page_files
    from catalog.models import LoadReport

    if profile:
        check_profile_option(paths, profile, as_of=as_of, encoding=encoding)
    found = page_files(paths)
    if "-" not in paths and all(error for _, _, error in found):
        # nothing to load: fail before a new, empty catalog is left behind
        for name, _, error in found:
            click.echo(f"Error: {name}: {error}", err=True)
        ctx.exit(1)
    cat = _catalog(ctx, create=True)
    total = len(found)
    progress = _Progress([(name, path) for name, path, _ in found if path is not None],
                         enabled=not quiet and sys.stderr.isatty())
    reports: list[LoadReport] = []

    def on_file(r: LoadReport) -> None:
        from catalog.api import report_lines

        reports.append(r)
        warned, error = report_lines(r)
        for line in warned:
            progress.echo(line)
        if error:
            progress.echo(f"Error: {error}")
        elif not quiet and total <= 20:
            of = f" of {r.declared}" if r.declared and r.declared > r.entries else ""
            progress.echo(f"{r.source}: {r.profile}: {r.entries}{of} papers "
                          f"({r.new} new, {r.merged} merged, {r.unchanged} unchanged)")
        progress.file_done(r.source)

    index_bar = cat.on_index

    def on_index(done: int, total: int) -> None:
        progress.stop()  # the pages are in: the search index's own bar takes over
        if index_bar is not None and not quiet:
            index_bar(done, total)

    cat.on_index = on_index
    try:
        cat.load(paths, as_of=as_of, profile=profile, strict=strict, encoding=encoding,
                 read_stdin=lambda: sys.stdin.buffer.read(), on_file=on_file,
                 on_bytes=progress.within)
    except KeyboardInterrupt:
        progress.stop()
        kept = sum(1 for r in reports if r.ok)
        # the file being loaded may have committed just before Ctrl-C, unreported
        if len(reports) < total:
            _, current, _ = found[len(reports)]
            kept += current is not None and cat.holds_page(current, as_of)
        click.echo(f"Interrupted: {kept} of {total} file{'s' * (total != 1)} loaded and "
                   "kept, the one being loaded rolled back; run the same command again to "
                   "finish (what is loaded already is recognised and skipped)", err=True)
        ctx.exit(130)
    finally:
        progress.stop()
        cat.on_index = index_bar
    ok = [r for r in reports if r.ok]
    failed = len(reports) - len(ok)
    if not quiet:
        click.echo(
            f"Loaded {len(ok)} of {len(reports)} file(s): "
            f"{sum(r.new for r in ok)} new, {sum(r.merged for r in ok)} merged, "
            f"{sum(r.unchanged for r in ok)} unchanged papers; "
            f"{sum(len(r.warnings) for r in reports)} warning(s)"
            + (f"; {failed} failed" if failed else ""), err=True)
    if failed:
        ctx.exit(1)


class _Progress:
    """Loading progress by bytes on stderr, for a person at a terminal: shown once a
    load has many files or a large one (a 10 MB page takes seconds), else nothing."""

    MIN_FILES, MIN_BYTES = 20, 2_000_000

    def __init__(self, files: list[tuple[str, Path]], enabled: bool) -> None:
        self.bar: Any = None
        self.sizes = {name: _size(path) for name, path in files}
        self.done = 0  # bytes of the files finished
        total = sum(self.sizes.values())
        if enabled and (len(files) > self.MIN_FILES or total >= self.MIN_BYTES):
            from rich.progress import (
                BarColumn,
                DownloadColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
                TransferSpeedColumn,
            )

            from catalog.render import console

            self.bar = Progress(TextColumn("loading"), BarColumn(), DownloadColumn(),
                                TransferSpeedColumn(), TimeRemainingColumn(),
                                console=console(stderr=True), transient=True)
            self.task = self.bar.add_task("loading", total=total)
            self.bar.start()

    def within(self, written: int) -> None:
        """``written`` bytes of the file being loaded are in."""
        if self.bar is not None:
            self.bar.update(self.task, completed=self.done + written)

    def file_done(self, source: str) -> None:
        self.done += self.sizes.get(source, 0)
        if self.bar is not None:
            self.bar.update(self.task, completed=self.done)

    def echo(self, line: str) -> None:
        """A line on stderr above the bar (rich keeps the bar at the bottom)."""
        if self.bar is not None:
            self.bar.console.print(line, markup=False, highlight=False, soft_wrap=True)
        else:
            click.echo(line, err=True)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


class _IndexProgress:
    """A progress bar on stderr while the search index is built or catches up on many
    papers (after a large load, or when it was deleted): only at a terminal, only for
    work that takes a while."""

    MIN_PAPERS = 20_000

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None and self.enabled and total >= self.MIN_PAPERS and done < total:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            from catalog.render import console

            self.bar = Progress(TextColumn("indexing for search"), BarColumn(),
                                MofNCompleteColumn(), console=console(stderr=True),
                                transient=True)
            self.task = self.bar.add_task("indexing", total=total)
            self.bar.start()
        if self.bar is not None:
            self.bar.update(self.task, completed=done, total=total)
            if done >= total:
                self.stop()

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


# -- reading ------------------------------------------------------------------

def filter_options(f: Callable) -> Callable:
    """FILTERS, the same on list, search and export."""
    options = [
        click.option("--author", "authors", multiple=True, metavar="NAME",
                     shell_complete=complete_author,
                     help="By this person: a visible author or the profile's owner "
                          "(repeatable: any of them)"),
        click.option("--topic", "topics", multiple=True, metavar="CODE|NAME",
                     shell_complete=complete_topic,
                     help="In this topic, e.g. CV or 'computer vision' (repeatable)"),
        click.option("--since", metavar="DATE", help="On or after YYYY, YYYY-MM or YYYY-MM-DD"),
        click.option("--until", metavar="DATE", help="On or before YYYY, YYYY-MM or YYYY-MM-DD"),
        click.option("--year", metavar="YYYY[..YYYY]", help="In this year or range of years"),
        click.option("--code", is_flag=True, default=None, help="Only papers with code"),
        click.option("--profile", "profiles", multiple=True, metavar="NAME",
                     shell_complete=complete_profile,
                     help="Listed on this profile's page (repeatable)"),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def make_filters(kw: dict[str, Any]) -> Any:
    """Pop the FILTERS options out of a command's keyword arguments."""
    from catalog.api import filters_from

    return filters_from(author=kw.pop("authors"), topic=kw.pop("topics"),
                        since=kw.pop("since"), until=kw.pop("until"), year=kw.pop("year"),
                        code=kw.pop("code"), profile=kw.pop("profiles"))


SORT_CHOICES = ("date", "title", "score")


@cli.command(name="list")
@filter_options
@click.option("--sort", type=click.Choice(SORT_CHOICES), default="date", show_default=True,
              help="date: newest first; title: A-Z; score: highest first")
@click.option("--limit", type=click.IntRange(min=0), default=50, show_default=True,
              help="At most this many papers (0: all)")
@format_option()
@click.pass_context
def list_(ctx: click.Context, sort: str, limit: int, fmt: str | None, **kw: Any) -> None:
    """List papers, newest first.

    \b
    catalog list --author "Y. K. Li" --since 2024 --code
    catalog list --topic "computer vision" --format json
    """
    from catalog.models import PAPER_KEYS

    cat = _catalog(ctx)
    filters = make_filters(kw)
    selected = cat.select("", filters, sort=sort, limit=limit or None)
    _notes(selected.notes)
    shown = _emit_papers(selected.papers, resolve_format(fmt), PAPER_KEYS)
    _after_page(cat, shown, limit, resolve_format(fmt), "", filters)


def _emit_papers(papers: Iterable[Any], fmt: str, columns: tuple[str, ...],
                 snippets: Callable[[], dict[str, str]] | None = None,
                 terms: tuple[str, ...] = ()) -> int:
    """``snippets`` is called only for the table (JSON and CSV show no snippet)."""
    def view(rows: list[Any]) -> Any:
        from catalog.render import console, papers_table

        return papers_table(rows, snippets() if snippets else None, terms,
                            width=console().width)

    return emit(papers, fmt, columns=columns, view=view, empty=None)


def _after_page(cat: Any, shown: int, limit: int, fmt: str, query: str, filters: Any) -> None:
    """What a person at a terminal wants told after a page of papers (on stderr):
    how many more there are, or how to fill an empty catalog."""
    if not shown:
        if cat.is_empty():
            click.echo(f"The catalog is empty: load pages with `catalog load PATH` "
                       f"({cat.path})", err=True)
        elif not query:
            click.echo("No papers match.", err=True)
        return
    if fmt == "table" and limit and shown >= limit:
        total = cat.count(query, filters)
        if total > shown:
            click.echo(f"{shown:,} of {total:,}; `--limit` for more (`--limit 0`: all)",
                       err=True)


def _notes(notes: Iterable[str]) -> None:
    for note in notes:
        click.echo(note, err=True)


@cli.command(cls=QueryCommand)
@click.argument("words", metavar="QUERY...", nargs=-1, required=True)
@filter_options
@click.option("--all", "all_words", is_flag=True,
              help="Every word must match (the strict reading, for scripts)")
@click.option("--sort", type=click.Choice(("relevance", *SORT_CHOICES)), default="relevance",
              show_default=True, help="relevance: best match first")
@click.option("--limit", type=click.IntRange(min=0), default=20, show_default=True,
              help="At most this many papers (0: all)")
@click.option("--sql", "show_sql", is_flag=True,
              help="Print the SQL and parameters; search nothing")
@format_option()
@click.pass_context
def search(ctx: click.Context, words: tuple[str, ...], all_words: bool, sort: str,
           limit: int, show_sql: bool, fmt: str | None, **kw: Any) -> None:
    """Search titles, authors and abstracts; best match first.

    QUERY is the words, quoted or not: type a few words or paste a title, a
    claim or a paragraph. A paper need not hold every word; the more of them
    (and the rarer) it holds, the higher it ranks. Common English words (the,
    of, does...) are ignored unless quoted. A -word is excluded as typed
    (unless it is one of the options below); after `--`, everything is text.

    \b
    "exact phrase"   required, in this order     +word     required
    -word            excluded                    a OR b    either
    prefix*          words starting so           --all     every word required
    title: abstract: (one column)   author: topic: year: since: until: code: profile:
    catalog search does scaling the number of experts improve quality
    catalog search '"mixture of experts"' +routing -survey year:2024
    catalog search title:attention abstract:"machine translation"
    catalog search 'reinforcement learning author:"Daya Guo"'
    """
    from catalog.models import HIT_KEYS

    query = query_text(words)
    filters = make_filters(kw)
    cat = _catalog(ctx)
    if show_sql:
        plan = cat.plan(query, filters, sort=sort, limit=limit or None, all_words=all_words,
                        search=True)
        click.echo(plan.sql.strip())
        click.echo(repr(plan.params))
        return
    result = cat.search(query, filters=filters, sort=sort, limit=limit or None,
                        all_words=all_words)
    _notes(result.notes)
    if not result.papers and not cat.is_empty():
        hint = (f"; did you mean: {', '.join(result.suggestions)}?"
                if result.suggestions else "")
        click.echo(f"No papers match {query!r}{hint}", err=True)
    shown = _emit_papers(result.papers, resolve_format(fmt), HIT_KEYS,
                         lambda: result.snippets, result.terms)
    _after_page(cat, shown, limit, resolve_format(fmt), query, filters)


@cli.command()
@click.argument("paper_id")
@filter_options
@click.option("--limit", type=click.IntRange(min=0), default=10, show_default=True,
              help="At most this many papers (0: all)")
@format_option()
@click.pass_context
def related(ctx: click.Context, paper_id: str, limit: int, fmt: str | None,
            **kw: Any) -> None:
    """List the papers most like one paper (by its title, abstract and authors).

    \b
    catalog related 1e8d1c8
    catalog related 1e8d1c8 --since 2024 --limit 5 -f json
    """
    from catalog.models import HIT_KEYS

    result = _catalog(ctx).related(paper_id, filters=make_filters(kw), limit=limit or None)
    _notes(result.notes)
    if not result.papers:
        click.echo("No related papers.", err=True)
    _emit_papers(result.papers, resolve_format(fmt), HIT_KEYS, lambda: result.snippets,
                 result.terms)




@cli.command()
@click.argument("paper_id")
@format_option()
@click.pass_context
def show(ctx: click.Context, paper_id: str, fmt: str | None) -> None:
    """Show one paper whole: every author, affiliations, profiles, the abstract.

    PAPER_ID is a paper's cite key (as `export -f bibtex` writes it) or its id, which
    may be shortened to its first characters.

    \b
    catalog show he2015deep
    catalog show 1e8d1c8
    """
    from catalog.models import PAPER_KEYS

    paper = _catalog(ctx).paper(paper_id)

    def view(rows: list[Any]) -> Any:
        from catalog.render import paper_panel

        return paper_panel(paper)

    emit([paper], resolve_format(fmt), columns=PAPER_KEYS, view=view, obj=paper.to_json)


@cli.command()
@click.option("--sort", type=click.Choice(
    ["name", "topic", "h-index", "papers", "citations", "novelty", "ai-score", "listed",
     "loaded"]),
    default="name", show_default=True, help="Order of the profiles (figures: highest first)")
@click.option("--topic", "topics", multiple=True, metavar="CODE|NAME",
              shell_complete=complete_topic,
              help="Only profiles of this topic (repeatable)")
@click.option("--limit", type=click.IntRange(min=0), default=0, show_default=True,
              help="At most this many profiles (0: all)")
@format_option()
@click.pass_context
def authors(ctx: click.Context, sort: str, topics: tuple[str, ...], limit: int,
            fmt: str | None) -> None:
    """List the author profiles with their figures.

    Unnamed pages are listed by their file name.

    \b
    catalog authors --sort citations --topic CV
    """
    from catalog.models import PROFILE_KEYS

    codes = [_topic_code(t) for t in topics]
    rows = _first(_catalog(ctx).profiles(topics=codes, sort=sort), limit)

    def view(rows: list[Any]) -> Any:
        from catalog.render import profiles_table

        return profiles_table(rows)

    emit(rows, resolve_format(fmt), columns=PROFILE_KEYS, view=view)


def _topic_code(text: str) -> str:
    from catalog.topics import resolve_topic

    code = resolve_topic(text)
    if code is None:
        raise click.BadParameter(f"unknown topic {text!r} (see `catalog topics`)",
                                 param_hint="--topic")
    return code


@cli.command()
@click.pass_context
def path(ctx: click.Context) -> None:
    """Print the catalog file's path."""
    click.echo(str(db_path(ctx)))


# -- export -------------------------------------------------------------------

@cli.command(cls=QueryCommand)
@click.argument("words", metavar="[QUERY]...", nargs=-1)
@filter_options
@click.option("--sort", type=click.Choice(("relevance", *SORT_CHOICES)),
              help="[default: relevance with a QUERY, else date: newest first]")
@click.option("--limit", type=click.IntRange(min=0), default=0, show_default=True,
              help="At most this many papers (0: all)")
@click.option("-f", "--format", "fmt", type=click.Choice(PAPER_FORMATS, case_sensitive=False),
              default="csv", show_default=True, help="Output format (csv even on a terminal)")
@click.option("-o", "--output", metavar="FILE",
              type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              help="Write to FILE, atomically [default: standard output]")
@click.option("--force", is_flag=True, help="Replace FILE if it exists")
@click.option("--escape-formulas/--no-escape-formulas", default=True, show_default=True,
              help="csv/tsv: prefix cells starting with = + - @ tab CR with ' so that "
                   "spreadsheets show them as text")
@click.option("--excel", is_flag=True,
              help="csv/tsv: start with a UTF-8 byte-order mark so Excel shows accents, "
                   'and write text that looks like a number (ids) as ="..." so it stays text')
@click.option("--unicode", "unicode_", is_flag=True,
              help="bibtex: write letters as UTF-8 (for biber) rather than LaTeX commands "
                   "(for bibtex)")
@click.option("--all", "all_words", is_flag=True,
              help="Every word of QUERY must match (as search --all)")
@click.pass_context
def export(ctx: click.Context, words: tuple[str, ...], sort: str | None, limit: int, fmt: str,
           output: Path | None, force: bool, escape_formulas: bool, excel: bool,
           unicode_: bool, all_words: bool, **kw: Any) -> None:
    """Write out what `search QUERY` (or `list`, without one) selects: every paper.

    \b
    catalog export -o papers.csv --excel
    catalog export "mixture of experts" --since 2024 -f bibtex -o moe.bib
    catalog export --author "Kaiming He" -f jsonl | jq -r .title
    """
    from catalog.export import export_papers, open_output

    query = query_text(words)
    if excel and fmt not in ("csv", "tsv"):
        raise click.UsageError("--excel applies to csv and tsv only")
    if unicode_ and fmt != "bibtex":
        raise click.UsageError("--unicode applies to bibtex only")
    selected = _catalog(ctx).select(query, make_filters(kw), sort=sort, limit=limit or None,
                                    all_words=all_words)
    _notes(selected.notes)
    papers = selected.papers
    to_file = output is not None and str(output) != "-"
    progress = _ExportProgress(to_file and sys.stderr.isatty())
    try:
        with open_output(output, force=force) as out:
            n = export_papers(progress.wrap(papers), fmt, out,
                              escape_formulas=escape_formulas, excel=excel, unicode=unicode_)
    finally:
        progress.stop()
    if to_file:
        click.echo(f"Exported {n} paper{'' if n == 1 else 's'} to {output}", err=True)
    elif not n:
        click.echo("No papers match.", err=True)


class _ExportProgress:
    """A rich progress line on stderr once an export to a file passes a few thousand
    papers (the count is not known in advance); nothing for small exports."""

    START, EVERY = 5000, 1000

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar: Any = None

    def wrap(self, papers: Iterable[Any]) -> Iterable[Any]:
        if not self.enabled:
            return papers

        def counted() -> Iterable[Any]:
            for i, p in enumerate(papers, 1):
                if not i % self.EVERY and i >= self.START:
                    self._update(i)
                yield p

        return counted()

    def _update(self, done: int) -> None:
        if self.bar is None:
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            from catalog.render import console

            self.bar = Progress(TextColumn("exporting"), BarColumn(),
                                TextColumn("{task.completed:,} papers"), TimeElapsedColumn(),
                                console=console(stderr=True), transient=True)
            self.task = self.bar.add_task("export", total=None)
            self.bar.start()
        self.bar.update(self.task, completed=done)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()


# -- browsing (#4) --------------------------------------------------------------

@cli.command()
@click.argument("name", shell_complete=complete_author)
@format_option()
@click.pass_context
def author(ctx: click.Context, name: str, fmt: str | None) -> None:
    """Show one author: profile, papers, co-authors, topics, years.

    NAME is matched forgivingly: case, accents, initials (`yk li`), a first or
    last name alone (`kaiming`), a typo. json and jsonl give the whole page as
    one object; csv and tsv give the author's papers.

    \b
    catalog author "Y. K. Li"
    catalog author kaiming --format json | jq '.coauthors[:3]'
    """
    from catalog.models import PAPER_KEYS

    if not name.strip():
        raise click.BadParameter("give an author's name", param_hint="NAME")
    page = _catalog(ctx).author(name)
    _notes(page.notes)

    def view(rows: list[Any]) -> Any:
        from catalog.render import author_view

        return author_view(page)

    emit(page.papers, resolve_format(fmt), columns=PAPER_KEYS, view=view, obj=page.to_json)


def _first(rows: Iterable[Any], limit: int) -> Iterable[Any]:
    """The first ``limit`` rows (0: all)."""
    import itertools

    return itertools.islice(rows, limit) if limit else rows


@cli.command()
@click.option("--limit", type=click.IntRange(min=0), default=0, show_default=True,
              help="At most this many topics, most papers first (0: all)")
@format_option()
@click.pass_context
def topics(ctx: click.Context, limit: int, fmt: str | None) -> None:
    """List the topics: code, name, papers, first and last date.

    \b
    catalog topics
    catalog topics --format json | jq -r '.[].code'
    """
    from catalog.api import TOPIC_KEYS

    def view(rows: list[Any]) -> Any:
        from catalog.render import topics_table

        return topics_table(rows)

    emit(_first(_catalog(ctx).topics(), limit), resolve_format(fmt), columns=TOPIC_KEYS,
         view=view)


@cli.command()
@format_option()
@click.pass_context
def stats(ctx: click.Context, fmt: str | None) -> None:
    """Summarise: counts, papers per year, top topics and authors.

    json and jsonl give one object; csv and tsv give section, key, value rows.

    \b
    catalog stats
    catalog stats --format json | jq .years
    """
    from catalog.api import STAT_KEYS

    summary = _catalog(ctx).stats()

    def view(rows: list[Any]) -> Any:
        from catalog.render import stats_view

        return stats_view(summary)

    emit(summary.rows(), resolve_format(fmt), columns=STAT_KEYS, view=view,
         obj=summary.to_json)


# -- taking back (#16) -------------------------------------------------------------

@cli.command()
@click.argument("target", metavar="FILE|PROFILE", shell_complete=complete_profile)
@click.option("-n", "--dry-run", is_flag=True, help="Say what would go; change nothing")
@click.pass_context
def unload(ctx: click.Context, target: str, dry_run: bool) -> None:
    """Take back a load: the pages loaded from FILE, or a PROFILE.

    Removes the profile and its listings, and the papers no other page lists;
    papers that other pages list stay, as those pages give them. One transaction.

    \b
    catalog unload data/000_281d56d23437e343.txt --dry-run
    catalog unload "Kaiming He"
    """
    removed = _catalog(ctx, write=True).unload(target, dry_run=dry_run)
    verb = "Would remove" if dry_run else "Removed"
    plural = "s" * (len(removed.profiles) != 1)
    gone, kept = removed.papers_deleted, removed.papers_kept
    click.echo(
        f"{verb} profile{plural} {', '.join(repr(p) for p in removed.profiles)} "
        f"(from {', '.join(removed.sources)}): {gone} paper{'s' * (gone != 1)} that no "
        f"other page lists; {kept} listed elsewhere stay, as those pages give them",
        err=True)


@cli.command()
@click.pass_context
def reindex(ctx: click.Context) -> None:
    """Rebuild the search index from the catalog.

    Search ranks with an index kept beside the catalog file (CATALOG-search/).
    It is derived from the catalog and every command keeps it current, catching
    up or rebuilding it by itself when it is behind, missing or damaged; reindex
    rebuilds it on demand.
    """
    import time

    started = time.perf_counter()
    done = _catalog(ctx).reindex()
    click.echo(f"Indexed {done.papers:,} paper{'s' * (done.papers != 1)} for search in "
               f"{time.perf_counter() - started:.1f} s", err=True)


@cli.command(name="rename-profile")
@click.argument("old", metavar="OLD", shell_complete=complete_profile)
@click.argument("new", metavar="NEW")
@click.pass_context
def rename_profile(ctx: click.Context, old: str, new: str) -> None:
    """Rename a profile: give an unnamed page's profile its owner's name.

    OLD is the profile's name (an unnamed page's is its file name) or the file it
    was loaded from. The profile then belongs to NEW, as if its page had said so:
    `--author NEW` finds its papers.

    \b
    catalog rename-profile 000_281d56d23437e343 "Y. K. Li"
    """
    was, now = _catalog(ctx, write=True).rename_profile(old, new)
    click.echo(f"Renamed profile {was!r} to {now!r}", err=True)


@cli.command()
@click.option("--port", type=click.IntRange(1, 65535), default=8001, show_default=True,
              help="Port to listen on")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but loopback lets the network read the catalog")
@click.option("--open", "open_browser", is_flag=True, help="Open the home page in a browser")
@click.option("--immutable", is_flag=True,
              help="Promise the file will not change while served (faster; a team server)")
@click.pass_context
def serve(ctx: click.Context, port: int, host: str, open_browser: bool,
          immutable: bool) -> None:
    """Browse the catalog in a web browser (Datasette), read-only.

    Search ranked as `catalog search` ranks, author, topic and paper pages, and
    the papers faceted by author, topic, year and code. Listens on 127.0.0.1
    unless --host says otherwise. Needs the web extra: pip install 'catalog[web]'.

    \b
    catalog serve --open
    catalog serve --port 8080
    """
    from catalog import web

    web.require_datasette()
    _catalog(ctx).close()  # refuses a missing or foreign file; migrates an older one
    if not web.is_loopback(host):
        click.echo(f"Warning: serving on {host}: anyone who can reach this machine on "
                   f"port {port} can read the catalog.", err=True)
    ds = web.make_datasette(db_path(ctx), immutable=immutable)
    web.check_port(host, port)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/"
    click.echo(f"Serving {db_path(ctx)} read-only at {url} (Ctrl-C stops)", err=True)
    if open_browser:
        import webbrowser

        webbrowser.open(url)
    web.run(ds, host=host, port=port)
