"""The CLI: exit codes, --json envelope equals the library result, help texts."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from opendata_mh.audit import audit_check
from opendata_mh.cli import main
from opendata_mh.parquet import parquet_check
from opendata_mh.validate import check
from tests.conftest import BREAKAGES


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _json(result: click.testing.Result) -> dict:
    return json.loads(result.stdout)


def test_check_json_equals_library_result(runner: CliRunner, package_dir: Path) -> None:
    result = runner.invoke(main, ["check", str(package_dir), "--json"])
    assert result.exit_code == 0, result.output
    env = _json(result)
    lib = check(package_dir, extra_checks=[parquet_check, audit_check]).to_dict()
    assert env["ok"] is True and env["command"] == "check" and env["error"] is None
    assert env["summary"] == lib["summary"]
    assert env["issues"] == lib["issues"]
    assert set(env) == {"ok", "command", "summary", "issues", "error"}
    assert set(env["issues"][0]) == {"code", "severity", "message", "resource", "row", "field"}


@pytest.mark.parametrize(
    ("name", "breaker", "code", "res", "row", "field"), BREAKAGES, ids=[b[0] for b in BREAKAGES]
)
def test_check_breakage_exit_1(
    runner: CliRunner,
    package_dir: Path,
    name: str,
    breaker: Callable[[Path], None],
    code: str,
    res: str,
    row: int | None,
    field: str,
) -> None:
    breaker(package_dir)
    result = runner.invoke(main, ["check", str(package_dir), "--json"])
    assert result.exit_code == 1
    env = _json(result)
    assert env["ok"] is False
    assert {"code": code, "resource": res, "row": row, "field": field} in [
        {k: i[k] for k in ("code", "resource", "row", "field")} for i in env["issues"]
    ]
    lib = check(package_dir, extra_checks=[parquet_check, audit_check])
    assert env["issues"] == lib.to_dict()["issues"]
    human = runner.invoke(main, ["check", str(package_dir)])
    assert human.exit_code == 1 and code in human.stdout and "FAILED" in human.stdout


def test_check_human_summary(runner: CliRunner, package_dir: Path) -> None:
    result = runner.invoke(main, ["check", str(package_dir)])
    assert result.exit_code == 0
    assert "OK" in result.stdout and "16 resources" in result.stdout
    assert "7 relations checked" in result.stdout and "prose_2022" in result.stdout
    quiet = runner.invoke(main, ["check", str(package_dir), "--quiet"])
    assert quiet.exit_code == 0 and quiet.stdout == ""


def test_check_unreadable_exit_3(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["check", str(tmp_path / "missing"), "--json"])
    assert result.exit_code == 3
    env = _json(result)
    assert env["ok"] is False and env["error"]["code"] == "package.unreadable"
    human = runner.invoke(main, ["check", str(tmp_path / "missing")])
    assert human.exit_code == 3 and human.stdout == "" and "package.unreadable" in human.stderr


def test_generate_and_check_mode(runner: CliRunner, metadata_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "pkg"
    args = ["generate", "--metadata", str(metadata_dir), "--out", str(out)]
    stale = runner.invoke(main, [*args, "--check", "--json"])
    assert stale.exit_code == 1 and _json(stale)["summary"]["written"] is False
    assert not out.exists()
    assert runner.invoke(main, args).exit_code == 0
    fresh = runner.invoke(main, [*args, "--check", "--json"])
    assert fresh.exit_code == 0 and _json(fresh)["ok"] is True
    assert "up to date" in runner.invoke(main, [*args, "--check"]).stdout


def test_generate_bad_metadata_exit_3(
    runner: CliRunner, metadata_dir: Path, tmp_path: Path
) -> None:
    t = metadata_dir / "tables" / "01_small.toml"
    t.write_text(t.read_text(encoding="utf-8").replace('"10", "<5"]', '"10"]'), encoding="utf-8")
    result = runner.invoke(
        main, ["generate", "--metadata", str(metadata_dir), "--out", str(tmp_path / "o"), "--json"]
    )
    assert result.exit_code == 3
    env = _json(result)
    assert env["error"]["code"] == "metadata.invalid"
    prob = env["error"]["problems"][0]
    assert (prob["file"], prob["table"], prob["panel"], prob["row"], prob["field"]) == (
        "tables/01_small.toml",
        "small",
        "per_year",
        1,
        "values",
    )


def test_usage_error_exit_2(runner: CliRunner) -> None:
    assert runner.invoke(main, ["check", "--nope"]).exit_code == 2
    assert runner.invoke(main, ["frobnicate"]).exit_code == 2


def _commands(group: click.Group) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = [()]
    for name, cmd in group.commands.items():
        out.append((name,))
        if isinstance(cmd, click.Group):
            out += [(name, *sub) for sub in _commands(cmd) if sub]
    return out


@pytest.mark.parametrize("path", _commands(main), ids=lambda p: " ".join(p) or "main")
@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_every_command_has_help_with_example(
    runner: CliRunner, path: tuple[str, ...], flag: str
) -> None:
    result = runner.invoke(main, [*path, flag])
    assert result.exit_code == 0
    text = result.stdout.rstrip()
    assert "Example:" in text
    # the example is the last command; a long one continues over lines ending in a backslash
    last = re.sub(r"\\\n\s*", "", text).splitlines()[-1].strip()
    assert last.startswith("opendata-mh"), last
