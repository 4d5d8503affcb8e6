"""The Datasette metadata that makes the catalog file read as a catalog: a title,
every table and column described, the tables that only serve the catalog's own work
hidden, label columns, and the papers view faceted and sorted newest first."""

from __future__ import annotations

from typing import Any

TITLE = "Paper catalog"
DESCRIPTION = ("Research papers collected from ScholarFeed author pages. Search them "
               "(best match first, as `catalog search` ranks), or browse the papers, "
               "the authors and the topics. Read-only.")

PAPER_COLUMNS = {
    "id": "The paper's id: 12 hex characters of the SHA-1 of its normalised title",
    "title": "Title as the page gives it",
    "date": "First arXiv submission (YYYY-MM-DD)",
    "year": "Year of the date",
    "topic": "Primary arXiv-style topic code (CL, CV, LG, ...)",
    "authors": "The visible author list as a JSON array (the site shows at most three)",
    "authors_truncated": "1 when the page's list ends with et al.",
    "affiliations": "Affiliation slugs as a JSON array",
    "topics": "Every topic code of the paper as a JSON array",
    "has_code": "1 when a page shows a code link",
    "score": "The site's score, where a page gives one",
    "profiles": "The profile pages that list the paper, as a JSON array",
    "abstract": "The abstract (shortened in lists; whole on the paper's page)",
    "key": "The paper's BibTeX cite key, given once and never changed",
}

PROFILE_FIGURES = {
    "topic": "The profile's primary topic code",
    "h_index": "h-index as the profile header gives it",
    "papers": "Paper count as the profile header gives it",
    "citations": "Citations as the profile header gives it",
    "novelty": "Novelty percentage as the profile header gives it",
    "ai_score": "AI score as the profile header gives it",
}

INTERNAL = "Internal: used by `catalog` itself"


def build_metadata(db_name: str = "catalog") -> dict[str, Any]:
    tables: dict[str, dict[str, Any]] = {
        "paper_list": {
            "title": "Papers",
            "description_html": (
                "Every paper, newest first; a title leads to the paper's page. Facet by "
                '<a href="?_facet_array=authors">author</a>, '
                '<a href="?_facet_array=profiles">profile</a> or '
                '<a href="?_facet_array=affiliations">affiliation</a> as well as by topic, '
                "year and code."),
            "sort_desc": "date",
            # author and profile facets unpack a JSON array per paper: 2 s at 100,000
            # papers, so they are a click away rather than on every page
            "facets": ["topic", "year", "has_code"],
            "columns": PAPER_COLUMNS,
        },
        "author_list": {
            "title": "Authors",
            "description_html": (
                "Everyone named in an author list, alphabetically, with their papers in the "
                "catalog (those naming them and those of their profile page). "
                '<a href="?_sort_desc=papers">Most papers first</a>.'),
            "sort": "name",
            "facets": ["topic"],
            "columns": {
                "name": "The name as first printed",
                "papers": "Papers in the catalog naming them or listed on their profile",
                "profile": "Their profile page, if the catalog holds one",
                "topic": PROFILE_FIGURES["topic"],
                "h_index": PROFILE_FIGURES["h_index"],
                "citations": PROFILE_FIGURES["citations"],
            },
        },
        # the stored tables: described, hidden from the list (the views above show
        # them without their internal columns), their rows labelled by name or title
        "papers": {
            "hidden": True, "label_column": "title", "sort_desc": "date",
            "description": "One row per paper: every page's view of it merged",
            "columns": {**PAPER_COLUMNS, "pk": INTERNAL + " (the search index's rowid)",
                        "title_key": INTERNAL + " (titles equal up to case and accents)",
                        "authors": "The visible author list, comma-joined as shown",
                        "affiliations": "Affiliation slugs, comma-joined as shown"},
        },
        "people": {
            "hidden": True, "label_column": "name",
            "description": "One row per person or organisation named in an author list",
            "columns": {"name": "The name as first printed",
                        "name_key": INTERNAL + " (case, accents, dots folded)",
                        "words": INTERNAL + " (fuzzy name matching)"},
        },
        "profiles": {
            "hidden": True, "label_column": "name",
            "description": "One row per profile page; the latest capture's figures",
            "columns": {"name": "Named after the page's header, --profile, or the file",
                        "name_key": INTERNAL, "words": INTERNAL,
                        "named": "1 when the page names its profile",
                        "person_id": "The person the profile belongs to",
                        "source": "The page's file name",
                        "as_of": "The latest capture's date", **PROFILE_FIGURES},
        },
        "profile_snapshots": {
            "hidden": True,
            "description": "A profile's figures at every capture (load --as-of)",
            "columns": {"as_of": "The capture's date", "source": "The page's file name",
                        **PROFILE_FIGURES},
        },
        "authorships": {
            "hidden": True,
            "description": "The visible author list of each paper, in order",
            "columns": {"paper_pk": "The paper", "position": "0 is the first author",
                        "person_id": "The author"},
        },
        "listings": {
            "hidden": True, "description": "Which profile page lists which paper",
            "columns": {"profile_id": "The profile", "paper_pk": "The paper"},
        },
        "sightings": {
            "hidden": True,
            "description": INTERNAL + ": what each page said about each paper",
        },
        "loads": {
            "hidden": True,
            "description": INTERNAL + ": every page file loaded, so a reload is a no-op",
        },
        "person_words": {
            "hidden": True, "description": INTERNAL + ": each person's name words"},
        "name_vocab": {
            "hidden": True, "description": INTERNAL + ": every distinct name word"},
        "name_deletes": {
            "hidden": True,
            "description": INTERNAL + ": name words' one-letter deletions (typo look-up)"},
        "search_log": {
            "hidden": True,
            "description": INTERNAL + ": paper changes the search engine's index has yet "
                           "to take in"},
        "index_backlog": {
            "hidden": True,
            "description": INTERNAL + ": where the papers and people a load has not "
                           "indexed yet start"},
        "catalog_meta": {
            "hidden": True, "description": INTERNAL + ": this catalog's id"},
        "sqlite_sequence": {
            "hidden": True, "description": INTERNAL + ": SQLite's AUTOINCREMENT counters"},
    }
    # papers_fts: the sqlite-utils layout Datasette's own search finds
    for suffix in ("", "_config", "_data", "_docsize", "_idx", "_vocab"):
        tables["papers_fts" + suffix] = {
            "hidden": True, "description": INTERNAL + ": the search index"}
    return {
        "title": TITLE,
        "description": DESCRIPTION,
        "databases": {db_name: {"description": DESCRIPTION, "tables": tables}},
    }
