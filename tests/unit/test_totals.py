"""The resource ``totals``: published only where printed or fixed by exact cells, with the
figure or relations that give each value, and no help to the disclosure audit."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from opendata_mh.audit import audit_path
from opendata_mh.errors import MetadataError
from opendata_mh.generate import generate
from opendata_mh.model import load_metadata
from opendata_mh.totals import derive, load_specs

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "datapackage"


def _rows(name: str) -> list[dict[str, str]]:
    text = (PACKAGE / "data" / f"{name}.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def _totals() -> dict[tuple[str, str, str], dict[str, str]]:
    return {
        (
            r["quantity"],
            r["year_from"]
            if r["year_from"] == r["year_to"]
            else f"{r['year_from']}-{r['year_to']}",
            r["code"],
        ): r
        for r in _rows("totals")
    }


def test_yearly_victims_are_published_with_their_derivation() -> None:
    t = _totals()
    # 868 is printed in the text (and the age groups, all exact, sum to it); 2019-2022 are
    # the sums of the exact age groups of table 9 (the report prints no yearly total)
    want = {"2019": 1372, "2020": 1013, "2021": 791, "2022": 814, "2023": 868}
    for year, n in want.items():
        r = t[("victims_total", year, "all")]
        assert (r["value"], r["value_lower"], r["value_upper"]) == (str(n),) * 3
        assert r["cell_type"] == "exact" and "conf_status" not in r  # in observations.csv
        assert f"victims.age_sums_to_total.{year}" in r["derived_by"].split()
    assert t[("victims_total", "2023", "all")]["derived_by"].split()[0] == "text:victims_total_2023"
    assert "value_printed" not in t[("victims_total", "2023", "all")]  # the text figure's
    assert t[("investigations_total", "2023", "all")]["value"] == "174"
    assert [t[("suspects_total", y, "all")]["value"] for y in ("2021", "2022", "2023")] == [
        "319",
        "312",
        "285",
    ]
    assert t[("om_disposed", "2023", "all")]["value"] == "209"
    assert t[("court_cases_5y", "2019-2023", "all")]["value"] == "447"


def test_totals_that_neither_the_text_nor_exact_cells_fix_are_not_published() -> None:
    t = _totals()
    # masked parts: the yearly investigations 2019-2022 and OM disposals 2019-2022 are not
    # determined by exact cells (and are not printed); victims of unknown sex: the printed 37
    # contradicts the tables (known discrepancy), so the quantity is not listed
    assert not [k for k in t if k[0] == "investigations_total" and k[1] != "2023"]
    assert not [k for k in t if k[0] == "om_disposed" and k[1] != "2023"]
    assert not [k for k in t if k[0] == "victims_sex_unknown"]
    assert ("om_disposals_5y", "2019-2023", "other") not in t


def test_every_total_is_tied_to_its_quantity_by_a_relation() -> None:
    d = json.loads((PACKAGE / "datapackage.json").read_text(encoding="utf-8"))
    rels = {r["id"]: r for r in d["relations"]}
    for (q, period, code), _r in _totals().items():
        rel = rels[f"totals.{q}.{period}.{code}"]
        assert rel["type"] == "identity"
        assert rel["cells"][0] == f"totals/quantity={q}/period={period}/code={code}"
        assert rel["cells"][1].startswith(f"@{q}/")


def _without_totals(src: Path, dst: Path) -> None:
    shutil.copytree(src, dst)
    p = dst / "datapackage.json"
    d = json.loads(p.read_text(encoding="utf-8"))
    d["resources"] = [r for r in d["resources"] if r["name"] not in ("totals", "totals_parquet")]
    d["relations"] = [r for r in d["relations"] if r.get("origin") != "totals.toml"]
    for q in d["latentQuantities"]:
        q["relations"] = [x for x in q["relations"] if not x.startswith("totals.")]
    p.write_text(json.dumps(d, indent=2, ensure_ascii=False), encoding="utf-8")
    (dst / "data" / "totals.csv").unlink()
    (dst / "parquet" / "totals.parquet").unlink()


def test_no_audit_interval_changes_when_the_totals_are_added(tmp_path: Path) -> None:
    with_totals = audit_path(PACKAGE)
    _without_totals(PACKAGE, tmp_path / "pkg")
    without = audit_path(tmp_path / "pkg")
    got = {c.cell: (c.interval, c.status) for c in with_totals.cells}
    assert got == {c.cell: (c.interval, c.status) for c in without.cells}
    assert len(got) > 100  # every masked, rounded, range and unresolved cell of the package


def test_a_printed_total_that_contradicts_exact_cells_is_refused(tmp_path: Path) -> None:
    meta_dir = tmp_path / "metadata"
    shutil.copytree(REPO / "metadata", meta_dir)
    p = meta_dir / "text_figures.toml"
    s = p.read_text(encoding="utf-8")
    assert 'printed = "868"' in s
    p.write_text(
        s.replace('printed = "868"', 'printed = "869"').replace("value = 868", "value = 869"),
        encoding="utf-8",
    )
    with pytest.raises(MetadataError, match=r"victims_total/period=2023.*869"):
        derive(load_metadata(meta_dir), load_specs(meta_dir))


def test_totals_toml_is_validated(tmp_path: Path) -> None:
    meta_dir = tmp_path / "metadata"
    shutil.copytree(REPO / "metadata", meta_dir)
    (meta_dir / "totals.toml").write_text(
        '[[quantities]]\nname = "victims_totl"\ntitle = "x"\ntitle_en = "x"\nunit = "victims"\n'
        'description_en = "x"\ncolour = "red"\n',
        encoding="utf-8",
    )
    with pytest.raises(MetadataError, match="unknown key 'colour'"):
        load_specs(meta_dir)
    (meta_dir / "totals.toml").write_text(
        '[[quantities]]\nname = "victims_totl"\ntitle = "x"\ntitle_en = "x"\nunit = "victims"\n'
        'description_en = "x"\n',
        encoding="utf-8",
    )
    with pytest.raises(MetadataError, match="'victims_totl' is not a latent quantity"):
        generate(meta_dir, tmp_path / "out")
