"""catalog: a command-line catalog of research papers from ScholarFeed author pages.

The library API: ``Catalog`` (open a catalog, load, search, list), ``parse_page`` and
``render_page`` (page text <-> records), and the record types. Names are imported
lazily so that ``import catalog.cli`` stays fast.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Catalog", "Entry", "Page", "Paper", "Profile", "parse_page", "render_page"]

_LAZY = {
    "Catalog": "catalog.api",
    "Entry": "catalog.models",
    "Page": "catalog.models",
    "Paper": "catalog.models",
    "Profile": "catalog.models",
    "parse_page": "catalog.pages",
    "render_page": "catalog.pages",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'catalog' has no attribute {name!r}")
