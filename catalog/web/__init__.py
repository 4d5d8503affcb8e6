"""``catalog serve``: the catalog in a web browser, on Datasette, read-only.

Datasette is an optional extra (``pip install 'catalog[web]'``), so nothing here is
imported until ``serve`` runs: ``import catalog`` and ``catalog --help`` never load it.

The catalog file is opened by SQLite in read-only mode (``mode=ro``, or
``immutable=1`` with ``--immutable``) for every connection Datasette makes, its
"write" connection included: a page, a plugin or a canned query cannot change it.
Datasette shows the tables and the views of migration ``m002_paper_views`` with the
metadata of ``metadata.py``; the pages of a catalog (search ranked as ``catalog
search`` ranks, authors, topics, papers) are routes of ``plugin.py`` that call
``Catalog`` itself, so the browser and the command line can never disagree.
"""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Any

from catalog.errors import CatalogError, MissingDependency

if TYPE_CHECKING:
    from datasette.app import Datasette

INSTALL_HINT = "catalog serve needs Datasette: pip install 'catalog[web]'"
DB_NAME = "catalog"  # the database's name in URLs: /catalog/paper_list
TEMPLATES = Path(__file__).parent / "templates"
LOOPBACK = "127.0.0.1"


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def require_datasette() -> None:
    try:
        import datasette  # noqa: F401
    except ImportError:
        raise MissingDependency(INSTALL_HINT) from None


def make_datasette(path: str | Path, *, immutable: bool = False,
                   settings: dict[str, Any] | None = None) -> Datasette:
    """A Datasette over the catalog at ``path`` with the catalog's metadata, pages
    and templates. The catalog must exist and be at this version (``serve`` opens it
    once for writing first, which migrates an older one)."""
    require_datasette()
    from datasette.app import Datasette
    from datasette.database import Database

    from catalog.web import plugin
    from catalog.web.metadata import build_metadata

    plugin.register()
    file = Path(path).resolve()

    class CatalogDatabase(Database):
        """Every connection read-only at the SQLite level, the write one included;
        a file URI so that a path with ``?`` or ``#`` in it opens."""

        def connect(self, write: bool = False) -> Any:
            import sqlite3

            mode = "mode=ro" if self.is_mutable else "immutable=1"
            conn = sqlite3.connect(f"{file.as_uri()}?{mode}", uri=True,
                                   check_same_thread=False)
            self._all_file_connections.append(conn)
            return conn

    ds = Datasette(
        metadata=build_metadata(DB_NAME),
        template_dir=str(TEMPLATES),
        settings={
            "default_page_size": 50,
            "truncate_cells_html": 300,  # abstracts of the bare tables, in lists
            "sql_time_limit_ms": 3000,
            "facet_time_limit_ms": 1000,
            # Datasette tries a dozen facet kinds on every column of every page (40 ms
            # each at 100,000 papers); the views name their facets instead
            "suggest_facets": False,
            **(settings or {}),
        },
    )
    if "_memory" in ds.databases:
        ds.remove_database("_memory")  # Datasette adds one when given no files
    ds.add_database(CatalogDatabase(ds, path=str(file), is_mutable=not immutable),
                    name=DB_NAME)
    return ds


def check_port(host: str, port: int) -> None:
    """Fail with one line, before Datasette starts, when the port is taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as e:
            raise CatalogError(f"cannot serve on {host}:{port} ({e.strerror}); "
                               "try another --port") from None


def run(ds: Datasette, *, host: str, port: int) -> None:
    """Serve ``ds`` until Ctrl-C."""
    import asyncio

    import uvicorn

    asyncio.run(ds.invoke_startup())
    uvicorn.run(ds.app(), host=host, port=port, log_level="warning", lifespan="on")
