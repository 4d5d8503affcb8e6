"""`catalog load`: the seeds, bad files among good ones, options, and the summary (what the
store does with a page it has seen before is in test_store.py)."""

from __future__ import annotations

import json

import pytest

from conftest import AS_OF, DATA

EXPECTED = json.loads((DATA.parent / "tests" / "expected" / "seeds.json").read_text("utf-8"))
ABSTRACTS = {p["title"]: p for p in EXPECTED}


def papers(invoke, db):
    result = invoke("--db", db, "list", "--limit", "0", "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_seeds_give_16_papers_and_4_profiles(seeds_db, invoke):
    assert len(papers(invoke, seeds_db)) == 16
    profiles = json.loads(invoke("--db", seeds_db, "authors", "-f", "json").stdout)
    assert len(profiles) == 4


def test_every_field_of_every_seed_paper(seeds_db, invoke):
    got = sorted(papers(invoke, seeds_db), key=lambda p: p["title"])
    for paper, want in zip(got, EXPECTED, strict=True):
        abstract = paper.pop("abstract")
        assert len(abstract) == want["abstract_len"]
        assert abstract.startswith(want["abstract_start"])
        assert abstract.endswith(want["abstract_end"])
        assert paper == {k: v for k, v in want.items() if not k.startswith("abstract")}


def test_yearless_date_uses_as_of(seeds_db, invoke):
    by_title = {p["title"]: p for p in papers(invoke, seeds_db)}
    assert by_title["Personalized Longitudinal Medical Report Generation via Temporally-"
                    "Aware Federated Adaptation"]["date"] == "2026-02-23"


def test_profile_json_keys_and_figures(seeds_db, invoke):
    profiles = json.loads(invoke("--db", seeds_db, "authors", "-f", "json").stdout)
    li = [p for p in profiles if p["name"] == "Y. K. Li"][0]
    assert li == {"name": "Y. K. Li", "topic": "CL", "h_index": 38, "papers": 7,
                  "citations": 17431, "novelty": 51, "ai_score": 47, "listed": 7,
                  "source": "001_3d4b083b5e58e23e.txt"}
    unnamed = [p for p in profiles if p["name"] == "000_281d56d23437e343"][0]
    assert unnamed["h_index"] is None and unnamed["listed"] == 5


def test_summary_line(db_path, invoke):
    result = invoke("--db", db_path, "load", DATA, "--as-of", AS_OF)
    assert "Loaded 4 of 4 file(s): 16 new, 14 merged, 0 unchanged papers; 0 warning(s)" \
        in result.stderr
    assert result.stdout == ""


def test_declared_more_papers_than_shown_is_not_a_warning(db_path, invoke, tmp_path):
    page = tmp_path / "p.txt"
    page.write_text("Jane Doe\nCV\nh-index6\n45papers\n45 Papers\nCVFeb 2, 2024\n"
                    "A Study of ThingsJane Doe, Bob Jones\nWe study things in great detail "
                    "and report it.\nCVMar 2, 2024\nAnother StudyJane Doe\nMore things are "
                    "studied here in detail.\n", encoding="utf-8")
    result = invoke("--db", db_path, "load", page, "--strict", "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    assert "2 of 45 papers" in result.stderr
    assert "warning" not in result.stderr.replace("0 warning(s)", "")


def test_one_bad_file_among_good_ones(db_path, invoke, seed_dir):
    (seed_dir / "zz_bad.txt").write_text("Milk\nEggs\nBread\n", encoding="utf-8")
    result = invoke("--db", db_path, "load", seed_dir, "--as-of", AS_OF)
    assert result.exit_code == 1
    assert "zz_bad.txt: no paper entries found" in result.stderr
    assert "Loaded 4 of 5 file(s)" in result.stderr
    assert len(papers(invoke, db_path)) == 16


@pytest.mark.parametrize("content,message", [
    (b"", "empty page"),
    (b"   \r\n\r\n", "empty page"),
    (b"Milk\nEggs\n", "no paper entries found"),
    (b"CLJan 1, 2024\nCaf\xe9 ModelsJane Doe\nAn abstract with enough words.\n",
     "not valid utf-8 text: byte 0xe9 at offset 17"),
])
def test_bad_inputs_fail_with_one_line(db_path, invoke, tmp_path, content, message):
    page = tmp_path / "bad.txt"
    page.write_bytes(content)
    result = invoke("--db", db_path, "load", page)
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    errors = [ln for ln in result.stderr.splitlines() if ln.startswith("Error:")]
    assert len(errors) == 1 and str(page) in errors[0]


def test_encoding_option_reads_latin1(db_path, invoke, tmp_path):
    page = tmp_path / "latin.txt"
    page.write_bytes("CLJan 1, 2024\nCafé ModelsJosé Núñez\nAn abstract with enough words "
                     "in it.\n".encode("latin-1"))
    result = invoke("--db", db_path, "load", page, "--encoding", "latin-1")
    assert result.exit_code == 0, result.stderr
    assert papers(invoke, db_path)[0]["authors"] == ["José Núñez"]


def test_unknown_encoding_is_a_usage_error(db_path, invoke):
    result = invoke("--db", db_path, "load", DATA, "--encoding", "klingon")
    assert result.exit_code == 2


def test_missing_path_fails_but_others_load(db_path, invoke):
    result = invoke("--db", db_path, "load", DATA / "nope.txt", DATA / "001_3d4b083b5e58e23e.txt")
    assert result.exit_code == 1
    assert "nope.txt: no such file or directory" in result.stderr
    assert len(papers(invoke, db_path)) == 7


def test_strict_turns_warnings_into_failure(db_path, invoke, tmp_path):
    page = tmp_path / "w.txt"
    page.write_text("CLJan 1, 2024\nA PaperJane Doe\nAn abstract with enough words here.\n"
                    "CVFeb 2, 2024\n???\n", encoding="utf-8")
    lenient = invoke("--db", db_path, "load", page)
    assert lenient.exit_code == 0
    assert "w.txt:4:" in lenient.stderr
    strict_db = db_path.with_name("strict.db")
    strict = invoke("--db", strict_db, "load", page, "--strict")
    assert strict.exit_code == 1
    assert "--strict" in strict.stderr


def test_profile_option_names_an_unnamed_page(db_path, invoke):
    result = invoke("--db", db_path, "load", DATA / "000_281d56d23437e343.txt",
                    "--profile", "DeepSeek-AI")
    assert result.exit_code == 0
    profiles = json.loads(invoke("--db", db_path, "authors", "-f", "json").stdout)
    assert [p["name"] for p in profiles] == ["DeepSeek-AI"]


def test_stdin_page(db_path, invoke):
    text = (DATA / "001_3d4b083b5e58e23e.txt").read_text("utf-8")
    result = invoke("--db", db_path, "load", "-", input=text)
    assert result.exit_code == 0, result.stderr
    assert len(papers(invoke, db_path)) == 7


