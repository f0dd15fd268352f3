#!/usr/bin/env python3
"""Benchmark of `opendata-mh publish` against the local CKAN (scripts/ckan-dev.sh start).

Targets (issue 8): a republish of an unchanged package makes at most 3 CKAN API actions per
dataset and 0 writes, in both modes (the downloads that verify stored or hosted files are
counted separately); a link publish of the real package takes under 10 s.

What it does: generates the real package from metadata/ under a fresh dataset name, writes its
release (`opendata-mh release`) into a temporary directory served by Python's http.server on
127.0.0.1, then publishes it by link to the CKAN without a file store and by upload to the CKAN
with one, each twice (first publish, unchanged republish), counting API actions, writes and
downloads. The datasets are purged at the end.

Usage: python scripts/bench_publish.py   (reads the settings of `scripts/ckan-dev.sh env`)
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.integration.faults import StaticSite  # noqa: E402

from opendata_mh.generate import generate  # noqa: E402
from opendata_mh.publish import RemoteClient, publish  # noqa: E402
from opendata_mh.release import write_release  # noqa: E402


def ckan_env() -> dict[str, str]:
    out = subprocess.run(
        ["bash", str(ROOT / "scripts" / "ckan-dev.sh"), "env"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    env = dict(
        line.removeprefix("export ").split("=", 1) for line in out.splitlines() if "=" in line
    )
    env.update({k: v for k, v in os.environ.items() if k.startswith("CKAN_")})
    return env


def run(label: str, pkg: Path, portal: str, org: str, token: str, **kw: object) -> dict:
    client = RemoteClient(portal, token)
    t0 = time.perf_counter()
    res = publish(pkg, portal, org, token, client=client, **kw)  # type: ignore[arg-type]
    dt = time.perf_counter() - t0
    assert not res.refused, res.issues
    row = {
        "run": label,
        "seconds": round(dt, 2),
        "api_actions": len(client.actions),
        "writes": client.writes,
        "verification_downloads": res.downloads,
        "uploads": res.applied.uploads if res.applied else 0,
    }
    print(
        f"{label:<28} {dt:6.2f} s  {row['api_actions']:3d} API actions  {row['writes']:3d} writes"
        f"  {row['verification_downloads']:3d} downloads  {row['uploads']:3d} uploads",
        flush=True,
    )
    return row


def main() -> int:
    env = ckan_env()
    token = (
        os.environ.get("OPENDATA_MH_CKAN_TOKEN")
        or Path(env["OPENDATA_MH_CKAN_TOKEN_FILE"]).read_text(encoding="utf-8").strip()
    )
    org = env["CKAN_ORG"]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        pkg = Path(tmp) / "datapackage"
        generate(ROOT / "metadata", pkg)
        name = f"omh-bench-{uuid.uuid4().hex[:8]}"
        d = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
        d["dcat"]["name"] = name
        d["dcat"]["identifier"] = f"https://example.org/id/{name}"
        (pkg / "datapackage.json").write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
        site_root = Path(tmp) / "site"
        site_root.mkdir()
        site = StaticSite(site_root)
        try:
            t0 = time.perf_counter()
            write_release(pkg, site_root, site.url)
            print(f"{'release (write the site)':<28} {time.perf_counter() - t0:6.2f} s")
            link = {"files": "link", "base_url": site.url}
            rows.append(
                run("link: first publish", pkg, env["CKAN_NOSTORE_URL"], org, token, **link)
            )
            rows.append(
                run("link: unchanged republish", pkg, env["CKAN_NOSTORE_URL"], org, token, **link)
            )
            # upload mode: the same package under another name on the CKAN with a file store
            d["dcat"]["name"] = name + "-up"
            (pkg / "datapackage.json").write_text(json.dumps(d, ensure_ascii=False), "utf-8")
            rows.append(
                run("upload: first publish", pkg, env["CKAN_URL"], org, token, files="upload")
            )
            rows.append(
                run("upload: unchanged republish", pkg, env["CKAN_URL"], org, token, files="upload")
            )
        finally:
            site.stop()
            import ckanapi

            with ckanapi.RemoteCKAN(env["CKAN_URL"], apikey=token) as ck:
                for n in (name, name + "-up"):
                    with contextlib.suppress(ckanapi.NotFound):
                        ck.action.dataset_purge(id=n)
    ok = rows[0]["seconds"] < 10 and all(
        r["api_actions"] <= 3 and r["writes"] == 0 for r in (rows[1], rows[3])
    )
    print(
        "targets: unchanged republish <= 3 API actions and 0 writes in both modes; "
        f"link publish of the real package < 10 s: {'met' if ok else 'NOT met'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
