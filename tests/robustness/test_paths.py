"""One resource-path resolver for every command (issue 9): a descriptor path that leads out of
the package ('..', absolute, a symlink out) or names no file makes check, docs, show, dcat, diff
and publish stop with exit 3, naming the resource and the path, never reading, hashing or echoing
the foreign file, and writing nothing."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from opendata_mh.cli import main
from opendata_mh.generate import generate

from .conftest import ROOT, tree_digest

FIXTURE = ROOT / "tests" / "fixtures" / "metadata"
SECRET = "SECRET-CONTENT-OUTSIDE"


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("fixture") / "datapackage"
    generate(FIXTURE, out)
    return out


def _break(pkg: Path, kind: str) -> str:
    """Point resource ``small`` at a file it must not use; return the path as written."""
    outside = pkg.parent / "outside.csv"
    text = (pkg / "data" / "small.csv").read_text(encoding="utf-8")
    outside.write_text(text.replace("Form A", SECRET), encoding="utf-8")
    desc = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    (res,) = [r for r in desc["resources"] if r["name"] == "small"]
    if kind == "parent":
        res["path"] = "../outside.csv"
    elif kind == "absolute":
        res["path"] = str(outside)
    elif kind == "symlink":
        (pkg / "data" / "small.csv").unlink()
        os.symlink(outside, pkg / "data" / "small.csv")
    elif kind == "dir-symlink":
        os.symlink(pkg.parent, pkg / "up")
        res["path"] = "up/outside.csv"
    elif kind == "missing":
        res["path"] = "data/nope.csv"
    (pkg / "datapackage.json").write_text(json.dumps(desc, indent=2), encoding="utf-8")
    return str(res["path"])


KINDS = ["parent", "absolute", "symlink", "dir-symlink", "missing"]
COMMANDS = ["check", "docs", "show", "dcat", "diff", "publish"]


def _invoke(command: str, pkg: Path, old: Path, tmp: Path) -> tuple[int, str]:
    args = {
        "check": ["check", str(pkg)],
        "docs": ["docs", str(pkg), "--out", str(tmp / "codebook")],
        "show": ["show", "small", str(pkg)],
        "dcat": ["dcat", str(pkg)],
        "diff": ["diff", str(old), str(pkg)],
        "publish": ["publish", str(pkg), "--portal", "http://127.0.0.1:9", "--organization", "x"],
    }[command]
    r = CliRunner().invoke(main, [*args, "--json"])
    return r.exit_code, r.stdout + r.stderr


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_refuses_a_path_out_of_the_package(
    pristine: Path, tmp_path: Path, command: str, kind: str
) -> None:
    old = tmp_path / "old"
    shutil.copytree(pristine, old)
    pkg = tmp_path / "datapackage"
    shutil.copytree(pristine, pkg)
    path = _break(pkg, kind)
    before = tree_digest(tmp_path)
    code, out = _invoke(command, pkg, old, tmp_path)
    assert code == 3, out
    env = json.loads(out[: out.rindex("}") + 1])
    err = env["error"]
    want = "package.missing-file" if kind == "missing" else "package.bad-path"
    assert err["code"] == want, err
    where = "data/small.csv" if kind == "symlink" else path
    assert repr(where) in err["message"], err
    assert SECRET not in out
    assert tree_digest(tmp_path) == before
