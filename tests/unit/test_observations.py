"""The long file of every observation and its SDMX-CSV 2.0 export (published package)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "datapackage"


def _rows(rel: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((PACKAGE / rel).read_text(encoding="utf-8"))))


def test_every_table_cell_total_and_coded_prose_figure_is_one_row() -> None:
    obs = _rows("data/observations.csv")
    d = json.loads((PACKAGE / "datapackage.json").read_text(encoding="utf-8"))
    tables = [r for r in d["resources"] if "sdc" in r]
    n_cells = sum(len(_rows(r["path"])) for r in tables)
    n_totals = len(_rows("data/totals.csv"))
    by = {}
    for r in obs:
        by.setdefault(r["resource"], []).append(r)
    assert sum(len(by.get(t["name"], [])) for t in tables) == n_cells == 673
    assert len(by["totals"]) == n_totals
    # the prose counts with dimension codes that no table prints
    figs = {r["series"]: r for r in by["text_figures"]}
    assert figs["victims_latam_sexual_2022"]["region"] == "latin_america"
    assert figs["victims_latam_sexual_2022"]["form"] == "sexual"
    assert figs["victims_latam_sexual_2022"]["value"] == "26"
    masked = figs["victims_minor_asia_2023"]  # printed <5
    assert (masked["value"], masked["value_lower"], masked["value_upper"]) == ("", "1", "4")
    assert (masked["cell_type"], masked["obs_status"], masked["conf_status"]) == (
        "masked",
        "Q",
        "A",
    )
    # a figure that repeats a table cell is that cell already
    assert "victims_latam_sexual_2023" not in figs
    # one row per observation
    keys = [tuple(v for k, v in r.items() if k not in ("value", "value_printed")) for r in obs]
    assert len(keys) == len(set(keys))


def test_sdmx_csv_carries_status_and_bounds_as_attributes() -> None:
    rows = _rows("sdmx/observations_sdmx.csv")
    obs = _rows("data/observations.csv")
    assert len(rows) == len(obs)
    head = next(csv.reader(io.StringIO((PACKAGE / "sdmx/observations_sdmx.csv").read_text())))
    assert head[:6] == [
        "STRUCTURE",
        "STRUCTURE_ID",
        "ACTION",
        "SOURCE_TABLE",
        "SERIES",
        "TIME_PERIOD",
    ]
    assert {r["STRUCTURE"] for r in rows} == {"dataflow"}
    assert {r["STRUCTURE_ID"] for r in rows} == {"NL_NRM:DF_JAARCIJFERS_MH(1.0.0)"}
    masked = next(
        r
        for r in rows
        if r["SOURCE_TABLE"] == "om_cases_by_form"
        and r["TIME_PERIOD"] == "2019"
        and r["FORM"] == "unknown"
    )
    assert (masked["OBS_VALUE"], masked["OBS_STATUS"], masked["CONF_STATUS"]) == ("", "Q", "A")
    assert (masked["LOWER_BOUND"], masked["UPPER_BOUND"], masked["VALUE_PRINTED"]) == (
        "1",
        "4",
        "<5",
    )
    assert masked["REGION"] == "_Z"  # not applicable to this table
    window = [r for r in rows if r["SOURCE_TABLE"] == "court_outcomes" and "/" in r["TIME_PERIOD"]]
    assert window and {r["TIME_PERIOD"] for r in window} == {"2019-01-01/P5Y"}
    total = next(r for r in rows if r["SERIES"] == "victims_total" and r["TIME_PERIOD"] == "2023")
    assert total["OBS_VALUE"] == "868"
    assert next(r for r in rows if r["SOURCE_TABLE"] == "victims_by_region" and r["FORM"] == "_T")
