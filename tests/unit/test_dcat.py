"""The DCAT catalogue record: built from the package, validated against the DONL value lists."""

from __future__ import annotations

from pathlib import Path

import pytest

from opendata_mh.dcat import (
    FILE_TYPE_URI,
    build_record,
    sha256_file,
    validate_record,
    value_lists,
)
from opendata_mh.errors import PackageError
from tests.unit.dcat_fixture import add_dcat


def test_value_lists_hold_the_known_accepted_values() -> None:
    vl = value_lists()
    assert "http://creativecommons.org/publicdomain/zero/1.0/deed.nl" in vl["DONL:License"]
    assert (
        "http://standaarden.overheid.nl/owms/terms/Criminaliteit"
        in (vl["Overheid:TaxonomieBeleidsagenda"])
    )
    # 93 sub-themes plus their 17 parents
    assert len(vl["Overheid:TaxonomieBeleidsagenda"]) == 110
    # the typo in DONL's Eindhoven mapping is not a valid value
    assert not any("RESTRICED" in v for v in vl["Overheid:Openbaarheidsniveau"])
    assert len(vl["Overheid:Openbaarheidsniveau"]) == 3


def test_record_from_fixture_package(package_dir: Path) -> None:
    rec = build_record(add_dcat(package_dir))
    ds = rec.dataset
    assert ds.name == "opendata-mh-fixture"
    assert ds.language == (
        "http://publications.europa.eu/resource/authority/language/NLD",
        "http://publications.europa.eu/resource/authority/language/ENG",
    )
    assert ds.temporal_label is None or ds.temporal_label.count("-") == 1
    keys = [d.key for d in rec.distributions]
    # every local file of a resource, then the descriptor
    assert keys[:4] == ["small.csv", "rounded.csv", "absent.csv", "text_figures.csv"]
    assert keys[-1] == "datapackage.json"
    small = rec.distribution("small.csv")
    assert small is not None
    assert small.format == FILE_TYPE_URI + "CSV"
    assert small.media_type == "https://www.iana.org/assignments/media-types/text/csv"
    assert small.sha256 == sha256_file(package_dir / "data" / "small.csv")
    assert small.byte_size == (package_dir / "data" / "small.csv").stat().st_size
    assert validate_record(rec) == []


def test_parquet_and_docs_files_become_distributions(package_dir: Path) -> None:
    (package_dir / "docs").mkdir()
    (package_dir / "docs" / "codebook.md").write_text("# Codeboek\n", encoding="utf-8")
    rec = build_record(add_dcat(package_dir))
    codebook = rec.distribution("codebook.md")
    assert codebook is not None and codebook.role == "docs"
    assert codebook.format == FILE_TYPE_URI + "TXT"
    parquet = [d for d in rec.distributions if d.key.endswith(".parquet")]
    for d in parquet:
        assert d.format == FILE_TYPE_URI + "PARQUET"
    assert validate_record(rec) == []


def test_value_list_violation_names_field_value_and_allowed(package_dir: Path) -> None:
    rec = build_record(
        add_dcat(
            package_dir,
            license="https://creativecommons.org/publicdomain/zero/1.0/",
            access_rights="http://publications.europa.eu/resource/authority/access-right/OPEN",
            theme=["http://standaarden.overheid.nl/owms/terms/Criminalitiet"],
        )
    )
    issues = {i.field: i for i in validate_record(rec)}
    lic = issues["license_id"]
    assert lic.code == "dcat.not-in-value-list"
    assert "'https://creativecommons.org/publicdomain/zero/1.0/'" in lic.message
    assert "DONL:License" in lic.message
    assert "http://creativecommons.org/publicdomain/zero/1.0/deed.nl" in lic.message
    # a short list is given in full
    assert "access-right/NON_PUBLIC" in issues["access_rights"].message
    # a long list: the count and the closest values
    theme = issues["theme"]
    assert "110 values" in theme.message
    assert "http://standaarden.overheid.nl/owms/terms/Criminaliteit" in theme.message


def test_missing_required_fields_and_rules(package_dir: Path) -> None:
    rec = build_record(
        add_dcat(
            package_dir,
            identifier="not a uri",
            authority="",
            contact_point={"name": "X"},
            modified="1-10-2024",
            name="Bad Name",
            license="http://standaarden.overheid.nl/owms/terms/geslotenlicentie",
        )
    )
    got = {(i.code, i.field) for i in validate_record(rec)}
    assert ("dcat.missing-field", "authority") in got
    assert ("dcat.invalid-value", "identifier") in got
    assert ("dcat.invalid-value", "contact_point") in got
    assert ("dcat.invalid-value", "modified") in got
    assert ("dcat.invalid-value", "name") in got
    # a closed licence on a public, available dataset
    assert ("dcat.invalid-value", "license_id") in got


def test_duplicate_file_names_are_a_finding(package_dir: Path) -> None:
    (package_dir / "docs").mkdir()
    (package_dir / "docs" / "small.csv").write_text("a\n1\n", encoding="utf-8")
    rec = build_record(add_dcat(package_dir))
    codes = [i.code for i in validate_record(rec)]
    assert "dcat.duplicate-file-name" in codes


def test_unreadable_package(tmp_path: Path) -> None:
    with pytest.raises(PackageError, match=r"no datapackage\.json"):
        build_record(tmp_path)
