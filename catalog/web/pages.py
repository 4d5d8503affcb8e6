"""The catalog's own pages: home, search, author, topic, paper (HTML, and JSON with
``.json``). Each request opens the catalog read-only through ``Catalog`` in a worker
thread, so what a page shows is what the command line shows, and a load running in
another terminal is seen by the next request."""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import parse_qsl, quote, unquote, urlencode

from datasette.utils.asgi import Response
from markupsafe import escape

from catalog.api import Catalog
from catalog.errors import CatalogError, NotFound, QuerySyntaxError, UnknownAuthor
from catalog.models import Paper
from catalog.topics import resolve_topic, topic_name
from catalog.web.highlight import highlight, pattern, shorten

T = TypeVar("T")

PAGE = 20  # search results shown at first
MAX_PAGE = 500
FACET_WINDOW = 200  # facet counts are taken over the best this-many results
TOPIC_PAPERS = 200  # a topic page lists its newest this-many papers
FACET_ROWS = 12
SORTS = {"relevance": "best match first", "date": "newest first", "title": "by title",
         "score": "highest score first"}  # `catalog search --sort`


def _db_path(datasette: Any) -> str:
    return datasette.get_database("catalog").path


async def _read(datasette: Any, work: Callable[[Catalog], T]) -> T:
    """Run ``work`` on a fresh read-only catalog in a worker thread."""
    path = _db_path(datasette)

    def run() -> T:
        with Catalog(path, read_only=True) as cat:
            return work(cat)

    return await asyncio.to_thread(run)


class Links:
    """URLs of the catalog's pages, under Datasette's ``base_url``."""

    def __init__(self, datasette: Any) -> None:
        self.path = datasette.urls.path

    def author(self, name: str) -> str:
        return self.path(f"/author/{quote(name, safe='')}")

    def topic(self, code: str) -> str:
        return self.path(f"/topic/{quote(code, safe='')}")

    def paper(self, pid: str) -> str:
        return self.path(f"/paper/{quote(pid, safe='')}")

    def search(self, **params: Any) -> str:
        return self.path("/search") + ("?" + urlencode(params, doseq=True) if params else "")


async def _html(datasette: Any, request: Any, template: str, context: dict[str, Any],
                status: int = 200) -> Response:
    context = {"links": Links(datasette), "topic_name": topic_name, "shorten": shorten,
               "hl": escape, "snippets": {}, "site_title": datasette.metadata("title"),
               **context}
    html = await datasette.render_template(template, context, request=request)
    return Response.html(html, status=status)


_STATUS = {UnknownAuthor: 404, NotFound: 404, QuerySyntaxError: 400}


async def _error(datasette: Any, request: Any, error: CatalogError, as_json: bool,
                 title: str) -> Response:
    status = next((s for kind, s in _STATUS.items() if isinstance(error, kind)), 500)
    candidates = getattr(error, "candidates", [])
    if as_json:
        return Response.json({"ok": False, "error": str(error), "candidates": candidates},
                             status=status)
    return await _html(datasette, request, "catalog_error.html",
                       {"title": title, "error": str(error), "candidates": candidates},
                       status=status)


def guarded(view: Callable[[Any, Any], Awaitable[Response]]
            ) -> Callable[[Any, Any], Awaitable[Response]]:
    """A page that turns a ``CatalogError`` its own handling missed (a catalog file
    replaced by a foreign or newer one while served) into an error page, not a
    traceback."""

    async def page(datasette: Any, request: Any) -> Response:
        try:
            return await view(datasette, request)
        except CatalogError as e:
            return await _error(datasette, request, e,
                                request.url_vars.get("format") == ".json", "Paper catalog")

    page.__name__ = view.__name__
    return page


# -- home ------------------------------------------------------------------------

_STATS: dict[str, tuple[tuple[int, ...], Any]] = {}


def _signature(path: str) -> tuple[int, ...]:
    """Changes whenever the catalog does: a commit writes the -wal file, a checkpoint
    the database file."""
    out: list[int] = []
    for name in (path, path + "-wal"):
        try:
            st = os.stat(name)
            out += [st.st_mtime_ns, st.st_size]
        except FileNotFoundError:
            out += [0, 0]
    return tuple(out)


def _stats(cat: Catalog) -> Any:
    """The catalog's statistics, kept until the file changes: ranking the top authors
    reads every authorship (0.5 s at 100,000 papers), too slow for every home page."""
    key = str(cat.path)
    sig = _signature(key)
    cached = _STATS.get(key)
    if cached is None or cached[0] != sig:
        cached = _STATS[key] = (sig, cat.stats())
    return cached[1]


async def home(datasette: Any, request: Any) -> Response:
    def work(cat: Catalog) -> dict[str, Any]:
        return {"stats": _stats(cat), "latest": list(cat.papers(limit=10))}

    return await _html(datasette, request, "catalog_home.html", await _read(datasette, work))


# -- search ----------------------------------------------------------------------

def _filters(args: Any) -> dict[str, Any]:
    """The FILTERS of the request's query string, as ``Catalog.search`` takes them."""
    out: dict[str, Any] = {}
    for key in ("author", "topic", "profile"):
        values = [v for v in args.getlist(key) if v.strip()]
        if values:
            out[key] = values
    for key in ("year", "since", "until"):
        if args.get(key, "").strip():
            out[key] = args.get(key).strip()
    if args.get("code") in ("1", "yes", "true"):
        out["code"] = True
    elif args.get("code") in ("0", "no", "false"):
        out["code"] = False
    return out


def _limit(args: Any) -> int:
    try:
        return max(1, min(MAX_PAGE, int(args.get("limit", PAGE))))
    except ValueError:
        return PAGE


def _facets(papers: list[Paper]) -> dict[str, list[tuple[str, int]]]:
    def top(counter: Counter[str]) -> list[tuple[str, int]]:
        return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0].casefold()))[:FACET_ROWS]

    years = Counter(p.date[:4] for p in papers if p.date)
    return {
        # every code of a paper, as the topic filter a facet links to matches them
        "topic": top(Counter(t for p in papers for t in p.topics)),
        "year": sorted(years.items(), reverse=True)[:FACET_ROWS],
        "author": top(Counter(a for p in papers for a in p.authors)),
        "code": [("1", n)] if (n := sum(p.has_code for p in papers)) else [],
    }


class QueryString:
    """The request's parameters, to build the links that add or drop one filter."""

    def __init__(self, pairs: list[tuple[str, str]], base: str) -> None:
        self.pairs = [(k, v) for k, v in pairs if k != "limit"]
        self.base = base

    def with_(self, key: str, value: str) -> str:
        single = key in ("year", "code", "sort")
        pairs = [(k, v) for k, v in self.pairs if not (single and k == key)]
        if (key, value) not in pairs:
            pairs.append((key, value))
        return f"{self.base}?{urlencode(pairs)}"

    def without(self, key: str, value: str) -> str:
        pairs = [(k, v) for k, v in self.pairs if (k, v) != (key, value)]
        return f"{self.base}?{urlencode(pairs)}" if pairs else self.base

    def limited(self, limit: int) -> str:
        return f"{self.base}?{urlencode([*self.pairs, ('limit', str(limit))])}"

    def active(self) -> list[tuple[str, str]]:
        return [(k, v) for k, v in self.pairs if k not in ("q", "sort") and v.strip()]


async def search(datasette: Any, request: Any) -> Response:
    as_json = request.url_vars.get("format") == ".json"
    q = request.args.get("q", "").strip()
    limit = _limit(request.args)
    filters = _filters(request.args)
    sort = request.args.get("sort") if request.args.get("sort") in SORTS else None

    def work(cat: Catalog) -> Any:
        if not q and not filters:
            return None
        return cat.search(q, sort=sort, limit=max(limit, FACET_WINDOW), **filters)

    try:
        result = await _read(datasette, work)
    except CatalogError as e:
        return await _error(datasette, request, e, as_json, "Search")
    papers = result.papers if result else []
    shown = papers[:limit]
    if as_json:
        return Response.json({
            "ok": True, "query": q, "corrected": result.corrected if result else None,
            "notes": result.notes if result else [],
            "papers": [{**p.to_json(), "snippet": result.snippets.get(p.id)}
                       for p in shown] if result else []})
    rx = pattern(result.terms) if result else None
    query = QueryString(parse_qsl(request.query_string), datasette.urls.path("/search"))
    return await _html(datasette, request, "catalog_search.html", {
        "q": q, "result": result, "papers": shown, "more": len(papers) > limit,
        "window": len(papers) >= FACET_WINDOW, "limit": limit,
        "facets": _facets(papers), "query": query, "sorts": SORTS,
        "sort": sort or ("relevance" if q else "date"),
        "hl": lambda text: highlight(text, rx), "snippets": result.snippets if result else {},
    })


# -- author ----------------------------------------------------------------------

_FIGURES = (("Topic", "topic"), ("h-index", "h_index"), ("Papers", "papers"),
            ("Citations", "citations"), ("Novelty", "novelty"), ("AI score", "ai_score"))


def _shown(value: Any, key: str) -> str:
    if value is None:
        return "–"
    if key == "novelty":
        return f"{value:g}%"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _change(first: Any, now: Any) -> str:
    """How a figure moved since the first capture: ``+10``, or ``was CL``."""
    if first is None or now is None or first == now:
        return ""
    if isinstance(first, (int, float)) and isinstance(now, (int, float)):
        delta = now - first
        return f"{delta:+,}" if isinstance(delta, int) else f"{delta:+g}"
    return f"was {first}"


def _card(page: Any) -> list[dict[str, str]]:
    """The profile card's rows: label, value, and the change since the first capture."""
    if page.profile is None:
        return []
    first = page.history[0] if len(page.history) > 1 else None
    return [{"label": label, "key": key, "value": _shown(getattr(page.profile, key), key),
             "change": _change(getattr(first, key), getattr(page.profile, key))
             if first else ""}
            for label, key in _FIGURES]


async def author(datasette: Any, request: Any) -> Response:
    as_json = request.url_vars.get("format") == ".json"
    name = unquote(request.url_vars["name"])
    try:
        page = await _read(datasette, lambda cat: cat.author(name))
    except CatalogError as e:
        return await _error(datasette, request, e, as_json, name)
    if as_json:
        return Response.json(page.to_json())
    years = [(y, n) for y, n in page.years()]
    most = max((n for _, n in years), default=1)
    return await _html(datasette, request, "catalog_author.html", {
        "page": page, "card": _card(page), "topics": page.topics(), "years": years,
        "most": most, "others": page.other_profiles(),
        "first_capture": page.history[0].as_of if len(page.history) > 1 else None,
    })


# -- topics ----------------------------------------------------------------------

async def topics(datasette: Any, request: Any) -> Response:
    rows = await _read(datasette, lambda cat: cat.topics())
    if request.url_vars.get("format") == ".json":
        return Response.json([t.to_json() for t in rows])
    return await _html(datasette, request, "catalog_topics.html", {"topics": rows})


async def topic(datasette: Any, request: Any) -> Response:
    as_json = request.url_vars.get("format") == ".json"
    typed = unquote(request.url_vars["code"])
    code = resolve_topic(typed)

    def work(cat: Catalog) -> Any:
        if code is None:
            raise NotFound(f"unknown topic {typed!r}")
        summary = next((t for t in cat.topics() if t.code == code), None)
        return summary, list(cat.papers(topic=code, limit=TOPIC_PAPERS))

    try:
        summary, papers = await _read(datasette, work)
    except CatalogError as e:
        return await _error(datasette, request, e, as_json, typed)
    if as_json:
        return Response.json({"code": code, "name": topic_name(code or ""),
                              "papers": summary.papers if summary else 0,
                              "latest": [p.to_json() for p in papers]})
    authors = Counter(a for p in papers for a in p.authors)
    years = Counter(p.date[:4] for p in papers if p.date)
    return await _html(datasette, request, "catalog_topic.html", {
        "code": code, "name": topic_name(code or ""), "summary": summary, "papers": papers,
        "authors": sorted(authors.items(), key=lambda kv: (-kv[1], kv[0]))[:FACET_ROWS],
        "years": sorted(years.items(), reverse=True), "capped": len(papers) >= TOPIC_PAPERS,
    })


# -- paper -----------------------------------------------------------------------

def related_papers(cat: Catalog, paper: Paper, limit: int = 8) -> list[Paper]:
    """The papers most like ``paper``, exactly as ``catalog related`` lists them."""
    return list(cat.related(paper.id, limit=limit).papers)


async def paper(datasette: Any, request: Any) -> Response:
    as_json = request.url_vars.get("format") == ".json"
    pid = unquote(request.url_vars["id"]).strip()

    def work(cat: Catalog) -> tuple[Paper, list[Paper]]:
        found = cat.paper(pid)
        return found, related_papers(cat, found)

    try:
        found, related = await _read(datasette, work)
    except CatalogError as e:
        return await _error(datasette, request, e, as_json, pid)
    if as_json:
        return Response.json({**found.to_json(), "related": [p.id for p in related]})
    return await _html(datasette, request, "catalog_paper.html",
                       {"paper": found, "related": related})
