"""The package's free text (descriptions, notes, inference, the reasons of unresolved cells) never
states a count below a table's threshold: in a threshold table every such count is masked, so a
stated one gives a masked cell away (found by a new-user test in table 16's inference and table
20's unresolved reasons)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from opendata_mh.validate import check, stated_small_counts
from tests.conftest import edit_descriptor, resource

PACKAGE = Path(__file__).resolve().parents[2] / "datapackage"

# the wording of the 2023 package before the fix, with the stated numbers replaced by N (the
# test puts a small count in their place, so the true values are not repeated here)
TABLE16 = (
    "2022 and 2023 sum exactly to table 15 (214, 215). Then 2019, 2020 and 2021 each pin the "
    'masked\n"Onbekend" cell at {n} (table 15 minus the printed forms): disclosures found by the '
    "audit."
)
TABLE20 = "See labour: exactly one of the two is <5 (in fact {n}), the other 0."


def test_a_small_count_stated_in_the_inference_is_found(tmp_path: Path) -> None:
    pkg = tmp_path / "datapackage"
    shutil.copytree(PACKAGE, pkg)

    def leak(d: dict) -> None:
        resource(d, "om_cases_by_form")["inference"] = TABLE16.format(n=2)
        resource(d, "tried_suspects_by_country_of_birth")["unresolved"][3]["reason"] = (
            TABLE20.format(n=2)
        )
        # in Dutch number words
        res = resource(d, "victims_by_sex")
        res["description"] += "\nIn 2021 ging het om drie slachtoffers."

    edit_descriptor(pkg, leak)
    found = [i for i in check(pkg).issues if i.code == "metadata.masked-value-stated"]
    assert {(i.resource, i.field) for i in found} == {
        ("om_cases_by_form", "inference"),
        ("tried_suspects_by_country_of_birth", "unresolved[3].reason"),
        ("victims_by_sex", "description"),
    }
    assert all(i.severity == "error" for i in found)
    # the finding says where (field and line), never what the text states
    assert {i.message.split(":")[0] for i in found} == {
        "resource om_cases_by_form, 'inference' line 2",
        "resource tried_suspects_by_country_of_birth, 'unresolved[3].reason' line 1",
        "resource victims_by_sex, 'description' line 2",
    }
    assert not any(
        "cell at" in i.message or "in fact" in i.message or "drie" in i.message for i in found
    )


def test_the_published_text_states_no_small_count() -> None:
    import json

    d = json.loads((PACKAGE / "datapackage.json").read_text(encoding="utf-8"))
    assert stated_small_counts(d) == []


def test_numbers_that_are_not_counts_of_a_cell_are_not_flagged() -> None:
    d = {
        "resources": [
            {
                "name": "t",
                "sdc": {"rule": "threshold", "threshold": 5},
                "inference": (
                    "Columns 1, 2 and 7 are established by table 3; each row has 5 + 4 values "
                    "and the last (2 values) the rank (1 to 10); needs 4 <= x <= 19; window 5 "
                    "in [3, 12]; cells 1-4 are printed <5."
                ),
            }
        ]
    }
    assert stated_small_counts(d) == []


def _threshold_table(text: str, threshold: int = 5) -> dict:
    return {
        "resources": [
            {"name": "t", "sdc": {"rule": "threshold", "threshold": threshold}, "inference": text}
        ]
    }


@pytest.mark.parametrize(
    "text",
    [
        "In 2021 ging het om drie slachtoffers (tabel 3 drukt <5).",
        "Het OM registreerde\ntwee zaken van arbeidsuitbuiting.",
        "Eén verdachte werd vrijgesproken.",
        "Er was in 2020 slechts één verdachte geboren in Afrika.",
        "De cel Onbekend is VIER: de rest van de kolom sluit.",
    ],
)
def test_a_small_count_stated_in_dutch_words_is_found(text: str) -> None:
    """A count below the threshold written as a Dutch number word gives a masked cell away as
    surely as one written in digits."""
    line = 2 if "\n" in text else 1
    assert stated_small_counts(_threshold_table(text)) == [("t", "inference", line)]


@pytest.mark.parametrize(
    ("text", "threshold"),
    [
        # the article, not a count
        ("Een slachtoffer kan meerdere vormen van uitbuiting hebben meegemaakt.", 5),
        # at or above the threshold: printed, not masked
        ("Vijf slachtoffers, tien zaken.", 5),
        ("Drie slachtoffers.", 3),
        # references and counts of values, rows, columns or cells
        ("Zie tabel drie en kolom twee.", 5),
        ("Elke rij heeft twee waarden; twee rijen, drie kolommen, vier cellen.", 5),
        # other words that contain a number word
        ("Een vierde van de zaken; tweede helft; drieën; viertal.", 5),
    ],
)
def test_dutch_words_that_are_not_a_masked_count_are_not_flagged(text: str, threshold: int) -> None:
    assert stated_small_counts(_threshold_table(text, threshold)) == []
