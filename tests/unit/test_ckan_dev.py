"""scripts/ckan-dev.sh: two checkouts on one machine never share a database or a port; the
environment overrides every default (and the tests read the same `env` output)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).parents[2] / "scripts" / "ckan-dev.sh"


def _env(checkout: Path, **extra: str) -> dict[str, str]:
    (checkout / "scripts").mkdir(parents=True, exist_ok=True)
    shutil.copy(SCRIPT, checkout / "scripts" / "ckan-dev.sh")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CKAN_")}
    env.update(extra)
    out = subprocess.run(
        ["bash", str(checkout / "scripts" / "ckan-dev.sh"), "env"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return dict(line.removeprefix("export ").split("=", 1) for line in out.splitlines())


def test_two_checkouts_share_no_database_and_no_port(tmp_path: Path) -> None:
    a, b = _env(tmp_path / "a"), _env(tmp_path / "b")
    for key in ("CKAN_URL", "CKAN_NOSTORE_URL", "CKAN_DB", "CKAN_HOME"):
        assert a[key] != b[key], key
    ports = {a["CKAN_URL"], a["CKAN_NOSTORE_URL"]}
    assert all(u.startswith("http://127.0.0.1:") for u in ports) and len(ports) == 2
    assert a == _env(tmp_path / "a")  # stable for one checkout


def test_the_environment_overrides_the_defaults(tmp_path: Path) -> None:
    e = _env(tmp_path / "c", CKAN_PORT="41001", CKAN_NOSTORE_PORT="41002", CKAN_DB="my_db")
    assert e["CKAN_URL"] == "http://127.0.0.1:41001"
    assert e["CKAN_NOSTORE_URL"] == "http://127.0.0.1:41002"
    assert e["CKAN_DB"] == "my_db"
