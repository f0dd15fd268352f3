"""Publishing by link with real parts: the local CKAN without a file store (like
data.overheid.nl), a real static web server on 127.0.0.1 serving the release written by
``opendata-mh release``, and a fault-injecting proxy in front of CKAN for the fault matrix."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import ckanapi
import pytest
import requests

from opendata_mh.dcat import build_record
from opendata_mh.errors import PortalError
from opendata_mh.publish import RemoteClient, hosted_url, publish
from opendata_mh.release import write_release
from opendata_mh.report import Report
from tests.integration.conftest import Ckan
from tests.integration.faults import Fault, Proxy, StaticSite

pytestmark = pytest.mark.ckan


@pytest.fixture
def site(tmp_path: Path) -> Iterator[StaticSite]:
    root = tmp_path / "site"
    root.mkdir()
    server = StaticSite(root)
    yield server
    server.stop()


def _show(ckan: Ckan, name: str) -> dict:
    with ckanapi.RemoteCKAN(ckan.url, apikey=ckan.token) as ck:
        return dict(ck.action.package_show(id=name))


def _counting(url: str, token: str) -> RemoteClient:
    return RemoteClient(url, token)


def _link(site: StaticSite) -> dict[str, str]:
    return {"files": "link", "base_url": site.url}


def _bump(pkg: Path, version: str) -> None:
    d = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    d["version"] = version
    (pkg / "datapackage.json").write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")


def test_link_publish_of_the_real_package_then_republish_writes_nothing(
    ckan: Ckan, real: Path, site: StaticSite
) -> None:
    rel = write_release(real, site.root, site.url)
    rec = build_record(real)
    client = _counting(ckan.nostore_url, ckan.token)
    res = publish(
        real, ckan.nostore_url, ckan.org, ckan.token, files="link", base_url=site.url, client=client
    )
    assert not res.refused, res.issues
    assert res.applied is not None and res.applied.made_public and res.applied.uploads == 0
    assert client.writes == 2  # package_create (private, all resources), make public
    ds = _show(ckan, rec.dataset.name)
    assert ds["private"] is False and len(ds["resources"]) == len(rec.distributions)
    for d in rec.distributions:
        r = next(r for r in ds["resources"] if r["url"].endswith("/" + d.relpath))
        want = hosted_url(site.url, rel.version, d.relpath)
        assert r["url"] == r["download_url"] == want
        assert (r["hash"], int(r["size"])) == (d.sha256, d.byte_size)
        assert r["url_type"] in (None, "")  # a link, nothing stored on the portal
    body = requests.get(hosted_url(site.url, rel.version, "data/victims_by_form.csv"), timeout=10)
    assert body.content == (real / "data" / "victims_by_form.csv").read_bytes()

    again_client = _counting(ckan.nostore_url, ckan.token)
    again = publish(
        real,
        ckan.nostore_url,
        ckan.org,
        ckan.token,
        files="link",
        base_url=site.url,
        client=again_client,
    )
    assert again.plan is not None and again.plan.writes == 0
    assert again_client.writes == 0 and len(again_client.actions) <= 3
    assert again.downloads == len(rec.distributions)


def test_a_file_changed_on_the_host_is_refused_before_any_write(
    ckan: Ckan, small: Path, site: StaticSite
) -> None:
    rel = write_release(small, site.root, site.url)
    hosted = site.root / rel.version / "data" / "small.csv"
    hosted.write_bytes(hosted.read_bytes().replace(b"\n", b"\r\n"))
    client = _counting(ckan.nostore_url, ckan.token)
    res = publish(small, ckan.nostore_url, ckan.org, ckan.token, **_link(site), client=client)
    assert res.refused
    [issue] = res.issues
    assert issue.code == "publish.hosted-file-differs" and issue.resource == "small.csv"
    assert hosted_url(site.url, rel.version, "data/small.csv") in issue.message
    assert client.actions == []  # the portal was not even asked


def test_a_new_version_registers_new_urls_and_the_old_ones_keep_their_bytes(
    ckan: Ckan, small: Path, site: StaticSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    v1 = write_release(small, site.root, site.url)
    publish(small, ckan.nostore_url, ckan.org, ckan.token, files="link", base_url=site.url)
    name = build_record(small).dataset.name
    before = {r["id"]: r["url"] for r in _show(ckan, name)["resources"]}
    old_bytes = (small / "data" / "small.csv").read_bytes()
    # the next version: one table changed (check has its own tests; this is about the portal)
    monkeypatch.setattr("opendata_mh.validate.check", lambda path, **_kw: Report())
    (small / "data" / "small.csv").write_bytes(old_bytes.replace(b"\n", b"\r\n"))
    _bump(small, "2099.1.0")
    v2 = write_release(small, site.root, site.url)
    assert v2.versions == (v1.version, "2099.1.0")
    client = _counting(ckan.nostore_url, ckan.token)
    res = publish(small, ckan.nostore_url, ckan.org, ckan.token, **_link(site), client=client)
    assert res.plan is not None and res.plan.one_switch
    assert client.writes == 1  # every resource switched in one package_revise
    after = {r["id"]: r["url"] for r in _show(ckan, name)["resources"]}
    assert set(after) == set(before)  # same resources, new URLs
    assert all("/2099.1.0/" in u for u in after.values())
    old = hosted_url(site.url, v1.version, "data/small.csv")
    assert requests.get(old, timeout=10).content == old_bytes
    new = hosted_url(site.url, "2099.1.0", "data/small.csv")
    assert requests.get(new, timeout=10).content == (small / "data" / "small.csv").read_bytes()


def test_upload_mode_on_a_portal_without_file_store_is_refused_and_never_public(
    ckan: Ckan, small: Path
) -> None:
    client = RemoteClient(ckan.nostore_url, ckan.token, backoff=0.01)
    with pytest.raises(PortalError):
        publish(small, ckan.nostore_url, ckan.org, ckan.token, files="upload", client=client)
    ds = _show(ckan, build_record(small).dataset.name)
    assert ds["private"] is True


# ------------------------------------------------------------------------------------------------
# The fault matrix: one fault at request N, then a plain rerun must converge
# ------------------------------------------------------------------------------------------------

KINDS = ["drop", "5xx-json", "5xx-html", "413", "hang", "corrupt"]


def _converged(ckan: Ckan, pkg: Path, mode: str, base: str | None) -> None:
    rec = build_record(pkg)
    portal = ckan.url if mode == "upload" else ckan.nostore_url
    res = publish(pkg, portal, ckan.org, ckan.token, files=mode, base_url=base)  # type: ignore[arg-type]
    assert res.applied is not None
    ds = _show(ckan, rec.dataset.name)
    assert ds["private"] is False
    keys = sorted(r["url"].rsplit("/", 1)[-1] for r in ds["resources"])
    assert keys == sorted(d.key for d in rec.distributions)  # no duplicates, none missing
    by_key = {r["url"].rsplit("/", 1)[-1]: r for r in ds["resources"]}
    for d in rec.distributions:
        body = requests.get(by_key[d.key]["url"], timeout=30).content
        assert hashlib.sha256(body).hexdigest() == d.sha256 == by_key[d.key]["hash"], d.key
    third = publish(pkg, portal, ckan.org, ckan.token, files=mode, base_url=base)  # type: ignore[arg-type]
    assert third.plan is not None and third.plan.writes == 0


@pytest.mark.parametrize("mode", ["upload", "link"])
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("at", [3, 5])
def test_every_fault_converges_on_the_next_run(
    ckan: Ckan,
    small: Path,
    site: StaticSite,
    monkeypatch: pytest.MonkeyPatch,
    mode: str,
    kind: str,
    at: int,
) -> None:
    """Requests through the proxy: 1 organization_list_for_user, 2 package_show, 3 the first
    write (package_create), then uploads/reads; 5 is an upload (upload mode) or the switch
    that makes the dataset public (link mode). A second round of faults hits the update of a
    public dataset (its one package_revise)."""
    base = site.url if mode == "link" else None
    if mode == "link":
        write_release(small, site.root, site.url)
    target = ckan.url if mode == "upload" else ckan.nostore_url
    for round_ in range(2):
        if round_ == 1:  # a change to a public dataset: the switch itself meets the fault
            monkeypatch.setattr("opendata_mh.validate.check", lambda path, **_kw: Report())
            path = small / "data" / "small.csv"
            path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
            if mode == "link":
                _bump(small, "2099.1.0")
                write_release(small, site.root, site.url)
        proxy = Proxy(target, Fault(kind, at if round_ == 0 else 3)).start()
        try:
            client = RemoteClient(
                proxy.url,
                ckan.token,
                backoff=0.01,
                timeout=(2.0, 1.0),
                file_timeout=(2.0, 1.0),
                total_timeout=60,
            )
            # the fault may stop the run; the next one must converge
            with contextlib.suppress(PortalError):
                publish(
                    small, target, ckan.org, ckan.token, files=mode, base_url=base, client=client
                )  # type: ignore[arg-type]
        finally:
            proxy.stop()
        assert proxy.fired, proxy.seen
        _converged(ckan, small, mode, base)


@pytest.mark.parametrize("mode", ["upload", "link"])
@pytest.mark.parametrize("at", [3, 5])
def test_a_publish_killed_at_request_n_converges(
    ckan: Ckan, small: Path, site: StaticSite, mode: str, at: int
) -> None:
    """The real command in its own process, killed (SIGKILL) right after CKAN received request
    N: nothing half-public, and the next run ends in the right state."""
    base = site.url if mode == "link" else None
    if mode == "link":
        write_release(small, site.root, site.url)
    target = ckan.url if mode == "upload" else ckan.nostore_url
    proxy = Proxy(target, Fault("kill", at)).start()
    cmd = [sys.executable, "-m", "opendata_mh", "publish", str(small), "--portal", proxy.url]
    cmd += ["--organization", ckan.org, "--files", mode, "--quiet"]
    cmd += ["--base-url", base] if base else []
    env = {**os.environ, "OPENDATA_MH_CKAN_TOKEN": ckan.token}
    try:
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        proxy.on_kill = proc.kill
        proc.communicate(timeout=300)
    finally:
        proxy.stop()
    assert proxy.fired and proc.returncode == -9, proxy.seen
    made_public = proxy.seen[at - 1].endswith("/package_patch")  # the last step got through
    with contextlib.suppress(ckanapi.NotFound):  # never public before it is verified
        assert _show(ckan, build_record(small).dataset.name)["private"] is not made_public
    _converged(ckan, small, mode, base)
