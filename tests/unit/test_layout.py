"""extend_layout: the 2023 panels as templates for the cells of later editions."""

from __future__ import annotations

from typing import Any

from opendata_mh.layout import extend_layout


def _panel(
    pid: str,
    fixed: dict[str, str],
    rows: tuple[str, list[str]],
    cols: tuple[str, list[str]],
    **kw: str,
) -> dict[str, Any]:
    return {
        "panel": pid,
        **kw,
        "fixed": fixed,
        "rows": {"dimension": rows[0], "codes": rows[1]},
        "columns": {"dimension": cols[0], "codes": cols[1]},
    }


PER_YEAR = _panel("per_year", {"form": "all"}, ("age", ["a", "b"]), ("period", ["2022", "2023"]))
PER_FORM = _panel(
    "per_form_2023",
    {"period": "2023"},
    ("age", ["a", "b"]),
    ("form", ["x", "y"]),
    title="Per vorm in 2023",
)
WINDOW = _panel("per_form_2019_2023", {"period": "2019-2023"}, ("age", ["a", "b"]), ("form", ["x"]))


def _cells(
    periods: list[str], forms: list[str], ages: tuple[str, ...] = ("a", "b")
) -> list[dict[str, str]]:
    return [{"period": p, "age": a, "form": f} for p in periods for a in ages for f in forms]


def test_layout_covering_every_cell_is_returned_unchanged() -> None:
    cells = _cells(["2022", "2023"], ["all"]) + _cells(["2023"], ["x", "y"])
    assert extend_layout([PER_YEAR, PER_FORM], cells, ["age", "form"]) == [PER_YEAR, PER_FORM]


def test_new_year_extends_period_panels_and_gets_a_sibling() -> None:
    cells = _cells(["2022", "2023", "2024"], ["all"]) + _cells(["2023", "2024"], ["x", "y"])
    out = extend_layout([PER_YEAR, PER_FORM], cells, ["age", "form"])
    assert [p["panel"] for p in out] == ["per_year", "per_form_2023", "per_form_2024"]
    assert out[0]["columns"]["codes"] == ["2022", "2023", "2024"]
    assert out[1] == PER_FORM
    assert out[2]["fixed"] == {"period": "2024"}
    assert out[2]["title"] == "Per vorm in 2024"
    assert out[2]["rows"]["codes"] == ["a", "b"] and out[2]["columns"]["codes"] == ["x", "y"]


def test_sibling_keeps_template_order_and_appends_new_codes() -> None:
    cells = _cells(["2023"], ["x", "y"]) + [
        {"period": "2024", "age": age, "form": "y"} for age in ("c", "b", "a")
    ]
    out = extend_layout([PER_FORM], cells, ["age", "form"])
    assert out[1]["rows"]["codes"] == ["a", "b", "c"]
    assert out[1]["columns"]["codes"] == ["y"]


def test_window_gets_a_window_sibling_not_a_year_column() -> None:
    cells = (
        _cells(["2022", "2023"], ["all"])
        + _cells(["2019-2023", "2020-2024"], ["x"])
        + _cells(["2020-2024"], ["all"])  # a window total: no per_year column "2020-2024"
    )
    out = extend_layout([PER_YEAR, WINDOW], cells, ["age", "form"])
    assert [p["panel"] for p in out] == ["per_year", "per_form_2019_2023", "per_form_2020_2024"]
    assert out[0] == PER_YEAR
    assert out[2]["fixed"] == {"period": "2020-2024"}
    assert out[2]["columns"]["codes"] == ["x", "all"]


def test_cells_no_template_fits_land_in_a_fallback_panel() -> None:
    cells = _cells(["2022", "2023"], ["all"]) + _cells(["2024"], ["x"])
    out = extend_layout([PER_YEAR], cells, ["age", "form"])
    assert out[1] == _panel("other_2024", {"period": "2024"}, ("age", ["a", "b"]), ("form", ["x"]))


def test_table_without_dimensions() -> None:
    lay = _panel("per_year", {}, ("", [""]), ("period", ["2023"]))
    out = extend_layout([lay], [{"period": "2023"}, {"period": "2024"}], [])
    assert out[0]["columns"]["codes"] == ["2023", "2024"] and out[0]["rows"]["codes"] == [""]
