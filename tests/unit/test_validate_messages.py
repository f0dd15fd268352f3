"""check's messages on the real package: where a broken latent total points (M3), frictionless
messages in data rows (M4), no latent or narrowed intervals in the public summary (H5a)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from opendata_mh.validate import check
from tests.conftest import edit_csv

PACKAGE = Path(__file__).resolve().parents[2] / "datapackage"


@pytest.fixture
def real_copy(tmp_path: Path) -> Path:
    dst = tmp_path / "datapackage"
    shutil.copytree(PACKAGE, dst)
    return dst


def test_summary_has_no_latent_intervals() -> None:
    s = check(PACKAGE).summary
    assert "latent" not in s and s["latent_quantities"] == 50
    # e.g. @tried_age_5y/...legal_person_unknown is pinned to a masked cell's value: not shown
    assert "@tried_age" not in json.dumps(s)


def test_broken_latent_total_names_every_table_involved(real_copy: Path) -> None:
    # victims_by_age 2019 'unknown' (row 1) from 123 to 999: the age table defines the unprinted
    # total of 2019, so the relations of the *other* tables fail
    edit_csv(real_copy, "victims_by_age", 1, value="999", value_lower="999", value_upper="999")
    edit_csv(real_copy, "victims_by_age", 1, value="999", value_lower="999", value_upper="999")
    report = check(real_copy)
    bad = report.by_code("consistency.relation-violated")
    assert [(i.resource, i.row, i.field) for i in bad] == [
        ("victims_by_region", 1, "value"),
        ("victims_by_form", 1, "value"),
        ("victims_by_reporter", 1, "value"),
        ("totals", 1, "value"),  # the published total of 2019 is the sum of the age groups
    ]
    for i in bad:
        assert "victims.age_sums_to_total.2019" in i.message
        assert i.message.endswith(
            "the figure at fault can be in any of the tables involved: totals, victims_by_age, "
            "victims_by_form, victims_by_region, victims_by_reporter, victims_by_sex."
        )
        assert "@victims_total/period=2019" in i.message
    # the masked 'other' region stays [1, 4] in the message (published interval)
    assert "victims_by_region/period=2019/region=other/form=all = [1, 4]" in bad[0].message


def test_relation_without_latent_has_no_latent_note(real_copy: Path) -> None:
    rows = (real_copy / "data" / "om_cases_by_form.csv").read_text().splitlines()
    assert rows[1].startswith("2019,2019,unknown,")  # masked, pinned by the registered total
    edit_csv(real_copy, "om_cases_registered", 1, value="999", value_lower="999")
    edit_csv(real_copy, "om_cases_registered", 1, value_upper="999")
    bad = check(real_copy).by_code("consistency.relation-violated")
    assert bad and all("unprinted total" not in i.message for i in bad)
    msg = next(i.message for i in bad if "om.forms_sum_to_registered.2019" in i.message)
    # the masked 'unknown' form is shown as published, never as the value the figures pin
    assert "om_cases_by_form/period=2019/form=unknown = [1, 4]" in msg


def test_frictionless_messages_use_the_data_row(real_copy: Path) -> None:
    edit_csv(real_copy, "victims_by_form", 1, value="abc")
    edit_csv(real_copy, "victims_by_form", 2, cell_type="weird")
    report = check(real_copy)
    (t,) = report.by_code("schema.type-error")
    assert (t.resource, t.row, t.field) == ("victims_by_form", 1, "value")
    assert t.message == (
        'Type Error in data row 1, field value (value "abc"): type is "integer/default"'
    )
    c = next(i for i in report.by_code("schema.constraint-error") if i.field == "cell_type")
    assert c.row == 2 and c.message.startswith(
        'Constraint Error in data row 2, field cell_type (value "weird"): constraint "enum"'
    )
    for i in report.issues:
        if i.code.startswith("schema."):
            assert "position" not in i.message and 'row "' not in i.message
