"""Whole pages of our own, in the shape of pages nobody showed us: names in scripts
without capitals, plural acronyms glued to organisations, a title with its own " · ",
glued topic codes, a paper listed twice, and the site's own text all around."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from catalog.cli import cli
from catalog.pages import parse_page

UNSEEN = Path(__file__).resolve().parent / "unseen_pages"
AS_OF = dt.date(2026, 11, 22)


def _parse(name: str):
    return parse_page((UNSEEN / name).read_text(encoding="utf-8"), name, as_of=AS_OF)


def test_compact_page_with_caseless_names_and_site_text():
    page = _parse("lin_compact.txt")
    assert page.profile.name == "林美玲"
    assert (page.profile.topic, page.profile.h_index, page.profile.papers) == ("CV", 14, 5)
    got = [(e.title, e.authors, e.authors_truncated, e.affiliations, e.topics, e.has_code)
           for e in page.entries]
    assert got == [
        ("Grounding Open-Vocabulary Detectors with VLMs", ("Anthropic",), False, (),
         ("CV", "LG"), True),
        ("Why Do Sparse CNNs Generalise?", ("林美玲", "佐藤健太", "박지우"), True,
         ("ntu", "kyoto-u", "snu"), ("LG", "CL", "CV"), False),
        ("Perception · Planning · Control: A Survey of Embodied Agents (2024)",
         ("Lab42", "林美玲", "Tomás Ibáñez"), False, (), ("CV",), True),
    ]
    assert page.entries[0].abstract.endswith("fully supervised detectors.")
    assert page.entries[2].score == 12.5
    skipped = [w for w in page.warnings if "site's own text" in w.message]
    assert [w.line for w in skipped] == [1, 2, 3, 5, 13, 17, 26, 27]
    assert len(page.warnings) == len(skipped)


def test_spaced_page_with_caseless_names_and_site_text():
    page = _parse("park_spaced.txt")
    assert page.profile.name == "박지우"
    got = [(e.title, e.authors, e.affiliations, e.topics, e.date, e.has_code)
           for e in page.entries]
    assert got == [
        ('Scaling "Mixture-of-Depths" to 100B', ("박지우", "山田太郎", "Adobe"), ("snu",),
         ("LG", "CV"), dt.date(2025, 1, 14), True),
        ("Are Multilingual LLMs Fair Judges?", ("이서연", "박지우", "Chen Wei"), ("kaist",),
         ("CL",), dt.date(2026, 2, 2), False),
    ]
    assert all("site's own text" in w.message for w in page.warnings)
    assert [w.line for w in page.warnings] == [1, 3, 7, 24, 40, 42]


def test_load_counts_a_paper_listed_twice_once(runner, tmp_path):
    db = tmp_path / "c.db"
    result = runner.invoke(cli, ["--db", str(db), "load", str(UNSEEN), "--as-of", "2026-11-22"],
                           catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert "林美玲: 3 of 5 papers" in result.stderr
    assert "박지우: 2 of 3 papers" in result.stderr
    out = runner.invoke(cli, ["--db", str(db), "list", "--format", "json"])
    papers = json.loads(out.stdout)
    assert len(papers) == 5
    grounding = next(p for p in papers if p["title"].startswith("Grounding"))
    assert (grounding["topic"], grounding["date"], grounding["has_code"]) == \
        ("CV", "2025-03-03", True)


def test_binary_file_is_refused_in_one_line(runner, tmp_path):
    bad = tmp_path / "a.out.txt"
    bad.write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 40)
    for extra in ([], ["--encoding", "latin-1"]):
        result = runner.invoke(cli, ["--db", str(tmp_path / "c.db"), "load", str(bad), *extra])
        assert result.exit_code == 1
        errors = [x for x in result.stderr.splitlines() if "a.out.txt" in x]
        assert len(errors) == 1 and "binary" in errors[0], result.stderr
        assert "warning:" not in result.stderr


def test_utf16_with_bom_is_read(runner, tmp_path):
    page = tmp_path / "u16.txt"
    page.write_bytes(b"\xff\xfe" + (UNSEEN / "park_spaced.txt").read_text().encode("utf-16-le"))
    result = runner.invoke(cli, ["--db", str(tmp_path / "c.db"), "load", str(page),
                                 "--as-of", "2026-11-22"])
    assert result.exit_code == 0, result.stderr
    assert "박지우: 2 of 3 papers" in result.stderr


def test_latin1_hint_only_for_8bit_text(runner, tmp_path):
    text = tmp_path / "l1.txt"
    text.write_bytes((UNSEEN / "park_spaced.txt").read_text().replace(
        "Chen Wei", "Chen Wéi").encode("utf-8").replace("é".encode(), b"\xe9"))
    result = runner.invoke(cli, ["--db", str(tmp_path / "c.db"), "load", str(text)])
    assert result.exit_code == 1
    assert "--encoding latin-1" in result.stderr


def test_warnings_capped_and_escaped(runner, tmp_path):
    page = tmp_path / "noisy.txt"
    page.write_text("\n".join(f"stray line {i} \x9b" for i in range(30)) + "\n"
                    + (UNSEEN / "park_spaced.txt").read_text())
    result = runner.invoke(cli, ["--db", str(tmp_path / "c.db"), "load", str(page),
                                 "--as-of", "2026-11-22"])
    assert result.exit_code == 0, result.stderr
    warned = [x for x in result.stderr.splitlines() if x.startswith("warning")]
    assert len(warned) == 21
    assert warned[-1].endswith("and 16 more warning(s)")
    assert "\x9b" not in result.stderr and "\\x9b" in result.stderr
