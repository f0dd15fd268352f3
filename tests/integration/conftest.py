"""The local CKAN of ``scripts/ckan-dev.sh`` (tests marked ``ckan``).

Skipped with the reason when that CKAN is not running; **failed** instead when it is required:
``CI=true`` or ``OPENDATA_MH_CKAN_REQUIRED=1`` (``scripts/test.sh`` starts CKAN and sets it), so
that CI can never pass with the publishing tests silently skipped.

Where CKAN is: the same variables and defaults as ``scripts/ckan-dev.sh`` (``CKAN_HOME``,
``CKAN_PORT``, ``CKAN_NOSTORE_PORT``, ``CKAN_ORG``, ...; defaults derived from the checkout's
path), read from ``scripts/ckan-dev.sh env`` so that the two can never disagree; ``CKAN_URL`` and
``CKAN_NOSTORE_URL`` set in the environment win. The token: ``OPENDATA_MH_CKAN_TOKEN``, or the
file ``$CKAN_HOME/token``.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).parents[2]


@dataclass(frozen=True)
class Ckan:
    url: str
    org: str
    token: str
    nostore_url: str = ""


def ckan_env() -> dict[str, str]:
    """The settings ``scripts/ckan-dev.sh env`` prints for this checkout and environment."""
    out = subprocess.run(
        ["bash", str(ROOT / "scripts" / "ckan-dev.sh"), "env"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    env: dict[str, str] = {}
    for line in out.splitlines():
        key, _, value = line.removeprefix("export ").partition("=")
        env[key] = value
    return env


def _required() -> bool:
    return os.environ.get("CI", "").lower() == "true" or bool(
        os.environ.get("OPENDATA_MH_CKAN_REQUIRED")
    )


@pytest.fixture(scope="session")
def ckan() -> Ckan:
    env = {**ckan_env(), **{k: v for k, v in os.environ.items() if k.startswith("CKAN_")}}
    url = env["CKAN_URL"].rstrip("/")
    org = env["CKAN_ORG"]
    token = os.environ.get("OPENDATA_MH_CKAN_TOKEN", "")
    token_file = Path(env["OPENDATA_MH_CKAN_TOKEN_FILE"])
    if not token and token_file.is_file():
        token = token_file.read_text(encoding="utf-8").strip()
    reason = ""
    try:
        requests.get(f"{url}/api/3/action/status_show", timeout=5).raise_for_status()
    except requests.RequestException as exc:
        reason = f"the local CKAN at {url} is not running ({type(exc).__name__})"
    if not reason and not token:
        reason = "no CKAN API token (OPENDATA_MH_CKAN_TOKEN or .ckan/token)"
    if reason:
        hint = "; run: scripts/ckan-dev.sh install && scripts/ckan-dev.sh start"
        if _required():
            pytest.fail(f"CKAN integration tests are required here but {reason}{hint}")
        pytest.skip(reason + hint)
    return Ckan(url, org, token, env["CKAN_NOSTORE_URL"].rstrip("/"))


@pytest.fixture
def unique_name(ckan: Ckan) -> Iterator[str]:
    """A fresh dataset name; the dataset is purged afterwards."""
    import ckanapi

    name = f"omh-test-{uuid.uuid4().hex[:10]}"
    yield name
    with (
        ckanapi.RemoteCKAN(ckan.url, apikey=ckan.token) as ck,
        contextlib.suppress(ckanapi.NotFound),
    ):
        ck.action.dataset_purge(id=name)


@pytest.fixture(scope="session")
def real_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real package, generated from metadata/ (as published)."""
    from opendata_mh.generate import generate

    out = tmp_path_factory.mktemp("real") / "datapackage"
    generate(ROOT / "metadata", out)
    return out


@pytest.fixture
def real(real_package: Path, tmp_path: Path, unique_name: str) -> Path:
    """A copy of the real package under a fresh dataset name."""
    import json
    import shutil

    pkg = tmp_path / "datapackage"
    shutil.copytree(real_package, pkg)
    d = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    d["dcat"]["name"] = unique_name
    d["dcat"]["identifier"] = f"https://example.org/id/{unique_name}"
    (pkg / "datapackage.json").write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    return pkg


@pytest.fixture
def small(package_dir: Path, unique_name: str) -> Path:
    """The small fixture package (4 tables, CSV + Parquet) under a fresh name."""
    from tests.unit.dcat_fixture import add_dcat

    return add_dcat(
        package_dir, name=unique_name, identifier=f"https://example.org/id/{unique_name}"
    )
