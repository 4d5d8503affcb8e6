"""The catalog's schema, as numbered steps. Never edit a step that has shipped; add one.

The version is ``PRAGMA user_version``; ``PRAGMA application_id`` marks the file as a
catalog so that a foreign SQLite file is recognised and left alone. Each step runs in
the caller's transaction.

The full-text index is created exactly as sqlite-utils' ``enable_fts`` creates it
(an FTS5 table ``papers_fts`` with ``content=[papers]``), so ``sqlite-utils search``
and Datasette's search box work on a catalog. We write the statement ourselves
because ``enable_fts`` runs it through ``executescript``, which commits, and a
migration must stay one transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

APPLICATION_ID = 0x43415447  # "CATG"

FTS_COLUMNS = ("title", "authors", "affiliations", "abstract")
FTS_TOKENIZE = "porter unicode61 remove_diacritics 2"


def m001_initial(conn: sqlite3.Connection) -> None:
    conn.execute("""
        CREATE TABLE papers (
            pk INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            title_key TEXT NOT NULL,  -- no index of its own: id is a hash of it
            title TEXT NOT NULL,
            authors TEXT NOT NULL DEFAULT '',
            authors_truncated INTEGER NOT NULL DEFAULT 0,
            affiliations TEXT NOT NULL DEFAULT '',
            topic TEXT,
            date TEXT,
            year INTEGER,
            has_code INTEGER NOT NULL DEFAULT 0,
            score REAL,
            abstract TEXT NOT NULL DEFAULT ''
        )""")
    # Each index gives its filter's rows in the order `list` shows them (newest first),
    # so a filtered list reads only the rows it prints; an index on the filter alone
    # made a list of one topic sort a fifth of the catalog.
    # (SQLite sorts the rows of one day by title as it goes: no title in the index)
    conn.execute("CREATE INDEX idx_papers_date ON papers(date DESC)")
    conn.execute("CREATE INDEX idx_papers_topic ON papers(topic, date DESC)")
    conn.execute("CREATE INDEX idx_papers_year ON papers(year)")
    # score alone: papers without one (most) then sit together in pk order, and a
    # load appends to them instead of touching a random page of the index per paper
    conn.execute("CREATE INDEX idx_papers_score ON papers(score)")
    conn.execute("""
        CREATE TABLE people (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            name_key TEXT NOT NULL UNIQUE,
            words TEXT NOT NULL DEFAULT ''  -- names.name_words(name), for fuzzy matching
        )""")
    conn.execute("""
        CREATE TABLE authorships (
            paper_pk INTEGER NOT NULL REFERENCES papers(pk),
            position INTEGER NOT NULL,
            person_id INTEGER NOT NULL REFERENCES people(id),
            PRIMARY KEY (paper_pk, position)
        ) WITHOUT ROWID""")
    conn.execute("CREATE INDEX idx_authorships_person ON authorships(person_id, paper_pk)")
    conn.execute("""
        CREATE TABLE profiles (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            name_key TEXT NOT NULL UNIQUE,
            words TEXT NOT NULL DEFAULT '',  -- names.name_words(name)
            named INTEGER NOT NULL,
            person_id INTEGER REFERENCES people(id),
            source TEXT NOT NULL,
            as_of TEXT NOT NULL,
            topic TEXT,
            h_index INTEGER,
            papers INTEGER,
            citations INTEGER,
            novelty NUMERIC,
            ai_score NUMERIC
        )""")
    conn.execute("CREATE INDEX idx_profiles_person ON profiles(person_id)")
    conn.execute("""
        CREATE TABLE profile_snapshots (
            profile_id INTEGER NOT NULL REFERENCES profiles(id),
            as_of TEXT NOT NULL,
            source TEXT NOT NULL,
            topic TEXT,
            h_index INTEGER,
            papers INTEGER,
            citations INTEGER,
            novelty NUMERIC,
            ai_score NUMERIC,
            PRIMARY KEY (profile_id, as_of)
        )""")
    conn.execute("""
        CREATE TABLE listings (
            profile_id INTEGER NOT NULL REFERENCES profiles(id),
            paper_pk INTEGER NOT NULL REFERENCES papers(pk),
            PRIMARY KEY (profile_id, paper_pk)
        ) WITHOUT ROWID""")
    conn.execute("CREATE INDEX idx_listings_paper ON listings(paper_pk, profile_id)")
    # What each page said about each paper: the merged paper is computed from these,
    # so a page loaded again, or later, can change its own contribution and no other.
    conn.execute("""
        CREATE TABLE sightings (
            paper_pk INTEGER NOT NULL REFERENCES papers(pk),
            profile_id INTEGER NOT NULL REFERENCES profiles(id),
            as_of TEXT NOT NULL,
            load_id INTEGER NOT NULL,
            title TEXT,  -- NULL: the paper row's text (see store._remerge)
            authors TEXT,  -- NULL: the paper row's
            authors_truncated INTEGER NOT NULL,
            affiliations TEXT NOT NULL,
            topic TEXT,
            date TEXT,
            has_code INTEGER NOT NULL,
            score REAL,
            abstract TEXT,  -- NULL: the paper row's
            PRIMARY KEY (paper_pk, profile_id)
        )""")
    conn.execute("""
        CREATE TABLE loads (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            as_of TEXT NOT NULL,
            profile_id INTEGER REFERENCES profiles(id),
            entries INTEGER NOT NULL,
            loaded_at TEXT NOT NULL
        )""")
    # "this very page was loaded already?", asked for every file: without it, a scan of
    # every load so far (2 ms a file at 27,000 files, and growing)
    conn.execute("CREATE INDEX idx_loads_page ON loads(profile_id, sha256, as_of)")
    cols = ", ".join(f"[{c}]" for c in FTS_COLUMNS)
    conn.execute(
        f"CREATE VIRTUAL TABLE [papers_fts] USING FTS5 (\n    {cols},\n"
        f"    tokenize='{FTS_TOKENIZE}',\n    content=[papers]\n)"
    )
    # Merge the index's segments 8 at a time, not 4: each page file commits on its own,
    # and merging after every small commit was most of a large load's index cost
    # (1M papers: 8 ms of the 17 ms a file took; 8 at a time halves it).
    conn.execute("INSERT INTO papers_fts (papers_fts, rank) VALUES ('automerge', 8)")
    # A vocabulary view of the index, for typo correction.
    conn.execute("CREATE VIRTUAL TABLE papers_fts_vocab USING fts5vocab(papers_fts, 'row')")


def m002_paper_keys(conn: sqlite3.Connection) -> None:
    """Every paper gets its BibTeX cite key, stored so that it never changes again.
    Existing papers get the keys an export of the whole catalog gave them (newest
    first, as `export` ordered them), so citations written before keep their paper."""
    from catalog.keys import CitationKeys, citation_key

    conn.execute("ALTER TABLE papers ADD COLUMN key TEXT")
    keys = CitationKeys()
    rows = conn.execute("SELECT pk, authors, date, title FROM papers "
                        "ORDER BY date DESC, title, pk").fetchall()
    conn.executemany(
        "UPDATE papers SET key = ? WHERE pk = ?",
        [(keys(citation_key([a for a in authors.split(", ") if a], date, title)), pk)
         for pk, authors, date, title in rows])
    conn.execute("CREATE UNIQUE INDEX idx_papers_key ON papers(key)")


def m003_name_index(conn: sqlite3.Connection) -> None:
    """An index of people's names for fuzzy look-up (#16): each person's name words,
    and each distinct word's one-letter deletions (see ``names.deletion_variants``).
    Kept by ``store.write`` in the transaction that adds or removes a person. IF NOT
    EXISTS: a catalog taken back to an older version number (tests do) keeps them."""
    from catalog.store.write import index_person

    conn.execute("""
        CREATE TABLE IF NOT EXISTS person_words (
            word TEXT NOT NULL,
            person_id INTEGER NOT NULL REFERENCES people(id),
            PRIMARY KEY (word, person_id)
        ) WITHOUT ROWID""")
    conn.execute("CREATE INDEX IF NOT EXISTS idx_person_words_person ON person_words(person_id)")
    conn.execute("CREATE TABLE IF NOT EXISTS name_vocab (word TEXT PRIMARY KEY) WITHOUT ROWID")
    conn.execute("""
        CREATE TABLE IF NOT EXISTS name_deletes (
            variant TEXT NOT NULL,
            word TEXT NOT NULL,
            PRIMARY KEY (variant, word)
        ) WITHOUT ROWID""")
    for pid, words in conn.execute("SELECT id, words FROM people").fetchall():
        index_person(conn, pid, words)


def m004_paper_views(conn: sqlite3.Connection) -> None:
    """Views that read as a catalog rather than a database, for ``catalog serve``
    (Datasette) and for anyone with ``sqlite3``: a paper's authors, affiliations,
    topics and profiles as JSON arrays (so Datasette facets by each of them and
    ``json_each`` works), and people with their paper counts. No internal columns."""
    # authors from the authorship rows (one person, one spelling, in printed order);
    # affiliations are stored as shown, ", "-joined: split here, in SQL, once
    conn.execute("""
        CREATE VIEW IF NOT EXISTS paper_list AS
        SELECT p.id, p.title, p.date, p.year, p.topic,
            (SELECT json_group_array(name) FROM (
                SELECT pe.name FROM authorships a JOIN people pe ON pe.id = a.person_id
                WHERE a.paper_pk = p.pk ORDER BY a.position)) AS authors,
            p.authors_truncated,
            (WITH RECURSIVE s(item, rest) AS (
                SELECT NULL, p.affiliations || ', '
                UNION ALL
                SELECT substr(rest, 1, instr(rest, ', ') - 1), substr(rest, instr(rest, ', ') + 2)
                FROM s WHERE rest <> '')
             SELECT json_group_array(item) FROM s WHERE item <> '') AS affiliations,
            CASE WHEN p.topic IS NULL THEN json_array() ELSE json_array(p.topic) END AS topics,
            p.has_code, p.score,
            (SELECT json_group_array(name) FROM (
                SELECT pr.name FROM listings l JOIN profiles pr ON pr.id = l.profile_id
                WHERE l.paper_pk = p.pk ORDER BY pr.name)) AS profiles,
            p.abstract, p.key
        FROM papers p""")
    # a person's papers follow the --author rule: visible authorships plus the papers
    # of the profiles they own. Sorting by that count computes it for everyone
    # (0.7 s at 100,000 papers): `catalog serve` lists them by name.
    conn.execute("""
        CREATE VIEW IF NOT EXISTS author_list AS
        SELECT pe.name,
            (SELECT count(*) FROM (
                SELECT paper_pk FROM authorships WHERE person_id = pe.id
                UNION
                SELECT l.paper_pk FROM listings l JOIN profiles pr ON pr.id = l.profile_id
                WHERE pr.person_id = pe.id)) AS papers,
            pr.name AS profile, pr.topic, pr.h_index, pr.citations
        FROM people pe LEFT JOIN profiles pr ON pr.person_id = pe.id""")


def m005_search_index(conn: sqlite3.Connection) -> None:
    """Made ``papers_search``, a second, folded FTS5 index that best match read before
    the search engine's index (#13) took over. ``m008_drop_search_fts`` drops it again,
    so this step now does nothing: building a whole FTS5 index only to drop it would
    cost an old catalog minutes at its next open."""


def m006_paper_topics(conn: sqlite3.Connection) -> None:
    """Every topic code of a paper's header (``LGCV``: LG then CV), space-joined, the
    first being ``topic`` (#14): on papers and on each page's sighting. Existing rows
    had only their first code kept: ``topics = topic``. The ``paper_list`` view's
    ``topics`` becomes every code; its other columns are m004's, unchanged."""
    # a catalog taken back to an older version number (tests do) may have them
    if not conn.execute("SELECT 1 FROM pragma_table_info('papers') WHERE name = 'topics'"
                        ).fetchone():
        conn.execute("ALTER TABLE papers ADD COLUMN topics TEXT")
    if not conn.execute("SELECT 1 FROM pragma_table_info('sightings') WHERE name = 'topics'"
                        ).fetchone():
        conn.execute("ALTER TABLE sightings ADD COLUMN topics TEXT")
    conn.execute("UPDATE papers SET topics = topic WHERE topics IS NULL")
    conn.execute("UPDATE sightings SET topics = topic WHERE topics IS NULL")
    # the few papers with more than one code, for `catalog topics` and the topic filter
    conn.execute("CREATE INDEX IF NOT EXISTS idx_papers_topics ON papers(topics, date) "
                 "WHERE length(topics) > 2")
    conn.execute("DROP VIEW IF EXISTS paper_list")
    # the codes are two capital letters each: joined as a JSON array's text, safely
    conn.execute("""
        CREATE VIEW paper_list AS
        SELECT p.id, p.title, p.date, p.year, p.topic,
            (SELECT json_group_array(name) FROM (
                SELECT pe.name FROM authorships a JOIN people pe ON pe.id = a.person_id
                WHERE a.paper_pk = p.pk ORDER BY a.position)) AS authors,
            p.authors_truncated,
            (WITH RECURSIVE s(item, rest) AS (
                SELECT NULL, p.affiliations || ', '
                UNION ALL
                SELECT substr(rest, 1, instr(rest, ', ') - 1), substr(rest, instr(rest, ', ') + 2)
                FROM s WHERE rest <> '')
             SELECT json_group_array(item) FROM s WHERE item <> '') AS affiliations,
            CASE WHEN coalesce(p.topics, '') = '' THEN json_array()
                 ELSE json('["' || replace(p.topics, ' ', '","') || '"]') END AS topics,
            p.has_code, p.score,
            (SELECT json_group_array(name) FROM (
                SELECT pr.name FROM listings l JOIN profiles pr ON pr.id = l.profile_id
                WHERE l.paper_pk = p.pk ORDER BY pr.name)) AS profiles,
            p.abstract, p.key
        FROM papers p""")


def m007_search_log(conn: sqlite3.Connection) -> None:
    """What the search engine's index (``catalog.search_index``, a derived index beside
    the file) has not seen yet. Every change to a paper's row, by any writer, appends
    its pk to ``search_log`` in the same transaction (triggers), so the index can tell
    exactly how far behind SQLite it is and catch up, even after a ``kill -9`` between
    the two commits. AUTOINCREMENT: sequence numbers never go back, even once the log
    is pruned. ``catalog_id`` tells this catalog's index from another file's."""
    import uuid

    conn.execute("CREATE TABLE IF NOT EXISTS search_log "
                 "(seq INTEGER PRIMARY KEY AUTOINCREMENT, pk INTEGER NOT NULL)")
    conn.execute("CREATE TABLE IF NOT EXISTS catalog_meta "
                 "(key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    conn.execute("INSERT OR IGNORE INTO catalog_meta (key, value) VALUES ('catalog_id', ?)",
                 (uuid.uuid4().hex,))
    conn.execute("CREATE TRIGGER IF NOT EXISTS search_log_insert AFTER INSERT ON papers "
                 "BEGIN INSERT INTO search_log (pk) VALUES (new.pk); END")
    conn.execute("CREATE TRIGGER IF NOT EXISTS search_log_update AFTER UPDATE ON papers "
                 "BEGIN INSERT INTO search_log (pk) VALUES (new.pk); END")
    conn.execute("CREATE TRIGGER IF NOT EXISTS search_log_delete AFTER DELETE ON papers "
                 "BEGIN INSERT INTO search_log (pk) VALUES (old.pk); END")
    # a pk the update changed (never done by catalog, but by hand it could be)
    conn.execute(
        "CREATE TRIGGER IF NOT EXISTS search_log_rekey AFTER UPDATE OF pk ON papers "
        "WHEN old.pk != new.pk BEGIN INSERT INTO search_log (pk) VALUES (old.pk); END")


def m008_drop_search_fts(conn: sqlite3.Connection) -> None:
    """Drop ``papers_search`` (m005): best match reads the search engine's index, and
    the few searches left to FTS5 read ``papers_fts``. A second FTS5 index of every
    paper cost as much as the first at each load (a million papers: about 100 s) and
    a third of the file."""
    conn.execute("DROP TABLE IF EXISTS papers_search_vocab")
    conn.execute("DROP TABLE IF EXISTS papers_search")
    # Merge 16 segments at a time, not 8: a load commits a small segment per page, and
    # merging them in eights rewrote the index a level more often (100,000 papers in
    # pages of 37: 10.3 s of FTS5 at 8, 7.7 s at 16). More segments for a query to
    # read, but the engine answers best match; FTS5 serves what's left.
    conn.execute("INSERT INTO papers_fts (papers_fts, rank) VALUES ('automerge', 16)")


def m009_index_backlog(conn: sqlite3.Connection) -> None:
    """What a load has written but not yet indexed (``store.backlog``): papers with
    ``pk >= from_id`` of the row ``papers_fts`` are not in ``papers_fts``, people with
    ``id >= from_id`` of the row ``names`` may be missing from the name index. No row,
    nothing is behind. Written in the transaction that writes the rows themselves."""
    conn.execute("CREATE TABLE IF NOT EXISTS index_backlog "
                 "(name TEXT PRIMARY KEY, from_id INTEGER NOT NULL) WITHOUT ROWID")


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    m001_initial, m002_paper_keys, m003_name_index, m004_paper_views, m005_search_index,
    m006_paper_topics, m007_search_log, m008_drop_search_fts, m009_index_backlog]
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection) -> int:
    """Bring a catalog (or a new, empty file) up to ``SCHEMA_VERSION``, one
    transaction per step. Returns the number of steps applied."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    applied = 0
    for number, step in enumerate(MIGRATIONS[version:], start=version + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            # another process may have migrated while we waited for the lock
            if conn.execute("PRAGMA user_version").fetchone()[0] >= number:
                conn.execute("COMMIT")
                continue
            step(conn)
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        applied += 1
    return applied
