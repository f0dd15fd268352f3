"""The local CKAN of ``scripts/ckan-dev.sh`` (tests marked ``ckan``).

Skipped with the reason when that CKAN is not running; **failed** instead when it is required:
``CI=true`` or ``OPENDATA_MH_CKAN_REQUIRED=1`` (``scripts/test.sh`` starts CKAN and sets it), so
that CI can never pass with the publishing tests silently skipped.

Environment (defaults are those of ``scripts/ckan-dev.sh``): ``CKAN_URL``
(``http://127.0.0.1:5055``), ``CKAN_ORG`` (``opendata-mh-test``), the token in
``OPENDATA_MH_CKAN_TOKEN`` or in the file ``.ckan/token``.
"""

from __future__ import annotations

import contextlib
import os
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


def _required() -> bool:
    return os.environ.get("CI", "").lower() == "true" or bool(
        os.environ.get("OPENDATA_MH_CKAN_REQUIRED")
    )


@pytest.fixture(scope="session")
def ckan() -> Ckan:
    url = os.environ.get("CKAN_URL", "http://127.0.0.1:5055").rstrip("/")
    org = os.environ.get("CKAN_ORG", "opendata-mh-test")
    token = os.environ.get("OPENDATA_MH_CKAN_TOKEN", "")
    token_file = ROOT / ".ckan" / "token"
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
    return Ckan(url, org, token)


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
