"""What the narrative check (opendata_mh.text) shows of a link that depends on a masked cell:
a latent total whose parts include a masked (``<5``) or suppressed (``x``) cell, or a share,
change or difference with such a numerator or denominator, shows no interval and no computed
value anywhere (``--json`` links, ``computed``, messages), since the masked cell's interval
would follow by subtraction (README: "a link that uses a masked cell shows its symbol, never
its interval"). Drafts from a new-user test (issue 12).

No test here states or asserts a masked value or its interval."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from opendata_mh.report import PackageData
from opendata_mh.text.output import TextReport, check_draft
from opendata_mh.text.reading import read_text
from opendata_mh.text.verification import Baseline, baseline
from opendata_mh.validate import read_package

PACKAGE = Path(__file__).resolve().parents[2] / "datapackage"


@pytest.fixture(scope="module")
def pkg() -> PackageData:
    return read_package(PACKAGE)


@pytest.fixture(scope="module")
def bl(pkg: PackageData) -> Baseline:
    return baseline(pkg)


def _depends_on_masked(pkg: PackageData) -> set[str]:
    """The masked cells and the latent totals a relation sums from one (from the package's
    rows and relations, independently of the linker); an exact one shows its value."""
    out: set[str] = set()
    refs: dict[str, set[str]] = {}
    for r in pkg.descriptor.get("relations") or []:
        if str(r.get("total", "")).startswith("@"):
            refs.setdefault(str(r["total"]), set()).update(str(p) for p in r.get("parts") or [])
    masked = {p for parts in refs.values() for p in parts if _cell_type(pkg, p) == "masked"}
    out |= masked
    changed = True
    while changed:
        changed = False
        for total, parts in refs.items():
            if total not in out and parts & out:
                out.add(total)
                changed = True
    return out


def _cell_type(pkg: PackageData, ref: str) -> str:
    table, *kv = ref.split("/")
    key = dict(x.split("=", 1) for x in kv)
    for row in pkg.rows.get(table, []):
        if all(row.get(k) == v for k, v in key.items()):
            return str(row.get("cell_type", ""))
    return ""


def _report(pkg: PackageData, bl: Baseline, text: str) -> dict[str, Any]:
    rep: TextReport = check_draft(read_text(text, "draft.txt"), pkg, str(PACKAGE), bl)
    return rep.summary()


ORGAN_2 = (
    "VORMEN VAN MENSENHANDEL\n\n"
    "In 2023 zijn er 868 slachtoffers van mensenhandel gemeld.\n"
    "In 2023 zijn er 2 slachtoffers van gedwongen orgaanverwijdering gemeld.\n"
)
SHARE = "In 2023 was 0,2% van de 868 slachtoffers slachtoffer van gedwongen orgaanverwijdering.\n"


def test_a_latent_total_over_a_masked_cell_shows_no_interval(
    pkg: PackageData, bl: Baseline
) -> None:
    dep = _depends_on_masked(pkg)
    assert "@victims_other_unknown/period=2023" in dep
    s = _report(pkg, bl, ORGAN_2)
    links = [ln for f in s["figures"] for ln in f["links"]]
    latent = [ln for ln in links if "@victims_other_unknown/period=2023" in ln["refs"]]
    assert latent, "the latent total is a candidate link of the organ-removal figure"
    assert all(ln["interval"] is None for ln in latent)
    # and every other link over such a quantity, and its figure's computed value
    for f in s["figures"]:
        for ln in f["links"]:
            if (set(ln["refs"]) | set(ln["denominator"])) & dep:
                # an exact latent total follows from exact cells alone (868 victims)
                iv = ln["interval"]
                assert iv is None or iv[0] == iv[1], ln["refs"]
        top = f["links"][0] if f["links"] else None
        if top and (set(top["refs"]) | set(top["denominator"])) & dep and top["interval"] is None:
            assert f["computed"] is None
            assert not re.search(r"\[\d", f["message"]), f["message"]


def test_a_share_with_a_masked_numerator_shows_no_interval(pkg: PackageData, bl: Baseline) -> None:
    dep = _depends_on_masked(pkg)
    s = _report(pkg, bl, SHARE)
    share = next(f for f in s["figures"] if f["printed"] == "0,2%")
    top = share["links"][0]
    assert top["derivation"] == "share"
    assert set(top["refs"]) & dep, top["refs"]
    assert top["interval"] is None
    assert share["computed"] is None
    assert not re.search(r"\d", share["message"].rsplit(") = ", 1)[-1]), share["message"]


def test_a_draft_that_narrows_an_unresolved_cell_that_may_be_masked_is_a_warning(
    pkg: PackageData, bl: Baseline
) -> None:
    """The 2019 total of the OM's disposals pins the unresolved 'Overig' cell, one of whose
    readings is ``<5``: a warning naming the cell, without its interval (audit.py:
    ``audit.interval-narrowed`` hides it in public output too)."""
    text = "In 2019 heeft het OM 178 zaken inhoudelijk afgehandeld.\n"
    rep = check_draft(read_text(text, "draft.txt"), pkg, str(PACKAGE), bl)
    found = [i for i in rep.issues if i.code == "text.narrows-unresolved"]
    assert [i.severity for i in found] == ["warning"]
    assert "om_disposals/period=2019/disposal=other/form=all" in found[0].message
    assert found[0].row == 1
    assert not re.search(r"\[\d", found[0].message)
    assert not rep.ok
