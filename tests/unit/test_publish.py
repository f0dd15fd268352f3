"""plan/apply against an in-memory CKAN (the real CKAN is in tests/integration)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from opendata_mh.dcat import build_record
from opendata_mh.errors import PortalError, PortalUsageError
from opendata_mh.publish import (
    RemoteClient,
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


def _change_two_tables(pkg: Path) -> list[str]:
    """Append a line end to the CSVs of the first two tables (new bytes, same figures); their
    distribution keys."""
    tables = [x.key for x in build_record(pkg).distributions if x.key.endswith(".csv")][:2]
    for key in tables:
        path = pkg / "data" / key
        path.write_bytes(path.read_bytes() + b"\n")
    return tables


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
    # two API actions; every stored file is read back once to catch a corrupted copy
    n = len(build_record(pkg).distributions)
    actions = [c for c in ckan.calls if c != "download"]
    assert actions == ["organization_list_for_user", "package_show"]
    assert ckan.calls.count("download") == n == res.downloads  # type: ignore[attr-defined]


def test_changed_table_is_updated_in_place(pkg: Path) -> None:
    ckan = FakeCkan()
    _publish(pkg, ckan)
    before = {r["id"]: r["url"] for r in ckan.datasets["opendata-mh-fixture"]["resources"]}
    edit_csv(pkg, "small", 1, form_label_en=" Form A")  # any byte change
    ckan.calls.clear()
    res = _publish(pkg, ckan)
    plan = res.plan  # type: ignore[attr-defined]
    changed = [c for c in plan.resources if c.action != "unchanged"]
    # the descriptor declares every CSV's bytes and hash, so it changes with the table
    assert [(c.key, c.action, c.upload) for c in changed] == [
        ("small.csv", "update", True),
        ("datapackage.json", "update", True),
    ]
    assert "resource_create" not in ckan.calls
    after = {r["id"]: r["url"] for r in ckan.datasets["opendata-mh-fixture"]["resources"]}
    assert after == before  # same ids, same URLs


def test_metadata_change_of_a_public_dataset_is_one_revise_of_that_field(pkg: Path) -> None:
    ckan = FakeCkan()
    _publish(pkg, ckan)
    before = ckan.datasets["opendata-mh-fixture"]["resources"]
    add_dcat(pkg, modified="2025-01-15")
    seen: list[dict] = []
    ckan.fail = lambda a, d: seen.append(dict(d)) if a == "package_revise" else None  # type: ignore[func-returns-value]
    ckan.calls.clear()
    res = _publish(pkg, ckan)
    assert res.plan.dataset.fields == ("modified",)  # type: ignore[attr-defined]
    ds = ckan.datasets["opendata-mh-fixture"]
    [revise] = seen
    assert revise["match"]["id"] == ds["id"]
    assert set(revise["update"]) == {"modified", "resources"}
    assert revise["update"]["modified"] == "2025-01-15T00:00:00"
    assert [c for c in ckan.calls if c not in ("package_show", "download")] == [
        "organization_list_for_user",
        "package_revise",
    ]
    # datapackage.json (which carries the dcat block) is uploaded again in the same call;
    # every resource keeps its id and URL, the other ones are untouched
    after = ds["resources"]
    assert [(r["id"], r["url"]) for r in after] == [(r["id"], r["url"]) for r in before]
    changed = [r["url"].rsplit("/", 1)[-1] for r, b in zip(after, before, strict=True) if r != b]
    assert changed == ["datapackage.json"]
    assert [c.key for c in res.plan.resources if c.upload] == ["datapackage.json"]  # type: ignore[attr-defined]


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

    def flaky(action, data, *, files=None, idempotent=True):  # type: ignore[no-untyped-def]
        out = real_call(action, data, files=files, idempotent=idempotent)
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


def test_bad_token_no_rights_and_unknown_organisation_are_told_apart(pkg: Path) -> None:
    """Three causes, three codes and messages (they all had the same message before)."""
    ckan = FakeCkan(orgs=("nrm",))
    with pytest.raises(PortalError) as ei:
        check_token(ckan, "no-such-org")
    assert ei.value.code == "portal.unknown-organization"
    assert "'no-such-org' does not exist" in str(ei.value)
    ckan.other_orgs = {"other": {"id": "org-other", "name": "other"}}
    with pytest.raises(PortalError) as ei:
        check_token(ckan, "other")
    assert (ei.value.code, ei.value.field) == ("portal.not-authorized", "organization")
    assert "may not create datasets in organisation 'other'" in str(ei.value)
    ckan.token_valid = False
    with pytest.raises(PortalError) as ei:
        check_token(ckan, "nrm")
    assert (ei.value.code, ei.value.field) == ("portal.bad-token", "token")
    assert "does not accept the API token" in str(ei.value)


def test_failing_check_is_refused_before_any_request(
    pkg: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _csv_only(pkg, monkeypatch)
    edit_csv(pkg, "small", 1, value="3", value_lower="3", value_upper="3")
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
        publish(pkg, "https://ckan.test", ORG, None, client=FakeCkan())


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


def test_ckan_dataset_uses_donl_field_names_and_formats(pkg: Path) -> None:
    d = ckan_dataset(build_record(pkg), "org-nrm")
    assert d["modified"] == "2024-10-01T00:00:00"
    assert d["theme"] == ["http://standaarden.overheid.nl/owms/terms/Criminaliteit"]
    assert "resources" not in d
    assert fetch_dataset(FakeCkan(), "nope") is None
    assert make_plan(build_record(pkg), None).make_public


# ------------------------------------------------------------------------------------------------
# Defects of issue 8, each with a test that failed on the publisher before the fix
# ------------------------------------------------------------------------------------------------


def _url(ckan: FakeCkan, key: str) -> str:
    ds = ckan.datasets["opendata-mh-fixture"]
    return next(r["url"] for r in ds["resources"] if r["url"].endswith("/" + key))


def test_a_corrupted_stored_copy_is_repaired_on_the_next_run(pkg: Path) -> None:
    """The portal's copy differs from the local file while its stored hash still matches (a
    transfer that went wrong, or an edit on the portal): the next run uploads it again."""
    ckan = FakeCkan()
    _publish(pkg, ckan)
    url = _url(ckan, "small.csv")
    ckan.files[url] = ckan.files[url][:-5] + b"xxxxx"
    res = _publish(pkg, ckan)
    changed = [
        (c.key, c.action, c.upload, c.reason) for c in res.plan.resources if c.action != "unchanged"
    ]  # type: ignore[attr-defined]
    assert changed == [("small.csv", "update", True, "the stored copy differs from the local file")]
    assert ckan.files[_url(ckan, "small.csv")] == (pkg / "data" / "small.csv").read_bytes()
    assert _publish(pkg, ckan).plan.writes == 0  # type: ignore[attr-defined]


def test_verify_failure_of_a_public_dataset_says_it_is_public(pkg: Path) -> None:
    """The message must not claim 'the dataset was not made public' when it already is."""
    ckan = FakeCkan()
    _publish(pkg, ckan)
    edit_csv(pkg, "small", 1, form_label_en=" Form A")
    real = ckan.download
    ckan.download = lambda url: real(url) + (b"x" if url.endswith("small.csv") else b"")  # type: ignore[method-assign]
    with pytest.raises(PortalError) as ei:
        _publish(pkg, ckan)
    assert ei.value.code == "portal.verify-failed"
    assert "not made public" not in str(ei.value)
    assert "the dataset is public" in str(ei.value)
    assert ckan.datasets["opendata-mh-fixture"]["private"] is False


def test_a_name_ckan_rewrites_is_matched_and_never_duplicated(pkg: Path) -> None:
    """CKAN stores docs/README.md as readme.md (lower case; spaces and length too): the next
    run must find it, not add one more resource, and the dataset must become public."""
    ckan = FakeCkan()
    (pkg / "docs").mkdir()
    (pkg / "docs" / "README.md").write_text("# Lees mij\n", encoding="utf-8")
    (pkg / "docs" / ("Lange Naam " * 12 + ".md")).write_text("# Lang\n", encoding="utf-8")
    res = _publish(pkg, ckan)
    assert res.applied.made_public  # type: ignore[attr-defined]
    n = len(build_record(pkg).distributions)
    for _ in range(2):
        again = _publish(pkg, ckan)
        assert again.plan.writes == 0  # type: ignore[attr-defined]
    ds = ckan.datasets["opendata-mh-fixture"]
    assert len(ds["resources"]) == n and ds["private"] is False
    assert any(r["url"].endswith("/readme.md") for r in ds["resources"])


def test_upload_mode_sends_the_plain_mimetype(pkg: Path) -> None:
    """CKAN serves a stored file with ``mimetype`` as its Content-Type: it must be text/csv,
    while the DONL field ``media_type`` keeps the IANA URI."""
    ckan = FakeCkan()
    _publish(pkg, ckan)
    r = next(
        r for r in ckan.datasets["opendata-mh-fixture"]["resources"] if r["url"].endswith(".csv")
    )
    assert r["mimetype"] == "text/csv"
    assert r["media_type"] == "https://www.iana.org/assignments/media-types/text/csv"


def test_a_name_held_by_a_private_dataset_of_another_organisation(pkg: Path) -> None:
    ckan = FakeCkan()

    def deny(action: str, data: object) -> PortalError | None:
        if action == "package_show":
            return PortalError("package_show: Access denied", code="portal.not-authorized")
        return None

    ckan.fail = deny
    with pytest.raises(PortalError) as ei:
        _publish(pkg, ckan)
    assert (ei.value.code, ei.value.field) == ("portal.name-in-use", "name")
    assert "may not read" in str(ei.value)


def test_an_update_of_a_public_dataset_is_one_switch(pkg: Path) -> None:
    """Two changed tables: one package_revise carries both files, so readers never see one new
    and one old table."""
    ckan = FakeCkan()
    _publish(pkg, ckan)
    tables = _change_two_tables(pkg)
    ckan.calls.clear()
    res = _publish(pkg, ckan)
    writes = [c for c in ckan.calls if c not in ("package_show", "download")][1:]
    assert writes == ["package_revise"]
    assert res.applied.uploads == 2  # type: ignore[attr-defined]
    for key in tables:
        assert ckan.files[_url(ckan, key)] == (pkg / "data" / key).read_bytes()


def test_a_duplicate_left_by_an_old_run_is_removed(pkg: Path) -> None:
    ckan = FakeCkan()
    _publish(pkg, ckan)
    ds = ckan.datasets["opendata-mh-fixture"]
    ds["resources"].append({**ds["resources"][0], "id": "dup-1"})
    res = _publish(pkg, ckan)
    assert [(c.action, c.reason) for c in res.plan.resources if c.id == "dup-1"] == [  # type: ignore[attr-defined]
        ("delete", "duplicate of a published file")
    ]
    assert len(ds["resources"]) == len(build_record(pkg).distributions)


@pytest.mark.parametrize(
    "token", ["eyJ-secret-42\n", " eyJ-secret-42", "eyJ-se cret-42", "eyJ-secret-42\r\n", ""]
)
def test_a_token_with_whitespace_is_refused_and_never_shown(pkg: Path, token: str) -> None:
    with pytest.raises(PortalError) as ei:
        publish(pkg, "https://ckan.test", ORG, token, client=FakeCkan())
    assert (ei.value.code, ei.value.field) == ("portal.bad-token", "token")
    if token.strip():
        for form in (token, token.strip(), repr(token), repr(token)[1:-1]):
            assert form not in str(ei.value)


def test_link_mode_registers_hosted_urls_in_one_create(pkg: Path) -> None:
    ckan = FakeCkan()
    rec = build_record(pkg)
    base = "https://files.example.org/mh"
    from opendata_mh.publish import hosted_url

    version = rec.dataset.version
    for d in rec.distributions:
        ckan.hosted[hosted_url(base, version or "", d.relpath)] = d.path.read_bytes()
    res = _publish(pkg, ckan, files="link", base_url=base)
    writes = [c for c in ckan.calls if c not in ("package_show", "download")][1:]
    assert writes == ["package_create", "package_patch"]  # created private, then public
    ds = ckan.datasets["opendata-mh-fixture"]
    csv = next(r for r in ds["resources"] if r["url"].endswith("/data/small.csv"))
    assert csv["url"] == csv["download_url"] == f"{base}/{version}/data/small.csv"
    assert (
        csv["mimetype"]
        == csv["media_type"]
        == "https://www.iana.org/assignments/media-types/text/csv"
    )
    assert csv["size"] == (pkg / "data" / "small.csv").stat().st_size
    assert ckan.files == {}  # nothing stored on the portal
    assert res.downloads == len(rec.distributions)  # type: ignore[attr-defined]
    again = _publish(pkg, ckan, files="link", base_url=base)
    assert again.plan.writes == 0  # type: ignore[attr-defined]


def test_link_mode_refuses_a_hosted_file_that_differs_before_any_write(pkg: Path) -> None:
    ckan = FakeCkan()
    rec = build_record(pkg)
    base = "https://files.example.org/mh"
    from opendata_mh.publish import hosted_url

    urls = {
        d.key: hosted_url(base, rec.dataset.version or "", d.relpath) for d in rec.distributions
    }
    for d in rec.distributions:
        ckan.hosted[urls[d.key]] = d.path.read_bytes()
    ckan.hosted[urls["small.csv"]] += b"changed on the host"
    del ckan.hosted[urls["datapackage.json"]]
    res = _publish(pkg, ckan, files="link", base_url=base)
    assert res.refused  # type: ignore[attr-defined]
    got = sorted((i.code, i.resource) for i in res.issues)  # type: ignore[attr-defined]
    assert got == [
        ("publish.hosted-file-differs", "small.csv"),
        ("publish.hosted-file-missing", "datapackage.json"),
    ]
    assert urls["small.csv"] in next(i.message for i in res.issues if i.resource == "small.csv")  # type: ignore[attr-defined]
    assert [c for c in ckan.calls if c != "download"] == []  # nothing asked of the portal


def test_link_is_the_default_for_data_overheid_nl() -> None:
    from opendata_mh.publish import default_files_mode

    assert default_files_mode("https://data.overheid.nl/data") == "link"
    assert default_files_mode("https://data-acc.overheid.nl/data/") == "link"
    assert default_files_mode("http://127.0.0.1:5000") == "upload"


REMOTE_HTTP = [
    "http://ckan.example.org",
    "http://data.overheid.nl/data",
    "HTTP://CKAN.EXAMPLE.ORG/data/",
    "http://127.0.0.1.nip.io:5000",  # a name, not the loopback address
    "http://10.0.0.5:5000",
]


@pytest.mark.parametrize("portal", REMOTE_HTTP)
def test_plain_http_to_a_remote_portal_is_refused_before_any_request(
    pkg: Path, portal: str
) -> None:
    """The API token would cross the network in clear text: refused, dry run or not."""
    ckan = FakeCkan(portal)
    for dry_run in (False, True):
        with pytest.raises(PortalUsageError) as ei:
            publish(pkg, portal, ORG, "tok-secret", client=ckan, dry_run=dry_run)
        err = ei.value
        assert (err.code, err.option) == ("publish.bad-url", "--portal")
        assert repr(portal) in str(err) and "clear text" in str(err)
        assert "https://" in str(err) and "tok-secret" not in str(err)
    assert ckan.calls == []


@pytest.mark.parametrize(
    "portal",
    [
        "http://127.0.0.1:5000",
        "http://127.8.9.10:5000",
        "http://[::1]:5000",
        "http://localhost:5000",
        "https://ckan.example.org",
    ],
)
def test_plain_http_is_accepted_for_a_portal_on_this_machine(pkg: Path, portal: str) -> None:
    ckan = FakeCkan(portal)
    res = publish(pkg, portal, ORG, "tok", client=ckan)
    assert res.applied.made_public  # type: ignore[union-attr]
    assert ckan.datasets["opendata-mh-fixture"]["private"] is False


@pytest.mark.parametrize("portal", REMOTE_HTTP[:2])
def test_the_http_client_never_sends_a_token_over_plain_http_to_a_remote_host(
    portal: str,
) -> None:
    with pytest.raises(PortalUsageError) as ei:
        RemoteClient(portal, "tok-secret")
    assert ei.value.code == "publish.bad-url" and "tok-secret" not in str(ei.value)
    assert RemoteClient(portal, None).portal == portal  # anonymous reads carry no secret


# --- a CKAN before 2.9 (no package_revise), e.g. 2.8; no real CKAN 2.8 runs here -------------


def test_without_package_revise_link_mode_switches_in_one_package_update(pkg: Path) -> None:
    """A changed table of a public dataset in link mode: package_revise is refused as unknown,
    then ONE package_update carries the whole dataset with the new resource list (still one
    switch); every field and resource id is kept, and the next run writes nothing."""
    from opendata_mh.publish import hosted_url

    ckan = FakeCkan(revise=False)
    base = "https://files.example.org/mh"
    rec = build_record(pkg)
    urls = {
        d.key: hosted_url(base, rec.dataset.version or "", d.relpath) for d in rec.distributions
    }

    def host() -> None:
        for d in build_record(pkg).distributions:
            ckan.hosted[urls[d.key]] = d.path.read_bytes()

    host()
    _publish(pkg, ckan, files="link", base_url=base)
    ds = ckan.datasets["opendata-mh-fixture"]
    fields = {k: v for k, v in ds.items() if k not in ("resources", "metadata_modified")}
    ids = [r["id"] for r in ds["resources"]]
    small = pkg / "data" / "small.csv"
    small.write_bytes(small.read_bytes() + b"\n")
    host()
    ckan.calls.clear()
    res = _publish(pkg, ckan, files="link", base_url=base)
    writes = [c for c in ckan.calls if c not in ("package_show", "download")][1:]
    assert writes == ["package_revise", "package_update"]
    ds = ckan.datasets["opendata-mh-fixture"]
    assert [r["id"] for r in ds["resources"]] == ids
    assert {k: v for k, v in ds.items() if k not in ("resources", "metadata_modified")} == fields
    assert ds["private"] is False
    got = next(r for r in ds["resources"] if r["url"] == urls["small.csv"])
    assert got["hash"] == hashlib.sha256(small.read_bytes()).hexdigest()
    assert got["size"] == small.stat().st_size
    # the switched link is read back (its URL and hash; no download): 1 changed resource
    assert (res.applied.uploads, res.applied.verified) == (0, 1)  # type: ignore[attr-defined]
    assert _publish(pkg, ckan, files="link", base_url=base).plan.writes == 0  # type: ignore[attr-defined]


class _LossyCkan(FakeCkan):
    """A CKAN before 2.9 whose package_update loses the resources' ``hash`` (a schema that
    does not keep it)."""

    def call(self, action: str, data: Mapping[str, Any], **kw: Any) -> Any:
        out = super().call(action, data, **kw)
        if action == "package_update":
            for r in self.datasets["opendata-mh-fixture"]["resources"]:
                r.pop("hash", None)
        return out


def test_a_link_switch_the_portal_did_not_store_fails_verification(pkg: Path) -> None:
    """A public dataset's links switched (package_update on a CKAN without package_revise) are
    read back: a hash the portal did not keep is portal.verify-failed, not a silent success."""
    from opendata_mh.publish import hosted_url

    ckan = _LossyCkan(revise=False)
    base = "https://files.example.org/mh"

    def host() -> None:
        for d in build_record(pkg).distributions:
            url = hosted_url(base, build_record(pkg).dataset.version or "", d.relpath)
            ckan.hosted[url] = d.path.read_bytes()

    host()
    _publish(pkg, ckan, files="link", base_url=base)
    small = pkg / "data" / "small.csv"
    small.write_bytes(small.read_bytes() + b"\n")
    host()
    with pytest.raises(PortalError) as ei:
        _publish(pkg, ckan, files="link", base_url=base)
    assert (ei.value.code, ei.value.field) == ("portal.verify-failed", "small.csv")
    assert "the dataset is public and serves it now" in str(ei.value)


def test_without_package_revise_upload_mode_patches_one_file_after_the_other(
    pkg: Path,
) -> None:
    """Two changed tables of a public dataset in upload mode: package_revise is refused as
    unknown, then each file is uploaded with its own resource_patch (README: readers can see a
    mix while the uploads run), read back and compared; ids and URLs stay."""
    ckan = FakeCkan(revise=False)
    _publish(pkg, ckan)
    ds = ckan.datasets["opendata-mh-fixture"]
    before = [(r["id"], r["url"]) for r in ds["resources"]]
    tables = _change_two_tables(pkg)
    ckan.calls.clear()
    res = _publish(pkg, ckan)
    writes = [c for c in ckan.calls if c not in ("package_show", "download")][1:]
    assert writes == ["package_revise", "resource_patch", "resource_patch"]
    assert res.applied.uploads == 2 and res.applied.verified == 2  # type: ignore[attr-defined]
    assert [(r["id"], r["url"]) for r in ds["resources"]] == before
    for key in tables:
        assert ckan.files[_url(ckan, key)] == (pkg / "data" / key).read_bytes()
    assert ds["private"] is False
    assert _publish(pkg, ckan).plan.writes == 0  # type: ignore[attr-defined]
