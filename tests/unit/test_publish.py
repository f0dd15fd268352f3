"""plan/apply against an in-memory CKAN (the real CKAN is in tests/integration)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from opendata_mh.dcat import build_record
from opendata_mh.errors import PortalError
from opendata_mh.publish import (
    check_token,
    ckan_dataset,
    fetch_dataset,
    make_plan,
    publish,
    translate_error,
)
from opendata_mh.report import Report
from tests.conftest import edit_csv, edit_descriptor
from tests.unit.dcat_fixture import add_dcat
from tests.unit.fake_ckan import FakeCkan

ORG = "nrm"


@pytest.fixture
def pkg(package_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The fixture package with a dcat block; ``check`` is taken as passing (it has its own
    tests) except in the tests of the refusal, which use the real one."""
    monkeypatch.setattr("opendata_mh.validate.check", lambda path, **_kw: Report())
    return add_dcat(package_dir)


def _csv_only(pkg: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Use the real check, on the CSV resources only."""
    monkeypatch.undo()
    edit_descriptor(
        pkg,
        lambda d: d.update(resources=[r for r in d["resources"] if r["path"].endswith(".csv")]),
    )


def _publish(pkg: Path, ckan: FakeCkan, **kw: object) -> object:
    return publish(pkg, ckan.portal, ORG, "tok", client=ckan, **kw)  # type: ignore[arg-type]


def test_first_publish_creates_private_uploads_verifies_then_public(pkg: Path) -> None:
    ckan = FakeCkan()
    res = _publish(pkg, ckan)
    rec = build_record(pkg)
    n = len(rec.distributions)
    assert res.plan.dataset.action == "create"  # type: ignore[attr-defined]
    applied = res.applied  # type: ignore[attr-defined]
    assert applied.uploads == n and applied.verified == n and applied.made_public
    # order: create (private), every upload, read back, then public
    writes = [c for c in ckan.calls if c not in ("package_show", "organization_list_for_user")]
    assert writes[0] == "package_create"
    assert writes[1 : 1 + n] == ["resource_create"] * n
    assert writes[1 + n : 1 + 2 * n] == ["download"] * n
    assert writes[-1] == "package_patch"
    ds = ckan.datasets["opendata-mh-fixture"]
    assert ds["private"] is False
    assert ds["license_id"] == "http://creativecommons.org/publicdomain/zero/1.0/deed.nl"
    small = next(r for r in ds["resources"] if r["url"].endswith("/small.csv"))
    assert small["hash"] == hashlib.sha256((pkg / "data" / "small.csv").read_bytes()).hexdigest()
    assert small["format"] == "http://publications.europa.eu/resource/authority/file-type/CSV"


def test_republish_without_change_writes_nothing(pkg: Path) -> None:
    ckan = FakeCkan()
    _publish(pkg, ckan)
    ckan.calls.clear()
    res = _publish(pkg, ckan)
    plan = res.plan  # type: ignore[attr-defined]
    assert plan.writes == 0 and plan.uploads == 0
    assert {c.action for c in plan.changes} == {"unchanged"}
    assert set(ckan.calls) == {"organization_list_for_user", "package_show"}


def test_changed_table_is_updated_in_place(pkg: Path) -> None:
    ckan = FakeCkan()
    _publish(pkg, ckan)
    before = {r["id"]: r["url"] for r in ckan.datasets["opendata-mh-fixture"]["resources"]}
    edit_csv(pkg, "small", 1, value_printed=" 10")  # any byte change
    ckan.calls.clear()
    res = _publish(pkg, ckan)
    plan = res.plan  # type: ignore[attr-defined]
    changed = [c for c in plan.resources if c.action != "unchanged"]
    assert [(c.key, c.action, c.upload) for c in changed] == [("small.csv", "update", True)]
    assert "resource_create" not in ckan.calls
    after = {r["id"]: r["url"] for r in ckan.datasets["opendata-mh-fixture"]["resources"]}
    assert after == before  # same ids, same URLs


def test_metadata_change_is_a_patch_of_that_field_only(pkg: Path) -> None:
    ckan = FakeCkan()
    _publish(pkg, ckan)
    add_dcat(pkg, modified="2025-01-15")
    seen: list[dict] = []
    ckan.fail = lambda a, d: seen.append(dict(d)) if a == "package_patch" else None  # type: ignore[func-returns-value]
    res = _publish(pkg, ckan)
    assert res.plan.dataset.fields == ("modified",)  # type: ignore[attr-defined]
    ds_id = ckan.datasets["opendata-mh-fixture"]["id"]
    assert seen == [{"id": ds_id, "modified": "2025-01-15T00:00:00"}]


def test_removed_file_is_kept_unless_delete_missing(pkg: Path) -> None:
    ckan = FakeCkan()
    (pkg / "docs").mkdir()
    (pkg / "docs" / "codebook.md").write_text("# Codeboek\n", encoding="utf-8")
    _publish(pkg, ckan)
    (pkg / "docs" / "codebook.md").unlink()
    res = _publish(pkg, ckan, dry_run=True)
    keep = [c for c in res.plan.resources if c.key == "codebook.md"]  # type: ignore[attr-defined]
    assert [c.action for c in keep] == ["keep"]
    res = _publish(pkg, ckan, delete_missing=True)
    names = [r["url"].rsplit("/", 1)[-1] for r in ckan.datasets["opendata-mh-fixture"]["resources"]]
    assert "codebook.md" not in names


def test_dry_run_writes_nothing(pkg: Path) -> None:
    ckan = FakeCkan()
    res = _publish(pkg, ckan, dry_run=True)
    assert res.applied is None  # type: ignore[attr-defined]
    assert res.plan.dataset.action == "create"  # type: ignore[attr-defined]
    assert ckan.datasets == {}


@pytest.mark.parametrize("stop_at", [0, 1, 3, -1])
def test_interrupted_publish_resumes_without_duplicates(pkg: Path, stop_at: int) -> None:
    """Interrupt before the n-th write (-1: before making the dataset public), then run again."""
    ckan = FakeCkan()
    writes: list[str] = []

    def hook(step: str, key: str) -> None:
        writes.append(step)
        if (stop_at >= 0 and len(writes) - 1 == stop_at) or (stop_at < 0 and step == "make_public"):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _publish(pkg, ckan, hook=hook)
    res = _publish(pkg, ckan)
    ds = ckan.datasets["opendata-mh-fixture"]
    n = len(build_record(pkg).distributions)
    assert len(ckan.datasets) == 1
    assert len(ds["resources"]) == n
    assert len({r["url"] for r in ds["resources"]}) == n
    assert ds["private"] is False
    assert res.applied.verified == n  # type: ignore[attr-defined]
    # and a third run has nothing to do
    assert _publish(pkg, ckan).plan.writes == 0  # type: ignore[attr-defined]


def test_lost_answer_of_a_create_does_not_duplicate(pkg: Path) -> None:
    """The server made the resource but the answer was lost: read, find it, go on."""
    ckan = FakeCkan()
    real_call = ckan.call
    state = {"n": 0}

    def flaky(action, data, *, upload=None, idempotent=True):  # type: ignore[no-untyped-def]
        out = real_call(action, data, upload=upload, idempotent=idempotent)
        if action == "resource_create" and state["n"] == 0:
            state["n"] += 1
            err = PortalError("resource_create: cannot connect", code="portal.unreachable")
            err.retryable = True
            raise err
        return out

    ckan.call = flaky  # type: ignore[method-assign]
    _publish(pkg, ckan)
    ds = ckan.datasets["opendata-mh-fixture"]
    assert len(ds["resources"]) == len(build_record(pkg).distributions)


def test_verify_failure_leaves_new_dataset_private(pkg: Path) -> None:
    ckan = FakeCkan()
    real = ckan.download
    ckan.download = lambda url: real(url) + b"x"  # type: ignore[method-assign]
    with pytest.raises(PortalError) as ei:
        _publish(pkg, ckan)
    assert ei.value.code == "portal.verify-failed"
    assert ckan.datasets["opendata-mh-fixture"]["private"] is True


def test_dataset_of_another_organisation_is_refused(pkg: Path) -> None:
    ckan = FakeCkan(orgs=("nrm", "other"))
    publish(pkg, ckan.portal, "other", "tok", client=ckan)
    with pytest.raises(PortalError) as ei:
        _publish(pkg, ckan)
    assert ei.value.code == "portal.name-in-use"


def test_bad_token_or_wrong_organisation(pkg: Path) -> None:
    ckan = FakeCkan(orgs=())
    with pytest.raises(PortalError) as ei:
        check_token(ckan, ORG)
    assert ei.value.code == "portal.not-authorized" and ei.value.field == "token"


def test_failing_check_is_refused_before_any_request(
    pkg: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _csv_only(pkg, monkeypatch)
    edit_csv(pkg, "small", 1, value="3", value_printed="3", value_lower="3", value_upper="3")
    ckan = FakeCkan()
    res = _publish(pkg, ckan)
    assert res.refused  # type: ignore[attr-defined]
    assert any(i.code.startswith("sdc.") for i in res.issues)  # type: ignore[attr-defined]
    assert ckan.calls == []


def test_new_disclosure_is_refused_before_any_request(
    pkg: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fixture's acknowledged finding (its <5 cell is pinned by a total) becomes a new
    disclosure once the acknowledgement is gone: the audit runs in the preflight, so nothing
    is sent to the portal."""
    _csv_only(pkg, monkeypatch)
    edit_descriptor(pkg, lambda d: d.update(acknowledgedFindings=[]))
    ckan = FakeCkan()
    res = _publish(pkg, ckan)
    assert res.refused  # type: ignore[attr-defined]
    codes = {i.code for i in res.issues}  # type: ignore[attr-defined]
    assert "audit.exact-disclosure" in codes
    assert ckan.calls == []


def test_value_list_violation_is_refused_before_any_request(
    pkg: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _csv_only(pkg, monkeypatch)
    add_dcat(pkg, license="CC0-1.0")
    ckan = FakeCkan()
    res = _publish(pkg, ckan)
    assert res.refused  # type: ignore[attr-defined]
    [issue] = res.issues  # type: ignore[attr-defined]
    assert (issue.code, issue.field) == ("dcat.not-in-value-list", "license_id")
    assert ckan.calls == []


def test_no_token_refuses_a_real_publish(pkg: Path) -> None:
    with pytest.raises(PortalError, match="OPENDATA_MH_CKAN_TOKEN"):
        publish(pkg, "http://ckan.test", ORG, None, client=FakeCkan())


def test_translate_error_never_carries_the_token() -> None:
    import ckanapi

    secret = "eyJ-very-secret-token"
    exc = ckanapi.ValidationError({"name": [f"bad {secret}"], "__type": "Validation Error"})
    err = translate_error("package_create", exc, secret)
    assert secret not in str(err) and secret not in (err.server_message or "")
    assert (err.code, err.action, err.field) == ("portal.validation", "package_create", "name")
    dup = ckanapi.ValidationError({"name": ["That URL is already in use."]})
    assert translate_error("package_create", dup).code == "portal.name-in-use"
    big = ckanapi.ValidationError({"upload": ["File upload too large"]})
    assert translate_error("resource_create", big).code == "portal.upload-too-large"
    na = ckanapi.NotAuthorized({"message": "Access denied: User  not authorized to create"})
    assert translate_error("package_create", na).code == "portal.not-authorized"


def test_retries_on_5xx_and_connection_errors_not_on_4xx() -> None:
    import ckanapi
    import requests

    from opendata_mh.publish import RemoteClient

    slept: list[float] = []
    client = RemoteClient("http://127.0.0.1:9", "tok", sleep=slept.append)
    calls = {"n": 0}

    def boom(*a: object, **k: object) -> object:
        calls["n"] += 1
        raise requests.ConnectionError("refused")

    client._ckan.call_action = boom  # type: ignore[method-assign]
    with pytest.raises(PortalError) as ei:
        client.call("package_show", {"id": "x"})
    assert ei.value.code == "portal.unreachable" and calls["n"] == 4
    assert slept == [0.5, 1.0, 2.0]
    calls["n"] = 0
    with pytest.raises(PortalError):
        client.call("resource_create", {}, idempotent=False)
    assert calls["n"] == 1  # a create is never retried blindly

    def forbidden(*a: object, **k: object) -> object:
        calls["n"] += 1
        raise ckanapi.NotAuthorized({"message": "no"})

    calls["n"] = 0
    client._ckan.call_action = forbidden  # type: ignore[method-assign]
    with pytest.raises(PortalError):
        client.call("package_show", {"id": "x"})
    assert calls["n"] == 1
    assert "'tok'" not in repr(client)


def test_ckan_dataset_uses_donl_field_names_and_formats(pkg: Path) -> None:
    d = ckan_dataset(build_record(pkg), "org-nrm")
    assert d["modified"] == "2024-10-01T00:00:00"
    assert d["theme"] == ["http://standaarden.overheid.nl/owms/terms/Criminaliteit"]
    assert "resources" not in d
    assert fetch_dataset(FakeCkan(), "nope") is None
    assert make_plan(build_record(pkg), None).make_public
