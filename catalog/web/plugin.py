"""The Datasette plugin of ``catalog serve``: the catalog's pages as routes, links
in the views' cells, and menu entries. Registered by ``make_datasette`` only, never
through an entry point, so other Datasette instances in the same environment stay
as they are."""

from __future__ import annotations

import json
import sys
from typing import Any
from urllib.parse import quote

from datasette import hookimpl
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
    return [
        (r"^/$", pages.home),
        (r"^/search(?P<format>\.json)?$", pages.search),
        (r"^/author/(?P<name>[^/]+?)(?P<format>\.json)?$", pages.author),
        (r"^/topics(?P<format>\.json)?$", pages.topics),
        (r"^/topic/(?P<code>[^/]+?)(?P<format>\.json)?$", pages.topic),
        (r"^/paper/(?P<id>[^/]+?)(?P<format>\.json)?$", pages.paper),
    ]


@hookimpl
def menu_links(datasette: Any) -> list[dict[str, str]]:
    path = datasette.urls.path
    return [{"href": path("/"), "label": "Search"},
            {"href": path("/catalog/paper_list"), "label": "Papers"},
            {"href": path("/catalog/author_list"), "label": "Authors"},
            {"href": path("/topics"), "label": "Topics"}]


def _link(datasette: Any, kind: str, key: str, text: str | None = None) -> str:
    href = datasette.urls.path(f"/{kind}/{quote(key, safe='')}")
    return f'<a href="{escape(href)}">{escape(text if text is not None else key)}</a>'


@hookimpl
def render_cell(row: Any, value: Any, column: str, table: str | None,
                database: str, datasette: Any) -> Markup | None:
    """The views' cells as links to the catalog's pages; abstracts shortened."""
    if database != "catalog" or value is None:
        return None
    if table == "paper_list":
        if column in ("id", "title"):
            return Markup(_link(datasette, "paper", row["id"], str(value)))
        if column == "topic":
            return Markup(_link(datasette, "topic", str(value)))
        if column in ("authors", "profiles", "topics"):
            try:
                items = json.loads(value)
            except (TypeError, ValueError):
                return None
            kind = "topic" if column == "topics" else "author"
            shown = [_link(datasette, kind, str(i)) for i in items]
            if column == "authors" and row["authors_truncated"]:
                shown.append("et al.")
            return Markup(", ".join(shown))
        if column == "abstract":
            return Markup(escape(shorten(str(value))))
    if table == "author_list" and column in ("name", "profile"):
        return Markup(_link(datasette, "author", str(value)))
    if table == "author_list" and column == "topic":
        return Markup(_link(datasette, "topic", str(value)))
    return None
