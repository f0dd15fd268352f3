"""The metadata model: printed-value rules, loading the fixtures, collected errors."""

from __future__ import annotations

import hashlib
import hmac
import math
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opendata_mh.errors import MetadataError
from opendata_mh.model import (
    FINGERPRINT_RE,
    AckKeyError,
    CellRef,
    SdcRule,
    finding_fingerprint,
    load_metadata,
    parse_printed,
    parse_ref,
)

THRESHOLD = SdcRule("threshold", threshold=5)
ROUNDING = SdcRule("rounding", base=10)


def test_masked_is_one_to_four() -> None:
    p = parse_printed("<5", THRESHOLD)
    assert (p.value, p.lower, p.upper) == (None, 1, 4)
    assert (p.cell_type, p.obs_status, p.conf_status) == ("masked", "Q", "A")


def test_x_is_not_published_at_least_one() -> None:
    # "not published; at least 1 (zeros are always shown)": never >= threshold, because a
    # build may print a small count x too (an upgraded primary)
    p = parse_printed("x", THRESHOLD)
    assert (p.value, p.lower, p.upper) == (None, 1, None)
    assert (p.cell_type, p.obs_status, p.conf_status) == ("secondary", "Q", "D")
    with pytest.raises(ValueError, match="needs a threshold table"):
        parse_printed("x", ROUNDING)


def test_exact_and_zero() -> None:
    p = parse_printed("181", THRESHOLD)
    assert (p.value, p.lower, p.upper, p.cell_type, p.obs_status, p.conf_status) == (
        181,
        181,
        181,
        "exact",
        "A",
        "F",
    )
    z = parse_printed("0", THRESHOLD)
    assert (z.value, z.lower, z.upper, z.cell_type) == (0, 0, 0, "zero")


def test_rounded_170_is_165_to_174() -> None:
    p = parse_printed("170", ROUNDING)
    assert (p.value, p.lower, p.upper, p.cell_type, p.obs_status, p.conf_status) == (
        170,
        165,
        174,
        "rounded",
        "A",
        "F",
    )


def test_rounded_zero_is_0_to_4() -> None:
    p = parse_printed("0", ROUNDING)
    assert (p.value, p.lower, p.upper, p.cell_type) == (0, 0, 4, "rounded")


def test_range_170_180() -> None:
    p = parse_printed("170-180", ROUNDING)
    assert (p.value, p.lower, p.upper, p.cell_type, p.obs_status, p.conf_status) == (
        None,
        170,
        180,
        "range",
        "Q",
        "D",
    )


def test_unresolved_is_hull_of_candidates() -> None:
    p = parse_printed("?", THRESHOLD, ["12", "13", "<5"])
    assert (p.value, p.lower, p.upper, p.printed) == (None, 1, 13, "")
    assert (p.cell_type, p.obs_status, p.conf_status) == ("unresolved", "O", "F")


@pytest.mark.parametrize("bad", ["abc", "-3", "1.5", "<3", "180-170", "07", "", "?"])
def test_bad_printed_values_raise(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_printed(bad, THRESHOLD)


def test_rounding_table_rejects_non_multiple() -> None:
    with pytest.raises(ValueError, match="multiple of 10"):
        parse_printed("173", ROUNDING)


@given(st.integers(min_value=0, max_value=10_000))
def test_rounding_bounds_are_exactly_the_preimage(true: int) -> None:
    rounded = int(Decimal(true).scaleb(-1).quantize(Decimal(1), ROUND_HALF_UP)) * 10
    p = parse_printed(str(rounded), ROUNDING)
    assert p.lower <= true <= (p.upper if p.upper is not None else math.inf)
    assert p.upper is not None and p.upper - p.lower <= 9


def test_fixture_cells(metadata_dir: Path) -> None:
    meta = load_metadata(metadata_dir)
    small = meta.table("small")
    assert [t.id for t in meta.tables] == ["small", "rounded", "absent"]
    assert len(small.cells) == 6
    by_ref = {c.ref: c for c in small.cells}
    a = by_ref["small/period=2022/form=a"]
    assert a.labels == (("form", "A (gedrukt)", "Form A"),)  # printed label kept
    b = by_ref["small/period=2023/form=b"]
    assert b.labels == (("form", "Vorm B", "Form B"),)  # "" -> code list label
    assert (b.parsed.lower, b.parsed.upper, b.parsed.cell_type) == (12, 13, "unresolved")
    assert by_ref["small/period=2023/form=all"].parsed.value == 17
    assert meta.table("absent").cells == ()
    assert meta.package.source("registry").reference_date == "2024-04-26"


def test_relations_are_expanded(metadata_dir: Path) -> None:
    meta = load_metadata(metadata_dir)
    rels = {r.id: r for r in meta.relations}
    assert set(rels) == {
        "small.sums.2022",
        "small.sums.2023",
        "total.is_small.2022",
        "total.is_small.2023",
        "rounded.x_at_most_y.2022",
        "text.total_2023",
        "text.total_2022_wrong",
    }
    r = rels["small.sums.2023"]
    assert str(r.total) == "small/period=2023/form=all"
    # '*' expands to every code present except 'all'
    assert [str(p) for p in r.parts] == ["small/period=2023/form=a", "small/period=2023/form=b"]
    assert rels["text.total_2023"].cells == (
        CellRef("text", "total_2023"),
        CellRef("latent", "total", (("period", "2023"),)),
    )
    assert "text.share_a" not in rels  # percentages add no identity
    assert [str(q.ref) for q in meta.latent] == ["@total/period=2022", "@total/period=2023"]
    assert meta.discrepancies[0].relations == ("text:total_2022_wrong",)


def test_finding_fingerprint(monkeypatch: pytest.MonkeyPatch) -> None:
    """HMAC-SHA256 of 'cell|code|lower|upper' under the key in OPENDATA_MH_ACK_KEY, prefixed;
    without the key no fingerprint (''), and without the key none can be recomputed."""
    cell, code = "om_cases_by_form/period=2019/form=unknown", "audit.exact-disclosure"
    assert finding_fingerprint(cell, code, (3, 3)) == ""  # no key in the environment
    key = "a-test-key-of-some-length"
    monkeypatch.setenv("OPENDATA_MH_ACK_KEY", key)
    fp = finding_fingerprint(cell, code, (3, 3))
    digest = hmac.new(key.encode(), f"{cell}|{code}|3|3".encode(), hashlib.sha256).hexdigest()
    assert fp == "hmac-sha256:" + digest and len(fp) == 76 and FINGERPRINT_RE.match(fp)
    assert fp == finding_fingerprint(cell, code, (3, 3), key.encode())
    others = {
        finding_fingerprint(cell, code, (2, 2)),
        finding_fingerprint(cell, code, (3, 4)),
        finding_fingerprint(cell, "audit.narrowed", (3, 3)),
        finding_fingerprint("om_cases_by_form/period=2020/form=unknown", code, (3, 3)),
        finding_fingerprint(cell, code, (3, 3), b"another-key-of-some-length"),
    }
    assert fp not in others and len(others) == 5
    # the unkeyed hash of the candidates does not give the interval back
    assert not [
        iv
        for iv in [(1, 1), (2, 2), (3, 3), (4, 4)]
        if fp.split(":")[1] == hashlib.sha256(f"{cell}|{code}|{iv[0]}|{iv[1]}".encode()).hexdigest()
    ]
    monkeypatch.setenv("OPENDATA_MH_ACK_KEY", "short")
    with pytest.raises(AckKeyError):
        finding_fingerprint(cell, code, (3, 3))


def test_parse_ref_normalises_latent_key_order() -> None:
    assert parse_ref("@x/form=a/period=2023") == parse_ref("@x/period=2023/form=a")
    with pytest.raises(ValueError):
        parse_ref("small/period=2023/form=*")


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_all_problems_are_collected_with_location(metadata_dir: Path) -> None:
    t1 = metadata_dir / "tables" / "01_small.toml"
    _replace(t1, '["a", "A (gedrukt)", "10", "<5"]', '["a", "A (gedrukt)", "10"]')  # width
    _replace(t1, '["b", "", "0", "?"]', '["c", "", "abc", "?"]')  # bad code + bad value
    _replace(t1, 'source = "registry"', 'source = "nowhere"')
    t2 = metadata_dir / "tables" / "02_rounded.toml"
    _replace(t2, '"0", "20"]', '"0", "23"]')  # not rounded
    _replace(t2, 'unit = "applications"', 'unit = "widgets"')
    with pytest.raises(MetadataError) as info:
        load_metadata(metadata_dir)
    probs = info.value.problems
    where = {(p.file, p.table, p.panel, p.row, p.field) for p in probs}
    assert ("tables/01_small.toml", "small", "per_year", 1, "values") in where
    assert ("tables/01_small.toml", "small", "per_year", 2, "form") in where
    assert ("tables/01_small.toml", "small", None, None, "source") in where
    assert ("tables/02_rounded.toml", "rounded", "per_year", 2, "period=2023") in where
    assert ("tables/02_rounded.toml", "rounded", None, None, "unit") in where
    assert "5 problems" in str(info.value) or len(probs) >= 5
    assert "tables/02_rounded.toml, table rounded, panel per_year, row 2" in str(info.value)


def test_question_mark_and_unresolved_must_match(metadata_dir: Path) -> None:
    t1 = metadata_dir / "tables" / "01_small.toml"
    _replace(t1, '"0", "?"]', '"?", "13"]')
    with pytest.raises(MetadataError) as info:
        load_metadata(metadata_dir)
    msgs = [str(p) for p in info.value.problems]
    assert any("'?' at period=2022/form=b has no [[unresolved]]" in m for m in msgs)
    assert any("[[unresolved]] period=2023/form=b but the grid prints '13'" in m for m in msgs)


def test_duplicate_cells_and_ids(metadata_dir: Path) -> None:
    t1 = metadata_dir / "tables" / "01_small.toml"
    _replace(t1, 'fixed = { form = "all" }', 'fixed = { form = "a" }')
    (metadata_dir / "tables" / "04_dup.toml").write_text(
        (metadata_dir / "tables" / "03_absent.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    with pytest.raises(MetadataError) as info:
        load_metadata(metadata_dir)
    msgs = [str(p) for p in info.value.problems]
    assert any("defined twice" in m and "panel total" in m for m in msgs)
    assert any("table id 'absent' is also used by tables/03_absent.toml" in m for m in msgs)


def test_panel_must_cover_dimensions(metadata_dir: Path) -> None:
    t1 = metadata_dir / "tables" / "01_small.toml"
    _replace(t1, 'fixed = { form = "all" }\n', "")
    with pytest.raises(MetadataError) as info:
        load_metadata(metadata_dir)
    assert any(
        p.panel == "total" and p.field == "form" and "not covered" in p.message
        for p in info.value.problems
    )


def test_unresolvable_relation_reference_is_an_error(metadata_dir: Path) -> None:
    rel = metadata_dir / "relations.toml"
    _replace(
        rel,
        'parts = ["small/period={period}/form=*"]',
        'parts = ["small/period={period}/form=c", "smal/period={period}/form=a"]',
    )
    _replace(rel, 'total = "rounded/period=2022/measure=x"', 'total = "rounded/period=2022"')
    with pytest.raises(MetadataError) as info:
        load_metadata(metadata_dir)
    probs = [p for p in info.value.problems if p.file == "relations.toml"]
    assert {p.table for p in probs} >= {
        "small.sums.2022",
        "small.sums.2023",
        "rounded.x_at_most_y.2022",
    }
    assert any("is not a cell of the table" in p.message for p in probs)
    assert any("missing ['measure']" in p.message for p in probs)


def test_discrepancy_must_resolve(metadata_dir: Path) -> None:
    _replace(metadata_dir / "discrepancies.toml", "text:total_2022_wrong", "no.such.relation")
    with pytest.raises(MetadataError) as info:
        load_metadata(metadata_dir)
    assert info.value.problems[0].file == "discrepancies.toml"
    assert info.value.problems[0].field == "relations"
