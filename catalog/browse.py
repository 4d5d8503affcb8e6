"""Browsing: one author's page, the topics, the catalog's statistics (issue #4).

Each function reads the catalog through ``store`` and returns plain records; ``Catalog``
(api.py) calls them, and the CLI writes the records as JSON/CSV or hands them to
``render``. Nothing here imports ``api``: names are resolved before they get here. An
author's papers follow the FILTERS rule: the papers whose visible author list names the
person, plus those listed on the person's profile page (``et al.`` may hide the name there).
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from catalog import names
from catalog.models import Paper, ProfileSummary
from catalog.store import browse as queries
from catalog.store.read import Selection, run_selection, select_sql
from catalog.topics import topic_name

TOP = 10  # how many topics and authors `stats` ranks


@dataclass(frozen=True)
class Snapshot:
    """A profile's figures as one capture (``load --as-of``) showed them."""

    as_of: str
    source: str
    topic: str | None
    h_index: int | None
    papers: int | None
    citations: int | None
    novelty: float | None
    ai_score: float | None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class AuthorPage:
    name: str
    profile: ProfileSummary | None
    history: list[Snapshot]  # oldest capture first; empty without a profile header
    papers: list[Paper]  # newest first
    coauthors: list[tuple[str, int]]  # most shared papers first
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The contract's author object; ``history`` is our extra key."""
        return {
            "name": self.name,
            "profile": self.profile.to_json() if self.profile else None,
            "history": [s.to_json() for s in self.history],
            "papers": [p.to_json() for p in self.papers],
            "coauthors": [{"name": n, "papers": k} for n, k in self.coauthors],
        }

    def topics(self) -> list[tuple[str, int]]:
        """The topics of the author's papers (any of a paper's codes, as ``--topic``
        matches them), most papers first."""
        counts = Counter(t for p in self.papers for t in p.topics)
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))

    def years(self) -> list[tuple[int | None, int]]:
        """Papers per year, oldest first; ``None`` counts the undated ones."""
        counts = Counter(int(p.date[:4]) if p.date else None for p in self.papers)
        return sorted(counts.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))

    def other_profiles(self) -> list[tuple[str, int]]:
        """Other profiles whose pages list these papers, most shared first."""
        own = self.profile.name if self.profile else None
        counts = Counter(pr for p in self.papers for pr in p.profiles if pr != own)
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].casefold()))


def author_page(conn: sqlite3.Connection, shown: str, person_ids: Sequence[int],
                profile_ids: Sequence[int], note: str | None = None) -> AuthorPage:
    """The page of an author already resolved (``Catalog.author`` resolves the name)."""
    sel = Selection(person_ids=tuple(person_ids), profile_ids=tuple(profile_ids),
                          by_author=True)
    sql, params = select_sql(sel, sort="date")
    papers = [found.paper for found in run_selection(conn, sql, params)]
    profile = queries.profile_summary(conn, profile_ids[0]) if profile_ids else None
    history = [Snapshot(*row) for row in queries.profile_history(conn, profile_ids[0])
               ] if profile_ids else []
    itself = {names.name_key(n) for n in (shown, profile.name if profile else shown)}
    coauthors = queries.coauthor_counts(conn, sel, sorted(itself))
    return AuthorPage(shown, profile, history, papers, coauthors, [note] if note else [])


@dataclass(frozen=True)
class TopicSummary:
    code: str
    name: str | None
    papers: int
    first: str | None
    last: str | None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


TOPIC_KEYS = tuple(TopicSummary.__dataclass_fields__)


def topic_summaries(conn: sqlite3.Connection) -> list[TopicSummary]:
    """The topics the catalog's papers carry, most papers first."""
    return [TopicSummary(code, topic_name(code), n, first, last)
            for code, n, first, last in queries.topic_counts(conn)]


@dataclass(frozen=True)
class StatRow:
    """One figure of `stats` as a flat row, for csv and tsv."""

    section: str
    key: str
    value: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


STAT_KEYS = tuple(StatRow.__dataclass_fields__)


@dataclass
class Stats:
    counts: dict[str, int]  # papers, profiles, people, topics, with_code, undated
    years: list[tuple[int, int]]  # dated papers per year, oldest first
    topics: list[TopicSummary]  # most papers first
    authors: list[tuple[str, int]]  # most papers first

    def to_json(self) -> dict[str, Any]:
        return {
            **self.counts,
            "years": [{"year": y, "papers": n} for y, n in self.years],
            "top_topics": [{"code": t.code, "name": t.name, "papers": t.papers}
                           for t in self.topics],
            "top_authors": [{"name": a, "papers": n} for a, n in self.authors],
        }

    def rows(self) -> list[StatRow]:
        return ([StatRow("count", k, v) for k, v in self.counts.items()]
                + [StatRow("year", str(y), n) for y, n in self.years]
                + [StatRow("topic", t.code, t.papers) for t in self.topics]
                + [StatRow("author", a, n) for a, n in self.authors])


def catalog_stats(conn: sqlite3.Connection, top: int = TOP) -> Stats:
    topics = topic_summaries(conn)
    per_year = queries.year_counts(conn)
    base = queries.browse_counts(conn)
    counts = {"papers": base["papers"], "profiles": base["profiles"],
              "people": base["people"], "topics": len(topics),
              "with_code": base["with_code"],
              "undated": sum(n for y, n in per_year if y is None)}
    return Stats(counts=counts, years=[(y, n) for y, n in per_year if y is not None],
                 topics=topics[:top], authors=queries.top_authors(conn, top))
