"""Shared fixtures: the synthetic metadata set and a generated copy of its package."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from opendata_mh.generate import generate

FIXTURE_METADATA = Path(__file__).parent / "fixtures" / "metadata"

TEST_ACK_KEY = "opendata-mh-test-key-not-a-secret"
"""The key of the fixture metadata's acknowledgement fingerprints (a test key: the real one is in
the maintainer's environment and the CI secret store, never in the repository)."""


@pytest.fixture(autouse=True)
def _no_ack_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests run without OPENDATA_MH_ACK_KEY (acknowledgements matched by cell and code, as in
    CI without secrets) unless they set a key themselves (:func:`ack_key`)."""
    monkeypatch.delenv("OPENDATA_MH_ACK_KEY", raising=False)


@pytest.fixture
def ack_key(monkeypatch: pytest.MonkeyPatch) -> str:
    """Set OPENDATA_MH_ACK_KEY to :data:`TEST_ACK_KEY` (the fixture metadata's key)."""
    monkeypatch.setenv("OPENDATA_MH_ACK_KEY", TEST_ACK_KEY)
    return TEST_ACK_KEY


@pytest.fixture
def metadata_dir(tmp_path: Path) -> Path:
    """A writable copy of the fixture metadata."""
    dst = tmp_path / "metadata"
    shutil.copytree(FIXTURE_METADATA, dst)
    return dst


@pytest.fixture
def package_dir(metadata_dir: Path, tmp_path: Path) -> Path:
    """The package generated from the fixture metadata."""
    out = tmp_path / "datapackage"
    generate(metadata_dir, out)
    return out


def edit_csv(package: Path, resource: str, row: int, **changes: str) -> None:
    """Set fields of data row ``row`` (1-based) of ``resource``'s CSV."""
    path = package / "data" / f"{resource}.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    header = rows[0]
    for k, v in changes.items():
        rows[row][header.index(k)] = v
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    refresh_checksums(package)


def refresh_checksums(package: Path) -> None:
    """Recompute ``bytes`` and ``hash`` of every resource that declares them (after a test
    edited a file on purpose: the check should see the edited content, not a checksum
    mismatch, which refuses the whole package)."""
    path = package / "datapackage.json"
    d = json.loads(path.read_text(encoding="utf-8"))
    for r in d.get("resources", []):
        f = package / str(r.get("path", ""))
        if "hash" in r and f.is_file():
            data = f.read_bytes()
            r["bytes"] = len(data)
            r["hash"] = "sha256:" + hashlib.sha256(data).hexdigest()
    path.write_text(json.dumps(d, indent=2, ensure_ascii=False), encoding="utf-8")


def edit_descriptor(package: Path, fn: Callable[[dict], None]) -> None:
    path = package / "datapackage.json"
    d = json.loads(path.read_text(encoding="utf-8"))
    fn(d)
    path.write_text(json.dumps(d, indent=2, ensure_ascii=False), encoding="utf-8")


def resource(d: dict, name: str) -> dict:
    return next(r for r in d["resources"] if r["name"] == name)


# the broken copies the issue asks for: (name, edit, expected code, resource, row, field)
def _unmasked_3(p: Path) -> None:
    edit_csv(
        p,
        "small",
        2,
        value="3",
        value_lower="3",
        value_upper="3",
        cell_type="exact",
    )


def _ind_173(p: Path) -> None:
    edit_csv(p, "rounded", 1, value="173")


def _total_off(p: Path) -> None:
    edit_csv(p, "small", 1, value="30", value_lower="30", value_upper="30")


def _text_in_int(p: Path) -> None:
    edit_csv(p, "small", 3, value="nul")


def _missing_source(p: Path) -> None:
    edit_descriptor(p, lambda d: resource(d, "small").pop("sources"))


BREAKAGES = [
    ("unmasked-3", _unmasked_3, "sdc.small-count", "small", 2, "value"),
    ("ind-173", _ind_173, "sdc.not-rounded", "rounded", 1, "value"),
    ("total-off", _total_off, "consistency.relation-violated", "small", 5, "value"),
    ("text-in-integer", _text_in_int, "schema.type-error", "small", 3, "value"),
    ("missing-source", _missing_source, "metadata.missing", "small", None, "sources"),
]


def rekey_package(pkg: Path, key: str = TEST_ACK_KEY) -> None:
    """Recompute the fingerprints of ``pkg``'s acknowledgedFindings under ``key`` from its own
    audit (matched by cell and code): a copy of the real package whose fingerprints the tests
    can verify with :data:`TEST_ACK_KEY` (the real key is not in the repository)."""
    from opendata_mh.audit import audit_path
    from opendata_mh.model import finding_fingerprint

    result = audit_path(pkg, verify_fingerprints=False)
    fps: dict[tuple[str, str], str] = {}
    for c in result.cells:
        lo, up = c.interval
        if c.acknowledged is not None and c.finding_code and lo is not None and up is not None:
            fps[(c.acknowledged.cell, c.acknowledged.code)] = finding_fingerprint(
                c.cell, c.finding_code, (lo, up), key.encode()
            )
    for g in result.groups:
        if g.acknowledged is not None:
            fps[(g.acknowledged.cell, g.acknowledged.code)] = finding_fingerprint(
                g.total, g.code, g.interval, key.encode()
            )

    def edit(d: dict) -> None:  # type: ignore[type-arg]
        for a in d.get("acknowledgedFindings", []):
            a["fingerprint"] = fps.get((a["cell"], a["code"]), a["fingerprint"])

    edit_descriptor(pkg, edit)


@pytest.fixture(scope="session")
def real_test_keyed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the committed package with its acknowledgements keyed by TEST_ACK_KEY."""
    dst = tmp_path_factory.mktemp("real-keyed") / "datapackage"
    shutil.copytree(Path(__file__).resolve().parents[1] / "datapackage", dst)
    rekey_package(dst)
    return dst
