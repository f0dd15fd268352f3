"""The disclosure audit of a package (opendata_mh.audit): the real 2019-2023 package with the
cells its figures give away, acknowledgements (matching by fingerprint, changed interval, stale,
new), that no acknowledged interval is published or printed by check, the
acknowledged_findings.toml metadata, and the fixture package."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from opendata_mh.audit import ISSUE_CODES, PackageAudit, audit_check, audit_path
from opendata_mh.errors import MetadataError
from opendata_mh.model import FINGERPRINT_RE, finding_fingerprint, load_metadata
from opendata_mh.validate import check
from tests.conftest import TEST_ACK_KEY, edit_csv, edit_descriptor

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "datapackage"
KEY = TEST_ACK_KEY.encode()
# fingerprints are keyed: these tests verify them with the test key, on a copy of the real
# package whose acknowledgements are keyed with it (conftest.real_test_keyed)
pytestmark = pytest.mark.usefixtures("ack_key")
OM_2019 = "om_cases_by_form/period=2019/form=unknown"
INTERVAL_RE = re.compile(r"\[\d+, (\d+|inf)\]|\d+\.\.\d+|\(exactly \d+\)")
"""How an interval of a masked cell would be spelled in a message, reason or codebook."""


@pytest.fixture(scope="module")
def real(real_test_keyed: Path) -> PackageAudit:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OPENDATA_MH_ACK_KEY", TEST_ACK_KEY)
        return audit_path(real_test_keyed)


@pytest.fixture
def real_copy(tmp_path: Path, real_test_keyed: Path) -> Path:
    dst = tmp_path / "datapackage"
    shutil.copytree(real_test_keyed, dst)
    return dst


# (cell, CSV row, interval, relations that pin it) -- figures of the Jaarcijfers Mensenhandel 2023
EXPECTED = [
    # OM cases by form: the forms add up to the registered cases, only 'unknown' is masked
    ("om_cases_by_form/period=2019/form=unknown", 1, (3, 3), {"om.forms_sum_to_registered.2019"}),
    ("om_cases_by_form/period=2020/form=unknown", 2, (3, 3), {"om.forms_sum_to_registered.2020"}),
    ("om_cases_by_form/period=2021/form=unknown", 3, (3, 3), {"om.forms_sum_to_registered.2021"}),
    # court cases by form
    (
        "court_cases_by_form/period=2019/form=sexual_unknown",
        11,
        (3, 3),
        {"court.forms_sum_to_total.2019"},
    ),
    (
        "court_cases_by_form/period=2020/form=sexual_unknown",
        12,
        (4, 4),
        {"court.forms_sum_to_total.2020"},
    ),
    ("court_cases_by_form/period=2020/form=labour", 17, (4, 4), {"court.forms_sum_to_total.2020"}),
    (
        "court_cases_by_form/period=2022/form=sexual_unknown",
        14,
        (1, 1),
        {"court.forms_sum_to_total.2022"},
    ),
    # 2023: the prose says 2 labour cases; the table then gives sexual_unknown = 1
    ("court_cases_by_form/period=2023/form=labour", 20, (2, 2), {"text.court_cases_labour_2023"}),
    (
        "court_cases_by_form/period=2023/form=sexual_unknown",
        15,
        (1, 1),
        {"court.forms_sum_to_total.2023", "text.court_cases_labour_2023"},
    ),
    # region 'other': the regions add up to the victims total, which the age table gives
    (
        "victims_by_region/period=2019/region=other/form=all",
        6,
        (2, 2),
        {"victims.age_sums_to_total.2019", "victims.region_sums_to_total.2019"},
    ),
    (
        "victims_by_region/period=2020/region=other/form=all",
        7,
        (3, 3),
        {"victims.age_sums_to_total.2020", "victims.region_sums_to_total.2020"},
    ),
    (
        "victims_by_region/period=2021/region=other/form=all",
        8,
        (1, 1),
        {"victims.age_sums_to_total.2021", "victims.region_sums_to_total.2021"},
    ),
    # minors x labour 2023: the minors' pie ('other' includes labour)
    (
        "victims_by_age/period=2023/age_group=minor/form=labour",
        58,
        (4, 4),
        {"victims.minor_pie_other_includes_labour.2023"},
    ),
    # sector x region 2023
    (
        "sexual_exploitation_by_sector_region/period=2023/sector_sexual=street/region=europe",
        20,
        (1, 1),
        {"victims.sector_region_sums_to_sector.2023.street"},
    ),
    (
        "sexual_exploitation_by_sector_region/period=2023/sector_sexual=street/region=latin_america",
        23,
        (1, 1),
        {"victims.sector_region_sums_to_sector.2023.street"},
    ),
    (
        "sexual_exploitation_by_sector_region/period=2023/sector_sexual=window/region=netherlands",
        43,
        (1, 3),
        {"victims.sector_region_sums_to_sector.2023.window"},
    ),
    # court outcomes, tried suspects
    (
        "court_outcomes/period=2019/court_outcome=other_unknown/form=all",
        1,
        (1, 1),
        {"court.outcomes_sum_to_cases.2019"},
    ),
    (
        "court_outcomes/period=2021/court_outcome=other_unknown/form=all",
        3,
        (3, 3),
        {"court.outcomes_sum_to_cases.2021"},
    ),
    (
        "tried_suspects_by_country_of_birth/period=2019/country_of_birth=legal_person_unknown/form=all",
        1,
        (2, 2),
        {"tried.country_of_birth_sums_to_cases.2019"},
    ),
    (
        "tried_suspects_by_country_of_birth/period=2021/country_of_birth=legal_person_unknown/form=all",
        3,
        (1, 1),
        {"tried.country_of_birth_sums_to_cases.2021"},
    ),
    (
        "tried_suspects_by_age/period=2019/age_group_suspect=legal_person_unknown/form=all",
        1,
        (1, 1),
        {"tried.age_sums_to_cases.2019"},
    ),
]


@pytest.mark.parametrize(
    ("cell", "row", "interval", "pins"), EXPECTED, ids=[e[0] for e in EXPECTED]
)
def test_real_package_findings(
    real: PackageAudit, cell: str, row: int, interval: tuple[int, int], pins: set[str]
) -> None:
    c = real.by_cell()[cell]
    assert c.row == row and c.printed == "<5" and c.a_priori == (1, 4)
    assert c.interval == interval
    assert c.status == ("exact" if interval[0] == interval[1] else "narrowed")
    assert set(c.pinned_by) == pins
    code = "audit.exact-disclosure" if interval[0] == interval[1] else "audit.narrowed"
    assert c.fingerprint == finding_fingerprint(cell, code, interval)
    assert c.acknowledged is not None and c.acknowledged.fingerprint == c.fingerprint


def test_om_2019_unknown_is_matched_by_fingerprint(
    real: PackageAudit, real_test_keyed: Path
) -> None:
    """OM 2019 'unknown' is exactly 3 (pinned by the forms summing to the registered cases);
    the package records only the fingerprint of that finding, and that is what matches."""
    c = real.by_cell()[OM_2019]
    assert (c.interval, c.status) == ((3, 3), "exact")
    assert c.pinned_by == ("om.forms_sum_to_registered.2019",)
    fp = finding_fingerprint(OM_2019, "audit.exact-disclosure", (3, 3))
    assert c.acknowledged is not None and c.acknowledged.fingerprint == fp == c.fingerprint
    assert fp != finding_fingerprint(OM_2019, "audit.exact-disclosure", (2, 2))
    d = json.loads((real_test_keyed / "datapackage.json").read_text(encoding="utf-8"))
    (entry,) = [a for a in d["acknowledgedFindings"] if a["cell"] == OM_2019]
    assert entry["fingerprint"] == fp
    # the committed package is keyed with the maintainer's key, not the test key
    d = json.loads((PACKAGE / "datapackage.json").read_text(encoding="utf-8"))
    (entry,) = [a for a in d["acknowledgedFindings"] if a["cell"] == OM_2019]
    assert FINGERPRINT_RE.match(entry["fingerprint"]) and entry["fingerprint"] != fp


def test_published_descriptor_spells_out_no_acknowledged_interval() -> None:
    d = json.loads((PACKAGE / "datapackage.json").read_text(encoding="utf-8"))
    acks = d["acknowledgedFindings"]
    assert len(acks) == 45
    for a in acks:
        assert set(a) == {"cell", "code", "fingerprint", "relations", "reason", "by", "date"}
        assert FINGERPRINT_RE.match(a["fingerprint"])
        assert not INTERVAL_RE.search(a["reason"]), a["reason"]
    # ... nor does the metadata it is generated from
    toml = (REPO / "metadata" / "acknowledged_findings.toml").read_text(encoding="utf-8")
    assert "interval =" not in toml and not INTERVAL_RE.search(toml)


def test_real_package_totals(real: PackageAudit) -> None:
    s = real.summary()
    assert s["masked_cells"] == 82
    assert (s["exact_disclosures"], s["narrowed"]) == (37, 8)
    assert (s["acknowledged"], s["new_findings"], s["stale_acknowledgements"]) == (45, 0, 0)
    assert s["infeasible_sets"] == []
    assert s["excluded_relations"] == {
        "sexual_total_2023_region_other": [
            "victims.sexual_is_domestic_or_international.2023",
            "victims.region_by_form_sums_to_form.2023.sexual",
            "victims.sector_region_sums_to_sector.2023.home",
            "victims.sector_region_sectors_overlap.2023.other",
        ],
        "sex_unknown_2023": [
            "victims.sex_plus_unknown_is_total.2023",
            "text.victims_sex_unknown_2023",
        ],
        "prose_percentages_rounding": [
            "change.victims_africa_sexual_home_change_2023",
            "change.reporter_police_change_2023",
            "share.conclusion_om_dismissal_share_2022",
        ],
    }
    assert real.ok
    # every masked cell is audited; the protected ones keep [1, 4]
    for c in real.targets:
        assert c.cell_type == "masked"
        if c.status == "protected":
            assert c.interval == (1, 4) and c.pinned_by == ()
    # the unresolved cells narrowed by the relations are information, not findings
    info = real.by_cell()[
        "tried_suspects_by_country_of_birth/period=2019-2023/country_of_birth="
        "legal_person_unknown/form=labour"
    ]
    assert (info.target, info.interval, info.a_priori) == (False, (0, 1), (0, 4))
    codes = {i.code for i in real.issues}
    assert codes == {"audit.acknowledged", "audit.relations-excluded", "audit.interval-narrowed"}


def test_every_acknowledgement_names_the_pinning_relations(real: PackageAudit) -> None:
    assert len(real.acknowledgements) == 45
    for c in real.findings():
        a = c.acknowledged
        assert a is not None and a.code == c.finding_code
        assert set(a.relations) <= set(c.pinned_by) | {"text.court_cases_labour_2023"}
        assert "Jaarcijfers Mensenhandel 2023" in a.reason and "cannot be changed" in a.reason


HOME_OTHER_2023 = "sexual_exploitation_by_sector_region/period=2023/sector_sexual=home/region=other"


def test_a_known_discrepancy_shields_no_cell(real: PackageAudit) -> None:
    """The four relations of sexual_total_2023_region_other cannot all hold, so the plain
    audit leaves them out; a reader who drops only table 1's split of sexual exploitation
    keeps a consistent system in which table 3's home-based prostitution row against its
    table 2 total gives 'Overig' 2023 away (issue 10)."""
    c = real.by_cell()[HOME_OTHER_2023]
    assert c.status == "exact" and c.finding_code == "audit.exact-disclosure"
    assert c.pinned_by == ("victims.sector_region_sums_to_sector.2023.home",)
    assert c.conflict == (
        "sexual_total_2023_region_other",
        ("victims.sexual_is_domestic_or_international.2023",),
        (
            "victims.region_by_form_sums_to_form.2023.sexual",
            "victims.sector_region_sums_to_sector.2023.home",
            "victims.sector_region_sectors_overlap.2023.other",
        ),
    )
    assert c.acknowledged is not None and c.acknowledged.fingerprint == c.fingerprint
    (issue,) = [i for i in real.issues if i.resource == c.resource and i.row == c.row]
    assert "known discrepancy sexual_total_2023_region_other" in issue.message
    assert c.to_dict()["conflict"]["left_out"] == [
        "victims.sexual_is_domestic_or_international.2023"
    ]


def test_mip_attacker_finds_the_same_intervals(real: PackageAudit) -> None:
    mip = audit_path(PACKAGE, mip=True)
    assert [(c.cell, c.interval) for c in mip.cells] == [(c.cell, c.interval) for c in real.cells]


def test_check_of_the_real_package_shows_findings_as_known(
    real_test_keyed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = check(real_test_keyed, extra_checks=[audit_check])
    assert report.ok
    assert not report.by_code("audit.acknowledgements-unverified")
    # without the key (CI without secrets) the committed package is matched by cell and code
    monkeypatch.delenv("OPENDATA_MH_ACK_KEY")
    plain = check(PACKAGE, extra_checks=[audit_check])
    assert plain.ok and len(plain.by_code("audit.acknowledged")) == 45
    (note,) = plain.by_code("audit.acknowledgements-unverified")
    assert note.severity == "info" and "45 acknowledgement(s) matched by cell and code" in (
        note.message
    )
    # a wrong key fails: no acknowledgement verifies
    monkeypatch.setenv("OPENDATA_MH_ACK_KEY", "not-the-key-of-these-fingerprints")
    wrong = check(PACKAGE, extra_checks=[audit_check])
    assert not wrong.ok and len(wrong.by_code("audit.stale-acknowledgement")) == 45
    assert "probably not the key" in wrong.by_code("audit.stale-acknowledgement")[0].message
    ack = report.by_code("audit.acknowledged")
    assert len(ack) == 45
    om = next(i for i in ack if i.resource == "om_cases_by_form" and i.row == 1)
    assert om.field == "value" and om.severity == "info"
    assert om.message.startswith(f"audit.exact-disclosure: {OM_2019} (printed <5): ")
    assert "acknowledged exact disclosure, pinned by om.forms_sum_to_registered.2019" in om.message
    # check runs in public CI logs: no acknowledged interval in any message
    assert "[3, 3]" not in om.message
    assert not any(INTERVAL_RE.search(i.message) for i in ack)
    narrowed = [i for i in ack if "acknowledged narrowing, pinned by" in i.message]
    assert len(narrowed) == 8


# --------------------------------------------------------------------------------------------
# new findings, changed and stale acknowledgements
# --------------------------------------------------------------------------------------------


def _drop_ack(cell: str) -> Callable[[dict], None]:
    def fn(d: dict) -> None:
        d["acknowledgedFindings"] = [a for a in d["acknowledgedFindings"] if a["cell"] != cell]

    return fn


def test_dropped_acknowledgement_is_an_error_again(real_copy: Path) -> None:
    edit_descriptor(real_copy, _drop_ack(OM_2019))
    a = audit_path(real_copy)
    assert not a.ok and a.summary()["new_findings"] == 1
    (err,) = [i for i in a.issues if i.severity == "error"]
    assert (err.code, err.resource, err.row, err.field) == (
        "audit.exact-disclosure",
        "om_cases_by_form",
        1,
        "value",
    )
    # an unacknowledged finding shows the maintainer its interval and the fingerprint to use
    assert "[3, 3]" in err.message and "om.forms_sum_to_registered.2019" in err.message
    fp = finding_fingerprint(OM_2019, "audit.exact-disclosure", (3, 3))
    assert err.message.endswith(f"; fingerprint to acknowledge it: {fp}")
    assert not check(real_copy, extra_checks=[audit_check]).ok
    assert check(real_copy).ok  # without the audit


def test_a_new_disclosure_fails(real_copy: Path) -> None:
    """Publishing 352 instead of 348 labour victims in 2022 pins the masked wholesale/retail
    sector (multi-label: total <= sum of the sectors, the others sum to 348)."""
    figure = dict.fromkeys(("value", "value_lower", "value_upper"), "352")
    edit_csv(real_copy, "victims_by_form", 14, **figure)
    a = audit_path(real_copy)
    c = a.by_cell()["labour_exploitation_by_sector/period=2022/sector_labour=wholesale_retail"]
    assert (c.interval, c.status, c.pinned_by) == (
        (4, 4),
        "exact",
        ("victims.labour_sectors_overlap.2022",),
    )
    new = [i for i in a.issues if i.code == "audit.exact-disclosure"]
    assert [(i.resource, i.row) for i in new] == [("labour_exploitation_by_sector", 35)]


def test_changed_interval_is_an_error_and_the_acknowledgement_stale(real_copy: Path) -> None:
    """2022 sexual-unknown is exactly 1; an acknowledgement fingerprinted for 2 matches nothing."""
    cell = "court_cases_by_form/period=2022/form=sexual_unknown"
    code = "audit.exact-disclosure"

    def fn(d: dict) -> None:
        for a in d["acknowledgedFindings"]:
            if a["cell"] == cell:
                assert a["fingerprint"] == finding_fingerprint(cell, code, (1, 1))
                a["fingerprint"] = finding_fingerprint(cell, code, (2, 2))

    edit_descriptor(real_copy, fn)
    a = audit_path(real_copy)
    got = {
        (i.code, i.severity)
        for i in a.issues
        if i.row == 14 and i.resource == "court_cases_by_form"
    }
    assert got == {("audit.exact-disclosure", "error"), ("audit.stale-acknowledgement", "warning")}
    stale = a.issues[[i.code for i in a.issues].index("audit.stale-acknowledgement")]
    assert stale.message.startswith(f"acknowledgement of {code} for {cell} matches no finding")
    assert not INTERVAL_RE.search(stale.message)
    err = a.issues[[i.code for i in a.issues].index(code)]
    assert "[1, 1]" in err.message and finding_fingerprint(cell, code, (1, 1)) in err.message


def test_acknowledgement_of_a_protected_cell_is_stale(real_copy: Path) -> None:
    cell = "victims_by_form/period=2020/form=organ_removal"

    def fn(d: dict) -> None:
        fp = finding_fingerprint(cell, "audit.narrowed", (1, 3))
        d["acknowledgedFindings"].append(
            {"cell": cell, "code": "audit.narrowed", "fingerprint": fp, "reason": "x"}
        )

    edit_descriptor(real_copy, fn)
    a = audit_path(real_copy)
    assert [i.code for i in a.issues if i.severity != "info"] == ["audit.stale-acknowledgement"]
    assert len(a.stale) == 1 and a.stale[0].cell == cell
    stale = a.issues[[i.code for i in a.issues].index("audit.stale-acknowledgement")]
    assert "the cell is now protected" in stale.message and "[1, " not in stale.message
    assert not a.ok


@pytest.mark.parametrize(
    "entry",
    [
        {"cell": "nope/period=2019", "code": "x"},
        {"cell": OM_2019, "code": "audit.exact-disclosure", "interval": [3, 3]},
        {"cell": OM_2019, "code": "audit.exact-disclosure", "fingerprint": "sha256:3"},
    ],
    ids=["cell-code", "interval-instead-of-fingerprint", "short-fingerprint"],
)
def test_malformed_acknowledgement_is_invalid(real_copy: Path, entry: dict) -> None:
    edit_descriptor(real_copy, lambda d: d["acknowledgedFindings"].append(entry))
    a = audit_path(real_copy)
    assert [i.code for i in a.issues if i.severity == "error"] == ["audit.invalid"]


def test_infeasible_set_is_named_when_a_discrepancy_is_not_recorded(real_copy: Path) -> None:
    edit_descriptor(
        real_copy,
        lambda d: d.__setitem__(
            "knownDiscrepancies",
            [k for k in d["knownDiscrepancies"] if k["id"] != "sexual_total_2023_region_other"],
        ),
    )
    a = audit_path(real_copy)
    (inf,) = a.infeasible
    assert set(inf.relations) == {
        "victims.region_by_form_sums_to_form.2023.sexual",
        "victims.sexual_is_domestic_or_international.2023",
        "victims.sector_region_sums_to_sector.2023.home",
        "victims.sector_region_sectors_overlap.2023.other",
    }
    err = a.issues[[i.code for i in a.issues].index("audit.infeasible")]
    assert (
        err.severity == "error" and "victims.sector_region_sums_to_sector.2023.home" in err.message
    )
    # the cells of the infeasible component carry no interval
    assert any(c.status == "infeasible" and c.interval == (None, None) for c in a.cells)


# --------------------------------------------------------------------------------------------
# the fixture package and the metadata file
# --------------------------------------------------------------------------------------------


def test_fixture_package(package_dir: Path) -> None:
    a = audit_path(package_dir)
    c = a.by_cell()["small/period=2023/form=a"]
    assert (c.interval, c.status, c.pinned_by) == ((4, 4), "exact", ("small.sums.2023",))
    assert c.acknowledged is not None and c.acknowledged.by == "fixture maintainer"
    b = a.by_cell()["small/period=2023/form=b"]
    assert (b.target, b.interval, b.status) == (False, (13, 13), "exact")
    assert a.ok
    d = json.loads((package_dir / "datapackage.json").read_text(encoding="utf-8"))
    assert d["acknowledgedFindings"] == [
        {
            "cell": "small/period=2023/form=a",
            "code": "audit.exact-disclosure",
            "fingerprint": finding_fingerprint(
                "small/period=2023/form=a", "audit.exact-disclosure", (4, 4)
            ),
            "relations": ["small.sums.2023"],
            "reason": "Historic publication (fixture): the printed total and b give a away "
            "through small.sums.2023.",
            "by": "fixture maintainer",
            "date": "2024-05-01",
        }
    ]


FP_A = finding_fingerprint("small/period=2023/form=a", "audit.exact-disclosure", (4, 4), KEY)
FP_A_4_7 = finding_fingerprint("small/period=2023/form=a", "audit.exact-disclosure", (4, 7), KEY)
FP_A_NARROWED = finding_fingerprint("small/period=2023/form=a", "audit.narrowed", (3, 4), KEY)
FP_B = finding_fingerprint("small/period=2023/form=b", "audit.exact-disclosure", (4, 4), KEY)
BAD_ACKS = [
    ('code = "audit.exact-disclosure"', 'code = "audit.leak"', "code"),
    ('cell = "small/period=2023/form=a"', 'cell = "small/period=2022/form=a"', "cell"),
    (f'fingerprint = "{FP_A}"', "interval = [4, 4]", "interval"),
    (f'fingerprint = "{FP_A}"', 'fingerprint = "sha256:4"', "fingerprint"),
    (f'fingerprint = "{FP_A}"', f'fingerprint = "{FP_A.upper()}"', "fingerprint"),
    (f'fingerprint = "{FP_A}"', f'fingerprint = "{FP_A_4_7}"', "fingerprint"),
    (f'fingerprint = "{FP_A}"', f'fingerprint = "{FP_B}"', "fingerprint"),
    (f'fingerprint = "{FP_A}"', f'fingerprint = "{FP_A_NARROWED}"', "fingerprint"),
    ('relations = ["small.sums.2023"]', 'relations = ["small.sums.2030"]', "relations"),
    ('relations = ["small.sums.2023"]', "relations = []", "relations"),
    ("date = 2024-05-01", 'date = "1 May 2024"', "date"),
    ('by = "fixture maintainer"', 'by = ""', "by"),
    ('by = "fixture maintainer"', 'who = "fixture maintainer"', "who"),
]


@pytest.mark.parametrize(
    ("old", "new", "fld"), BAD_ACKS, ids=[b[2] + ":" + b[1][:30] for b in BAD_ACKS]
)
def test_acknowledged_findings_metadata_is_validated(
    metadata_dir: Path, old: str, new: str, fld: str
) -> None:
    f = metadata_dir / "acknowledged_findings.toml"
    text = f.read_text(encoding="utf-8")
    assert old in text
    f.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(MetadataError) as exc:
        load_metadata(metadata_dir)
    probs = [p for p in exc.value.problems if p.file == "acknowledged_findings.toml"]
    assert probs and probs[0].field == fld and probs[0].row == 1


def test_interval_key_says_to_use_the_fingerprint(metadata_dir: Path) -> None:
    f = metadata_dir / "acknowledged_findings.toml"
    text = f.read_text(encoding="utf-8")
    f.write_text(text.replace(f'fingerprint = "{FP_A}"', "interval = [4, 4]"), encoding="utf-8")
    with pytest.raises(MetadataError) as exc:
        load_metadata(metadata_dir)
    (p,) = [p for p in exc.value.problems if p.field == "interval"]
    assert "use 'fingerprint' instead, as printed by 'opendata-mh audit'" in p.message


def test_metadata_fingerprint_is_kept(metadata_dir: Path) -> None:
    (a,) = load_metadata(metadata_dir).acknowledged_findings
    assert (str(a.cell), a.code, a.fingerprint) == (
        "small/period=2023/form=a",
        "audit.exact-disclosure",
        FP_A,
    )


def test_acknowledgement_twice_is_an_error(metadata_dir: Path) -> None:
    f = metadata_dir / "acknowledged_findings.toml"
    text = f.read_text(encoding="utf-8")
    f.write_text(text + "\n" + text[text.index("[[findings]]") :], encoding="utf-8")
    with pytest.raises(MetadataError, match="acknowledged twice"):
        load_metadata(metadata_dir)


def test_issue_codes_documented() -> None:
    import opendata_mh.audit as mod

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for code, severity in ISSUE_CODES.items():
        assert f"``{code}``" in (mod.__doc__ or ""), code
        assert f"| `{code}` | {severity} |" in readme, code


# --------------------------------------------------------------------------------------------
# a finding that gives away no more than its acknowledgement; relation ids are informational
# --------------------------------------------------------------------------------------------

WINDOW_NL = (
    "sexual_exploitation_by_sector_region/period=2023/sector_sexual=window/region=netherlands"
)
"""Narrowed to [1, 3] by the printed figures (CSV row 43)."""


def _refingerprint(cell: str, code: str, iv: tuple[int, int]) -> Callable[[dict], None]:
    def fn(d: dict) -> None:
        (a,) = [a for a in d["acknowledgedFindings"] if a["cell"] == cell]
        a["code"], a["fingerprint"] = code, finding_fingerprint(cell, code, iv)

    return fn


def test_finding_wider_than_its_acknowledgement_is_acknowledged(real_copy: Path) -> None:
    """Acknowledged as exactly 2 (what a historic publication with more relations gave away);
    the package now narrows it only to [1, 3], which contains 2: nothing new is given away."""
    edit_descriptor(real_copy, _refingerprint(WINDOW_NL, "audit.exact-disclosure", (2, 2)))
    a = audit_path(real_copy)
    c = a.by_cell()[WINDOW_NL]
    assert (c.interval, c.finding_code) == ((1, 3), "audit.narrowed")
    assert c.acknowledged is not None and c.within_acknowledged
    assert a.ok and a.stale == ()
    (i,) = [i for i in a.issues if i.resource == c.resource and i.row == 43]
    assert (i.code, i.severity) == ("audit.acknowledged", "info")
    assert "gives away no more than the acknowledged audit.exact-disclosure" in i.message
    assert not INTERVAL_RE.search(i.message)


@pytest.mark.parametrize("iv", [(2, 4), (3, 4), (4, 4)])
def test_finding_narrower_than_its_acknowledgement_fails(
    real_copy: Path, iv: tuple[int, int]
) -> None:
    """[1, 3] does not contain the acknowledged interval: the package tells something new."""
    edit_descriptor(real_copy, _refingerprint(WINDOW_NL, "audit.narrowed", iv))
    a = audit_path(real_copy)
    c = a.by_cell()[WINDOW_NL]
    assert c.acknowledged is None and not c.within_acknowledged
    got = {(i.code, i.severity) for i in a.issues if i.row == 43 and i.resource == c.resource}
    assert got == {("audit.narrowed", "error"), ("audit.stale-acknowledgement", "warning")}


def test_a_relation_the_package_no_longer_has_is_informational(real_copy: Path) -> None:
    def fn(d: dict) -> None:
        for a in d["acknowledgedFindings"]:
            if a["cell"] == OM_2019:
                a["relations"] = [*a["relations"], "om.gone_in_a_later_edition.2019"]

    edit_descriptor(real_copy, fn)
    a = audit_path(real_copy)
    assert a.ok and a.by_cell()[OM_2019].acknowledged is not None
    (i,) = [i for i in a.issues if i.code == "audit.acknowledged-relation-lapsed"]
    assert (i.severity, i.resource, i.row) == ("info", "om_cases_by_form", 1)
    assert "om.gone_in_a_later_edition.2019" in i.message and not INTERVAL_RE.search(i.message)
    assert check(real_copy, extra_checks=[audit_check]).ok


def test_protected_without_its_lapsed_relations_is_not_stale(real_copy: Path) -> None:
    """The pinning relation left out (as a later edition does): the cell is protected in this
    package, its acknowledgement names a relation the package lacks, so it is not stale."""

    def fn(d: dict) -> None:
        d["relations"] = [r for r in d["relations"] if r["id"] != "om.forms_sum_to_registered.2019"]

    edit_descriptor(real_copy, fn)
    a = audit_path(real_copy)
    assert a.by_cell()[OM_2019].status == "protected"
    assert a.ok and a.stale == ()
    (i,) = [i for i in a.issues if i.code == "audit.acknowledged-relation-lapsed"]
    assert "without them the cell is protected in this package" in i.message
