"""Acknowledgements that moved with an earlier edition's printing (issue 10's leftovers):
``opendata-mh audit --rekey`` re-keys them against the edition they belong to, and the codebook
says which edition's printing they are about.

The package: the fixture metadata (whose 2023 'a' of table ``small`` is an acknowledged exact
disclosure) and a hand-written later edition 2024 that re-prints 2023 in full (nothing masked),
so the acknowledgement moves with the 2023 printing into ``superseded``. Every key here is a
throw-away test key; the real key is never needed.
"""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from opendata_mh.acknowledge import rekey
from opendata_mh.audit import audit_path
from opendata_mh.cli import main
from opendata_mh.generate import generate
from tests.conftest import FIXTURE_METADATA, TEST_ACK_KEY

NEW_KEY = "a-throw-away-rekey-test-key-0123"
MOVED = "small/period=2023/form=a"
CODE = "audit.exact-disclosure"


def two_editions(tmp_path: Path) -> tuple[Path, Path]:
    """(metadata, package): the fixture plus edition 2024 re-printing all of 2023."""
    meta = tmp_path / "metadata"
    shutil.copytree(FIXTURE_METADATA, meta)
    ed = meta / "editions" / "2024"
    ed.mkdir(parents=True)
    (ed / "edition.toml").write_text(
        'id = "2024"\nversion = "2024.0.1"\ndate = 2025-06-30\n'
        'description_en = "A synthetic later edition (test)."\nyears = ["2024"]\n\n'
        '[[tables]]\nid = "small"\nfile = "small.csv"\nadds = []\nrevises = ["2023"]\n',
        encoding="utf-8",
    )
    (ed / "small.csv").write_text(
        "period,form,value_printed\n2023,a,5\n2023,b,13\n2023,all,18\n", encoding="utf-8"
    )
    pkg = tmp_path / "datapackage"
    generate(meta, pkg)
    return meta, pkg


def _fingerprint(meta: Path) -> str:
    data = tomllib.loads((meta / "acknowledged_findings.toml").read_text(encoding="utf-8"))
    (entry,) = data["findings"]
    assert (entry["cell"], entry["code"]) == (MOVED, CODE)
    return str(entry["fingerprint"])


def _on_superseded(pkg: Path) -> list[tuple[str, str]]:
    """(code, severity) of the audit's issues about rows of ``superseded`` (keyed audit)."""
    return [(i.code, i.severity) for i in audit_path(pkg).issues if i.resource == "superseded"]


def test_the_acknowledgement_moved_with_the_2023_printing(tmp_path: Path) -> None:
    _meta, pkg = two_editions(tmp_path)
    d = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    assert [(a["cell"], a.get("edition")) for a in d["acknowledgedFindings"]] == [(MOVED, "2023")]


def test_rekey_rekeys_a_moved_acknowledgement_against_its_edition(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    meta, pkg = two_editions(tmp_path)
    old = _fingerprint(meta)
    # the fixture's key verifies it against edition 2023 alone
    monkeypatch.setenv("OPENDATA_MH_ACK_KEY", TEST_ACK_KEY)
    assert _on_superseded(pkg) == [("audit.acknowledged", "info")]
    # a new key: before the re-key the acknowledgement is stale
    monkeypatch.setenv("OPENDATA_MH_ACK_KEY", NEW_KEY)
    assert _on_superseded(pkg) == [("audit.stale-acknowledgement", "warning")]
    res = rekey(pkg, meta)
    assert (res.rekeyed, res.unchanged, res.missing) == (1, 0, ())
    assert res.earlier == 1
    new = _fingerprint(meta)
    assert new != old and new.startswith("hmac-sha256:") and NEW_KEY not in new
    generate(meta, pkg)  # the loader verifies the new fingerprint under the new key
    d = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    assert [(a["fingerprint"], a.get("edition")) for a in d["acknowledgedFindings"]] == [
        (new, "2023")
    ]
    assert _on_superseded(pkg) == [("audit.acknowledged", "info")]
    # once more under the same key: nothing changes
    assert (rekey(pkg, meta).rekeyed, _fingerprint(meta)) == (0, new)


def test_rekey_cli_and_a_moved_acknowledgement_its_edition_does_not_give_away(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only edition 2023's own finding counts: acknowledged as narrowed (not what 2023 gives
    away), it is left as it is and reported with its edition (exit 1); the current printing of
    the cell is never used."""
    meta, pkg = two_editions(tmp_path)
    monkeypatch.setenv("OPENDATA_MH_ACK_KEY", NEW_KEY)
    args = ["audit", str(pkg), "--rekey", "--metadata", str(meta), "--json"]
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout)["summary"]
    assert (summary["rekeyed"], summary["earlier_edition"], summary["missing"]) == (1, 1, [])
    assert NEW_KEY not in r.output
    f = meta / "acknowledged_findings.toml"
    f.write_text(f.read_text(encoding="utf-8").replace(CODE, "audit.narrowed"), encoding="utf-8")
    before = f.read_bytes()
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 1, r.output
    assert json.loads(r.stdout)["summary"]["missing"] == [f"{MOVED} (audit.narrowed, edition 2023)"]
    assert f.read_bytes() == before
    r = CliRunner().invoke(main, args[:-1])
    assert r.exit_code == 1
    assert f"no matching finding for {MOVED} (audit.narrowed, edition 2023)" in r.stderr
