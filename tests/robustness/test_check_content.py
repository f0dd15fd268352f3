"""`check` on a copy of the real package edited by hand without `generate`: every finding is
named by file, row and field, and one finding never hides the others.

Each test copies ``datapackage/`` and edits the copy; the committed package is never changed."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from opendata_mh.cli import main

from .conftest import ROOT

PACKAGE = ROOT / "datapackage"


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    out = tmp_path / "datapackage"
    shutil.copytree(PACKAGE, out)
    return out


def _check(pkg: Path) -> tuple[int, dict]:  # type: ignore[type-arg]
    r = CliRunner().invoke(main, ["check", str(pkg), "--json"])
    return r.exit_code, json.loads(r.stdout) if r.stdout.strip() else {"raw": r.output}


def _read(pkg: Path, name: str) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO((pkg / "data" / f"{name}.csv").read_text("utf-8"))))
    return rows[0], rows[1:]


def _write(pkg: Path, name: str, header: list[str], rows: list[list[str]]) -> None:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([header, *rows])
    (pkg / "data" / f"{name}.csv").write_text(buf.getvalue(), encoding="utf-8")


def _set(pkg: Path, name: str, match: dict[str, str], **changes: str) -> int:
    """Set fields of the one data row matching ``match``; return its 1-based data row."""
    header, rows = _read(pkg, name)
    hits = [i for i, r in enumerate(rows) if all(r[header.index(k)] == v for k, v in match.items())]
    assert len(hits) == 1, (name, match, hits)
    for k, v in changes.items():
        rows[hits[0]][header.index(k)] = v
    _write(pkg, name, header, rows)
    return hits[0] + 1


def _refresh(pkg: Path) -> None:
    """Recompute bytes and hash of the descriptor (as `generate` would)."""
    path = pkg / "datapackage.json"
    d = json.loads(path.read_text(encoding="utf-8"))
    for r in d["resources"]:
        if "hash" in r:
            data = (pkg / r["path"]).read_bytes()
            r["bytes"] = len(data)
            r["hash"] = "sha256:" + hashlib.sha256(data).hexdigest()
    path.write_text(json.dumps(d, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _errors(env: dict) -> list[tuple]:  # type: ignore[type-arg]
    return [
        (i["code"], i["resource"], i["row"], i["field"])
        for i in env["issues"]
        if i["severity"] == "error"
    ]


def test_a_hand_edited_csv_is_named_and_its_content_still_checked(copy: Path) -> None:
    # a region code changed by hand, datapackage.json not regenerated: the declared bytes and
    # hash no longer match. Was: "package.unreadable ... hash-count", exit 3, no file named,
    # the enum and foreign-key findings hidden
    row = _set(
        copy,
        "victims_by_region",
        {"year_from": "2019", "year_to": "2019", "region": "unknown", "form": "all"},
        region="unknwn",
    )
    code, env = _check(copy)
    assert code == 1, env
    found = _errors(env)
    assert ("package.hash-mismatch", "victims_by_region", None, "hash") in found
    hit = next(i for i in env["issues"] if i["code"] == "package.hash-mismatch")
    assert "data/victims_by_region.csv" in hit["message"]
    assert [f for f in found if f[0] == "package.hash-mismatch"] == [
        ("package.hash-mismatch", "victims_by_region", None, "hash")
    ]
    # the content of the edited file is still checked: the unknown code is named
    assert ("schema.constraint-error", "victims_by_region", row, "region") in found


def _twin(pkg: Path, name: str) -> None:
    """Write the Parquet twin of ``name`` again from its CSV (as `generate` would)."""
    from opendata_mh.parquet import resource_parquet

    d = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    res = next(r for r in d["resources"] if r["name"] == name)
    header, rows = _read(pkg, name)
    (pkg / "parquet" / f"{name}.parquet").write_bytes(resource_parquet(res, [header, *rows]))


def test_observations_disagreeing_with_a_table_is_named(copy: Path) -> None:
    # observations.csv says 298 labour victims in 2023, victims_by_form says 299; the twin
    # and the checksums are regenerated, so only the comparison of the two files can see it
    row = _set(
        copy,
        "observations",
        {"resource": "victims_by_form", "period": "2023", "form": "labour"},
        value="298",
        value_lower="298",
        value_upper="298",
        value_printed="298",
    )
    _twin(copy, "observations")
    _refresh(copy)
    code, env = _check(copy)
    assert code == 1, env
    hits = [i for i in env["issues"] if i["resource"] == "observations"]
    assert {(i["code"], i["row"], i["field"]) for i in hits} == {
        ("consistency.observation-mismatch", row, f)
        for f in ("value", "value_lower", "value_upper", "value_printed")
    }
    msg = next(i["message"] for i in hits if i["field"] == "value")
    # names the table cell it disagrees with (resource, its data row and the key)
    assert "victims_by_form" in msg and "data row 15" in msg and "form=labour" in msg
    assert '"298"' in msg and '"299"' in msg


def test_a_table_cell_printed_x_where_observations_say_0_is_named(copy: Path) -> None:
    trow = _set(
        copy,
        "victims_by_form",
        {"year_from": "2021", "year_to": "2021", "form": "organ_removal"},
        value="",
        value_lower="1",
        value_upper="",
        cell_type="secondary",  # printed x (value_printed, obs_status, conf_status derived)
    )
    _twin(copy, "victims_by_form")
    _refresh(copy)
    header, rows = _read(copy, "observations")
    orow = 1 + next(
        i
        for i, r in enumerate(rows)
        if r[0] == "victims_by_form"
        and r[3] == "2021"
        and r[header.index("form")] == "organ_removal"
    )
    code, env = _check(copy)
    assert code == 1, env
    hits = {
        (i["row"], i["field"])
        for i in env["issues"]
        if i["code"] == "consistency.observation-mismatch" and i["resource"] == "observations"
    }
    assert {(orow, "value_printed"), (orow, "cell_type"), (orow, "conf_status")} <= hits
    msg = next(
        i["message"]
        for i in env["issues"]
        if i["code"] == "consistency.observation-mismatch" and i["field"] == "value_printed"
    )
    assert f"victims_by_form, data row {trow}" in msg


def _superseded_rows(copy: Path) -> dict[str, int]:
    """A second edition in the copy: victims_by_form's 2023 cells printed again by
    edition-2024, and four earlier printings of them in superseded.csv (one correct, three
    broken); returns the data row of each in superseded.csv by name."""
    header, rows = _read(copy, "victims_by_form")
    for r in rows:
        if r[header.index("year_from")] == "2023":
            r[header.index("edition")] = "edition-2024"
    _write(copy, "victims_by_form", header, rows)
    sh, _old = _read(copy, "superseded")
    if "form" not in sh:  # superseded has the code columns of the revised tables only
        sh.insert(sh.index("year_to") + 1, "form")
        path = copy / "datapackage.json"
        d = json.loads(path.read_text(encoding="utf-8"))
        res = {r["name"]: r for r in d["resources"]}
        form = next(f for f in res["victims_by_form"]["schema"]["fields"] if f["name"] == "form")
        fields = res["superseded"]["schema"]["fields"]
        at = [f["name"] for f in fields].index("year_to") + 1
        fields.insert(at, {k: v for k, v in form.items() if k not in ("constraints",)})
        path.write_text(json.dumps(d, indent=2, ensure_ascii=False), encoding="utf-8")

    def row(form: str, values: tuple[str, ...], edition: str, by: str) -> list[str]:
        cells = dict.fromkeys(sh, "")
        cells.update(
            resource="victims_by_form",
            report_table="1",
            period="2023",
            year_from="2023",
            year_to="2023",
            form=form,
            unit="victims",
            edition=edition,
            superseded_by=by,
        )
        names = ("value", "value_lower", "value_upper", "value_printed", "cell_type")
        cells.update(zip(names, values, strict=True))
        cells.update(obs_status="A", conf_status="F")
        if values[4] == "masked":
            cells.update(obs_status="Q", conf_status="A")
        return [cells[c] for c in sh]

    exact = ("290", "290", "290", "290", "exact")
    new = [
        row("labour", exact, "edition-2023", "edition-2024"),  # correct
        row("criminal", exact, "edition-2023", "edition-2031"),  # no such edition
        # a masked printing carrying a figure in its value column
        row("organ_removal", ("300", "1", "4", "<5", "masked"), "edition-2023", "edition-2024"),
        row("unknown", exact, "edition-2024", "edition-2023"),  # superseded by an earlier one
    ]
    _write(copy, "superseded", sh, new)
    for name in ("victims_by_form", "superseded"):
        _twin(copy, name)
    _refresh(copy)
    return {"correct": 1, "no-edition": 2, "masked": 3, "earlier": 4}


def test_superseded_rows_are_checked(copy: Path) -> None:
    at = _superseded_rows(copy)
    code, env = _check(copy)
    assert code == 1, env
    found = {
        (i["code"], i["row"], i["field"])
        for i in env["issues"]
        if i["resource"] == "superseded" and i["severity"] == "error"
    }
    assert found == {
        ("consistency.superseded-edition", at["no-edition"], "superseded_by"),
        ("sdc.status-mismatch", at["masked"], "value"),
        ("consistency.superseded-edition", at["earlier"], "superseded_by"),
    }
    messages = [i["message"] for i in env["issues"] if i["resource"] == "superseded"]
    assert any("edition-2031" in m and "does not exist" in m for m in messages)
    assert any("edition-2023" in m and "not later than edition-2024" in m for m in messages)
    # the figure in the masked printing's value column is never quoted
    assert not any("300" in i["message"] for i in env["issues"])


def test_a_duplicate_row_is_named_in_data_rows_on_both_sides(copy: Path) -> None:
    # data row 15 of victims_by_form repeated as data row 16: was "... in data row 16: the
    # same as in the row at position 16" (frictionless' row number, header = 1)
    header, rows = _read(copy, "victims_by_form")
    rows.insert(15, list(rows[14]))
    _write(copy, "victims_by_form", header, rows)
    _refresh(copy)
    code, env = _check(copy)
    assert code == 1, env
    hits = [
        i
        for i in env["issues"]
        if i["resource"] == "victims_by_form" and i["code"] == "schema.primary-key"
    ]
    assert [i["row"] for i in hits] == [16]
    assert "the same as data row 15" in hits[0]["message"]
    assert "position" not in hits[0]["message"]
