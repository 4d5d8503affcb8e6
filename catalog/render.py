"""Rich output for terminals. Only ``cli.py`` imports this module.

Everything here takes records and a ``Console``; nothing queries the catalog.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from catalog.models import Paper, ProfileSummary
from catalog.topics import topic_name

if TYPE_CHECKING:
    from catalog.browse import AuthorPage, Stats, TopicSummary


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


# Widths at which the papers table changes shape (#16). A paper is one line at 120
# columns and more (title and authors side by side), two below (title above its
# authors), and search adds one line for the snippet; every cell is cut with "…"
# rather than wrapped. The columns worth least go first as the terminal narrows.
WIDE = 120
SCORE_FROM = 100  # the site's score: shown by few pages
TOPIC_FROM = 64  # topic and code
DATE_FROM = 48


def _line(text: Text | str, style: str = "") -> Text:
    line = text if isinstance(text, Text) else Text(text, style=style)
    line.no_wrap = True
    line.overflow = "ellipsis"
    return line


def papers_table(papers: Iterable[Paper], snippets: dict[str, str] | None = None,
                 terms: Sequence[str] = (), width: int = 80) -> Table:
    """Papers as a table that fits ``width`` columns: one line a paper when wide,
    title over authors when narrow, and the snippet of a search below."""
    from rich import box

    wide = width >= WIDE
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1),
                  collapse_padding=True, show_edge=False)
    fixed = [("ID", "id", 7)]
    if width >= DATE_FROM:
        fixed.append(("Date", "date", 10))
    if wide:
        fixed += [("Topic", "topic", 5), ("Code", "code", 4)]
    elif width >= TOPIC_FROM:
        fixed.append(("Topic", "topic+code", 5))  # "CV ✓": the code mark joins the topic
    if width >= SCORE_FROM:
        fixed.append(("Score", "score", 5))
    # the text columns get what the others leave (2 spaces between columns): a
    # no-wrap column would otherwise claim its longest title and push the rest off
    flexible = 2 if wide else 1
    room = max(10, width - sum(w for *_, w in fixed) - 2 * (len(fixed) + flexible - 1))
    table.add_column("ID", style="dim", no_wrap=True, width=7)
    if wide:
        table.add_column("Title", no_wrap=True, overflow="ellipsis", width=room * 3 // 5)
        table.add_column("Authors", no_wrap=True, overflow="ellipsis",
                         width=room - room * 3 // 5)
    else:
        table.add_column("Title / authors", no_wrap=True, overflow="ellipsis", width=room)
    for label, key, w in fixed[1:]:
        table.add_column(label, no_wrap=True, width=w,
                         justify="right" if key == "score" else
                         "center" if key == "code" else "left")
    extra = [key for _, key, _ in fixed[1:]]
    for p in papers:
        title = highlight(p.title, terms)
        title.stylize("bold")
        lines = [_line(title)]
        authors = _line(short_authors(p, 3 if wide else 2), "dim" if not wide else "")
        if not wide:
            lines.append(authors)
        snippet = (snippets or {}).get(p.id)
        if snippet:
            snip = highlight(snippet, terms)
            snip.stylize("dim italic")
            lines.append(_line(snip))
        cells: list[Any] = [p.id[:7], Group(*lines) if len(lines) > 1 else lines[0]]
        if wide:
            cells.append(authors)
        values = {"date": p.date or "", "topic": p.topic or "",
                  "code": "✓" if p.has_code else "",
                  "topic+code": f"{p.topic or '':2} ✓" if p.has_code else p.topic or "",
                  "score": f"{p.score:g}" if p.score is not None else ""}
        cells += [values[k] for k in extra]
        table.add_row(*cells)
    return table


def paper_panel(p: Paper) -> Panel:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    authors = ", ".join(p.authors) + (" et al." if p.authors_truncated else "")
    grid.add_row("ID", p.id)
    if p.key:
        grid.add_row("Cite key", p.key)
    grid.add_row("Authors", authors)
    if p.affiliations:
        grid.add_row("Affiliations", ", ".join(p.affiliations))
    grid.add_row("Date", p.date or "unknown")
    if p.topic:
        codes = p.topics or (p.topic,)
        grid.add_row("Topics" if len(codes) > 1 else "Topic", ", ".join(
            f"{c} ({topic_name(c) or 'unknown code'})" for c in codes))
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
    from rich import box

    # one space between columns: eight columns and an unnamed page's 20-character
    # file name fit 80 columns; a long name folds, a figure never does
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, padding=0, show_edge=False)
    for label, key in PROFILE_COLUMNS:
        if key == "name":
            table.add_column(label, overflow="fold", min_width=10)
        else:
            table.add_column(label, justify="left" if key == "topic" else "right",
                             no_wrap=True)
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


# -- browsing: author pages, topics, statistics (#4) ---------------------------

_EIGHTHS = " ▏▎▍▌▋▊▉"


def _bar(n: int, most: int, width: int) -> str:
    cells = n / most * width if most else 0
    full, part = int(cells), int((cells - int(cells)) * 8)
    return "█" * full + (_EIGHTHS[part] if part else ("▏" if n and not full else ""))


class YearChart:
    """Papers per year as horizontal bars that fit the console's width; the years
    between the first and the last are all shown, so gaps show."""

    def __init__(self, years: Sequence[tuple[int | None, int]], max_bar: int = 50) -> None:
        dated = {y: n for y, n in years if y is not None}
        self.undated = sum(n for y, n in years if y is None)
        if dated and max(dated) - min(dated) <= 60:
            dated = {y: dated.get(y, 0) for y in range(min(dated), max(dated) + 1)}
        self.years = sorted(dated.items())
        self.max_bar = max_bar

    def __rich_console__(self, console: Console, options: Any) -> Any:
        if not self.years:
            yield Text("No dated papers.", style="dim")
        else:
            most = max(n for _, n in self.years)
            digits = len(str(most))
            width = max(5, min(self.max_bar, options.max_width - 4 - digits - 2))
            grid = Table.grid(padding=(0, 1))
            grid.add_column(style="bold", no_wrap=True)
            grid.add_column(no_wrap=True, style="cyan")
            grid.add_column(justify="right", no_wrap=True)
            for year, n in self.years:
                grid.add_row(str(year), _bar(n, most, width), str(n) if n else "")
            yield grid
        if self.undated:
            yield Text(f"and {self.undated} undated", style="dim")


def _section(title: str) -> Any:
    from rich.rule import Rule

    return Rule(Text(title, style="bold"), align="left", style="dim")


def _change(key: str, first: object, now: object, as_of: str) -> str:
    """How a figure moved since the first capture (``as_of``): ``+10 since ...``."""
    if first is None or now is None or first == now:
        return ""
    if isinstance(first, (int, float)) and isinstance(now, (int, float)):
        delta = now - first
        shown = f"{delta:+,}" if isinstance(delta, int) else f"{delta:+g}"
        return f"{shown}{' points' if key == 'novelty' else ''} since {as_of}"
    return f"was {_fmt(first, key)} on {as_of}"


_CARD_FIGURES = (("Topic", "topic"), ("h-index", "h_index"), ("Papers", "papers"),
                 ("Citations", "citations"), ("Novelty", "novelty"), ("AI score", "ai_score"))


def profile_card(page: AuthorPage) -> Panel:
    """The figures of an author's profile, with their change since the first capture;
    every capture in a table when there are several."""
    pr: ProfileSummary | None = page.profile
    title = Text(page.name, style="bold")
    held = f"{len(page.papers)} in the catalog"
    if pr is None:
        return Panel(Text(f"No profile page of their own: this page is built from the "
                          f"{len(page.papers)} paper{'s' * (len(page.papers) != 1)} that "
                          "name them.", style="dim"), title=title, title_align="left")
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    history = page.history
    since = history[0] if len(history) > 1 else None
    if all(getattr(pr, key) is None for _, key in _CARD_FIGURES):
        grid.add_row("Papers", held)
        grid.add_row("Page", f"{pr.source} (no profile header)")
        return Panel(grid, title=title, title_align="left")
    for label, key in _CARD_FIGURES:
        value = getattr(pr, key)
        shown = Text(_fmt(value, key))
        if key == "topic" and value:
            shown.append(f" ({topic_name(value) or 'unknown code'})")
        if since and (change := _change(key, getattr(since, key), value, since.as_of)):
            shown.append(f" ({change})", style="dim")
        if key == "papers":
            shown.append(f" on the page, {held}")
        grid.add_row(label, shown)
    grid.add_row("Page", f"{pr.source}, captured {history[-1].as_of}" if history
                 else pr.source)
    parts: list[Any] = [grid]
    if len(history) > 1:
        captures = Table(box=None, pad_edge=False, padding=(0, 1), show_edge=False,
                         title="Captures", title_justify="left", title_style="bold")
        captures.add_column("As of", no_wrap=True)
        for label, _key in _CARD_FIGURES[1:]:
            captures.add_column(label, justify="right", no_wrap=True)
        for s in history:
            captures.add_row(s.as_of, *(_fmt(getattr(s, k), k) for _, k in _CARD_FIGURES[1:]))
        parts += [Text(""), captures]
    return Panel(Group(*parts), title=title, title_align="left")


def author_papers_table(papers: Iterable[Paper]) -> Table:
    """An author's papers: the title gets the room (the authors have their own list)."""
    from rich import box

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1),
                  collapse_padding=True, show_edge=False)
    table.add_column("Date", no_wrap=True)
    table.add_column("Title", ratio=1, overflow="fold")
    table.add_column("Topic", no_wrap=True)
    table.add_column("Code", justify="center", no_wrap=True)
    table.add_column("ID", style="dim", no_wrap=True)
    for p in papers:
        table.add_row(p.date or "", Text(p.title, style="bold"), p.topic or "",
                      "✓" if p.has_code else "", p.id[:7])
    return table


def _ranked(rows: Sequence[tuple[str, int]], label: str, count: str, limit: int,
            names: dict[str, str] | None = None) -> Table:
    table = Table(box=None, pad_edge=False, padding=(0, 1), show_edge=False)
    table.add_column(label, overflow="fold")
    if names is not None:
        table.add_column("Name", overflow="fold", style="dim")
    table.add_column(count, justify="right", no_wrap=True)
    for key, n in rows[:limit]:
        table.add_row(key, *((names.get(key) or "",) if names is not None else ()), str(n))
    if len(rows) > limit:
        table.add_row(Text(f"and {len(rows) - limit} more", style="dim"),
                      *(("",) if names is not None else ()), "")
    return table


def _side_by_side(left: Any, right: Any) -> Table:
    grid = Table.grid(padding=(0, 4))
    grid.add_row(left, right)
    return grid


def author_view(page: AuthorPage, limit: int = 15, max_papers: int = 50) -> Group:
    """An author's page: card, papers newest first, co-authors, topics, years, and
    the other profiles that list the same papers. The terminal shows the newest
    ``max_papers`` papers (json has them all)."""
    topics = page.topics()
    parts: list[Any] = [profile_card(page)]
    parts += [_section(f"Papers ({len(page.papers)}), newest first"),
              author_papers_table(page.papers[:max_papers]) if page.papers
              else Text("No papers.", style="dim")]
    if len(page.papers) > max_papers:
        parts.append(Text(f"and {len(page.papers) - max_papers} older: catalog list "
                          f"--author \"{page.name}\" --limit 0", style="dim"))
    parts += [_section("Co-authors and topics"), _side_by_side(
        _ranked(page.coauthors, "Co-author", "Papers", limit) if page.coauthors
        else Text("No co-authors named.", style="dim"),
        _ranked(topics, "Topic", "Papers", limit,
                names={c: topic_name(c) or "" for c, _ in topics}) if topics
        else Text("No topics.", style="dim"))]
    parts += [_section("Papers per year"), YearChart(page.years())]
    others = page.other_profiles()
    if others:
        parts += [_section("Also listed on"),
                  _ranked(others, "Profile", "Papers", limit)]
    return Group(*parts)


def topics_table(rows: Iterable[TopicSummary]) -> Table:
    from rich import box

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1),
                  collapse_padding=True, show_edge=False)
    table.add_column("Code", style="bold", no_wrap=True)
    table.add_column("Name", overflow="fold")
    table.add_column("Papers", justify="right", no_wrap=True)
    table.add_column("First", no_wrap=True)
    table.add_column("Last", no_wrap=True)
    for t in rows:
        table.add_row(t.code, t.name or "", str(t.papers), t.first or "", t.last or "")
    return table


def stats_view(stats: Stats) -> Group:
    c = stats.counts
    grid = Table.grid(padding=(0, 2))
    for _ in range(4):
        grid.add_column(justify="right", style="bold", no_wrap=True)
        grid.add_column(no_wrap=True)
    grid.add_row(f"{c['papers']:,}", "papers", f"{c['profiles']:,}", "profiles",
                 f"{c['people']:,}", "people", f"{c['topics']:,}", "topics")
    grid.add_row(f"{c['with_code']:,}", "with code", f"{c['undated']:,}", "undated",
                 "", "", "", "")
    topics = [(t.code, t.papers) for t in stats.topics]
    return Group(
        grid,
        _section("Papers per year"), YearChart(stats.years),
        _section("Top topics and authors"), _side_by_side(
            _ranked(topics, "Topic", "Papers", len(topics),
                    names={t.code: t.name or "" for t in stats.topics}),
            _ranked(stats.authors, "Author", "Papers", len(stats.authors))),
    )
