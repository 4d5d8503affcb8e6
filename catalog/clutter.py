"""The website's own text that a select-all copy of a profile page brings along.

Navigation (``Home  Explore  Sign in``), buttons (``Follow``, ``Share``, ``Load more``),
the search box, notices, the site's name and its footer (``© 2026 ScholarFeed ·
Privacy · Terms``) are never a profile name, a paper or abstract text. They are
recognised by shape, conservatively, because a real abstract sentence must never be
cut:

* a *UI line* is made of nothing but interface words (the vocabulary below, any
  case, any separators and icons between them): no sentence is;
* a *footer line* starts with ``©``/``(c)``/``Copyright`` and a year, or says "all
  rights reserved";
* a *site name* is a word named in a footer line, the first line right above a
  navigation bar, a line that stands beside the navigation bar or footer each time
  it appears (more than once), or the site these pages come from;
* a *notice* (``Sign in to follow authors``) or *search box* text
  (``Search papers, authors…``) is a short line with an interface phrase in it: the
  parser only skips one where an abstract cannot be (above the profile, between
  header and entries) or as the trailing lines after an abstract's first line.

Pure: one page's lines in, answers out.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Sequence

# Interface words and phrases, lower case. A line made only of these is the site's.
_UI_PHRASES = frozenset("""
home explore feed trending latest popular discover following follow followers unfollow
share save saved bookmark bookmarks cite menu search settings notifications profile
about privacy terms contact help faq blog api pricing careers papers authors topics
overview co-authors coauthors subscribe filter filters sort newest oldest cookies accept
decline dismiss close next previous prev more login logout signin signup register docs
changelog status github twitter discord linkedin mastodon bluesky rss upvote report
sign-in sign-up log-in log-out
""".split()) | frozenset({
    "sign in", "sign up", "sign out", "log in", "log out", "load more", "show more",
    "show less", "see more", "see all", "view all", "view more", "read more",
    "back to top", "copy link", "dark mode", "light mode", "most cited", "sort by",
    "terms of service", "terms of use", "privacy policy", "cookie policy", "accept all",
    "all rights reserved", "get started", "my library", "load more papers",
    "show all papers", "view profile", "follow author", "share profile",
    "scroll to top",
})
_MAX_PHRASE_WORDS = max(len(p.split()) for p in _UI_PHRASES)
# Every word of every phrase: a line with any other word is not a UI line.
_UI_WORDS = frozenset(w for p in _UI_PHRASES for w in p.split())
# The site the pages come from: its name is always its own text. Other names of a
# site are found by shape (footer, repetition), not listed here.
_KNOWN_SITES = frozenset({"scholarfeed", "scholar feed"})
_SEPARATORS_RE = re.compile(r"[^\w\s'’-]+")  # separators, icons, punctuation
_FOOTER_RE = re.compile(
    r"^(?:©|\(c\)|copyright\b)\s*(?:©\s*)?(?:\d{4}(?:\s*[-–]\s*\d{4})?)?|all rights reserved",
    re.IGNORECASE)
_YEAR_RE = re.compile(r"^\d{4}(?:[-–]\d{4})?$")
_NOTICE_RE = re.compile(
    r"\b(?:sign(?:ed)? (?:in|up|out)|log(?:ged)? ?(?:in|out)|create an account|cookies?|"
    r"subscribe|newsletter|all rights reserved|terms of (?:service|use)|privacy policy)\b",
    re.IGNORECASE)
_SEARCH_RE = re.compile(r"^search\b.{0,60}$", re.IGNORECASE)
_MAX_NOTICE_WORDS = 20
_MAX_SITE_NAME_WORDS = 4
# The site's own lines are short; a longer line is content (and is not scanned).
_MAX_CLUTTER_CHARS = 300


def _words(line: str) -> list[str]:
    return _SEPARATORS_RE.sub(" ", line.lower()).split()


def is_ui_line(line: str) -> bool:
    """Nothing but interface words: ``Home  Explore  Sign in``, ``Follow``, ``Load more``."""
    if len(line) > _MAX_CLUTTER_CHARS:
        return False
    return _is_ui_words(_words(line))


def _is_ui_words(words: list[str]) -> bool:
    """``is_ui_line`` on a line's ``_words``."""
    if not words or len(words) > 16 or not _UI_WORDS.issuperset(words):
        return False  # (the last test in C: a line of prose fails at its first word)
    i = 0
    while i < len(words):
        for size in range(min(_MAX_PHRASE_WORDS, len(words) - i), 0, -1):
            if " ".join(words[i:i + size]) in _UI_PHRASES:
                i += size
                break
        else:
            return False
    return True


_NAV_WORDS = frozenset({"home", "explore", "feed", "trending", "latest", "popular", "discover",
                        "search", "sign in", "sign up", "log in", "login", "about", "blog",
                        "pricing"})


def _is_nav_bar(line: str) -> bool:
    """Two or more interface words, one of them a place to go: ``Home  Explore  Sign in``
    (``Follow  Share`` under a profile name is buttons, not the site's bar)."""
    if not is_ui_line(line):
        return False
    text = " ".join(_words(line))
    found = [p for p in _NAV_WORDS if re.search(rf"\b{re.escape(p)}\b", text)]
    return bool(found) and len(_words(line)) >= 2


def is_footer_line(line: str) -> bool:
    return len(line) <= _MAX_CLUTTER_CHARS and _has_footer_mark(line)


@functools.lru_cache(maxsize=1024)  # pure; a page asks about each line twice
def _has_footer_mark(line: str) -> bool:
    return bool(_FOOTER_RE.search(line))


def _footer_names(line: str) -> set[str]:
    """The words a footer line names besides years and interface words: the site."""
    text = _FOOTER_RE.sub(" ", line)
    names = set()
    for raw in re.split(r"\s+[·•|]\s+|\s*[|]\s*", text):
        part = raw.strip(" .,;-–·•|")
        if not part or _YEAR_RE.match(part) or is_ui_line(part):
            continue
        if len(part.split()) <= _MAX_SITE_NAME_WORDS:
            names.add(part.lower())
    return names


class Clutter:
    """What one page's own text looks like: the shape rules plus the site names that
    the page reveals (its footer, lines repeated around the site's text)."""

    def __init__(self, lines: Sequence[str]) -> None:
        self.site_names = set(_KNOWN_SITES)
        for line in lines:
            if is_footer_line(line):
                self.site_names |= _footer_names(line)
        # the page's first line, right above a navigation bar: the site's logo
        for i, line in enumerate(lines[:6]):
            if is_ui_line(line) or is_footer_line(line):
                continue
            if i + 1 < len(lines) and _is_nav_bar(lines[i + 1]) \
                    and len(line.split()) <= _MAX_SITE_NAME_WORDS:
                self.site_names.add(line.lower())
            break
        counts = Counter(line for line in lines if len(line) <= 60)
        repeated = {x for x, c in counts.items()
                    if c >= 2 and len(x.split()) <= _MAX_SITE_NAME_WORDS}
        if not repeated:
            return
        # beside the navigation bar or the footer (a button such as Share stands
        # beside anything, a paper's listing included)
        ui = [_is_nav_bar(x) or is_footer_line(x) for x in lines]
        spots: dict[str, list[int]] = {}
        for i, line in enumerate(lines):
            if line in repeated:
                spots.setdefault(line, []).append(i)
        for line, at in spots.items():
            # every occurrence stands next to the site's own text
            if all((i > 0 and ui[i - 1]) or (i + 1 < len(lines) and ui[i + 1]) for i in at):
                self.site_names.add(line.lower())

    def kind(self, line: str) -> str | None:
        """``navigation``, ``footer`` or ``site name`` for text that is the site's
        wherever it stands; else None."""
        if len(line) > _MAX_CLUTTER_CHARS:
            return None
        words = _words(line)  # once, for both the UI words and the site's name
        if _is_ui_words(words):
            return "navigation"
        if is_footer_line(line):
            return "footer"
        if " ".join(words) in self.site_names or line.lower() in self.site_names:
            return "site name"
        return None

    def loose_kind(self, line: str) -> str | None:
        """Also notices and search-box text: only where no abstract can stand, or in
        the trailing lines of an abstract (never its first line)."""
        found = self.kind(line)
        if found or len(line) > _MAX_CLUTTER_CHARS:
            return found
        words = line.split()
        if len(words) <= _MAX_NOTICE_WORDS and _NOTICE_RE.search(line) \
                and not line.rstrip().endswith(("?",)):
            return "notice"
        if _SEARCH_RE.match(line) and len(words) <= 8:
            return "search box"
        return None
