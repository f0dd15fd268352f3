"""The index from questions to tables (issue 13, item 5): hand-curated in
``metadata/questions.toml``, published as the package property ``questions``, validated by
``generate`` and ``check`` (an unknown resource names the file and the entry) and shown by the
codebook, the two research questions of the issue included."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from opendata_mh.cli import main
from opendata_mh.codebook import build_codebook
from opendata_mh.errors import MetadataError
from opendata_mh.generate import generate
from opendata_mh.questions import load

REPO = Path(__file__).resolve().parents[2]
PKG = REPO / "datapackage"


def _by_id() -> dict[str, dict[str, object]]:
    d = json.loads((PKG / "datapackage.json").read_text(encoding="utf-8"))
    return {q["id"]: q for q in d["questions"]}


def test_the_package_carries_the_curated_index() -> None:
    qs = _by_id()
    assert [q.id for q in load(REPO / "metadata")] == list(qs)
    latam = qs["latin_american_sexual_exploitation"]
    assert latam["question_en"] == (
        "How did the number of Latin-American victims of sexual exploitation develop, "
        "and in which sectors?"
    )
    # 2023 by form in table 5, 2022 only in the prose, the sectors in table 3
    assert latam["resources"][:3] == [
        "victims_by_region",
        "text_figures",
        "sexual_exploitation_by_sector_region",
    ]
    police = qs["police_share"]
    assert police["resources"] == ["victims_by_reporter", "totals"]
    assert "victims_total" in str(police["note_en"]) and "998" in str(police["note_en"])


def test_no_entry_misleads() -> None:
    """The generated index sent "victims by form" to table 10 (minors only) and "suspects"
    only to the tried-suspects tables."""
    qs = _by_id()
    by_form = qs["victims_by_form"]
    assert by_form["resources"][0] == "victims_by_form"  # table 1, all ages
    minors = [q for q in qs.values() if "minor_victims_by_form" in q["resources"]]
    assert [q["id"] for q in minors] == ["minor_victims"]
    assert "minors" in str(minors[0]["note_en"]) and "2023 only" in str(minors[0]["note_en"])
    suspects = qs["suspects"]
    assert "suspects_by_sex" in suspects["resources"]  # suspects in investigations (table 14)
    assert "tried_suspects_by_age" in suspects["resources"]


def test_the_codebook_shows_the_curated_index() -> None:
    cb = build_codebook(PKG)
    q = next(q for q in cb.questions if q.id == "police_share")
    assert q.text == "What share of the victims did the police report, per year?"
    assert q.text_nl == "Welk deel van de slachtoffers werd per jaar door de politie gemeld?"
    assert [(t.resource, t.number, t.anchor) for t in q.targets] == [
        ("victims_by_reporter", 12, "victims_by_reporter"),
        ("totals", None, "totals"),
    ]
    assert len(cb.questions) == len(_by_id())


def _metadata(tmp_path: Path, text: str) -> Path:
    meta = tmp_path / "metadata"
    shutil.copytree(REPO / "metadata", meta)
    (meta / "questions.toml").write_text(text, encoding="utf-8")
    return meta


ENTRY = (
    '[[questions]]\nid = "a"\nquestion = "Hoeveel?"\nquestion_en = "How many?"\n'
    'resources = ["victims_by_form"]\nnote_en = "Table 1."\n\n'
)


def test_generate_refuses_an_unknown_resource(tmp_path: Path) -> None:
    bad = ENTRY + ENTRY.replace('"a"', '"b"').replace("victims_by_form", "victims_by_fom")
    meta = _metadata(tmp_path, bad)
    with pytest.raises(MetadataError) as exc:
        generate(meta, tmp_path / "out")
    (p,) = exc.value.problems
    assert (p.file, p.row, p.table, p.field) == ("questions.toml", 2, "b", "resources")
    assert "'victims_by_fom' is not in the package" in p.message
    assert not (tmp_path / "out").exists()  # nothing half-written


def test_questions_toml_is_validated(tmp_path: Path) -> None:
    meta = _metadata(tmp_path, ENTRY + ENTRY + '[[questions]]\nid = "c"\ncolour = "red"\n')
    with pytest.raises(MetadataError) as exc:
        load(meta)
    got = {(p.row, p.field, p.message) for p in exc.value.problems}
    assert (2, "id", "id 'a' is also entry 1") in got
    assert (3, "colour", "unknown key 'colour'") in got
    assert (3, "question_en", "missing required key 'question_en'") in got


def test_check_reports_an_unknown_resource(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    shutil.copytree(PKG, pkg)
    d = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    d["questions"][1]["resources"].append("victims_per_year")
    (pkg / "datapackage.json").write_text(json.dumps(d), encoding="utf-8")
    res = CliRunner().invoke(main, ["check", str(pkg), "--no-audit", "--json"])
    assert res.exit_code == 1, res.output
    issues = json.loads(res.stdout)["issues"]
    (i,) = [i for i in issues if i["code"] == "metadata.unknown-resource"]
    assert i["severity"] == "error" and i["field"] == "questions"
    assert i["message"] == (
        "datapackage.json, questions entry 2 (police_share): resource 'victims_per_year' "
        "is not in the package"
    )
