"""The benchmark command runs end to end at a small size (correctness only: no timing
is asserted), and its corpus generator writes pages that parse back exactly."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from catalog.pages import parse_page

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.corpus import AS_OF, Corpus, expected_page, render  # noqa: E402 (path)


@pytest.mark.slow
def test_corpus_pages_parse_back_exactly():
    corpus = Corpus(3000, seed=7)
    pages = list(corpus.pages())
    assert sum(1 for p in pages if p.spaced) and sum(1 for p in pages if not p.spaced)
    listed = [j for p in pages for j, _ in p.items]
    assert len(set(listed)) == 3000 and len(listed) > 3000  # some papers on several pages
    assert any(not header for p in pages for _, header in p.items)
    for page in pages:
        assert 1 <= len(page.items) <= 60
        got = parse_page(render(corpus, page), page.stem, as_of=AS_OF)
        assert got == expected_page(corpus, page)
        assert not got.warnings


def test_corpus_is_deterministic():
    a, b = Corpus(500, seed=3), Corpus(500, seed=3)
    assert [render(a, p) for p in a.pages()] == [render(b, p) for p in b.pages()]
    assert Corpus(500, seed=4).paper(10) != a.paper(10)


@pytest.mark.slow
def test_benchmark_command_smoke(tmp_path):
    doc = tmp_path / "benchmarks.md"
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks", "run", "--papers", "2000", "--out",
         str(tmp_path / "work"), "--doc", str(doc)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr[-3000:]
    text = doc.read_text("utf-8")
    for measure in ("parse throughput", "load / floor", "peak RSS while loading",
                    "incremental", "search in-process", "`catalog search WORD`",
                    "author resolution", "`catalog --help`", "export"):
        assert measure in text, measure
    assert "cores: " in text and "sqlite: " in text
    results = json.loads((tmp_path / "work" / "results.json").read_text())
    v = results["values"]
    assert v["load_papers"] == 2000 and v["load_warnings"] == 0
    assert v["floor_s"] > 0 and v["load_s"] > 0 and v["search_n"] > 0
    assert v["author_fuzzy_found"] >= 1
    # issue 13's latency set: pasted claims among the kinds, each kind's percentiles,
    # and `catalog search` beside `rg -il` query by query (where rg is installed)
    assert "pasted claim" in v["search_kinds"] and "pasted claim" in text
    if shutil.which("rg"):
        assert v["rg_compared"] == len(v["search_kinds"])
        assert "`rg -il`" in text
    assert v["export_rows"] == 2000 + 80  # the corpus and the two extra pages
