"""Publish the package to a CKAN portal (data.overheid.nl, DCAT-AP-DONL 1.1): plan, then apply.

The only module that imports ckanapi (and requests). Nothing reaches the portal without a plan:

- :func:`make_plan` is pure: the catalogue record (:mod:`opendata_mh.dcat`) and the portal's current
  dataset (``package_show`` output, or ``None``) give a :class:`Plan` with one :class:`Change` for
  the dataset and one per resource: ``create``, ``update``, ``unchanged`` or ``delete``.
- :func:`apply` carries the plan out through a :class:`Client`; ``--dry-run`` stops after the plan.
- :func:`publish` is the whole command: refuse when ``check`` or the DCAT validation finds
  anything, check the token, read the portal, plan, apply.

Rules (each is tested against a real CKAN in ``tests/integration``):

- **Idempotent.** Resources are matched by the file name in their URL (the distribution key); the
  SHA-256 of the bytes is stored on each resource (``hash``, ``hash_algorithm``), so an unchanged
  file is never uploaded again. A changed file is uploaded with ``resource_patch`` on the same
  resource: id and URL stay. Metadata changes are ``package_patch``/``resource_patch`` with the
  changed fields only, never with a resource list. A portal resource whose file no longer exists
  locally is deleted only with ``delete_missing=True``; otherwise the plan reports it as ``keep``.
- **Safe.** A new dataset is created private; every file is uploaded, read back (downloaded and
  hashed) and compared, and only then is the dataset made public. A dataset found private (a run
  interrupted before that point) goes through the same read-back first. A run interrupted at any
  point can be run again and reaches the same end state without duplicates: the dataset is found
  by name, resources by file name, and a create whose answer was lost is detected by reading the
  portal again before retrying.
- **Network.** Every request has a timeout (:data:`TIMEOUT`, :data:`UPLOAD_TIMEOUT`); connection
  errors, timeouts and HTTP 5xx are retried with exponential backoff (:data:`RETRIES` attempts)
  when the action is idempotent; 4xx never. CKAN's errors are translated in one place
  (:func:`translate_error`) into :class:`opendata_mh.errors.PortalError` with the action, the field
  and the server's message.
- **Secrets.** The API token is passed in, never printed, logged or put in a message (messages are
  scrubbed of it as a last guard). CKAN treats a bad token as anonymous, so the token is checked
  first with ``organization_list_for_user``: the organisation must be one the user may create
  datasets in.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol
from urllib.parse import unquote, urlparse

from opendata_mh import __version__
from opendata_mh.dcat import CatalogRecord, Distribution, build_record, validate_record
from opendata_mh.errors import PortalError
from opendata_mh.report import Issue

log = logging.getLogger(__name__)

TIMEOUT = (10.0, 60.0)
"""(connect, read) timeout in seconds of every API call."""
UPLOAD_TIMEOUT = (10.0, 600.0)
"""(connect, read) timeout in seconds of a call that uploads a file."""
RETRIES = 4
"""Attempts of a retryable call (the first included)."""
BACKOFF = 0.5
"""Seconds before the first retry; doubled each time (0.5, 1, 2)."""
USER_AGENT = f"opendata-mh/{__version__} (publish; +https://github.com/)"
HASH_ALGORITHM = "SHA-256"

Action = Literal["create", "update", "unchanged", "delete", "keep"]


# ------------------------------------------------------------------------------------------------
# The CKAN shape of the record (DCAT-AP-DONL 1.1 field names)
# ------------------------------------------------------------------------------------------------


def _dt(date: str | None, end: bool = False) -> str | None:
    """``YYYY-MM-DD`` -> DONL's ``%Y-%m-%dT%H:%M:%S`` (end of day for an end date)."""
    if not date:
        return None
    return f"{date}T23:59:59" if end else f"{date}T00:00:00"


def ckan_dataset(record: CatalogRecord, owner_org: str) -> dict[str, Any]:
    """The dataset fields sent to CKAN (no ``resources``). ``None`` values are left out."""
    ds = record.dataset
    cp = ds.contact_point
    d: dict[str, Any] = {
        "name": ds.name,
        "title": ds.title,
        "notes": ds.description,
        "owner_org": owner_org,
        "identifier": ds.identifier,
        "metadata_language": ds.metadata_language,
        "language": list(ds.language),
        "authority": ds.authority,
        "publisher": ds.publisher,
        "contact_point_name": cp.name,
        "contact_point_email": cp.email,
        "contact_point_website": cp.website,
        "license_id": ds.license,
        "theme": list(ds.theme),
        "modified": _dt(ds.modified),
        "issued": _dt(ds.issued),
        "access_rights": ds.access_rights,
        "frequency": ds.frequency,
        "temporal_label": ds.temporal_label,
        "temporal_start": _dt(ds.temporal_start),
        "temporal_end": _dt(ds.temporal_end, end=True),
        "url": ds.landing_page,
        "version": ds.version,
        "conforms_to": list(ds.conforms_to) or None,
        "source": list(ds.sources) or None,
        "dataset_status": ds.status,
        "tags": [{"name": k} for k in ds.keywords] or None,
    }
    return {k: v for k, v in d.items() if v is not None}


def ckan_resource(dist: Distribution, metadata_language: str) -> dict[str, Any]:
    """The resource fields sent to CKAN besides the upload (no ``id``, ``url``, ``package_id``)."""
    return {
        "name": dist.title,
        "description": dist.description,
        "format": dist.format,
        "media_type": dist.media_type,
        "mimetype": dist.media_type,
        "language": list(dist.language),
        "metadata_language": metadata_language,
        "license_id": dist.license,
        "size": dist.byte_size,
        "hash": dist.sha256,
        "hash_algorithm": HASH_ALGORITHM,
        "status": "http://purl.org/adms/status/Completed",
    }


def _norm(key: str, value: Any) -> Any:
    """Compare values as the portal stores them: lists as sets (CKAN and ckanext-scheming
    reorder tags and multi-valued fields), numbers as numbers, empty as missing."""
    if isinstance(value, list):
        items = [t.get("name") if isinstance(t, dict) and key == "tags" else t for t in value]
        return sorted(map(str, items)) or None
    if value == "" or value == []:
        return None
    if key == "size" and value is not None:
        try:
            return int(value)
        except (TypeError, ValueError):
            return value
    return value


def _diff(desired: Mapping[str, Any], actual: Mapping[str, Any], skip: set[str]) -> list[str]:
    return [
        k for k, v in desired.items() if k not in skip and _norm(k, v) != _norm(k, actual.get(k))
    ]


def resource_key(resource: Mapping[str, Any]) -> str:
    """The file name a portal resource holds (last segment of its URL), or ``""``."""
    url = resource.get("url") or ""
    return unquote(urlparse(str(url)).path.rsplit("/", 1)[-1]) if url else ""


# ------------------------------------------------------------------------------------------------
# Plan
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One planned change. ``kind`` is ``dataset`` or ``resource``; ``key`` the dataset name or the
    file name; ``fields`` the fields that differ; ``upload`` whether the file is sent;
    ``id`` the portal id when the object exists; ``reason`` a short explanation."""

    kind: Literal["dataset", "resource"]
    key: str
    action: Action
    fields: tuple[str, ...] = ()
    upload: bool = False
    id: str | None = None
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "key": self.key,
            "action": self.action,
            "fields": list(self.fields),
            "upload": self.upload,
            "id": self.id,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Plan:
    """What :func:`apply` will do, in order: the dataset change, the resource changes, then the
    read-back (``verify``) and making the dataset public (``make_public``)."""

    portal: str
    organization: str
    dataset: Change
    resources: tuple[Change, ...]
    make_public: bool
    record: CatalogRecord = field(repr=False, compare=False)
    owner_org: str = ""

    @property
    def changes(self) -> tuple[Change, ...]:
        return (self.dataset, *self.resources)

    @property
    def uploads(self) -> int:
        return sum(c.upload for c in self.resources)

    @property
    def writes(self) -> int:
        return sum(c.action in ("create", "update", "delete") for c in self.changes) + int(
            self.make_public
        )

    @property
    def verify(self) -> bool:
        return self.uploads > 0 or self.make_public

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for c in self.resources:
            out[c.action] = out.get(c.action, 0) + 1
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "portal": self.portal,
            "organization": self.organization,
            "dataset": self.dataset.to_dict(),
            "resources": [c.to_dict() for c in self.resources],
            "resource_counts": self.counts(),
            "uploads": self.uploads,
            "writes": self.writes,
            "verify": self.verify,
            "make_public": self.make_public,
        }


def make_plan(
    record: CatalogRecord,
    remote: Mapping[str, Any] | None,
    *,
    portal: str = "",
    organization: str = "",
    owner_org: str = "",
    delete_missing: bool = False,
) -> Plan:
    """The plan that brings the portal's dataset ``remote`` (``package_show`` result or ``None``)
    to the state described by ``record``. Pure: no I/O besides nothing.

    ``owner_org`` is the organisation id (or name) the dataset must belong to. Raises
    :class:`PortalError` (``portal.name-in-use``) when a dataset with the record's name exists in
    another organisation or is deleted.
    """
    name = record.dataset.name
    desired = ckan_dataset(record, owner_org or organization)
    if remote is None:
        ds_change = Change("dataset", name, "create", tuple(desired), reason="new dataset")
        res = tuple(
            Change("resource", d.key, "create", upload=True, reason="new file")
            for d in record.distributions
        )
        return Plan(portal, organization, ds_change, res, True, record, owner_org)

    org = remote.get("organization") or {}
    remote_org = {remote.get("owner_org"), org.get("id"), org.get("name")} - {None}
    if (owner_org or organization) not in remote_org:
        raise PortalError(
            f"a dataset named {name!r} already exists on {portal or 'the portal'} in organisation "
            f"{org.get('name') or remote.get('owner_org')!r}, not in {organization!r}; choose "
            "another name (dcat.name in metadata/package.toml) or ask the portal to move it",
            code="portal.name-in-use",
            action="package_show",
            field="name",
        )
    if remote.get("state") not in (None, "active", "draft"):
        raise PortalError(
            f"dataset {name!r} exists on the portal in state {remote.get('state')!r}; restore "
            "or purge it on the portal first",
            code="portal.name-in-use",
            action="package_show",
            field="name",
        )
    fields = _diff(desired, remote, skip={"owner_org"})
    ds_change = Change(
        "dataset",
        name,
        "update" if fields else "unchanged",
        tuple(fields),
        id=remote.get("id"),
        reason="metadata changed" if fields else "",
    )
    remote_res: list[Mapping[str, Any]] = list(remote.get("resources") or [])
    by_key: dict[str, Mapping[str, Any]] = {}
    for r in remote_res:
        by_key.setdefault(resource_key(r), r)
    used: set[str] = set()
    changes: list[Change] = []
    meta_lang = record.dataset.metadata_language
    for d in record.distributions:
        found = by_key.get(d.key)
        if found is None:
            changes.append(Change("resource", d.key, "create", upload=True, reason="new file"))
            continue
        r = found
        used.add(str(r.get("id")))
        upload = (
            r.get("hash") != d.sha256
            or r.get("hash_algorithm") != HASH_ALGORITHM
            or r.get("url_type") != "upload"
        )
        diff = _diff(ckan_resource(d, meta_lang), r, skip={"hash", "size"} if not upload else set())
        if upload:
            changes.append(
                Change(
                    "resource",
                    d.key,
                    "update",
                    tuple(diff),
                    upload=True,
                    id=str(r.get("id")),
                    reason="content changed",
                )
            )
        elif diff:
            changes.append(
                Change(
                    "resource", d.key, "update", tuple(diff), id=str(r.get("id")), reason="metadata"
                )
            )
        else:
            changes.append(Change("resource", d.key, "unchanged", id=str(r.get("id"))))
    for r in remote_res:
        if str(r.get("id")) in used:
            continue
        key = resource_key(r) or str(r.get("name") or r.get("id"))
        dup = key in {d.key for d in record.distributions}
        why = "duplicate of a published file" if dup else "no such file in the package"
        changes.append(
            Change(
                "resource",
                key,
                "delete" if delete_missing else "keep",
                id=str(r.get("id")),
                reason=why + ("" if delete_missing else "; kept (use --delete-missing)"),
            )
        )
    make_public = bool(remote.get("private"))
    return Plan(portal, organization, ds_change, tuple(changes), make_public, record, owner_org)


# ------------------------------------------------------------------------------------------------
# Client
# ------------------------------------------------------------------------------------------------


class Client(Protocol):
    """What :func:`apply` needs from a portal. ``call`` raises :class:`PortalError` only."""

    def call(
        self,
        action: str,
        data: Mapping[str, Any],
        *,
        upload: Path | None = None,
        idempotent: bool = True,
    ) -> Any: ...

    def download(self, url: str) -> bytes: ...


def translate_error(action: str, exc: BaseException, secret: str | None = None) -> PortalError:
    """The one place where CKAN/HTTP errors become :class:`PortalError` (code, action, field,
    server message). ``secret`` (the token) is removed from every message."""
    import ckanapi
    import requests

    def scrub(s: str) -> str:
        return s.replace(secret, "***") if secret else s

    code, fld, msg, retryable = "portal.error", None, str(exc), False
    if isinstance(exc, ckanapi.ValidationError):
        err = exc.error_dict if isinstance(exc.error_dict, dict) else {}
        items = {k: v for k, v in err.items() if not k.startswith("__")}
        parts = []
        for k, v in items.items():
            text = "; ".join(map(str, v)) if isinstance(v, list) else str(v)
            parts.append(f"{k}: {text}")
        msg = ", ".join(parts) or str(err)
        fld = next(iter(items), None)
        if fld == "name" and "already in use" in msg:
            code = "portal.name-in-use"
        elif "too large" in msg.lower():
            code = "portal.upload-too-large"
        else:
            code = "portal.validation"
    elif isinstance(exc, ckanapi.NotAuthorized):
        code = "portal.not-authorized"
        arg = exc.args[0] if exc.args else ""
        msg = arg.get("message", str(arg)) if isinstance(arg, dict) else str(arg)
    elif isinstance(exc, ckanapi.NotFound):
        code, msg = "portal.not-found", str(exc.args[0] if exc.args else exc)
    elif isinstance(exc, requests.Timeout):
        code, msg, retryable = "portal.timeout", f"no answer within the timeout ({exc})", True
    elif isinstance(exc, requests.ConnectionError):
        code, msg, retryable = "portal.unreachable", f"cannot connect ({exc})", True
    elif isinstance(exc, ckanapi.CKANAPIError):
        status = getattr(exc, "status", None)
        if isinstance(status, int) and status == 413:
            code, msg = "portal.upload-too-large", "HTTP 413: the upload is too large"
        elif isinstance(status, int) and status >= 500:
            code, retryable = "portal.server-error", True
            msg = f"HTTP {status}: {str(exc)[:300]}"
        else:
            msg = str(exc)[:300]
    out = PortalError(
        scrub(f"{action}: {msg}"),
        code=code,
        action=action,
        field=fld,
        server_message=scrub(msg),
    )
    out.retryable = retryable
    return out


class RemoteClient:
    """:class:`Client` over ckanapi: timeouts, retries with backoff, one error translation.

    ``portal`` is the CKAN base URL (``https://data.overheid.nl/data``); ``token`` the API token
    or ``None`` (anonymous reads only). ``sleep`` is injectable for tests.
    """

    def __init__(
        self,
        portal: str,
        token: str | None,
        *,
        retries: int = RETRIES,
        backoff: float = BACKOFF,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        import ckanapi
        import requests

        self.portal = portal.rstrip("/")
        self._token = token
        self._retries = retries
        self._backoff = backoff
        self._sleep = sleep
        self._session = requests.Session()
        self._session.headers["User-Agent"] = USER_AGENT
        self._last_status: int | None = None

        def hook(resp: Any, *args: Any, **kwargs: Any) -> None:
            self._last_status = resp.status_code

        self._session.hooks["response"].append(hook)
        self._ckan = ckanapi.RemoteCKAN(
            self.portal, apikey=token, user_agent=USER_AGENT, session=self._session
        )

    def __repr__(self) -> str:  # never show the token
        return f"RemoteClient({self.portal!r}, token={'set' if self._token else 'none'})"

    def _attempts(self, action: str, idempotent: bool, fn: Callable[[], Any]) -> Any:
        import ckanapi

        delay = self._backoff
        attempts = self._retries if idempotent else 1
        for attempt in range(1, attempts + 1):
            self._last_status = None
            try:
                return fn()
            except Exception as exc:
                if isinstance(exc, ckanapi.CKANAPIError) and not hasattr(exc, "status"):
                    exc.status = self._last_status
                err = translate_error(action, exc, self._token)
                if not err.retryable or attempt == attempts:
                    raise err from None
                log.warning("%s failed (%s); retry %d in %.1f s", action, err.code, attempt, delay)
                self._sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")  # pragma: no cover

    def call(
        self,
        action: str,
        data: Mapping[str, Any],
        *,
        upload: Path | None = None,
        idempotent: bool = True,
    ) -> Any:
        def once() -> Any:
            if upload is None:
                return self._ckan.call_action(
                    action, dict(data), requests_kwargs={"timeout": TIMEOUT}
                )
            return self._upload(action, data, upload)

        return self._attempts(action, idempotent, once)

    def _upload(self, action: str, data: Mapping[str, Any], upload: Path) -> Any:
        """A multipart call: ckanapi cannot send list fields with a file, so the form is built
        here (a list becomes a repeated field, which CKAN reads back as a list)."""
        from ckanapi.common import reverse_apicontroller_action

        form: list[tuple[str, str]] = []
        for k, v in data.items():
            if v is None:
                continue
            for item in v if isinstance(v, list) else [v]:
                form.append((k, item if isinstance(item, str) else json.dumps(item)))
        url = f"{self.portal}/api/3/action/{action}"
        headers = {"Authorization": self._token} if self._token else {}
        with upload.open("rb") as fh:
            resp = self._session.post(
                url,
                data=form,
                files={"upload": (upload.name, fh)},
                headers=headers,
                timeout=UPLOAD_TIMEOUT,
            )
        self._last_status = resp.status_code
        return reverse_apicontroller_action(url, resp.status_code, resp.text)

    def download(self, url: str) -> bytes:
        def once() -> bytes:
            headers = {"Authorization": self._token} if self._token else {}
            resp = self._session.get(url, headers=headers, timeout=UPLOAD_TIMEOUT)
            if resp.status_code >= 400:
                import ckanapi

                exc = ckanapi.CKANAPIError(f"GET {url}: HTTP {resp.status_code}")
                exc.status = resp.status_code
                raise exc
            return bytes(resp.content)

        return bytes(self._attempts("download", True, once))


# ------------------------------------------------------------------------------------------------
# Apply
# ------------------------------------------------------------------------------------------------

Hook = Callable[[str, str], None]
"""Called as ``hook(step, key)`` before every write (``package_create``, ``resource_create``,
``resource_patch``, ``resource_delete``, ``package_patch``, ``make_public``); a test raises from
it to interrupt a run at that point."""


@dataclass
class ApplyResult:
    """What :func:`apply` did: the writes in order (``step key``), the uploads, the files read
    back and verified, whether the dataset was made public, and its id and URL."""

    steps: list[str] = field(default_factory=list)
    uploads: int = 0
    verified: int = 0
    made_public: bool = False
    dataset_id: str | None = None
    dataset_url: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "steps": self.steps,
            "uploads": self.uploads,
            "verified": self.verified,
            "made_public": self.made_public,
            "dataset_id": self.dataset_id,
            "dataset_url": self.dataset_url,
        }


def fetch_dataset(client: Client, name: str) -> dict[str, Any] | None:
    """``package_show`` of ``name``, or ``None`` when the portal has no such dataset."""
    try:
        result = client.call("package_show", {"id": name})
    except PortalError as err:
        if err.code == "portal.not-found":
            return None
        raise
    return dict(result)


def check_token(client: Client, organization: str) -> dict[str, Any]:
    """The organisation (``id``, ``name``, ...) if the token's user may create datasets in it.

    CKAN answers a bad token as if anonymous, so this asks for the organisations the user may
    create datasets in; raises :class:`PortalError` ``portal.not-authorized`` otherwise.
    """
    orgs = client.call("organization_list_for_user", {"permission": "create_dataset"})
    for o in orgs or []:
        if organization in (o.get("name"), o.get("id")):
            return dict(o)
    raise PortalError(
        f"organization_list_for_user: the API token is not valid, or its user may not create "
        f"datasets in organisation {organization!r}; check the token and the organisation",
        code="portal.not-authorized",
        action="organization_list_for_user",
        field="token",
        server_message=f"{len(orgs or [])} organisation(s) allowed, not {organization!r}",
    )


def _find_resource(client: Client, dataset: str, key: str) -> dict[str, Any] | None:
    remote = fetch_dataset(client, dataset) or {}
    return next((dict(r) for r in remote.get("resources") or [] if resource_key(r) == key), None)


def _safe_create(
    client: Client,
    action: str,
    data: Mapping[str, Any],
    exists: Callable[[], dict[str, Any] | None],
    upload: Path | None = None,
) -> dict[str, Any]:
    """A create that is never duplicated: when the answer is lost (connection error, timeout,
    5xx), read the portal; if the object is there, that is the result, else try again."""
    last: PortalError | None = None
    for _ in range(RETRIES):
        try:
            return dict(client.call(action, data, upload=upload, idempotent=False))
        except PortalError as err:
            if not err.retryable:
                raise
            last = err
            found = exists()
            if found is not None:
                return found
            time.sleep(BACKOFF)
    assert last is not None
    raise last


def apply(plan: Plan, client: Client, hook: Hook | None = None) -> ApplyResult:
    """Carry out ``plan``: dataset, resources, read-back, then public. Returns what was done.

    Raises :class:`PortalError` on a portal failure and when a file read back differs from the
    local one (``portal.verify-failed``); the dataset then stays as it was (private if new).
    """
    rec = plan.record
    name = rec.dataset.name
    result = ApplyResult()
    note = hook or (lambda step, key: None)

    def step(s: str, key: str) -> None:
        note(s, key)
        result.steps.append(f"{s} {key}")

    desired = ckan_dataset(rec, plan.owner_org or plan.organization)
    ds = plan.dataset
    if ds.action == "create":
        step("package_create", name)
        created = _safe_create(
            client,
            "package_create",
            {**desired, "private": True},
            lambda: fetch_dataset(client, name),
        )
        dataset_id = str(created["id"])
    else:
        dataset_id = str(ds.id)
        if ds.action == "update":
            step("package_patch", name)
            client.call("package_patch", {"id": dataset_id, **{k: desired[k] for k in ds.fields}})
    result.dataset_id = dataset_id
    meta_lang = rec.dataset.metadata_language
    uploaded: set[str] = set()
    for c in plan.resources:
        dist = rec.distribution(c.key)
        if c.action == "create" and dist is not None:
            step("resource_create", c.key)
            _safe_create(
                client,
                "resource_create",
                {"package_id": dataset_id, **ckan_resource(dist, meta_lang)},
                lambda key=c.key: _find_resource(client, dataset_id, key),  # type: ignore[misc]
                upload=dist.path,
            )
            result.uploads += 1
            uploaded.add(c.key)
        elif c.action == "update" and dist is not None:
            step("resource_patch", c.key)
            fields = ckan_resource(dist, meta_lang)
            data = {"id": c.id, **(fields if c.upload else {k: fields[k] for k in c.fields})}
            client.call("resource_patch", data, upload=dist.path if c.upload else None)
            if c.upload:
                result.uploads += 1
                uploaded.add(c.key)
        elif c.action == "delete":
            step("resource_delete", c.key)
            try:
                client.call("resource_delete", {"id": c.id})
            except PortalError as err:
                if err.code != "portal.not-found":
                    raise
    remote = fetch_dataset(client, dataset_id) or {}
    result.dataset_url = _dataset_url(plan.portal, remote)
    must_verify = set(uploaded)
    if plan.make_public or remote.get("private"):
        must_verify |= {d.key for d in rec.distributions}
    result.verified = _verify(client, rec, remote, must_verify)
    if remote.get("private"):
        step("make_public", name)
        client.call("package_patch", {"id": dataset_id, "private": False})
        result.made_public = True
    return result


def _dataset_url(portal: str, remote: Mapping[str, Any]) -> str | None:
    return f"{portal.rstrip('/')}/dataset/{remote['name']}" if remote.get("name") else None


def _verify(client: Client, rec: CatalogRecord, remote: Mapping[str, Any], keys: set[str]) -> int:
    """Download every resource in ``keys`` and compare its SHA-256 with the local file."""
    by_key = {resource_key(r): r for r in remote.get("resources") or []}
    n = 0
    for d in rec.distributions:
        if d.key not in keys:
            continue
        r = by_key.get(d.key)
        if r is None:
            raise PortalError(
                f"verify: resource {d.key!r} is missing on the portal after the upload; run "
                "publish again",
                code="portal.verify-failed",
                action="verify",
                field=d.key,
            )
        got = hashlib.sha256(client.download(str(r["url"]))).hexdigest()
        if got != d.sha256 or r.get("hash") != d.sha256:
            raise PortalError(
                f"verify: {d.key} read back from the portal has SHA-256 {got[:12]}... "
                f"(stored hash {str(r.get('hash'))[:12]}...), the local file "
                f"{d.sha256[:12]}...; the dataset was not made public; run publish again",
                code="portal.verify-failed",
                action="verify",
                field=d.key,
            )
        n += 1
    return n


# ------------------------------------------------------------------------------------------------
# The command
# ------------------------------------------------------------------------------------------------


@dataclass
class PublishResult:
    """The outcome of :func:`publish`. ``refused``: the package failed ``check`` or the DCAT
    validation (``issues`` say why) and nothing was sent. ``plan`` is ``None`` when refused;
    ``applied`` is ``None`` for a dry run."""

    refused: bool
    issues: list[Issue]
    plan: Plan | None = None
    applied: ApplyResult | None = None
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.refused

    def summary(self) -> dict[str, Any]:
        return {
            "refused": self.refused,
            "dry_run": self.dry_run,
            "plan": self.plan.to_dict() if self.plan else None,
            "applied": self.applied.to_dict() if self.applied else None,
        }


def preflight(package_dir: str | Path) -> tuple[CatalogRecord, list[Issue]]:
    """The record and every reason to refuse it: the findings (errors and warnings) of the same
    full check as ``opendata-mh check`` (schemas, disclosure rules, consistency, metadata, the
    Parquet twins and the disclosure audit) and DCAT-AP-DONL findings. No network."""
    from opendata_mh.audit import audit_check  # a new disclosure must never reach the portal
    from opendata_mh.parquet import parquet_check  # the Parquet twins must equal the CSVs
    from opendata_mh.validate import check

    report = check(package_dir, extra_checks=(parquet_check, audit_check))
    issues = [i for i in report.issues if i.severity in ("error", "warning")]
    record = build_record(package_dir)
    issues.extend(validate_record(record))
    return record, issues


def publish(
    package_dir: str | Path,
    portal: str,
    organization: str,
    token: str | None,
    *,
    dry_run: bool = False,
    delete_missing: bool = False,
    client: Client | None = None,
    hook: Hook | None = None,
) -> PublishResult:
    """Publish the package in ``package_dir`` to the CKAN at ``portal`` in ``organization``.

    Refuses (``refused=True``, nothing sent) when the package fails ``check`` or the DCAT
    validation. Otherwise checks the token (when given), reads the portal, plans, and unless
    ``dry_run`` applies. A real publish needs a token (:class:`PortalError`
    ``portal.not-authorized`` without one). Raises :class:`PortalError` on portal failures and
    :class:`opendata_mh.errors.PackageError` when the package cannot be read.
    """
    record, issues = preflight(package_dir)
    if issues:
        return PublishResult(True, issues, dry_run=dry_run)
    if not token and not dry_run:
        raise PortalError(
            "no API token: set OPENDATA_MH_CKAN_TOKEN (or the variable named by --token-env)",
            code="portal.not-authorized",
            action="publish",
            field="token",
        )
    client = client or RemoteClient(portal, token)
    owner_org = organization
    if token:
        owner_org = str(check_token(client, organization).get("id") or organization)
    remote = fetch_dataset(client, record.dataset.name)
    plan = make_plan(
        record,
        remote,
        portal=portal,
        organization=organization,
        owner_org=owner_org,
        delete_missing=delete_missing,
    )
    if dry_run:
        return PublishResult(False, [], plan, None, dry_run=True)
    return PublishResult(False, [], plan, apply(plan, client, hook))


def summarize(changes: Sequence[Change]) -> str:
    """``3 create, 20 unchanged`` style count of changes."""
    counts: dict[str, int] = {}
    for c in changes:
        counts[c.action] = counts.get(c.action, 0) + 1
    return ", ".join(f"{n} {a}" for a, n in sorted(counts.items()))
