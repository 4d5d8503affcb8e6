"""The only exceptions the core raises on purpose.

Each message is written for the user: the CLI prints ``str(error)`` as one line and
exits with the error's ``exit_code``.
"""

from __future__ import annotations


class CatalogError(Exception):
    """Base of every expected failure; never shown with a traceback."""

    exit_code = 1


class PageError(CatalogError):
    """A page file could not be read or holds no entry."""

    def __init__(self, source: str, message: str, line: int | None = None) -> None:
        self.source = source
        self.line = line
        self.message = message
        where = f"{source}:{line}" if line else source
        super().__init__(f"{where}: {message}")


class DatabaseError(CatalogError):
    """The catalog file is missing, foreign, damaged or from a newer version."""


class DatabaseNotFound(DatabaseError):
    """A read-only command was pointed at a catalog that does not exist."""


class QuerySyntaxError(CatalogError):
    """A search query or filter value the user typed cannot mean anything."""

    exit_code = 2


class UnknownAuthor(CatalogError):
    """No author name matches, or several match equally well."""

    def __init__(self, message: str, candidates: list[str] | None = None) -> None:
        self.candidates = candidates or []
        super().__init__(message)


class NotFound(CatalogError):
    """A paper id that the catalog does not hold."""


class MissingDependency(CatalogError):
    """An optional feature whose extra is not installed (``catalog serve``)."""


class OutputExists(CatalogError):
    """An export target exists and --force was not given."""


class ReadOnlyCatalog(DatabaseError):
    """A command that writes was pointed at a catalog (or a place) it cannot write."""


class ProfileNameClash(CatalogError):
    """``load --profile NAME`` would give one name to several header-less pages."""

    exit_code = 2


class SearchIndexError(CatalogError):
    """``catalog reindex`` could not write the search index (a read-only place,
    another process writing it)."""
