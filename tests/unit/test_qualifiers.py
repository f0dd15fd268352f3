"""Qualified prose figures as bounds ("ten minste 26" is a lower bound only, "zo'n 5000" an
interval), in the library and in the published text_figures.csv."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from opendata_mh.model import TextFigure
from opendata_mh.qualifiers import INF, about_bounds, figure_bounds

PACKAGE = Path(__file__).resolve().parents[2] / "datapackage"


def _fig(printed: str, value: float | None, unit: str = "victims") -> TextFigure:
    return TextFigure("f", "2023", printed, value, unit, "q", "d", "s", None)


@pytest.mark.parametrize(
    ("printed", "value", "want"),
    [
        ("ten minste 26", 26, (26, INF)),
        ("zo’n 5000", 5000, (4500, 5499)),
        ("zo'n 40", 40, (35, 44)),
        ("circa 1.200", 1200, (1150, 1249)),
        ("meer dan 20", 20, (21, INF)),
        ("minder dan 10", 10, (0, 9)),
        ("<5", None, (1, 4)),
        ("170-180", None, (170, 180)),
        ("868", 868, (868, 868)),
    ],
)
def test_qualifiers_as_bounds(printed: str, value: float | None, want: tuple) -> None:
    assert figure_bounds(_fig(printed, value)) == want


def test_percentages_have_no_count_bounds() -> None:
    assert figure_bounds(_fig("ten minste 68%", 68, "percent")) is None


def test_about_is_the_rounding_interval_of_the_last_nonzero_digit() -> None:
    assert about_bounds(5000) == (4500, 5499)
    assert about_bounds(5300) == (5250, 5349)
    assert about_bounds(7) == (7, 7)


def test_published_text_figures_carry_the_qualifier_bounds() -> None:
    text = (PACKAGE / "data" / "text_figures.csv").read_text(encoding="utf-8")
    rows = {r["figure_id"]: r for r in csv.DictReader(io.StringIO(text))}
    r = rows["victims_latam_sexual_home_2023"]  # "ten minste 26"
    assert (r["value"], r["value_lower"], r["value_upper"]) == ("26", "26", "")
    r = rows["victims_estimated_per_year"]  # "zo'n 5000"
    assert (r["value"], r["value_lower"], r["value_upper"]) == ("5000", "4500", "5499")
    r = rows["victims_total_2023"]
    assert (r["value_lower"], r["value_upper"]) == ("868", "868")
