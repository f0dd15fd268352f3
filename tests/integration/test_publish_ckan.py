"""Publishing against the real local CKAN (scripts/ckan-dev.sh): CKAN 2.11 with the DCAT-AP-DONL
scheming schema, PostgreSQL, Redis, file storage; only Solr is a stand-in."""

from __future__ import annotations

import hashlib
from pathlib import Path

import ckanapi
import pytest
import requests

from opendata_mh.dcat import build_record
from opendata_mh.errors import PortalError
from opendata_mh.publish import RemoteClient, ckan_dataset, publish
from opendata_mh.report import Report
from tests.conftest import edit_csv
from tests.integration.conftest import Ckan
from tests.unit.dcat_fixture import add_dcat

pytestmark = pytest.mark.ckan


def _show(ckan: Ckan, name: str) -> dict:
    with ckanapi.RemoteCKAN(ckan.url, apikey=ckan.token) as ck:
        return dict(ck.action.package_show(id=name))


def _exists(ckan: Ckan, name: str) -> bool:
    try:
        _show(ckan, name)
    except ckanapi.NotFound:
        return False
    return True


def test_first_publish_of_the_real_package_then_republish_uploads_nothing(
    ckan: Ckan, real: Path
) -> None:
    rec = build_record(real)
    res = publish(real, ckan.url, ckan.org, ckan.token)
    assert not res.refused, res.issues
    a = res.applied
    assert a is not None
    n = len(rec.distributions)
    assert (a.uploads, a.verified, a.made_public) == (n, n, True)
    ds = _show(ckan, rec.dataset.name)
    assert ds["private"] is False
    # the DONL schema accepted every field, and stored what was sent
    sent = ckan_dataset(rec, ds["owner_org"])
    for k in ("identifier", "authority", "publisher", "license_id", "modified", "access_rights"):
        assert ds[k] == sent[k], k
    assert sorted(ds["theme"]) == sorted(sent["theme"])
    assert len(ds["resources"]) == n
    csv = next(r for r in ds["resources"] if r["url"].endswith("/victims_by_form.csv"))
    assert csv["format"] == "http://publications.europa.eu/resource/authority/file-type/CSV"
    body = requests.get(csv["url"], timeout=30).content  # public now: no token needed
    assert body == (real / "data" / "victims_by_form.csv").read_bytes()
    assert csv["hash"] == hashlib.sha256(body).hexdigest()

    again = publish(real, ckan.url, ckan.org, ckan.token)
    assert again.plan is not None and again.applied is not None
    assert (again.plan.uploads, again.plan.writes, again.applied.uploads) == (0, 0, 0)
    assert {c.action for c in again.plan.changes} == {"unchanged"}


def test_one_changed_table_is_updated_in_place(
    ckan: Ckan, small: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    publish(small, ckan.url, ckan.org, ckan.token)
    name = build_record(small).dataset.name
    before = {r["id"]: r["url"] for r in _show(ckan, name)["resources"]}
    # a byte change that check would flag is fine here: this test is about the portal
    monkeypatch.setattr("opendata_mh.validate.check", lambda path, **_kw: Report())
    edit_csv(small, "small", 1, form_label="A (gedrukt) ")
    res = publish(small, ckan.url, ckan.org, ckan.token)
    assert res.plan is not None and res.applied is not None
    changed = [(c.key, c.action, c.upload) for c in res.plan.resources if c.action != "unchanged"]
    # the descriptor records the table's bytes and hash, so it changes with the table
    assert sorted(changed) == [("datapackage.json", "update", True), ("small.csv", "update", True)]
    assert res.applied.uploads == 2
    ds = _show(ckan, build_record(small).dataset.name)
    assert {r["id"]: r["url"] for r in ds["resources"]} == before
    url = next(u for u in before.values() if u.endswith("/small.csv"))
    assert requests.get(url, timeout=30).content == (small / "data" / "small.csv").read_bytes()


@pytest.mark.parametrize(
    "stop", ["package_create", "resource_create#1", "resource_create#5", "make_public"]
)
def test_interrupted_publish_resumes_to_the_right_state(ckan: Ckan, small: Path, stop: str) -> None:
    rec = build_record(small)
    step, _, nth = stop.partition("#")
    seen: dict[str, int] = {}

    def hook(s: str, key: str) -> None:
        seen[s] = seen.get(s, 0) + 1
        if s == step and seen[s] == int(nth or 1):
            raise KeyboardInterrupt(f"interrupted before {stop}")

    with pytest.raises(KeyboardInterrupt):
        publish(small, ckan.url, ckan.org, ckan.token, hook=hook)
    if step != "package_create":
        assert _show(ckan, rec.dataset.name)["private"] is True  # never public half-done
    res = publish(small, ckan.url, ckan.org, ckan.token)
    assert res.applied is not None and res.applied.made_public
    ds = _show(ckan, rec.dataset.name)
    keys = sorted(r["url"].rsplit("/", 1)[-1] for r in ds["resources"])
    assert keys == sorted(d.key for d in rec.distributions)  # no duplicates, none missing
    assert ds["private"] is False
    with ckanapi.RemoteCKAN(ckan.url, apikey=ckan.token) as ck:
        found = ck.action.package_search(q=f'name:"{rec.dataset.name}"', include_private=True)
    assert found["count"] == 1
    assert publish(small, ckan.url, ckan.org, ckan.token).plan.writes == 0  # type: ignore[union-attr]


def test_bad_token_unknown_organisation_and_no_rights_are_told_apart(
    ckan: Ckan, small: Path
) -> None:
    """Three causes, three codes (CKAN answers a bad token as anonymous, so the publisher has to
    find out which one it is)."""
    import uuid

    bad = "not-a-valid-token-0123456789"
    with pytest.raises(PortalError) as ei:
        publish(small, ckan.url, ckan.org, bad)
    assert (ei.value.code, ei.value.field) == ("portal.bad-token", "token")
    assert bad not in str(ei.value)
    with pytest.raises(PortalError) as ei:
        publish(small, ckan.url, "no-such-organisation", ckan.token)
    assert ei.value.code == "portal.unknown-organization"
    # a real user without any membership, with its own token
    name = f"omh-user-{uuid.uuid4().hex[:8]}"
    with ckanapi.RemoteCKAN(ckan.url, apikey=ckan.token) as ck:
        ck.action.user_create(name=name, email=f"{name}@example.org", password="Pass-word-1234")
        tok = ck.action.api_token_create(user=name, name="t")["token"]
    with pytest.raises(PortalError) as ei:
        publish(small, ckan.url, ckan.org, tok)
    assert (ei.value.code, ei.value.field) == ("portal.not-authorized", "organization")
    assert not _exists(ckan, build_record(small).dataset.name)


def test_value_list_violation_is_refused_before_any_request(ckan: Ckan, small: Path) -> None:
    add_dcat(
        small,
        name=build_record(small).dataset.name,
        identifier=build_record(small).dataset.identifier,
        theme=["http://standaarden.overheid.nl/owms/terms/Mensenhandel"],
    )
    res = publish(small, ckan.url, ckan.org, ckan.token)
    assert res.refused
    assert [(i.code, i.field) for i in res.issues] == [("dcat.not-in-value-list", "theme")]
    assert not _exists(ckan, build_record(small).dataset.name)


def test_the_local_portal_enforces_the_donl_schema_itself(ckan: Ckan, small: Path) -> None:
    """Bypassing the local pre-flight: the portal's own schema rejects a bad value and a
    missing required field, naming the field (as data.overheid.nl would)."""
    client = RemoteClient(ckan.url, ckan.token)
    payload = ckan_dataset(build_record(small), ckan.org)
    payload["license_id"] = "CC0-1.0"
    del payload["authority"]
    with pytest.raises(PortalError) as ei:
        client.call("package_create", payload, idempotent=False)
    err = ei.value
    assert err.code == "portal.validation" and err.action == "package_create"
    assert "license_id" in (err.server_message or "") and "authority" in (err.server_message or "")


def test_a_package_failing_check_is_refused(ckan: Ckan, small: Path) -> None:
    edit_csv(small, "small", 1, value="3", value_lower="3", value_upper="3")
    res = publish(small, ckan.url, ckan.org, ckan.token)
    assert res.refused and any(i.code.startswith("sdc.") for i in res.issues)
    assert not _exists(ckan, build_record(small).dataset.name)


def test_the_dry_run_plan_artifact_never_holds_the_token(
    ckan: Ckan, small: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the workflow keeps as an artifact: the JSON plan of a dry run with a real token."""
    import json

    from click.testing import CliRunner

    from opendata_mh.cli import main

    monkeypatch.setenv("OPENDATA_MH_CKAN_TOKEN", ckan.token)
    args = ["publish", str(small), "--portal", ckan.url, "--organization", ckan.org]
    r = CliRunner().invoke(main, [*args, "--files", "upload", "--dry-run", "--json"])
    assert r.exit_code == 0, r.output
    env = json.loads(r.stdout)
    assert env["summary"]["plan"]["dataset"]["action"] == "create"
    assert ckan.token not in r.stdout and ckan.token not in r.stderr
    assert ckan.token[:20] not in r.stdout
    assert not _exists(ckan, build_record(small).dataset.name)
