"""The [aggregation] section of table metadata: strict validation, and the committed tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from opendata_mh.aggregation import parse_aggregation
from opendata_mh.model import load_metadata

ROOT = Path(__file__).resolve().parents[2]
CODES = {
    "form": ("all", "sexual", "sexual_domestic", "sexual_international", "labour", "unknown"),
    "region": ("all", "netherlands", "europe"),
}


def _ok(raw: dict) -> object:
    spec, probs = parse_aggregation(raw, ["region", "form"], CODES)
    assert probs == []
    return spec


def test_valid_spec_with_map_and_panels() -> None:
    spec = _ok(
        {
            "record": "victim",
            "dimensions": {
                "region": {"field": "region", "codes": ["netherlands", "europe"]},
                "form": {
                    "field": "forms",
                    "multi": True,
                    "map": {"sexual": ["sexual_domestic", "sexual_international"]},
                },
            },
            "panels": [{"id": "per_year", "fixed": {"form": "all"}}, {"id": "per_form"}],
        }
    )
    form = spec.dimension("form")  # type: ignore[attr-defined]
    assert form.codes == ("sexual",)
    assert form.values_of("sexual") == ("sexual_domestic", "sexual_international")
    assert spec.panels[0].fixed == ("form",)  # type: ignore[attr-defined]
    assert spec.years(2024) == (2024,)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("raw", "field", "needle"),
    [
        ({"record": "victims"}, "aggregation.record", "record must be one of"),
        ({"record": "victim", "typo": 1}, "aggregation.typo", "unknown key"),
        (
            {
                "record": "victim",
                "dimensions": {
                    "region": {"field": "region", "codes": ["mars"]},
                    "form": {"field": "forms", "codes": ["labour"]},
                },
                "panels": [{"id": "p"}],
            },
            "aggregation.dimensions.region.codes",
            "'mars' is not a code",
        ),
        (
            {
                "record": "victim",
                "dimensions": {"region": {"field": "region", "codes": ["europe"]}},
                "panels": [{"id": "p"}],
            },
            "aggregation.dimensions.form",
            "needs [aggregation.dimensions.form]",
        ),
        (
            {
                "record": "victim",
                "dimensions": {
                    "region": {"field": "region", "codes": ["europe"]},
                    "form": {"field": "forms", "codes": ["labour"]},
                },
                "panels": [{"id": "p", "period": "window"}],
            },
            "aggregation.panels.1.period",
            "window >= 2",
        ),
        (
            {
                "record": "victim",
                "dimensions": {
                    "region": {"field": "region", "codes": ["europe"]},
                    "form": {"field": "forms", "codes": ["labour"]},
                },
                "panels": [{"id": "p", "fixed": {"form": "labour"}}],
            },
            "aggregation.panels.1.fixed.form",
            "'all'",
        ),
    ],
)
def test_problems_name_the_field(raw: dict, field: str, needle: str) -> None:
    spec, probs = parse_aggregation(raw, ["region", "form"], CODES)
    assert spec is None
    assert any(f == field and needle in m for f, m in probs), probs


def test_every_available_table_has_an_aggregation() -> None:
    meta = load_metadata(ROOT / "metadata")
    for t in meta.tables:
        assert (t.aggregation is not None) == t.available, t.id
    phoenix = [t.id for t in meta.tables if t.source == "phoenix" and t.available]
    assert all(meta.table(t).aggregation.window == 5 for t in phoenix)  # type: ignore[union-attr]
    court = meta.table("court_cases_by_form").aggregation
    assert court is not None and court.dimension("form").all


def test_wildcard_for_each_expands_like_the_explicit_lists() -> None:
    meta = load_metadata(ROOT / "metadata")
    ids = {r.id for r in meta.relations}
    assert {f"victims.age_sums_to_total.{y}" for y in range(2019, 2024)} <= ids
    # suspects_by_sex has 2021-2023 only: '*' keeps the years where every reference resolves
    assert {r.id for r in meta.relations if r.id.startswith("suspects.sex_sums_to_total")} == {
        "suspects.sex_sums_to_total.2021",
        "suspects.sex_sums_to_total.2022",
        "suspects.sex_sums_to_total.2023",
    }
    # later windows: none in the 2023 edition
    assert not any(r.id.startswith("court.form_years.20") for r in meta.relations)
    assert "victims.other_unknown_is_organ_or_unknown.2023" in ids
    assert "victims.other_unknown_is_organ_or_unknown.2022" not in ids
