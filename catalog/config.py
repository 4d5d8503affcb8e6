"""Where the catalog lives by default, and the environment variables that move it."""

from __future__ import annotations

import os
from pathlib import Path

DB_ENV = "CATALOG_DB"
DEBUG_ENV = "CATALOG_DEBUG"


def default_db_path() -> Path:
    """The catalog in the user's app directory; nothing is created by asking."""
    import click

    return Path(click.get_app_dir("catalog")) / "catalog.db"


def debug() -> bool:
    return os.environ.get(DEBUG_ENV, "") not in ("", "0")


def cache_dir() -> Path:
    """Where derived files of catalogs that can't hold their own go (the search index
    of a catalog on a read-only place): ``$XDG_CACHE_HOME/catalog``, else
    ``~/.cache/catalog``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "catalog"
