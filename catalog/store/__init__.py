"""The catalog file, split by job; every SQL statement of the project lives in these
modules (and in ``migrations``), and values are always bound as parameters.

- ``open``: the one way to open SQLite (read-write with migration, or read-only);
  inspects a file before writing to it and refuses foreign, damaged or newer ones.
- ``write``: a page in one transaction; a paper merged from its sightings.
- ``read``: papers, profiles, the selection behind list/search/export, name look-ups.
- ``browse``: the queries of author pages, topics, statistics and shell completion.
"""

from __future__ import annotations

from catalog.store.open import open_db

__all__ = ["open_db"]
