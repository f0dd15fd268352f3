"""Build guards (issue 9): every bad option or input is refused before anything is written,
with the exit code of its kind (2 usage, 3 could not finish), the code of the error, the option
or file it concerns, and an unchanged tree (metadata, package location, the edition's parent)."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from opendata_mh.cli import main

from .conftest import tree_digest


def _build(work: Path, raw: Path | str, *extra: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    args = ["build", "--year", "2024", "--input", str(raw), "--metadata", str(work / "metadata")]
    r = CliRunner().invoke(main, [*args, "--out", str(work / "datapackage"), *extra, "--json"])
    return r.exit_code, json.loads(r.stdout) if r.stdout.strip() else {"raw": r.output}


BAD_EDITIONS = ["../2024", "a/b", "..", "/tmp/opendata-mh-edition", "2024\nx", "", "a..b", "x" * 65]


@pytest.mark.parametrize("edition", BAD_EDITIONS, ids=lambda e: repr(e)[:20])
def test_edition_id_is_a_plain_name(work: Path, raw2024: Path, edition: str) -> None:
    before = tree_digest(work)
    code, env = _build(work, raw2024, "--edition", edition)
    assert code == 2, env
    assert env["error"]["code"] == "build.bad-option"
    assert env["error"]["option"] == "--edition"
    assert "not a plain name" in env["error"]["message"]
    assert tree_digest(work) == before
    assert not Path("/tmp/opendata-mh-edition").exists()


BAD_DATES = [
    ("--date", "2025-13-01"),
    ("--date", "2025-02-30"),
    ("--date", '2025-06-30\nversion = "9.9.9"'),
    ("--date", "30-06-2025"),
    ("--date", "2025-6-3"),
    ("--date", "yesterday"),
    ("--reference-date", "phoenix=2025-02-30"),
    ("--reference-date", 'phoenix=2025-04-25\n[evil]\nx = "1"'),
    ("--reference-date", "phoenix=25-04-2025"),
    ("--reference-date", "no_such_source=2025-04-25"),
    ("--reference-date", "phoe nix=2025-04-25"),
]


@pytest.mark.parametrize(("option", "value"), BAD_DATES, ids=lambda v: repr(v)[:24])
def test_dates_are_dates(work: Path, raw2024: Path, option: str, value: str) -> None:
    before = tree_digest(work)
    code, env = _build(work, raw2024, option, value)
    assert code == 2, env
    assert env["error"]["code"] == "build.bad-option"
    assert env["error"]["option"] == option
    assert env["error"]["message"].startswith(option)
    assert tree_digest(work) == before


FUTURE = [
    ("--date", "2999-01-01", "--date"),
    ("--reference-date", "phoenix=2999-01-01", "--reference-date"),
]


@pytest.mark.parametrize(("option", "value", "named"), FUTURE, ids=["date", "reference-date"])
def test_future_dates_refused_unless_forced(
    work: Path, raw2024: Path, option: str, value: str, named: str
) -> None:
    before = tree_digest(work)
    code, env = _build(work, raw2024, option, value)
    assert code == 2, env
    assert env["error"]["option"] == named
    assert "in the future" in env["error"]["message"] and "--force" in env["error"]["message"]
    assert tree_digest(work) == before


@pytest.mark.parametrize(("year", "why"), [(2999, "in the future"), (2026, "gap")])
def test_future_year_or_gap_refused(work: Path, raw2024: Path, year: int, why: str) -> None:
    """A year after the latest year + 1 (2023 + 1) leaves a gap; a year after today is in the
    future. Both refused before the input is read (the records of 2024 do not matter)."""
    before = tree_digest(work)
    args = ["build", "--year", str(year), "--input", str(raw2024)]
    args += ["--metadata", str(work / "metadata"), "--out", str(work / "datapackage"), "--json"]
    r = CliRunner().invoke(main, args)
    env = json.loads(r.stdout)
    assert r.exit_code == 2, env
    assert env["error"]["option"] == "--year"
    assert why in env["error"]["message"]
    if why == "gap":
        assert "latest year of the package (2023)" in env["error"]["message"]
    assert tree_digest(work) == before


def _header_only(raw: Path, dst: Path, rtype: str) -> Path:
    shutil.copytree(raw, dst)
    path = dst / f"{rtype}.csv"
    head = path.read_text(encoding="utf-8").splitlines()[0]
    path.write_text(head + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("rtype", ["victim", "suspect", "ind_permit"])
def test_header_only_input_refused(work: Path, raw2024: Path, rtype: str) -> None:
    """A failed export (a header, no records) would publish a year of zeros."""
    path = _header_only(raw2024, work / "raw", rtype)
    before = tree_digest(work)
    code, env = _build(work, work / "raw")
    assert code == 3, env
    assert env["error"]["code"] == "build.empty-input"
    msg = env["error"]["message"]
    assert msg.startswith(f"{path}: no {rtype!r} record of 2024")
    assert f"--allow-empty {rtype}" in msg
    assert tree_digest(work) == before


def test_allow_empty_names_a_record_type(work: Path, raw2024: Path) -> None:
    before = tree_digest(work)
    code, env = _build(work, raw2024, "--allow-empty", "victims")
    assert code == 2, env
    assert env["error"]["option"] == "--allow-empty"
    assert tree_digest(work) == before


def test_zero_byte_input_refused(work: Path, raw2024: Path) -> None:
    shutil.copytree(raw2024, work / "raw")
    (work / "raw" / "victim.csv").write_bytes(b"")
    before = tree_digest(work)
    code, env = _build(work, work / "raw")
    assert code == 3, env
    assert env["error"]["code"] == "build.failed"
    assert f"cannot read {work / 'raw' / 'victim.csv'}" in env["error"]["message"]
    assert tree_digest(work) == before


@pytest.mark.parametrize("command", ["build", "generate"])
def test_second_writer_refused_while_the_metadata_is_locked(
    work: Path, raw2024: Path, command: str
) -> None:
    """Another build holds the metadata tree (its flock): a second build or generate refuses
    (exit 3, metadata.locked) instead of both reporting 'written'."""
    before = tree_digest(work)
    fd = os.open(work / "metadata", os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        if command == "build":
            code, env = _build(work, raw2024)
        else:
            args = ["generate", "--metadata", str(work / "metadata")]
            r = CliRunner().invoke(main, [*args, "--out", str(work / "datapackage"), "--json"])
            code, env = r.exit_code, json.loads(r.stdout)
    finally:
        os.close(fd)
    assert code == 3, env
    assert env["error"]["code"] == "metadata.locked"
    assert str(work / "metadata") in env["error"]["message"]
    assert tree_digest(work) == before


# --- already handled before issue 9 (kept so that they stay handled) -------------------------


def _edit(raw: Path, dst: Path, rtype: str, line: int, column: str, value: str) -> Path:
    shutil.copytree(raw, dst)
    path = dst / f"{rtype}.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[line - 1].split(",")
    cells[header.index(column)] = value
    lines[line - 1] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


RECORD_CASES = [
    ("victim", 3, "year", "20x4", "year"),
    ("victim", 4, "year", "2031", "year"),
    ("victim", 5, "sex", "unknown_sex", "sex"),
    ("victim", 6, "nationality", "qq", "nationality"),
    ("victim", 7, "victim_id", "", "victim_id"),
    ("suspect", 3, "year", "", "year"),
]


@pytest.mark.parametrize(("rtype", "line", "column", "value", "field"), RECORD_CASES)
def test_bad_record_named(
    work: Path, raw2024: Path, rtype: str, line: int, column: str, value: str, field: str
) -> None:
    path = _edit(raw2024, work / "raw", rtype, line, column, value)
    before = tree_digest(work)
    code, env = _build(work, work / "raw")
    assert code == 3, env
    assert env["error"]["code"] == "build.bad-record"
    (issue,) = env["issues"]
    assert (issue["resource"], issue["row"], issue["field"]) == (str(path), line, field)
    assert tree_digest(work) == before


def test_duplicate_record_id(work: Path, raw2024: Path) -> None:
    shutil.copytree(raw2024, work / "raw")
    path = work / "raw" / "victim.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.append(lines[3])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = tree_digest(work)
    code, env = _build(work, work / "raw")
    assert code == 3, env
    (issue,) = env["issues"]
    assert (issue["row"], issue["field"]) == (len(lines), "victim_id")
    assert "duplicate record id (the same as on line 4)" in issue["message"]
    assert tree_digest(work) == before


def test_missing_column(work: Path, raw2024: Path) -> None:
    shutil.copytree(raw2024, work / "raw")
    path = work / "raw" / "victim.csv"
    rows = [r.split(",") for r in path.read_text(encoding="utf-8").splitlines()]
    i = rows[0].index("sex")
    path.write_text("\n".join(",".join(r[:i] + r[i + 1 :]) for r in rows) + "\n", "utf-8")
    before = tree_digest(work)
    code, env = _build(work, work / "raw")
    assert code == 3, env
    (issue,) = env["issues"]
    assert (issue["resource"], issue["row"], issue["field"]) == (str(path), 1, "sex")
    assert tree_digest(work) == before


def test_existing_edition_refused(work: Path, raw2024: Path) -> None:
    (work / "metadata" / "editions" / "2024").mkdir(parents=True)
    before = tree_digest(work)
    code, env = _build(work, raw2024)
    assert code == 2, env
    assert "already exists" in env["error"]["message"]
    assert tree_digest(work) == before
