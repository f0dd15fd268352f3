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
    assert len(entries) >= 47  # the historic findings are there to attack
    recovered = {cell: hit for cell, fp in entries if (hit := _attack(cell, fp)) is not None}
    assert not recovered, f"{len(recovered)} intervals recovered from {source}"


def test_fingerprints_are_keyed() -> None:
    for _, fp in _published() + _committed():
        assert fp.startswith("hmac-sha256:") and len(fp) == len("hmac-sha256:") + 64
