"""The Datasette plugin of ``catalog serve``: the catalog's pages as routes, links
in the views' cells, and menu entries. Registered by ``make_datasette`` only, never
through an entry point, so other Datasette instances in the same environment stay
as they are."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, quote, urlencode

from datasette import hookimpl
from datasette.utils.asgi import Response
from markupsafe import Markup, escape

from catalog.web import pages
from catalog.web.highlight import shorten

NAME = "catalog-web"


def register() -> None:
    from datasette.plugins import pm

    if not pm.is_registered(sys.modules[__name__]):
        pm.register(sys.modules[__name__], name=NAME)


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [(regex, pages.guarded(view)) for regex, view in (
        (r"^/$", pages.home),
        (r"^/search(?P<format>\.json)?$", pages.search),
        (r"^/author/(?P<name>[^/]+?)(?P<format>\.json)?$", pages.author),
        (r"^/topics(?P<format>\.json)?$", pages.topics),
        (r"^/topic/(?P<code>[^/]+?)(?P<format>\.json)?$", pages.topic),
        (r"^/paper/(?P<id>[^/]+?)(?P<format>\.json)?$", pages.paper),
    )]


@hookimpl
def menu_links(datasette: Any) -> list[dict[str, str]]:
    path = datasette.urls.path
    return [{"href": path("/"), "label": "Search"},
            {"href": path("/catalog/paper_list"), "label": "Papers"},
            {"href": path("/catalog/author_list"), "label": "Authors"},
            {"href": path("/topics"), "label": "Topics"}]


@hookimpl
def asgi_wrapper(datasette: Any) -> Callable[[Any], Any]:
    """Datasette's own search of the papers table (``?_search=``) ranks nothing (it
    lists matches by pk): send it to the catalog's search, ranked as the CLI ranks."""

    def wrap(app: Any) -> Any:
        async def redirect_search(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "http":
                path = scope.get("path", "")
                for table in ("papers", "paper_list"):
                    for ext in ("", ".json"):
                        if path.endswith(f"/catalog/{table}{ext}"):
                            args = parse_qs(scope.get("query_string", b"").decode("latin-1"))
                            if args.get("_search"):
                                target = datasette.urls.path(f"/search{ext}") + "?" + \
                                    urlencode({"q": args["_search"][0]})
                                await Response.redirect(target).asgi_send(send)
                                return
            await app(scope, receive, send)

        return redirect_search

    return wrap


_LINK = Markup('<a href="{href}">{text}</a>')  # Markup.format escapes what it is given


def _link(datasette: Any, kind: str, key: str, text: str | None = None) -> Markup:
    href = datasette.urls.path(f"/{kind}/{quote(key, safe='')}")
    return _LINK.format(href=href, text=text if text is not None else key)


@hookimpl
def render_cell(row: Any, value: Any, column: str, table: str | None,
                database: str, datasette: Any) -> Markup | None:
    """The views' cells as links to the catalog's pages; abstracts shortened."""
    if database != "catalog" or value is None:
        return None
    if table == "paper_list":
        if column in ("id", "title"):
            return _link(datasette, "paper", row["id"], str(value))
        if column == "topic":
            return _link(datasette, "topic", str(value))
        if column in ("authors", "profiles", "topics"):
            try:
                items = json.loads(value)
            except (TypeError, ValueError):
                return None
            kind = "topic" if column == "topics" else "author"
            shown = [_link(datasette, kind, str(i)) for i in items]
            if column == "authors" and row["authors_truncated"]:
                shown.append(Markup("et al."))
            return Markup(", ").join(shown)
        if column == "abstract":
            return escape(shorten(str(value)))
    if table == "author_list" and column in ("name", "profile"):
        return _link(datasette, "author", str(value))
    if table == "author_list" and column == "topic":
        return _link(datasette, "topic", str(value))
    return None
