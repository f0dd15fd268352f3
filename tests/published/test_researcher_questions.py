"""The two questions of an outside researcher (issue 13), answered from the published CSVs
with default readers in at most five lines of pandas each.

1. How did Latin-American victims of sexual exploitation develop, and in which sectors?
   26 in 2022 (a figure of the text), 68 in 2023 (table 5), the 2023 sectors from table 3.
2. What share of the victims did the police report, per year? 354 / 868 in 2023: the
   denominator is the yearly number of victims (``totals``), not the sum over reporters
   (998 in 2023: a victim can have several reporters).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

PACKAGE = Path(__file__).resolve().parents[2] / "datapackage"
D = PACKAGE / "data"


def test_police_share_of_the_victims_per_year() -> None:
    # --- the answer (README, "Two questions") ---
    t, r = pd.read_csv(D / "totals.csv"), pd.read_csv(D / "victims_by_reporter.csv")
    victims = t[t.quantity == "victims_total"].set_index("year_to").value
    police = r[(r.reporter == "police") & (r.form == "all")].set_index("year_to").value
    share = (police / victims).dropna()
    # ---
    assert share[2023] == 354 / 868
    assert share.to_dict() == {
        2019: 953 / 1372,
        2020: 468 / 1013,
        2021: 307 / 791,
        2022: 317 / 814,
        2023: 354 / 868,
    }
    # the wrong denominator the issue warns about: the sum over reporters
    assert r[(r.year_to == 2023) & (r.form == "all")].value.sum() == 998


def test_latin_american_victims_of_sexual_exploitation_and_their_sectors() -> None:
    # --- the answer (README, "Two questions") ---
    o = pd.read_csv(D / "observations.csv")
    latam = o[(o.region == "latin_america") & (o.form == "sexual")].set_index("year_to").value
    s = o[(o.resource == "sexual_exploitation_by_sector_region") & (o.region == "latin_america")]
    sectors = s.set_index("sector_sexual").value_printed  # as printed: 36, <5, ...
    # ---
    assert latam.to_dict() == {2022: 26, 2023: 68}  # 2022 from the text, 2023 from table 5
    assert pd.isna(sectors["other"])  # unresolved: not readable from the text ('unresolved')
    assert sectors.drop("other").to_dict() == {
        "unknown_only": "36",
        "not_yet_worked_only": "<5",
        "street": "<5",
        "home": "26",
        "escort": "10",
        "hotel": "<5",
        "window": "0",
        "brothel_club": "0",
    }
    # the table CSV has the same cells as numbers and words (no printed symbols)
    t = pd.read_csv(D / "sexual_exploitation_by_sector_region.csv")
    t = t[t.region == "latin_america"].set_index("sector_sexual")
    assert (t.loc["home", "value"], t.loc["street", "cell_type"]) == (26, "masked")
    assert (t.loc["street", "value_lower"], t.loc["street", "value_upper"]) == (1, 4)
    assert pd.isna(t.loc["street", "value"])  # masked: missing, never 0
