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


def test_the_codebook_names_the_edition_of_a_moved_finding(tmp_path: Path) -> None:
    """Markdown and HTML, in English and Dutch; the finding of the current printing stays as it
    was (the committed package's codebook is unchanged)."""
    from opendata_mh.codebook import write_codebook

    _meta, pkg = two_editions(tmp_path)
    out = tmp_path / "codebook"
    write_codebook(pkg, out)
    md = (out / "codebook.md").read_text(encoding="utf-8")
    assert (
        f"| `{MOVED}` | exact disclosure in edition 2023's printing (`superseded`) "
        "*(in de druk van editie 2023)* | small.sums.2023 |"
    ) in md
    assert "A finding of an earlier edition names that edition" in md
    html = (out / "codebook.html").read_text(encoding="utf-8")
    assert (
        "<td>exact disclosure in edition 2023's printing (<code>superseded</code>) "
        '<span class="nl" lang="nl">(in de druk van editie 2023)</span></td>'
    ) in html
    # one edition: the fixture's finding of the table's own printing names no edition
    write_codebook(_one_edition(tmp_path), tmp_path / "one")
    one = (tmp_path / "one" / "codebook.md").read_text(encoding="utf-8")
    assert f"| `{MOVED}` | exact disclosure | small.sums.2023 |" in one
    assert "editie" not in one and "A finding of an earlier edition" not in one


def _one_edition(tmp_path: Path) -> Path:
    """The fixture's package alone (its acknowledgement is about the table's own printing)."""
    pkg = tmp_path / "one-edition"
    generate(FIXTURE_METADATA, pkg)
    return pkg


def test_audit_and_check_json_name_the_edition(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``audit --json`` lists the acknowledgements of an earlier edition's printing with their
    edition (a stale one among the stale ones too); ``check`` names the edition."""
    _meta, pkg = two_editions(tmp_path)
    r = CliRunner().invoke(main, ["audit", str(pkg), "--json"])
    assert r.exit_code == 0, r.output
    s = json.loads(r.stdout)["summary"]
    assert [
        (a["cell"], a["edition"], a["stale"]) for a in s["earlier_edition_acknowledgements"]
    ] == [(MOVED, "2023", False)]
    assert s["stale_acknowledged_findings"] == [] and s["stale_acknowledgements"] == 0
    monkeypatch.setenv("OPENDATA_MH_ACK_KEY", NEW_KEY)  # not the key of the fingerprint
    r = CliRunner().invoke(main, ["audit", str(pkg), "--json"])
    assert r.exit_code == 1
    s = json.loads(r.stdout)["summary"]
    assert [(a["cell"], a["edition"]) for a in s["stale_acknowledged_findings"]] == [
        (MOVED, "2023")
    ]
    assert s["stale_acknowledgements"] == 1
    assert s["earlier_edition_acknowledgements"][0]["stale"] is True
    r = CliRunner().invoke(main, ["check", str(pkg), "--json"])
    assert r.exit_code == 1
    (stale,) = [i for i in json.loads(r.stdout)["issues"] if i["resource"] == "superseded"]
    assert stale["code"] == "audit.stale-acknowledgement"
    assert f"edition 2023's printing of {MOVED}" in stale["message"]
