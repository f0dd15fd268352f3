"""validate.check: clean package, the five breakages, relation arithmetic, unreadable input."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path

import pytest

from opendata_mh.errors import PackageError
from opendata_mh.report import Issue, PackageData
from opendata_mh.validate import ISSUE_CODES, check, relation_holds
from tests.conftest import BREAKAGES, edit_csv, edit_descriptor, refresh_checksums, resource


def test_clean_fixture_package(package_dir: Path) -> None:
    report = check(package_dir)
    assert report.ok, report.issues
    assert [i.code for i in report.issues] == ["consistency.known-discrepancy"]
    assert report.issues[0].severity == "info"
    s = report.summary
    # 9 resources + observations (CSV, Parquet, SDMX-CSV: 10 rows each) + 2 code lists +
    # superseded (CSV and Parquet; one edition: no rows)
    assert (s["resources"], s["rows"], s["relations"], s["relations_failed"]) == (16, 38, 7, 0)
    assert s["known_discrepancies"][0]["discrepancy"] == "prose_2022"
    # a count, not the intervals (they can equal masked cells; check output is public)
    assert s["latent_quantities"] == 2 and "latent" not in s


@pytest.mark.parametrize(
    ("name", "breaker", "code", "res", "row", "field"), BREAKAGES, ids=[b[0] for b in BREAKAGES]
)
def test_breakage_is_found(
    package_dir: Path,
    name: str,
    breaker: Callable[[Path], None],
    code: str,
    res: str,
    row: int | None,
    field: str,
) -> None:
    breaker(package_dir)
    report = check(package_dir)
    assert not report.ok
    hits = [i for i in report.issues if i.code == code]
    assert (res, row, field) in {(i.resource, i.row, i.field) for i in hits}, report.issues


def test_small_count_in_the_bounds_only(package_dir: Path) -> None:
    # a masked cell (1..4) whose bounds are narrowed to one count: disclosed without a value
    edit_csv(package_dir, "small", 2, value_lower="2", value_upper="2")
    report = check(package_dir)
    assert ("sdc.small-count", "small", 2, "value_lower") in {
        (i.code, i.resource, i.row, i.field) for i in report.issues
    }
    # the finding never quotes the count (check's output goes to CI logs; new-user test)
    small = [i for i in report.issues if i.code == "sdc.small-count"]
    assert small and not any("2" in i.message.replace("1..4", "") for i in small)


def test_small_count_in_the_value_is_not_quoted(package_dir: Path) -> None:
    edit_csv(package_dir, "small", 2, value="3", value_lower="3", value_upper="3")
    small = [i for i in check(package_dir).issues if i.code == "sdc.small-count"]
    assert small and not any("3" in i.message for i in small), [i.message for i in small]


def test_status_mismatch(package_dir: Path) -> None:
    # a table CSV has no value_printed/obs_status/conf_status: value and bounds are checked
    # against cell_type (masked = 1..threshold-1, no value)
    edit_csv(package_dir, "small", 2, value_lower="0")
    found = {(i.code, i.row, i.field): i.message for i in check(package_dir).issues}
    msg = found[("sdc.status-mismatch", 2, "value_lower")]
    assert msg == (
        "value_lower of a masked cell (cell_type 'masked', printed '<5') must be '1'; the file "
        "has another figure (not quoted: a masked cell's figures are never printed)"
    )
    edit_csv(package_dir, "small", 2, value_lower="1", value="3")
    found = {(i.code, i.row, i.field): i.message for i in check(package_dir).issues}
    assert ("sdc.status-mismatch", 2, "value") in found
    assert "3" not in found[("sdc.status-mismatch", 2, "value")]  # a masked cell's figure
    # a masked cell with no upper bound has no printed value: named on cell_type
    edit_csv(package_dir, "small", 2, value="", value_upper="")
    found = {(i.code, i.row, i.field): i.message for i in check(package_dir).issues}
    assert "no printed value" in found[("sdc.status-mismatch", 2, "cell_type")]


_X = {"value": "", "value_upper": "", "cell_type": "secondary"}


def test_x_cell_status_is_checked(package_dir: Path) -> None:
    # 'small' is a victims table: group protection 'breakdown', where x may hide a 0
    from opendata_mh.validate import read_package

    edit_csv(package_dir, "small", 2, **_X, value_lower="0")
    issues = check(package_dir).issues
    assert not [i for i in issues if i.code == "sdc.status-mismatch"], issues
    # its CONF_STATUS never says primary (that would give it away): it follows from cell_type
    row = read_package(package_dir).rows["small"][1]
    assert (row["value_printed"], row["obs_status"], row["conf_status"]) == ("x", "Q", "D")
    # x does not mean >= 5
    edit_csv(package_dir, "small", 2, **_X, value_lower="5")
    found = {(i.code, i.row, i.field) for i in check(package_dir).issues}
    assert ("sdc.status-mismatch", 2, "value_lower") in found


@pytest.mark.parametrize("setting", ["total", "off", None])
def test_x_on_a_zero_only_where_the_table_allows_it(package_dir: Path, setting: str | None) -> None:
    """An x that may be 0 (value_lower 0) is the 'breakdown' exception only; in any other
    threshold table (or a package that does not say) x is 'at least 1'."""

    def gp(d: dict) -> None:  # type: ignore[type-arg]
        sdc = resource(d, "small")["sdc"]
        sdc.pop("groupProtection")
        if setting is not None:
            sdc["groupProtection"] = setting

    edit_descriptor(package_dir, gp)
    edit_csv(package_dir, "small", 2, **_X, value_lower="0")
    found = {(i.code, i.row, i.field) for i in check(package_dir).issues}
    assert ("sdc.status-mismatch", 2, "value_lower") in found
    edit_csv(package_dir, "small", 2, **_X, value_lower="1")
    issues = check(package_dir).issues
    assert not [i for i in issues if i.code == "sdc.status-mismatch"], issues


@pytest.mark.parametrize(("setting", "violated"), [("breakdown", False), ("total", True)])
def test_x_on_a_true_zero(package_dir: Path, setting: str, violated: bool) -> None:
    """'small' 2022: a = 10, b = 0, all = 10. Printed x, the zero b is accepted only where the
    table's group protection is 'breakdown' (x may be 0 there); in a 'total' table x is at
    least 1 and the sum cannot hold."""
    edit_descriptor(
        package_dir, lambda d: resource(d, "small")["sdc"].update(groupProtection=setting)
    )
    lower = "0" if setting == "breakdown" else "1"
    edit_csv(package_dir, "small", 3, **_X, value_lower=lower)
    issues = check(package_dir).issues
    assert not [i for i in issues if i.code == "sdc.status-mismatch"], issues
    hit = [i for i in issues if i.code == "consistency.relation-violated"]
    assert bool(hit) is violated, issues
    if violated:
        assert "small.sums.2022" in hit[0].message


def test_unknown_group_protection_is_an_invalid_rule(package_dir: Path) -> None:
    edit_descriptor(
        package_dir, lambda d: resource(d, "small")["sdc"].update(groupProtection="zeros")
    )
    found = {(i.code, i.resource, i.field) for i in check(package_dir).issues}
    assert ("sdc.rule-invalid", "small", "sdc") in found


def test_range_in_rounding_table_is_fine_but_bad_bounds_are_not(package_dir: Path) -> None:
    # the range 170-180 (row 2) is fine; a rounded 170 (row 1) is 165..174, not 165..190
    assert not [i for i in check(package_dir).issues if i.resource == "rounded"]
    edit_csv(package_dir, "rounded", 1, value_upper="190")
    found = {(i.code, i.resource, i.row, i.field) for i in check(package_dir).issues}
    assert found >= {("sdc.status-mismatch", "rounded", 1, "value_upper")}
    assert not any(c == "sdc.not-rounded" for c, *_ in found)


def test_known_discrepancy_that_holds_is_reported_resolved(package_dir: Path) -> None:
    def fix(d: dict) -> None:
        d["knownDiscrepancies"][0]["relations"] = ["small.sums.2022"]

    edit_descriptor(package_dir, fix)
    report = check(package_dir)
    codes = [i.code for i in report.issues]
    assert "consistency.discrepancy-resolved" in codes
    # the text relation is no longer known: now an error
    assert "consistency.relation-violated" in codes and not report.ok


def test_unresolved_reference_in_relations(package_dir: Path) -> None:
    def fix(d: dict) -> None:
        d["relations"][0]["parts"].append("small/period=2022/form=zzz")

    edit_descriptor(package_dir, fix)
    assert "consistency.unresolved-reference" in [i.code for i in check(package_dir).issues]


def test_field_without_description(package_dir: Path) -> None:
    edit_descriptor(
        package_dir, lambda d: resource(d, "rounded")["schema"]["fields"][0].pop("description")
    )
    assert ("metadata.missing", "rounded", "year_from") in {
        (i.code, i.resource, i.field) for i in check(package_dir).issues
    }


def test_unreadable_package(tmp_path: Path) -> None:
    with pytest.raises(PackageError):
        check(tmp_path / "nothing")
    (tmp_path / "datapackage.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(PackageError) as info:
        check(tmp_path)
    assert info.value.code == "package.unreadable"  # type: ignore[attr-defined]


def test_invalid_descriptor(package_dir: Path) -> None:
    edit_descriptor(
        package_dir, lambda d: resource(d, "small")["schema"].__setitem__("fields", "nope")
    )
    with pytest.raises(PackageError):
        check(package_dir)


def test_extra_checks_are_plugged_in(package_dir: Path) -> None:
    def extra(pkg: PackageData) -> list[Issue]:
        assert len(pkg.rows["small"]) == 6
        return [Issue("audit.exact-disclosure", "error", "x", "small", 2, "value")]

    report = check(package_dir, extra_checks=[extra])
    assert not report.ok and report.issues[-1].code == "audit.exact-disclosure"


def test_every_emitted_code_is_documented(package_dir: Path) -> None:
    import opendata_mh.validate as v

    for code in ISSUE_CODES:
        assert f"``{code}``" in (v.__doc__ or ""), code


@pytest.mark.parametrize(
    ("rtype", "total", "parts", "ok"),
    [
        ("additive", (10, 10), [(10, 10), (0, 0)], True),
        ("additive", (17, 17), [(1, 4), (12, 13)], True),
        ("additive", (18, 18), [(1, 4), (12, 13)], False),
        ("multilabel", (10, 10), [(6, 6), (6, 6)], True),
        ("multilabel", (5, 5), [(6, 6), (1, 4)], False),
        ("multilabel", (13, 13), [(6, 6), (1, 4)], False),
        ("subset", (10, 10), [(6, 6), (1, 4)], True),
        ("subset", (10, 10), [(6, 6), (5, 5)], False),
        ("overlap_subset", (10, 10), [(10, 10), (9, 9)], True),
        ("overlap_subset", (10, 10), [(11, 11)], False),
        ("identity", None, [(165, 174), (173, 173)], True),
        ("identity", None, [(165, 174), (175, 180)], False),
        ("additive", (0, math.inf), [(1, 4)], True),
    ],
)
def test_relation_holds(
    rtype: str, total: tuple[float, float] | None, parts: list[tuple[float, float]], ok: bool
) -> None:
    assert relation_holds(rtype, total, parts) is ok


def test_report_json_is_serialisable(package_dir: Path) -> None:
    json.dumps(check(package_dir).to_dict())


def test_untestable_discrepancy_is_still_shown(package_dir: Path) -> None:
    def add(d: dict) -> None:
        d["knownDiscrepancies"].append(
            {"id": "pct", "relations": ["text:share_a"], "description_en": "53% is 50%."}
        )

    edit_descriptor(package_dir, add)
    report = check(package_dir)
    assert report.ok
    hit = [i for i in report.issues if "pct" in i.message]
    assert [(i.code, i.severity, i.resource, i.row) for i in hit] == [
        ("consistency.known-discrepancy", "info", "text_figures", 3)
    ]


def test_a_file_edited_after_generate_fails_its_checksum(package_dir: Path) -> None:
    # datapackage.json declares bytes and sha256 of every CSV (Data Package v2): a file changed
    # by hand no longer is the file the descriptor describes: one finding naming the file
    # (not an exception that hides every other finding)
    path = package_dir / "data" / "small.csv"
    data = path.read_bytes()
    assert b",10,10,10,exact," in data
    path.write_bytes(data.replace(b",10,10,10,exact,", b",11,11,11,exact,"))
    report = check(package_dir)
    hits = [i for i in report.issues if i.code == "package.hash-mismatch"]
    assert [(i.resource, i.field, i.severity) for i in hits] == [("small", "hash", "error")]
    assert "data/small.csv" in hits[0].message


def test_crlf_and_bom_are_findings(package_dir: Path) -> None:
    path = package_dir / "data" / "rounded.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    refresh_checksums(package_dir)  # the dialect is the finding here, not the checksum
    found = [(i.code, i.resource) for i in check(package_dir).issues]
    assert found.count(("format.csv-dialect", "rounded")) == 2
