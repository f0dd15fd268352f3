"""The README documents every command and every issue code (docs that cannot drift).

Issue codes are collected from the source: every string literal of the form ``family.name`` whose
family is one of the documented families. A few literals of that shape are not issue codes (file
names, metadata keys); they are listed in ``NOT_CODES`` with the reason.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import click

from opendata_mh.cli import main

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
FAMILIES = (
    "schema",
    "format",
    "sdc",
    "consistency",
    "metadata",
    "package",
    "audit",
    "build",
    "portal",
    "dcat",
    "text",
)
CODE_RE = re.compile(rf"^(?:{'|'.join(FAMILIES)})\.[a-z]+(?:-[a-z]+)*$")
NOT_CODES = {
    "package.toml": "a metadata file name",
    "sdc.threshold": "a metadata key path in an error message",
    "sdc.rule": "a metadata key path in an error message",
    "sdc.base": "a metadata key path in an error message",
}


def source_codes() -> set[str]:
    codes: set[str] = set()
    for path in (ROOT / "src" / "opendata_mh").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and CODE_RE.match(node.value)
                and node.value not in NOT_CODES
            ):
                codes.add(node.value)
    return codes


def test_source_has_the_core_codes() -> None:
    codes = source_codes()
    assert {
        "sdc.small-count",
        "sdc.not-rounded",
        "consistency.relation-violated",
        "audit.exact-disclosure",
        "metadata.missing",
        "schema.type-error",
    } <= codes


def test_every_issue_code_is_in_the_readme() -> None:
    missing = sorted(c for c in source_codes() if f"`{c}`" not in README)
    assert not missing, f"issue codes not documented in README.md: {missing}"


def test_every_command_is_in_the_readme() -> None:
    assert isinstance(main, click.Group)
    missing = sorted(n for n in main.commands if f"opendata-mh {n}" not in README)
    assert not missing, f"commands not documented in README.md: {missing}"
    assert len(main.commands) >= 10


def test_readme_starts_with_the_two_commands() -> None:
    blocks = re.findall(r"```sh\n(.*?)```", README, flags=re.S)
    assert "opendata-mh check datapackage" in blocks[0]
    assert blocks[1].strip() == "bash scripts/test.sh"
    run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "scripts/test.sh" in run
