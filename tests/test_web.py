"""`catalog serve`: every page, route and JSON endpoint through Datasette's own test
client, the catalog's metadata and views, search agreeing with `catalog search`,
and a catalog that no web request can change."""

from __future__ import annotations

import asyncio
import hashlib
import json
import sqlite3
import sys
from urllib.parse import quote

import pytest

from conftest import AS_OF, DATA, private_copy

pytest.importorskip("datasette", reason="the web extra is not installed")

from catalog import migrations, web


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _serve(db):
    datasette = web.make_datasette(db)
    asyncio.run(datasette.invoke_startup())
    return datasette


@pytest.fixture(scope="module")
def served_db(_seeds_built, tmp_path_factory):
    """One copy of the sample catalog for the module's tests that only read it, served by
    one Datasette (``ds``): a new Datasette compiles every template again. No test may
    change it, and the module ends by checking it is byte for byte as it began; a test
    that writes takes its own copy (``seeds_db``) and its own Datasette (``own_ds``)."""
    db = private_copy(_seeds_built, tmp_path_factory.mktemp("served") / "catalog.db")
    before = _contents(db)
    yield db
    assert _contents(db) == before, "a test changed the shared catalog: give it seeds_db"


def _contents(db) -> str:
    """A digest of every row and schema entry, read through the WAL (where a write to a
    catalog in use waits, leaving the file's own bytes as they were)."""
    conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
    try:
        return hashlib.sha256("\n".join(conn.iterdump()).encode()).hexdigest()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def ds(served_db):
    datasette = _serve(served_db)
    yield datasette
    datasette.get_database("catalog").close()


@pytest.fixture
def own_ds(seeds_db):
    datasette = _serve(seeds_db)
    yield datasette
    datasette.get_database("catalog").close()


def get(ds, path: str):
    return asyncio.run(ds.client.get(path))


def get_json(ds, path: str):
    r = get(ds, path)
    assert r.status_code == 200, (path, r.text[:500])
    return r.json()


def cli_json(invoke, db, *args):
    result = invoke("--db", db, *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


# -- search ranked as `catalog search` ranks ---------------------------------------

QUERIES = ["reinforcement learning", "mixture of experts", "language model", "deepseek",
           "chest CT", "experts -survey", "reasonnig", 'author:"Aixin Liu" model',
           "model topic:CL year:2024"]


@pytest.mark.parametrize("query", QUERIES)
def test_search_top_ten_is_the_cli_top_ten(ds, invoke, served_db, query):
    cli = cli_json(invoke, served_db, "search", query, "--limit", "10")
    web_ = get_json(ds, f"/search.json?q={quote(query)}&limit=10")
    assert [p["id"] for p in web_["papers"]] == [p["id"] for p in cli]
    assert cli, "every query here finds something"


def test_search_with_facet_filters_is_the_cli_search_with_options(ds, invoke, served_db):
    cli = cli_json(invoke, served_db, "search", "model", "--topic", "CL", "--year", "2024",
                   "--author", "DeepSeek-AI", "--code", "--limit", "10")
    web_ = get_json(ds, "/search.json?q=model&topic=CL&year=2024&author=DeepSeek-AI&code=1")
    assert [p["id"] for p in web_["papers"]] == [p["id"] for p in cli]
    assert cli


def test_datasettes_own_table_search_goes_to_the_ranked_search(ds):
    r = get(ds, "/catalog/papers?_search=reinforcement+learning")
    assert r.status_code == 302
    assert r.headers["location"] == "/search?q=reinforcement+learning"
    r = get(ds, "/catalog/papers.json?_search=model")
    assert r.headers["location"] == "/search.json?q=model"
    assert get(ds, "/catalog/papers").status_code == 200  # browsing is untouched


def test_search_page_best_match_first_words_marked_facets_beside(ds, invoke, served_db):
    best = cli_json(invoke, served_db, "search", "reinforcement learning", "--limit", "1")[0]
    r = get(ds, "/search?q=reinforcement+learning")
    assert r.status_code == 200
    results = r.text.split('id="results"')[1]
    first = results.split("</li>")[0]
    assert f'href="/paper/{best["id"]}"' in first
    assert "<mark>Reinforcement</mark> <mark>Learning</mark>" in first  # in the title
    facets = r.text.split('id="facets"')[1]
    assert "?q=reinforcement+learning&amp;topic=CL" in facets
    assert "?q=reinforcement+learning&amp;year=2025" in facets
    assert "author=DeepSeek-AI" in facets and "with code" in facets


@pytest.mark.parametrize("sort", ["date", "title", "score"])
def test_search_sorts_as_the_cli_sorts(ds, invoke, served_db, sort):
    cli = cli_json(invoke, served_db, "search", "model", "--sort", sort, "--limit", "10")
    web_ = get_json(ds, f"/search.json?q=model&sort={sort}&limit=10")
    assert [p["id"] for p in web_["papers"]] == [p["id"] for p in cli]
    r = get(ds, f"/search?q=model&sort={sort}")
    assert 'href="/search?q=model&amp;sort=relevance">best match first</a>' in r.text


def test_search_facet_link_narrows_and_can_be_removed(ds, invoke, served_db):
    r = get(ds, "/search?q=model&topic=CV")
    assert r.status_code == 200
    results = r.text.split('id="results"')[1].split("</ol>")[0]
    cv = cli_json(invoke, served_db, "search", "model", "--topic", "CV")
    assert results.count('class="paper"') == len(cv) < 10
    assert all(f'href="/paper/{p["id"]}"' in results for p in cv)
    assert 'href="/search?q=model" title="Remove this filter"' in r.text


def test_search_marks_accented_and_stemmed_words(ds):
    r = get(ds, "/search?q=experts")
    assert "<mark>Experts</mark>" in r.text


def test_search_correction_and_no_results_are_explained(ds):
    r = get(ds, "/search?q=reasonnig")
    assert "also searched for &#34;reasoning&#34;" in r.text
    assert "<mark>Reasoning</mark>" in r.text
    r = get(ds, "/search?q=mixtrue")
    assert r.status_code == 200 and "No papers match" in r.text
    assert 'did you mean' in r.text and '<a href="/search?q=mixture">mixture</a>' in r.text


def test_bad_query_is_a_400_with_the_cli_message(ds, invoke, served_db):
    cli = invoke("--db", served_db, "search", "year:abc")
    r = get(ds, "/search?q=year:abc")
    assert r.status_code == 400
    assert "is not a year" in r.text and "is not a year" in cli.stderr
    assert get(ds, "/search.json?q=year:abc").json()["ok"] is False


def test_empty_search_shows_the_form_and_the_query_language(ds):
    r = get(ds, "/search")
    assert r.status_code == 200 and 'name="q"' in r.text and "author:" in r.text


# -- pages ---------------------------------------------------------------------------

def test_home_has_search_box_counts_and_newest_papers(ds, invoke, served_db):
    r = get(ds, "/")
    assert r.status_code == 200
    assert '<form class="searchbox" action="/search"' in r.text
    assert "16 papers" in r.text and "Paper catalog" in r.text
    newest = cli_json(invoke, served_db, "list", "--limit", "1")[0]
    assert r.text.index(newest["title"]) < r.text.index("Top authors")


def test_author_page_card_papers_coauthors_topics_years(ds, invoke, served_db):
    cli = cli_json(invoke, served_db, "author", "Y. K. Li")
    r = get(ds, "/author/" + quote("Y. K. Li"))
    assert r.status_code == 200
    card = r.text.split('id="profile"')[1].split("</div>")[0]
    assert "h-index" in card and "38" in card and "17,431" in card
    papers = r.text.split('id="papers"')[1].split("</ol>")[0]
    positions = [papers.index(f'href="/paper/{p["id"]}"') for p in cli["papers"]]
    assert positions == sorted(positions) and len(positions) == 7  # newest first
    coauthors = r.text.split('id="coauthors"')[1].split("</ul>")[0]
    top = cli["coauthors"][0]
    assert f'href="/author/{quote(top["name"], safe="")}"' in coauthors
    assert 'href="/topic/CL"' in r.text and "Papers per year" in r.text


def test_author_page_json_is_the_cli_json(ds, invoke, served_db):
    assert get_json(ds, "/author/" + quote("yk li") + ".json") == \
        cli_json(invoke, served_db, "author", "yk li")


def test_author_history_shows_how_figures_moved(tmp_path, invoke):
    db = tmp_path / "h.db"
    page = (tmp_path / "p.txt")
    text = (DATA / "001_3d4b083b5e58e23e.txt").read_text("utf-8")
    page.write_text(text, "utf-8")
    assert invoke("--db", db, "load", page, "--as-of", "2026-01-01").exit_code == 0
    page.write_text(text.replace("h-index38", "h-index41"), "utf-8")
    assert invoke("--db", db, "load", page, "--as-of", AS_OF).exit_code == 0
    ds = web.make_datasette(db)
    asyncio.run(ds.invoke_startup())
    r = get(ds, "/author/" + quote("Y. K. Li"))
    assert "+3 since 2026-01-01" in r.text and "Captures" in r.text


def test_coauthor_without_profile_gets_a_page(ds):
    r = get(ds, "/author/" + quote("Aixin Liu"))
    assert r.status_code == 200 and "No profile page of their own" in r.text


def test_unnamed_profile_pages_have_author_pages(ds):
    r = get(ds, "/author/002_84ad6e480aeb5c09")
    assert r.status_code == 200 and r.text.count('class="paper"') == 9


def test_unknown_author_is_a_404_with_candidates(ds):
    r = get(ds, "/author/zzqqxx")
    assert r.status_code == 404 and "no author matches" in r.text
    assert get(ds, "/author/zzqqxx.json").json()["ok"] is False


def test_topic_pages(ds, invoke, served_db):
    topics = cli_json(invoke, served_db, "topics")
    assert get_json(ds, "/topics.json") == topics
    r = get(ds, "/topics")
    assert r.status_code == 200 and 'href="/topic/CL"' in r.text
    cl = get_json(ds, "/topic/CL.json")
    assert cl["papers"] == next(t["papers"] for t in topics if t["code"] == "CL")
    assert [p["id"] for p in cl["latest"]] == \
        [p["id"] for p in cli_json(invoke, served_db, "list", "--topic", "CL")]
    r = get(ds, "/topic/" + quote("computer vision"))  # a name works as on the CLI
    assert r.status_code == 200 and "CV: Computer Vision" in r.text
    assert get(ds, "/topic/QQ").status_code == 404


def test_paper_page_links_authors_topic_and_related(ds, invoke, served_db):
    paper = cli_json(invoke, served_db, "show", "1e8d1c82881b")
    r = get(ds, "/paper/1e8d1c82881b")
    assert r.status_code == 200
    authors = r.text.split('id="authors"')[1].split("</p>")[0]
    for name in paper["authors"]:
        assert f'href="/author/{quote(name, safe="")}"' in authors
    assert paper["abstract"] in r.text  # whole, not shortened
    related = r.text.split('id="related"')[1].split("</ol>")[0]
    assert "DeepSeek-V2" in related  # shares DeepSeek-AI, Aixin Liu and Bei Feng
    data = get_json(ds, "/paper/1e8d1c82881b.json")
    assert {k: v for k, v in data.items() if k != "related"} == paper
    assert "1e8d1c82881b" not in data["related"] and data["related"]
    assert get(ds, "/paper/1e8d").status_code == 200  # abbreviated, as in git
    assert get(ds, "/paper/ffffffffffff").status_code == 404


# -- Datasette's own pages: metadata, views, facets ------------------------------------

def test_database_page_lists_views_and_hides_internal_tables(ds):
    data = get_json(ds, "/catalog.json")
    visible = {t["name"] for t in data["tables"] if not t["hidden"]}
    assert visible == set()  # every stored table is hidden; the views show them
    assert {v["name"] for v in data["views"]} >= {"paper_list", "author_list"}
    r = get(ds, "/catalog")
    assert "Papers" in r.text and "Research papers collected" in r.text


def test_paper_list_newest_first_with_json_arrays_and_no_internal_columns(ds, invoke,
                                                                           served_db):
    data = get_json(ds, "/catalog/paper_list.json?_shape=objects")
    rows = data["rows"]
    assert [r["id"] for r in rows[:5]] == \
        [p["id"] for p in cli_json(invoke, served_db, "list", "--limit", "5")]
    assert not {"pk", "title_key"} & set(rows[0])
    v3 = next(r for r in rows if r["id"] == "1e8d1c82881b")
    assert json.loads(v3["authors"]) == ["DeepSeek-AI", "Aixin Liu", "Bei Feng"]
    assert json.loads(v3["affiliations"]) == ["stanford", "tsinghua"]
    assert json.loads(v3["topics"]) == ["CL"]
    assert "Y. K. Li" in json.loads(v3["profiles"])


def test_paper_list_facets_by_author_topic_year_code(ds):
    data = get_json(ds, "/catalog/paper_list.json?_facet_array=authors&_facet_array=profiles")
    facets = data["facet_results"]
    assert {"topic", "year", "has_code", "authors", "profiles"} <= set(facets)
    authors = {f["value"]: f["count"] for f in facets["authors"]["results"]}
    assert authors["DeepSeek-AI"] == 6
    years = {f["value"]: f["count"] for f in facets["year"]["results"]}
    assert years[2024] == 7


def test_paper_list_cells_link_and_abstracts_are_shortened(ds):
    r = get(ds, "/catalog/paper_list")
    assert r.status_code == 200
    assert 'href="/paper/1e8d1c82881b">DeepSeek-V3 Technical Report</a>' in r.text
    assert 'href="/author/DeepSeek-AI">DeepSeek-AI</a>' in r.text
    assert "et al." in r.text and "…" in r.text
    assert "Throughout the entire training process" not in r.text  # the abstract's end


def test_author_list_and_label_columns(ds):
    data = get_json(ds, "/catalog/author_list.json?_shape=objects&_sort_desc=papers")
    assert data["rows"][0]["name"] == "Y. K. Li" and data["rows"][0]["papers"] == 7
    names = [r["name"] for r in get_json(ds, "/catalog/author_list.json?_shape=objects")["rows"]]
    assert names == sorted(names) and len(names) == 28  # by name, cheap at any size
    # a join table reads as titles and names, not as numbers
    r = get(ds, "/catalog/authorships")
    assert "DeepSeek-V3 Technical Report" in r.text and "Aixin Liu" in r.text


def test_tables_and_columns_are_described(ds):
    meta = ds.metadata()
    tables = meta["databases"]["catalog"]["tables"]
    conn = sqlite3.connect(ds.get_database("catalog").path)
    names = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') "
        "AND name NOT LIKE 'sqlite_%'")]
    for name in names:
        assert tables[name].get("description") or tables[name].get("description_html"), name
    for view in ("paper_list", "author_list"):
        columns = [r[1] for r in conn.execute(f"PRAGMA table_info({view})")]
        assert set(columns) == set(tables[view]["columns"]), view


# -- read-only -------------------------------------------------------------------------

def test_no_request_changes_the_catalog(own_ds, seeds_db, monkeypatch):
    # Datasette prints each refused request's traceback, locals and all, on the server's
    # console (half a second of rich rendering here); this test looks at the responses
    monkeypatch.setattr("datasette.handle_exception.rich", None, raising=False)
    before = _sha(seeds_db)
    db = own_ds.get_database("catalog")
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        asyncio.run(db.execute_write("DELETE FROM papers"))
    # Datasette's SQL box refuses anything but SELECT, and POSTs have nowhere to go
    r = get(own_ds, "/catalog.json?sql=" + quote("DELETE FROM papers"))
    assert r.status_code == 400
    r = asyncio.run(own_ds.client.post("/catalog", data={"sql": "DELETE FROM papers"}))
    assert r.status_code >= 400
    for path in ("/", "/search?q=model", "/author/" + quote("Y. K. Li"), "/topics",
                 "/paper/1e8d1c82881b", "/catalog/paper_list"):
        assert get(own_ds, path).status_code == 200
    assert _sha(seeds_db) == before
    assert sqlite3.connect(seeds_db).execute("SELECT count(*) FROM papers").fetchone() == (16,)
    # no canned query that could write
    assert not own_ds.metadata()["databases"]["catalog"].get("queries")


def test_immutable_mode_serves_the_same_pages(seeds_db):
    ds = web.make_datasette(seeds_db, immutable=True)
    asyncio.run(ds.invoke_startup())
    assert get(ds, "/search.json?q=model").json()["papers"]
    assert get(ds, "/catalog/paper_list.json").status_code == 200
    with pytest.raises(sqlite3.OperationalError):
        asyncio.run(ds.get_database("catalog").execute_write("DELETE FROM papers"))


def test_a_load_while_serving_is_seen_by_the_next_request(own_ds, invoke, seeds_db):
    from conftest import PAGES

    n = get_json(own_ds, "/search.json?q=residual")["papers"]
    assert invoke("--db", seeds_db, "load", PAGES / "kaiming_he.txt", "--as-of",
                  AS_OF).exit_code == 0
    assert len(get_json(own_ds, "/search.json?q=residual")["papers"]) > len(n)


# -- the command -----------------------------------------------------------------------

@pytest.fixture
def no_server(monkeypatch):
    """`serve` up to the point where it would listen; records what it would run."""
    calls = []
    monkeypatch.setattr(web, "run", lambda ds, **kw: calls.append(kw))
    monkeypatch.setattr(web, "check_port", lambda host, port: None)
    return calls


def test_serve_listens_on_loopback_by_default(invoke, seeds_db, no_server):
    result = invoke("--db", seeds_db, "serve")
    assert result.exit_code == 0, result.stderr
    assert no_server == [{"host": "127.0.0.1", "port": 8001}]
    assert "Warning" not in result.stderr and "read-only" in result.stderr


def test_serve_on_the_network_only_when_asked_and_with_a_warning(invoke, seeds_db,
                                                                  no_server):
    result = invoke("--db", seeds_db, "serve", "--host", "0.0.0.0", "--port", "9000")
    assert result.exit_code == 0
    assert no_server == [{"host": "0.0.0.0", "port": 9000}]
    assert "Warning: serving on 0.0.0.0" in result.stderr
    assert "can read the catalog" in result.stderr


def test_serve_open_opens_the_home_page(invoke, seeds_db, no_server, monkeypatch):
    import webbrowser

    opened = []
    monkeypatch.setattr(webbrowser, "open", opened.append)
    assert invoke("--db", seeds_db, "serve", "--open", "--port", "8123").exit_code == 0
    assert opened == ["http://127.0.0.1:8123/"]


def test_serve_without_datasette_says_how_to_install_it(invoke, seeds_db, monkeypatch):
    monkeypatch.setitem(sys.modules, "datasette", None)  # import datasette fails
    result = invoke("--db", seeds_db, "serve")
    assert result.exit_code == 1
    assert result.stderr == "Error: catalog serve needs Datasette: pip install 'catalog[web]'\n"


def test_serve_without_a_catalog_creates_none(invoke, tmp_path, no_server):
    result = invoke("--db", tmp_path / "none.db", "serve")
    assert result.exit_code == 1 and "no catalog at" in result.stderr
    assert not (tmp_path / "none.db").exists() and no_server == []


def test_serve_on_a_port_in_use_says_so(invoke, seeds_db, monkeypatch):
    import socket

    monkeypatch.setattr(web, "run", lambda ds, **kw: pytest.fail("should not run"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        result = invoke("--db", seeds_db, "serve", "--port", port)
    assert result.exit_code == 1
    assert f"cannot serve on 127.0.0.1:{port}" in result.stderr and "--port" in result.stderr


@pytest.mark.parametrize("host,loopback", [("127.0.0.1", True), ("127.0.1.1", True),
                                           ("::1", True), ("localhost", True),
                                           ("0.0.0.0", False), ("::", False),
                                           ("192.168.1.5", False), ("example.org", False)])
def test_is_loopback(host, loopback):
    assert web.is_loopback(host) is loopback


HOSTILE = """Mallory O'Brien

CLJan 2, 2025Code

Attacks on <script>alert(1)</script> Paper Catalogs & <b>Evil</b> "Quotes"

Mallory O'Brien, Bob Smith et al.

We inject <script>alert(3)</script> markup <img src=x onerror=alert(2)> into abstracts.
"""


def test_page_text_is_escaped_everywhere(tmp_path, invoke):
    db = tmp_path / "x.db"
    page = tmp_path / "hostile.txt"
    page.write_text(HOSTILE, "utf-8")
    assert invoke("--db", db, "load", page, "--as-of", AS_OF).exit_code == 0
    ds = web.make_datasette(db)
    asyncio.run(ds.invoke_startup())
    pid = get_json(ds, "/search.json?q=attacks")["papers"][0]["id"]
    pages = ["/", "/search?q=script+attacks", f"/paper/{pid}", "/topic/CL",
             "/catalog/paper_list", "/catalog/author_list"]
    pages.append("/author/" + quote(get_json(ds, f"/paper/{pid}.json")["authors"][0]))
    for path in pages:
        r = get(ds, path)
        assert r.status_code == 200, path
        assert "<script>alert" not in r.text and "<img src=x" not in r.text, path
        assert "<b>Evil" not in r.text, path
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in get(ds, f"/paper/{pid}").text


def test_paper_page_lists_the_same_related_papers_as_the_cli(ds, invoke, served_db):
    cli = cli_json(invoke, served_db, "related", "1e8d1c82881b", "--limit", "8")
    data = get_json(ds, "/paper/1e8d1c82881b.json")
    assert data["related"] == [p["id"] for p in cli] and len(cli) > 1


def test_a_file_name_with_uri_characters_opens(seeds_db, tmp_path):
    import shutil

    odd = tmp_path / "my papers #1?.db"
    shutil.copyfile(seeds_db, odd)
    ds = web.make_datasette(odd)
    asyncio.run(ds.invoke_startup())
    assert get_json(ds, "/search.json?q=model")["papers"]
    assert get_json(ds, "/catalog/paper_list.json")["rows"]


def test_an_older_catalog_gets_the_views_when_opened(tmp_path, invoke):
    """A catalog written before the views (schema 2) is upgraded by any command,
    `serve` included, and then lists its papers in them."""
    db = tmp_path / "old.db"
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    for number, step in enumerate(migrations.MIGRATIONS[:2], start=1):
        step(conn)
        conn.execute(f"PRAGMA user_version = {number}")
    conn.execute(f"PRAGMA application_id = {migrations.APPLICATION_ID}")
    conn.close()
    page = DATA / "001_3d4b083b5e58e23e.txt"
    # loading migrates first; the views then see what was loaded
    assert invoke("--db", db, "load", page, "--as-of", AS_OF).exit_code == 0
    ro = sqlite3.connect(db)
    assert ro.execute("PRAGMA user_version").fetchone()[0] == len(migrations.MIGRATIONS)
    assert ro.execute("SELECT count(*) FROM paper_list").fetchone()[0] == 7
    ds = web.make_datasette(db)
    asyncio.run(ds.invoke_startup())
    assert get_json(ds, "/catalog/paper_list.json")["rows"]


def test_serve_refuses_a_catalog_it_cannot_read_as_current(tmp_path):
    """The read-only door never migrates: an older file is refused in one line."""
    from catalog.api import Catalog
    from catalog.errors import DatabaseError

    db = tmp_path / "old.db"
    conn = sqlite3.connect(db, isolation_level=None)
    migrations.MIGRATIONS[0](conn)
    conn.execute("PRAGMA user_version = 1")
    conn.execute(f"PRAGMA application_id = {migrations.APPLICATION_ID}")
    conn.close()
    with pytest.raises(DatabaseError, match="older catalog"):
        Catalog(db, read_only=True)
    # a page says so in one line, whichever page it is (serve itself migrates first)
    ds = web.make_datasette(db)
    asyncio.run(ds.invoke_startup())
    for path in ("/", "/topics", "/search?q=x", "/author/x", "/paper/abcd", "/topic/CL"):
        r = get(ds, path)
        assert r.status_code == 500 and "is an older catalog" in r.text, path
        assert "Traceback" not in r.text
    assert get(ds, "/topics.json").json()["ok"] is False
    assert sqlite3.connect(db).execute("PRAGMA user_version").fetchone()[0] == 1
