"""``build`` protects under the revision model the package states (``package.toml``
``[revisions]``), which ``check`` audits the built package under: a build with the CLI's old
fixed default (monotone) on a package stating ``either`` produced a package its own check
refused (noticed by the group-protection work, seed 1 "redrawn")."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from opendata_mh.build import revision_settings
from opendata_mh.model import load_metadata

METADATA = Path(__file__).resolve().parents[2] / "metadata"


def test_the_build_follows_the_packages_stated_model() -> None:
    pkg = load_metadata(METADATA).package
    assert pkg.revision_model == "monotone"
    assert revision_settings(pkg, None, None) == ("monotone", 10)
    either = replace(pkg, revision_model="either", revision_bound=3)
    assert revision_settings(either, None, None) == ("either", 3)
    # an explicit option still wins (e.g. none, to measure what protecting alone costs)
    assert revision_settings(either, "none", None) == ("none", 3)
    assert revision_settings(either, "either", 7) == ("either", 7)


def test_the_cli_no_longer_fixes_monotone() -> None:
    from click.testing import CliRunner

    from opendata_mh.cli import main

    help_text = CliRunner().invoke(main, ["build", "--help"]).output
    assert "[default: monotone]" not in help_text
    assert "[revisions] model" in " ".join(help_text.split())
