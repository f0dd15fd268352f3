"""``opendata-mh check`` compares each Parquet twin with its CSV (H3)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from click.testing import CliRunner

from opendata_mh.cli import main

PACKAGE = Path(__file__).resolve().parents[2] / "datapackage"


def test_check_tampered_parquet_exit_1(tmp_path: Path) -> None:
    pkg = tmp_path / "datapackage"
    shutil.copytree(PACKAGE, pkg)
    path = pkg / "parquet" / "victims_by_form.parquet"
    t = pq.read_table(path)
    vals = t.column("value").to_pylist()
    row = next(
        i
        for i, (p, f) in enumerate(
            zip(t.column("year_from").to_pylist(), t.column("form").to_pylist(), strict=True)
        )
        if (p, f) == (2020, "organ_removal")
    )
    assert vals[row] is None  # printed <5
    vals[row] = 3
    j = t.schema.get_field_index("value")
    pq.write_table(t.set_column(j, t.schema.field(j), pa.array(vals, type=pa.int64())), path)
    runner = CliRunner()
    for flags in ([], ["--no-audit"]):
        result = runner.invoke(main, ["check", str(pkg), "--json", *flags])
        assert result.exit_code == 1, result.output
        errors = [i for i in json.loads(result.stdout)["issues"] if i["severity"] == "error"]
        assert [(i["code"], i["resource"], i["row"], i["field"]) for i in errors] == [
            ("package.parquet-mismatch", "victims_by_form_parquet", row + 1, "value")
        ]
    human = runner.invoke(main, ["check", str(pkg)])
    assert human.exit_code == 1 and "package.parquet-mismatch" in human.stdout
    assert "FAILED" in human.stdout


def test_check_untampered_copy_is_clean(tmp_path: Path) -> None:
    pkg = tmp_path / "datapackage"
    shutil.copytree(PACKAGE, pkg)
    result = CliRunner().invoke(main, ["check", str(pkg), "--json"])
    assert result.exit_code == 0
    assert not any(
        i["code"] == "package.parquet-mismatch" for i in json.loads(result.stdout)["issues"]
    )
