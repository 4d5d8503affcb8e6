"""catalog/query.py: the query language parsed on its own, without a catalog. What a
parsed query finds (ranking, filters, field terms, hostile and malformed queries through
`catalog search`) is in test_search.py and test_best_match.py."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.errors import QuerySyntaxError
from catalog.query import parse_query


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_random_text_parses_or_raises_query_syntax_error(text):
    try:
        q = parse_query(text)
    except QuerySyntaxError:
        return
    assert q.match() is None or q.match().count('"') % 2 == 0
