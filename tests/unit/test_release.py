"""`opendata-mh release`: a static, deterministic, versioned site of the package."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef

from opendata_mh.cli import main
from opendata_mh.dcat import build_record
from opendata_mh.release import ReleaseError, package_files, write_release
from tests.unit.dcat_fixture import add_dcat

BASE = "https://files.example.org/mh"
DOWNLOAD_URL = URIRef("http://www.w3.org/ns/dcat#downloadURL")


@pytest.fixture
def pkg(package_dir: Path) -> Path:
    return add_dcat(package_dir)


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_a_release_has_every_file_a_zip_sums_codebook_citation_and_catalogues(
    pkg: Path, tmp_path: Path
) -> None:
    res = write_release(pkg, tmp_path / "site", BASE)
    version = build_record(pkg).dataset.version
    assert res.version == version and not res.unchanged
    vdir = tmp_path / "site" / res.version
    files = package_files(pkg)
    for rel in files:  # every file of the package, byte for byte
        assert (vdir / rel).read_bytes() == (pkg / rel).read_bytes()
    with zipfile.ZipFile(io.BytesIO((vdir / res.zip_name).read_bytes())) as z:
        root = res.zip_name.removesuffix(".zip")
        assert sorted(z.namelist()) == [f"{root}/{rel}" for rel in files]
        assert z.read(f"{root}/datapackage.json") == (pkg / "datapackage.json").read_bytes()
    sums = dict(
        reversed(line.split("  ", 1)) for line in (vdir / "SHA256SUMS").read_text().splitlines()
    )
    on_disk = {p for p in _tree(vdir) if p != "SHA256SUMS"}
    assert set(sums) == on_disk
    for rel, digest in sums.items():
        assert hashlib.sha256((vdir / rel).read_bytes()).hexdigest() == digest
    assert (vdir / "index.html").read_bytes() == (vdir / "codebook.html").read_bytes()
    cff = (vdir / "CITATION.cff").read_text()
    assert "cff-version: 1.2.0" in cff and f'version: "{version}"' in cff
    # both catalogues give the hosted download URLs
    url = f"{BASE}/{version}/data/small.csv"
    for name in ("dcat-ap-donl.ttl", "dcat-ap-nl.ttl"):
        g = Graph().parse(vdir / name)
        assert URIRef(url) in set(g.objects(None, DOWNLOAD_URL)), name
    latest = json.loads((tmp_path / "site" / "latest" / "release.json").read_text())
    assert latest == {"version": version, "url": f"{BASE}/{version}/"}


def test_the_same_input_gives_the_same_bytes(pkg: Path, tmp_path: Path) -> None:
    write_release(pkg, tmp_path / "a", BASE)
    write_release(pkg, tmp_path / "b", BASE)
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")


def test_a_released_version_never_changes(pkg: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    first = write_release(pkg, site, BASE)
    before = _tree(site / first.version)
    assert write_release(pkg, site, BASE).unchanged  # the same bytes again: fine
    # a change that passes the check (a CSV that fails it is refused before this comparison)
    (pkg / "docs").mkdir()
    (pkg / "docs" / "notes.md").write_text("Added after the release.\n", encoding="utf-8")
    with pytest.raises(ReleaseError) as ei:
        write_release(pkg, site, BASE)
    assert ei.value.code == "release.version-changed"
    assert "docs/notes.md" in ei.value.files
    assert _tree(site / first.version) == before
    # a new version goes next to it; the old one still holds the old bytes; latest moves
    add_dcat(pkg)
    d = json.loads((pkg / "datapackage.json").read_text())
    d["version"] = "9999.1.0"
    (pkg / "datapackage.json").write_text(json.dumps(d, indent=2), encoding="utf-8")
    second = write_release(pkg, site, BASE)
    assert second.versions == (first.version, "9999.1.0") and second.latest == "9999.1.0"
    assert _tree(site / first.version) == before
    assert (site / "9999.1.0" / "docs" / "notes.md").is_file()
    assert not (site / first.version / "docs" / "notes.md").exists()


def test_the_repository_citation_is_shipped_when_there_is_one(pkg: Path, tmp_path: Path) -> None:
    cff = tmp_path / "CITATION.cff"
    cff.write_text('cff-version: 1.2.0\ntitle: "from the repository"\n', encoding="utf-8")
    res = write_release(pkg, tmp_path / "site", BASE, citation=cff)
    assert (tmp_path / "site" / res.version / "CITATION.cff").read_bytes() == cff.read_bytes()


def test_cli_release_json_and_refusal(pkg: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    args = ["release", str(pkg), "--out", str(site), "--base-url", BASE, "--json"]
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 0, r.output
    env = json.loads(r.stdout)
    assert env["ok"] and env["summary"]["url"] == f"{BASE}/{env['summary']['version']}/"
    (pkg / "docs").mkdir()
    (pkg / "docs" / "notes.md").write_text("Added after the release.\n", encoding="utf-8")
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 1
    env = json.loads(r.stdout)
    assert [i["code"] for i in env["issues"]] == ["release.version-changed"]


def test_a_symlink_out_of_the_package_is_refused_not_copied(pkg: Path, tmp_path: Path) -> None:
    secret = tmp_path / "microdata.csv"
    secret.write_text("confidential\n", encoding="utf-8")
    (pkg / "docs").mkdir()
    (pkg / "docs" / "notes.csv").symlink_to(secret)
    with pytest.raises(ReleaseError) as ei:  # the check's one resource-path resolver refuses it
        write_release(pkg, tmp_path / "site", BASE)
    assert ei.value.code == "release.check-failed"
    assert [(i.code, i.resource) for i in ei.value.issues] == [
        ("package.bad-path", "docs/notes.csv")
    ]
    assert not (tmp_path / "site").exists() or not list((tmp_path / "site").rglob("notes.csv"))


def _release(pkg: Path, site: Path, base: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    args = ["release", str(pkg), "--out", str(site), "--base-url", base, "--json"]
    r = CliRunner().invoke(main, args)
    return r.exit_code, json.loads(r.stdout)


def _break_empty(csv: Path) -> None:
    csv.write_bytes(b"")


def _break_cp1252(csv: Path) -> None:  # a byte that is not UTF-8 (an "ë" saved as cp1252)
    data = csv.read_bytes()
    cut = data.index(b"\n") + 1
    csv.write_bytes(data[:cut] + b"\xeb" + data[cut:])


def _break_quote(csv: Path) -> None:  # an unclosed quote
    csv.write_bytes(csv.read_bytes() + b'"unclosed,1\n')


@pytest.mark.parametrize("breaker", [_break_empty, _break_cp1252, _break_quote])
def test_a_package_that_fails_the_check_is_refused_before_anything_is_written(
    pkg: Path, tmp_path: Path, breaker: object
) -> None:
    """A version can never be released again with other bytes: a broken package must never
    get one (the same full check as publish's preflight)."""
    breaker(pkg / "data" / "small.csv")  # type: ignore[operator]
    site = tmp_path / "site"
    code, env = _release(pkg, site, BASE)
    assert code == 1
    assert env["ok"] is False and env["command"] == "release"
    codes = [i["code"] for i in env["issues"]]
    assert codes and "release.version-changed" not in codes
    assert any(i["resource"] == "small" or "small" in i["message"] for i in env["issues"])
    assert not site.exists() or not any(site.iterdir())
    with pytest.raises(ReleaseError) as ei:
        write_release(pkg, site, BASE)
    assert ei.value.code == "release.check-failed" and ei.value.issues


@pytest.mark.parametrize(
    "base",
    ["not a url", "", "example.org/mh", "/mh", "http://example.org/mh", "ftp://example.org/mh"],
)
def test_a_bad_base_url_is_a_usage_error_before_any_work(
    pkg: Path, tmp_path: Path, base: str
) -> None:
    site = tmp_path / "site"
    code, env = _release(pkg, site, base)
    assert code == 2
    assert env["error"]["option"] == "--base-url" and env["error"]["code"] == "usage.bad-url"
    assert "--base-url" in env["error"]["message"]
    assert not site.exists()
    r = CliRunner().invoke(main, ["release", str(pkg), "--out", str(site), "--base-url", base])
    assert r.exit_code == 2 and "--base-url" in r.stderr and "Traceback" not in r.output


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "[::1]"])
def test_plain_http_is_accepted_for_a_local_server(pkg: Path, tmp_path: Path, host: str) -> None:
    """Any loopback address (127.0.0.0/8, ::1) is this machine."""
    code, env = _release(pkg, tmp_path / "site", f"http://{host}:8000/mh")
    assert code == 0, env
    assert env["summary"]["url"] == f"http://{host}:8000/mh/{env['summary']['version']}/"


def test_a_csv_that_differs_from_its_recorded_hash_is_refused_before_anything_is_written(
    pkg: Path, tmp_path: Path
) -> None:
    """A well-formed CSV whose bytes differ from the descriptor's (an extra blank line): the
    check (as in publish) names the file (package.hash-mismatch, a finding): exit 1, nothing
    written."""
    csv = pkg / "data" / "small.csv"
    csv.write_bytes(csv.read_bytes() + b"\n")
    site = tmp_path / "site"
    code, env = _release(pkg, site, BASE)
    assert code == 1
    hits = [i for i in env["issues"] if i["code"] == "package.hash-mismatch"]
    assert [(i["resource"], i["field"]) for i in hits] == [("small", "hash")]
    assert "data/small.csv" in hits[0]["message"]
    assert not site.exists() or not any(site.iterdir())
