"""The committed descriptor is a Data Package v2: valid under the official v2 JSON Schemas
(tests/fixtures/datapackage-v2, see PROVENANCE.md there) and under ``frictionless validate``;
code fields carry categories with Dutch and English labels and reference their code list."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import warnings
from pathlib import Path

import jsonschema
import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "datapackage"
SCHEMAS = REPO / "tests" / "fixtures" / "datapackage-v2"


def _descriptor() -> dict:
    return json.loads((PACKAGE / "datapackage.json").read_text(encoding="utf-8"))


def _schema(name: str) -> dict:
    return json.loads((SCHEMAS / f"{name}.json").read_text(encoding="utf-8"))


def test_package_is_valid_under_the_v2_json_schema() -> None:
    d = _descriptor()
    assert d["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    assert "profile" not in d
    jsonschema.Draft7Validator(_schema("datapackage")).validate(d)


def test_every_resource_and_table_schema_is_valid_under_v2() -> None:
    resource = jsonschema.Draft7Validator(_schema("dataresource"))
    table = jsonschema.Draft7Validator(_schema("tableschema"))
    d = _descriptor()
    for res in d["resources"]:
        assert res["type"] == "table", res["name"]
        assert "profile" not in res, res["name"]
        resource.validate(res)
        table.validate(res["schema"])


def test_contributors_have_roles() -> None:
    for c in _descriptor()["contributors"]:
        assert isinstance(c["roles"], list) and c["roles"] and "role" not in c


def test_id_and_created_are_deterministic_and_follow_the_edition() -> None:
    d = _descriptor()
    assert d["id"].startswith("urn:uuid:")
    assert d["created"] == "2024-10-01T00:00:00Z"  # the catalogue's issued date of 2023.1.0


def test_csv_resources_declare_their_bytes_and_sha256() -> None:
    for res in _descriptor()["resources"]:
        if res["format"] != "csv":
            continue
        data = (PACKAGE / res["path"]).read_bytes()
        assert res["bytes"] == len(data), res["name"]
        assert res["hash"] == "sha256:" + hashlib.sha256(data).hexdigest(), res["name"]


def test_code_fields_have_categories_and_reference_their_code_list() -> None:
    d = _descriptor()
    res = {r["name"]: r for r in d["resources"]}
    vbf = res["victims_by_form"]["schema"]
    form = next(f for f in vbf["fields"] if f["name"] == "form")
    cats = {c["value"]: c for c in form["categories"]}
    assert cats["sexual_domestic"]["label"] == "Binnenlandse seksuele uitbuiting"
    assert cats["sexual_domestic"]["label_en"] == "Domestic sexual exploitation"
    assert {"fields": ["form"], "reference": {"resource": "codelist_form", "fields": ["code"]}} in (
        vbf["foreignKeys"]
    )
    codes = list(
        csv.DictReader(
            io.StringIO((PACKAGE / res["codelist_form"]["path"]).read_text(encoding="utf-8"))
        )
    )
    assert [c["code"] for c in codes] == list(cats)
    top10 = res["top10_nationalities"]["schema"]["foreignKeys"]
    assert {
        "fields": ["nationality"],
        "reference": {"resource": "nationality_regions", "fields": ["nationality"]},
    } in top10
    regions = dict(
        csv.reader(io.StringIO((PACKAGE / "codelists/nationality_regions.csv").read_text()))
    )
    assert (regions["co"], regions["ng"], regions["ro"]) == ("latin_america", "africa", "europe")


@pytest.mark.slow
def test_frictionless_validates_the_package() -> None:
    import frictionless

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = frictionless.validate(str(PACKAGE / "datapackage.json"))
    errors = [e.message for e in report.errors] + [
        f"{t.name}: {e.message}" for t in report.tasks for e in t.errors
    ]
    assert report.valid, errors[:5]
