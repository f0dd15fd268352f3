"""What every command shares is defined once in cli.py and behaves the same in every command:
the ``--json`` option, the PACKAGE_DIR argument, and the turning of an exception into the
error (human line on stderr, or the ``--json`` envelope) with its exit code."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import opendata_mh.cli
from opendata_mh.cli import main

SOURCE = Path(opendata_mh.cli.__file__).read_text(encoding="utf-8")
COMMANDS = sorted(main.commands)


def _handlers(name: str) -> list[int]:
    """Line numbers of the ``except`` clauses of cli.py that catch ``name``."""
    lines = []
    for node in ast.walk(ast.parse(SOURCE)):
        if isinstance(node, ast.ExceptHandler) and node.type is not None:
            types = node.type.elts if isinstance(node.type, ast.Tuple) else [node.type]
            if any(isinstance(t, ast.Name) and t.id == name for t in types):
                lines.append(node.lineno)
    return lines


def test_the_shared_option_and_argument_are_defined_once() -> None:
    assert SOURCE.count('"--json"') == 1
    assert SOURCE.count('"package_dir"') == 1


def test_an_error_becomes_the_envelope_in_one_place() -> None:
    """One ``except Exception`` (internal error, exit 3) and one ``except OpendataMhError``
    for all commands, not one copy per command."""
    assert len(_handlers("Exception")) == 1, _handlers("Exception")
    assert len(_handlers("OpendataMhError")) == 1, _handlers("OpendataMhError")


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_the_json_option(name: str) -> None:
    cmd = main.commands[name]
    (opt,) = [p for p in cmd.params if p.name == "as_json"]
    assert isinstance(opt, click.Option) and opt.opts == ["--json"] and opt.is_flag


# (command, arguments before the package directory, library function to break)
TARGETS = {
    "generate": ([], "opendata_mh.generate.generate"),
    "check": ([], "opendata_mh.validate.check"),
    "audit": ([], "opendata_mh.audit.audit_path"),
    "tables": ([], "opendata_mh.views.list_tables"),
    "show": (["1"], "opendata_mh.views.table_view"),
    "docs": ([], "opendata_mh.codebook.write_codebook"),
    "diff": (["datapackage"], "opendata_mh.diff.diff_packages"),
    "publish": ([], "opendata_mh.publish.publish"),
    "release": ([], "opendata_mh.release.write_release"),
    "dcat": ([], "opendata_mh.rdf.dcat_rdf"),
    "text": (["draft.txt"], "opendata_mh.text.output.check_text"),
    "build": ([], "opendata_mh.build.build"),
}
EXTRA = {
    "publish": ["--portal", "https://ckan.example.org", "--organization", "x", "--dry-run"],
    "release": ["--out", "site", "--base-url", "https://example.org/mh"],
    "build": ["--year", "2024", "--input", "raw", "--dry-run"],
    "generate": ["--check"],
}


def test_every_command_is_covered() -> None:
    assert sorted(TARGETS) == COMMANDS


@pytest.mark.parametrize("name", COMMANDS)
@pytest.mark.parametrize("as_json", [False, True])
def test_an_internal_error_is_exit_3_with_the_same_envelope_in_every_command(
    name: str, as_json: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    before, target = TARGETS[name]

    def boom(*a: object, **k: object) -> object:
        raise RuntimeError("boom [bold]x[/]")

    monkeypatch.setattr(target, boom)
    pkg = [] if name in ("generate", "build") else ["datapackage"]
    args = [name, *before, *pkg, *EXTRA.get(name, []), *(["--json"] if as_json else [])]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 3, res.output
    message = "internal error: RuntimeError: boom [bold]x[/] (please report this)"
    if as_json:
        env = json.loads(res.stdout)
        assert env == {
            "ok": False,
            "command": name,
            "summary": {},
            "issues": [],
            "error": {"code": "internal-error", "type": "OpendataMhError", "message": message},
        }
    else:
        assert res.stdout == ""
        assert res.stderr == f"error (internal-error): {message}\n"
