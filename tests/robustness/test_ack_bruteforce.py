"""Nothing public gives a masked cell's interval away faster than the linear programs (issue 9):
the attacker hashes every candidate interval within the printed bounds, for every audit code,
with SHA-256 and with HMAC under guessable keys, against the published descriptor and against
metadata/acknowledged_findings.toml; no fingerprint may come out."""

from __future__ import annotations

import hashlib
import hmac
import json
import tomllib

import pytest

from opendata_mh.model import AUDIT_FINDING_CODES

from .conftest import ROOT

GUESSED_KEYS = [b"", b"opendata-mh", b"secret", b"key", b"OPENDATA_MH_ACK_KEY"]
CANDIDATES = [(lo, up) for lo in range(0, 11) for up in range(lo, 11)]  # <5 is [1, 4]; x >= 1


def _attack(cell: str, fingerprint: str) -> tuple[str, tuple[int, int]] | None:
    for code in (*AUDIT_FINDING_CODES, "audit.group-disclosure"):
        for lo, up in CANDIDATES:
            msg = f"{cell}|{code}|{lo}|{up}".encode()
            guesses = ["sha256:" + hashlib.sha256(msg).hexdigest()]
            guesses += [
                "hmac-sha256:" + hmac.new(k, msg, hashlib.sha256).hexdigest() for k in GUESSED_KEYS
            ]
            if fingerprint.lower() in guesses or fingerprint.split(":")[-1] in [
                g.split(":")[-1] for g in guesses
            ]:
                return code, (lo, up)
    return None


def _published() -> list[tuple[str, str]]:
    desc = json.loads((ROOT / "datapackage" / "datapackage.json").read_text(encoding="utf-8"))
    return [(a["cell"], a.get("fingerprint", "")) for a in desc.get("acknowledgedFindings", [])]


def _committed() -> list[tuple[str, str]]:
    data = tomllib.loads(
        (ROOT / "metadata" / "acknowledged_findings.toml").read_text(encoding="utf-8")
    )
    return [(a["cell"], a.get("fingerprint", "")) for a in data.get("findings", [])]


@pytest.mark.parametrize("source", ["datapackage.json", "acknowledged_findings.toml"])
def test_no_acknowledged_interval_can_be_recovered(source: str) -> None:
    entries = _published() if source == "datapackage.json" else _committed()
    assert len(entries) >= 45  # the historic findings are there to attack
    recovered = {cell: hit for cell, fp in entries if (hit := _attack(cell, fp)) is not None}
    assert not recovered, f"{len(recovered)} intervals recovered from {source}"


def test_fingerprints_are_keyed() -> None:
    for _, fp in _published() + _committed():
        assert fp.startswith("hmac-sha256:") and len(fp) == len("hmac-sha256:") + 64


FIXTURE = ROOT / "tests" / "fixtures" / "metadata"


def test_rekey_then_a_wrong_key_fails_clearly(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """--rekey rewrites only the fingerprint lines under the key; the metadata then loads with
    that key, without a key (cell and code), and fails loudly with another key."""
    import shutil

    from click.testing import CliRunner

    from opendata_mh.cli import main
    from opendata_mh.generate import generate

    from .conftest import tree_digest

    meta = tmp_path / "metadata"
    shutil.copytree(FIXTURE, meta)
    pkg = tmp_path / "datapackage"
    generate(meta, pkg)
    monkeypatch.setenv("OPENDATA_MH_ACK_KEY", "a-new-maintainer-key-0123456789")
    before = (meta / "acknowledged_findings.toml").read_text(encoding="utf-8")
    r = CliRunner().invoke(main, ["audit", str(pkg), "--rekey", "--metadata", str(meta), "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["summary"]["rekeyed"] == 1
    after = (meta / "acknowledged_findings.toml").read_text(encoding="utf-8")
    changed = [
        (a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b
    ]
    assert len(changed) == 1 and changed[0][1].startswith('fingerprint = "hmac-sha256:')
    assert "a-new-maintainer-key" not in after  # the key is never written
    r = CliRunner().invoke(main, ["generate", "--metadata", str(meta), "--out", str(pkg)])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(main, ["check", str(pkg), "--json"])
    assert r.exit_code == 0 and "audit.acknowledgements-unverified" not in r.stdout
    # a wrong key: the loader names the fingerprint and the key; nothing is written
    monkeypatch.setenv("OPENDATA_MH_ACK_KEY", "not-the-key-0123456789abcdef")
    digest = tree_digest(tmp_path)
    r = CliRunner().invoke(main, ["generate", "--metadata", str(meta), "--out", str(pkg), "--json"])
    assert r.exit_code == 3
    (p,) = json.loads(r.stdout)["error"]["problems"]
    assert (p["file"], p["field"]) == ("acknowledged_findings.toml", "fingerprint")
    assert "under the key in OPENDATA_MH_ACK_KEY (the wrong key?)" in p["message"]
    assert tree_digest(tmp_path) == digest
    # no key (CI without secrets): matched by cell and code, with an info note
    monkeypatch.delenv("OPENDATA_MH_ACK_KEY")
    r = CliRunner().invoke(main, ["check", str(pkg), "--json"])
    assert r.exit_code == 0
    notes = [i for i in json.loads(r.stdout)["issues"] if i["code"].endswith("-unverified")]
    assert [n["severity"] for n in notes] == ["info"]


def test_rekey_needs_a_key(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from opendata_mh.cli import main

    r = CliRunner().invoke(main, ["audit", "--rekey", "--metadata", str(tmp_path), "--json"])
    assert r.exit_code == 3
    assert (
        "--rekey needs the key in OPENDATA_MH_ACK_KEY" in json.loads(r.stdout)["error"]["message"]
    )
