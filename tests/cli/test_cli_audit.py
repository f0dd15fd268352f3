"""``opendata-mh audit`` and the audit inside ``opendata-mh check``: --json equals the library
result, exit codes on the real package and on broken copies."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from opendata_mh.audit import audit_check, audit_path
from opendata_mh.cli import main
from opendata_mh.model import finding_fingerprint
from opendata_mh.validate import check
from tests.conftest import TEST_ACK_KEY, edit_descriptor

PACKAGE = Path(__file__).resolve().parents[2] / "datapackage"
OM_2019 = "om_cases_by_form/period=2019/form=unknown"
OM_2019_FP = finding_fingerprint(
    OM_2019, "audit.exact-disclosure", (3, 3), TEST_ACK_KEY.encode()
)  # the test key: these tests use a copy of the package keyed with it


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def unacknowledged(tmp_path: Path, real_test_keyed: Path, ack_key: str) -> Path:
    """The real package with the acknowledgement of OM 2019 'unknown' (= 3) dropped."""
    dst = tmp_path / "datapackage"
    shutil.copytree(real_test_keyed, dst)
    edit_descriptor(
        dst,
        lambda d: d.__setitem__(
            "acknowledgedFindings",
            [a for a in d["acknowledgedFindings"] if a["cell"] != OM_2019],
        ),
    )
    return dst


@pytest.mark.parametrize("flags", [[], ["--all"]], ids=["findings", "all"])
def test_audit_json_equals_library_result(
    runner: CliRunner, flags: list[str], real_test_keyed: Path, ack_key: str
) -> None:
    result = runner.invoke(main, ["audit", str(real_test_keyed), "--json", *flags])
    assert result.exit_code == 0, result.output
    env = json.loads(result.stdout)
    lib = audit_path(real_test_keyed)
    assert set(env) == {"ok", "command", "summary", "issues", "error"}
    assert env["ok"] is True and env["command"] == "audit" and env["error"] is None
    assert env["summary"] == lib.to_dict(all_cells=bool(flags))
    assert env["issues"] == [i.to_dict() for i in lib.issues]
    # 114 (was 116): table 7's five unresolved 30-day cells are one rounded 2023 cell, and five
    # cells of table 18's Overig row are unresolved (three were masked, two exact) since 2023.1.0
    assert len(env["summary"]["cells"]) == (114 if flags else 45)
    om = next(c for c in env["summary"]["cells"] if c["cell"] == OM_2019)
    assert om["interval"] == [3, 3] and om["pinned_by"] == ["om.forms_sum_to_registered.2019"]
    # the cell keeps its interval (the audit's result); the acknowledgement carries a fingerprint
    assert om["code"] == "audit.exact-disclosure" and om["fingerprint"] == OM_2019_FP
    assert om["acknowledged"]["fingerprint"] == OM_2019_FP and "interval" not in om["acknowledged"]


def test_audit_human_table(runner: CliRunner) -> None:
    result = runner.invoke(main, ["audit", str(PACKAGE)])
    assert result.exit_code == 0
    out = result.stdout
    for text in ("cell", "printed", "interval", "pinned by", "om.forms_sum_to_registered.2019"):
        assert text in out
    assert "exact (acknowledged)" in out and "45 acknowledged, 0 new" in out
    assert "narrowed (acknowledged)" in out and "To acknowledge" not in out
    assert result.stderr == ""  # no progress display when stderr is not a terminal


def test_audit_mip(runner: CliRunner) -> None:
    result = runner.invoke(main, ["audit", str(PACKAGE), "--json", "--mip"])
    assert result.exit_code == 0
    s = json.loads(result.stdout)["summary"]
    assert s["mip"] is True and (s["exact_disclosures"], s["narrowed"]) == (37, 8)


def test_audit_new_finding_exit_1(runner: CliRunner, unacknowledged: Path) -> None:
    result = runner.invoke(main, ["audit", str(unacknowledged), "--json"])
    assert result.exit_code == 1
    env = json.loads(result.stdout)
    assert env["ok"] is False and env["summary"]["new_findings"] == 1
    errors = [i for i in env["issues"] if i["severity"] == "error"]
    assert [(i["code"], i["resource"], i["row"], i["field"]) for i in errors] == [
        ("audit.exact-disclosure", "om_cases_by_form", 1, "value")
    ]
    assert errors[0]["message"].endswith(f"fingerprint to acknowledge it: {OM_2019_FP}")
    human = runner.invoke(main, ["audit", str(unacknowledged)])
    assert human.exit_code == 1 and "FAILED" in human.stdout
    # the maintainer gets the entry to copy: cell, code, fingerprint, relations (no value)
    snippet = (
        f'[[findings]]\ncell = "{OM_2019}"\ncode = "audit.exact-disclosure"\n'
        f'fingerprint = "{OM_2019_FP}"\nrelations = ["om.forms_sum_to_registered.2019"]'
    )
    assert snippet in human.stdout


def test_audit_unreadable_exit_3(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["audit", str(tmp_path / "missing"), "--json"])
    assert result.exit_code == 3
    assert json.loads(result.stdout)["error"]["code"] == "package.unreadable"


def test_check_real_package_exit_0_with_known_findings(runner: CliRunner) -> None:
    result = runner.invoke(main, ["check", str(PACKAGE), "--json"])
    assert result.exit_code == 0
    env = json.loads(result.stdout)
    assert env["issues"] == check(PACKAGE, extra_checks=[audit_check]).to_dict()["issues"]
    assert sum(i["code"] == "audit.acknowledged" for i in env["issues"]) == 45
    short = runner.invoke(main, ["check", str(PACKAGE)])
    assert short.exit_code == 0
    assert "Acknowledged disclosure findings: 45 (historic publication" in short.stdout
    assert "om_cases_by_form" not in short.stdout  # counted, not listed, without --verbose
    human = runner.invoke(main, ["check", str(PACKAGE), "--verbose"])
    assert human.exit_code == 0
    assert "Acknowledged disclosure findings (45" in human.stdout
    # public CI logs: the acknowledged findings are listed without their intervals
    listed = human.stdout.split("Acknowledged disclosure findings (45", 1)[1].splitlines()[1:46]
    assert all(line.startswith("  - audit.") for line in listed)
    assert (
        f"  - audit.exact-disclosure: {OM_2019} (printed <5): acknowledged exact disclosure, "
        "pinned by om.forms_sum_to_registered.2019" in listed
    )
    assert not any(re.search(r"\[\d+, \d+\]|\d+\.\.\d+", line) for line in listed)
    assert "[3, 3]" not in human.stdout


def test_check_new_disclosure_exit_1_and_no_audit(runner: CliRunner, unacknowledged: Path) -> None:
    result = runner.invoke(main, ["check", str(unacknowledged), "--json"])
    assert result.exit_code == 1
    codes = [i["code"] for i in json.loads(result.stdout)["issues"] if i["severity"] == "error"]
    assert codes == ["audit.exact-disclosure"]
    skipped = runner.invoke(main, ["check", str(unacknowledged), "--json", "--no-audit"])
    assert skipped.exit_code == 0
    assert not any(i["code"].startswith("audit.") for i in json.loads(skipped.stdout)["issues"])


def test_audit_of_a_package_with_a_broken_file_names_the_file(
    runner: CliRunner, tmp_path: Path
) -> None:
    """A broken table CSV (here an unclosed quote) made ``audit`` list ``audit.invalid``
    findings without naming the file (``check`` names it): the audit cannot run on it and says
    which file to fix (exit 3)."""
    import shutil

    pkg = tmp_path / "datapackage"
    shutil.copytree(PACKAGE, pkg)
    path = pkg / "data" / "victims_by_form.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[3] = lines[3].replace(",", ',"', 1)
    path.write_text("".join(lines), encoding="utf-8")
    result = runner.invoke(main, ["audit", str(pkg), "--json"])
    assert result.exit_code == 3, result.output
    env = json.loads(result.stdout)
    assert env["error"]["code"] == "package.broken-file"
    assert "data/victims_by_form.csv" in env["error"]["message"]
    assert "format.csv-row" in env["error"]["message"]
    assert not [i for i in env["issues"] if i["code"] == "audit.invalid"]
