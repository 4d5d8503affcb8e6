"""The shared vocabulary: what a page says, and what the catalog holds.

Frozen dataclasses, so records compare by value (the round-trip tests rely on that);
source positions are kept out of equality.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Entry:
    """One paper as one page shows it."""

    title: str
    authors: tuple[str, ...]
    abstract: str = ""
    authors_truncated: bool = False
    affiliations: tuple[str, ...] = ()
    topic: str | None = None
    topics: tuple[str, ...] = ()
    date: dt.date | None = None
    has_code: bool = False
    score: float | None = None
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Profile:
    """A page's header figures; every figure is None where the page leaves it out."""

    name: str | None = None
    topic: str | None = None
    h_index: int | None = None
    papers: int | None = None
    citations: int | None = None
    novelty: float | None = None
    ai_score: float | None = None

    @property
    def has_figures(self) -> bool:
        return any(
            v is not None
            for v in (self.topic, self.h_index, self.papers, self.citations,
                      self.novelty, self.ai_score)
        )


@dataclass(frozen=True)
class ParseWarning:
    line: int
    message: str


@dataclass(frozen=True)
class Page:
    profile: Profile
    entries: tuple[Entry, ...]
    warnings: tuple[ParseWarning, ...] = field(default=(), compare=False)
    source: str = field(default="<stdin>", compare=False)


@dataclass(frozen=True)
class Paper:
    """A paper as the catalog holds it: every page's view merged into one record.

    ``to_json`` gives the contract's keys, in the contract's order, with the extra
    ``topics`` beside ``topic`` and ``key`` last (``PAPER_JSON_KEYS``).
    """

    id: str
    title: str
    authors: tuple[str, ...]
    authors_truncated: bool
    affiliations: tuple[str, ...]
    topic: str | None
    date: str | None
    has_code: bool
    score: float | None
    abstract: str
    profiles: tuple[str, ...]
    key: str = ""  # the BibTeX cite key, given once when the paper entered the catalog
    topics: tuple[str, ...] = ()  # every code of the paper's header; the first is topic

    def to_json(self) -> dict[str, Any]:
        # written out: dataclasses.asdict deep-copies and was the export's top cost
        return {
            "id": self.id, "title": self.title, "authors": list(self.authors),
            "authors_truncated": self.authors_truncated,
            "affiliations": list(self.affiliations), "topic": self.topic,
            "topics": list(self.topics), "date": self.date, "has_code": self.has_code,
            "score": self.score,
            "abstract": self.abstract, "profiles": list(self.profiles), "key": self.key,
        }


# the contract's keys: the columns of csv and tsv (JSON adds ``topics`` and ``key``)
PAPER_KEYS = ("id", "title", "authors", "authors_truncated", "affiliations", "topic", "date",
              "has_code", "score", "abstract", "profiles")


@dataclass(frozen=True)
class Hit(Paper):
    """A paper found by a search, with how well it matched (higher is better; only
    comparable within one search)."""

    relevance: float = 0.0

    def to_json(self) -> dict[str, Any]:
        out = super().to_json()
        out["relevance"] = round(self.relevance, 4)
        return out


#: a paper's JSON keys, in order: the contract's, ``topics`` beside ``topic``, then ``key``
PAPER_JSON_KEYS = (*PAPER_KEYS[:6], "topics", *PAPER_KEYS[6:], "key")

HIT_KEYS = (*PAPER_KEYS, "relevance")


@dataclass(frozen=True)
class ProfileSummary:
    """A profile as `catalog authors` lists it (the contract's profile keys)."""

    name: str
    topic: str | None
    h_index: int | None
    papers: int | None
    citations: int | None
    novelty: float | None
    ai_score: float | None
    listed: int
    source: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


PROFILE_KEYS = tuple(ProfileSummary.__dataclass_fields__)


@dataclass
class LoadReport:
    """What loading one file did; the CLI sums these into the summary line."""

    source: str
    profile: str = ""
    entries: int = 0
    declared: int | None = None
    new: int = 0
    merged: int = 0
    unchanged: int = 0
    warnings: list[ParseWarning] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None
