"""Rich output for terminals. Only ``cli.py`` imports this module.

Everything here takes records and a ``Console``; nothing queries the catalog.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from catalog.models import Paper, ProfileSummary
from catalog.topics import topic_name


def console(stderr: bool = False) -> Console:
    # rich honours NO_COLOR itself; soft_wrap off so tables fit the terminal width
    return Console(stderr=stderr, highlight=False)


def short_authors(p: Paper, limit: int = 2) -> str:
    names = list(p.authors[:limit])
    more = len(p.authors) > limit or p.authors_truncated
    return ", ".join(names) + (" et al." if more else "")


def highlight(text: str, terms: Sequence[str]) -> Text:
    """The text with every word that starts with a matched term in bold."""
    out = Text(text)
    if terms:
        import re

        pattern = "|".join(re.escape(t) for t in sorted(set(terms), key=len, reverse=True) if t)
        if pattern:
            out.highlight_regex(rf"(?i)\b(?:{pattern})\w*", style="bold yellow")
    return out


def papers_table(papers: Iterable[Paper], snippets: dict[str, str] | None = None,
                 terms: Sequence[str] = ()) -> Table:
    from rich import box

    table = Table(box=box.SIMPLE_HEAD, show_lines=bool(snippets), pad_edge=False,
                  padding=(0, 1), collapse_padding=True, show_edge=False)
    table.add_column("ID", style="dim", no_wrap=True)
    table.add_column("Title", ratio=3, min_width=16, overflow="fold")
    table.add_column("Authors", ratio=2, min_width=10, overflow="fold")
    table.add_column("Date", no_wrap=True)
    table.add_column("Topic", no_wrap=True)
    table.add_column("Code", justify="center", no_wrap=True)
    table.add_column("Score", justify="right", no_wrap=True)
    for p in papers:
        title = highlight(p.title, terms)
        title.stylize("bold")
        cell: Text | Group = title
        snippet = (snippets or {}).get(p.id)
        if snippet:
            snip = highlight(snippet, terms)
            snip.stylize("dim")
            cell = Group(title, snip)
        table.add_row(
            p.id[:7], cell, short_authors(p), p.date or "", p.topic or "",
            "✓" if p.has_code else "", f"{p.score:g}" if p.score is not None else "",
        )
    return table


def paper_panel(p: Paper) -> Panel:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    authors = ", ".join(p.authors) + (" et al." if p.authors_truncated else "")
    grid.add_row("ID", p.id)
    grid.add_row("Authors", authors)
    if p.affiliations:
        grid.add_row("Affiliations", ", ".join(p.affiliations))
    grid.add_row("Date", p.date or "unknown")
    if p.topic:
        grid.add_row("Topic", f"{p.topic} ({topic_name(p.topic) or 'unknown code'})")
    grid.add_row("Code", "yes" if p.has_code else "no")
    if p.score is not None:
        grid.add_row("Score", f"{p.score:g}")
    grid.add_row("Profiles", ", ".join(p.profiles))
    body = Group(grid, Text(""), Text(p.abstract or "(no abstract)"))
    return Panel(body, title=Text(p.title, style="bold"), title_align="left")


PROFILE_COLUMNS = (("Name", "name"), ("Topic", "topic"), ("h-index", "h_index"),
                   ("Papers", "papers"), ("Citations", "citations"),
                   ("Novelty", "novelty"), ("AI score", "ai_score"), ("Listed", "listed"))


def profiles_table(profiles: Iterable[ProfileSummary]) -> Table:
    table = Table(pad_edge=False)
    for label, key in PROFILE_COLUMNS:
        table.add_column(label, justify="left" if key in ("name", "topic") else "right")
    for pr in profiles:
        d = pr.to_json()
        table.add_row(*(_fmt(d[key], key) for _, key in PROFILE_COLUMNS))
    return table


def _fmt(value: object, key: str) -> str:
    if value is None:
        return "–"
    if key == "citations" and isinstance(value, int):
        return f"{value:,}"
    if key == "novelty":
        return f"{value:g}%"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
