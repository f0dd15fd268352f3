"""Publish the package to a CKAN portal (data.overheid.nl, DCAT-AP-DONL 1.1): plan, then apply.

The only module that imports ckanapi (and requests). Nothing reaches the portal without a plan:

- :func:`make_plan` is pure: the catalogue record (:mod:`opendata_mh.dcat`), the portal's current
  dataset (``package_show`` output, or ``None``) and what the stored files really hold give a
  :class:`Plan` with one :class:`Change` for the dataset and one per resource: ``create``,
  ``update``, ``unchanged``, ``delete`` or ``keep``.
- :func:`apply` carries the plan out through a :class:`Client`; ``--dry-run`` stops after the plan.
- :func:`publish` is the whole command: refuse when ``check`` or the DCAT validation finds
  anything (or, in link mode, when a hosted file is missing or differs), check the token, read
  the portal, plan, apply.

Two ways to publish the files (``files``):

- ``upload``: every file is stored in the portal's file store (a CKAN portal with one).
- ``link`` (the default for data.overheid.nl, which is a register): each distribution's ``url``
  and ``download_url`` point at the file in a hosted release (``opendata-mh release``, under
  ``<base-url>/<version>/``). Before anything is written, every hosted URL is downloaded and
  compared byte for byte with the local file; a missing or different file refuses the publish.

Rules (each is tested against a real CKAN in ``tests/integration``):

- **Idempotent.** Resources are matched by file name: the last segment of their URL, also in the
  form CKAN rewrites an uploaded name to (:func:`munge_filename`: lower case, spaces to ``-``, at
  most 100 characters). The SHA-256 of the bytes is stored on each resource (``hash``). Every run
  downloads each stored file (upload mode) and compares it with the local one, so a copy that was
  corrupted in transit or changed on the portal is uploaded again; an unchanged package makes no
  write (two API actions: ``organization_list_for_user``, ``package_show``).
- **Safe.** A new dataset is created private; it is made public only after every file was read
  back and compared. An update of a public dataset switches all its resources and fields in ONE
  ``package_revise`` call (one database transaction, guarded by ``metadata_modified``), so readers
  never see a mix of old and new files; a portal without ``package_revise`` (CKAN < 2.9) gets one
  ``package_update`` in link mode and, in upload mode, one call per changed file (README; this
  fallback is tested with the in-memory CKAN of the unit tests only: no CKAN 2.8 runs here).
- **Convergent.** A run interrupted at any request (kill, 5xx, timeout) can be run again and
  reaches the same end state without duplicates: the dataset is found by name, resources by file
  name, and a create whose answer was lost is detected by reading the portal again.
- **Network.** Every request has a timeout per attempt (:data:`TIMEOUT`, :data:`FILE_TIMEOUT`)
  and the whole run a deadline (:data:`TOTAL_TIMEOUT`); progress goes to a callback (stderr in
  the CLI), with a line every :data:`HEARTBEAT` seconds while a request is waiting. Connection
  errors, timeouts and HTTP 5xx (whatever the body) are retried with exponential backoff
  (:data:`RETRIES` attempts) when the action is idempotent; 4xx and TLS failures never. HTTP
  answers and CKAN's errors are translated in one place (:func:`translate_error`,
  :meth:`RemoteClient._answer`) into :class:`opendata_mh.errors.PortalError`.
- **Secrets.** The API token is validated (:func:`validate_token`: whitespace or control
  characters are refused without echoing it), passed in, never printed or logged; every message
  is scrubbed of every form of it (raw, stripped, ``repr``, JSON-escaped) as a last guard. The
  token is sent only to the portal, never to the host of the files, and never in clear text:
  a portal URL with plain ``http`` to a host that is not this machine is refused before any
  request (:func:`portal_problem`; also by :class:`RemoteClient` when it holds a token).
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol
from urllib.parse import quote, unquote, urlparse

from opendata_mh import __version__
from opendata_mh.dcat import (
    CatalogRecord,
    Distribution,
    build_record,
    munge_filename,
    validate_record,
)
from opendata_mh.errors import PortalError, PortalUsageError, UsageError
from opendata_mh.report import Issue

log = logging.getLogger(__name__)

TIMEOUT = (10.0, 60.0)
"""(connect, read) timeout in seconds of every API call without a file."""
FILE_TIMEOUT = (10.0, 120.0)
"""(connect, read) timeout in seconds of one attempt of a call that sends or fetches a file."""
TOTAL_TIMEOUT = 900.0
"""Seconds the whole publish may take (retries included); below the workflow's 30 minutes."""
HEARTBEAT = 10.0
"""Seconds between two 'still waiting' progress lines while a request is pending."""
RETRIES = 4
"""Attempts of a retryable call (the first included)."""
BACKOFF = 0.5
"""Seconds before the first retry; doubled each time (0.5, 1, 2)."""
USER_AGENT = f"opendata-mh/{__version__} (publish; +https://www.nationaalrapporteur.nl/)"
HASH_ALGORITHM = "SHA-256"
DONL_PORTALS = frozenset({"https://data.overheid.nl/data", "https://data-acc.overheid.nl/data"})
"""The data.overheid.nl portals (production, acceptance): registers without a file store."""

Action = Literal["create", "update", "unchanged", "delete", "keep"]
FilesMode = Literal["upload", "link"]
Progress = Callable[[str], None]


def default_files_mode(portal: str) -> FilesMode:
    """``link`` for the data.overheid.nl portals (registers), ``upload`` for any other CKAN."""
    return "link" if portal.rstrip("/") in DONL_PORTALS else "upload"


def hosted_url(base_url: str, version: str, relpath: str) -> str:
    """The URL of a package file in a hosted release: ``<base>/<version>/<relpath>``."""
    return f"{base_url.rstrip('/')}/{quote(version)}/{quote(relpath)}"


def is_loopback(host: str | None) -> bool:
    """Whether ``host`` is this machine: ``localhost`` or a loopback address (127.0.0.0/8,
    ``::1``). A name that merely looks like one (``127.0.0.1.nip.io``) is not."""
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def plain_http_remote(url: str) -> bool:
    """Whether ``url`` is plain ``http`` to a host that is not this machine (a token or file
    sent there crosses the network in clear text)."""
    try:
        parts = urlparse(url)
        return parts.scheme == "http" and not is_loopback(parts.hostname)
    except ValueError:
        return False


def url_problem(value: str | None, *, https_only: bool = True) -> str | None:
    """Why ``value`` is not an absolute ``http(s)`` URL with a host (``None`` when it is).
    ``https_only``: plain ``http`` only for a server on this machine (:func:`is_loopback`).
    A relative URL would give relative download URLs in the catalogues and CITATION.cff."""
    if not value or not value.strip():
        return "is empty"
    if any(c.isspace() or ord(c) < 32 for c in value):
        return "contains whitespace"
    try:
        parts = urlparse(value)
        host = parts.hostname
    except ValueError:
        return "is not a URL"
    if parts.scheme not in ("http", "https") or not host:
        return "is not an absolute http(s) URL (like https://example.org/path)"
    if parts.query or parts.fragment:
        return "has a query or fragment"
    if https_only and plain_http_remote(value):
        return (
            "uses plain http to a host that is not this machine; use https (plain http only "
            "for 127.0.0.0/8, ::1 or localhost)"
        )
    return None


def portal_problem(portal: str) -> str | None:
    """Why ``portal`` cannot be a CKAN base URL to send the API token to (``None`` when it
    can): not an absolute http(s) URL, or plain http to a host that is not this machine."""
    problem = url_problem(portal, https_only=False)
    if problem:
        return problem
    if plain_http_remote(portal):
        return (
            "uses plain http to a host that is not this machine: the API token would cross "
            "the network in clear text; use the portal's https:// URL (plain http only for a "
            "CKAN on this machine: 127.0.0.0/8, ::1, localhost; reach a test portal without "
            "TLS through an SSH tunnel to 127.0.0.1)"
        )
    return None


def check_url(value: str | None, option: str, *, https_only: bool = True) -> str:
    """``value`` if :func:`url_problem` finds nothing, else :class:`UsageError` naming
    ``option`` (``usage.bad-url``)."""
    problem = url_problem(value, https_only=https_only)
    if problem:
        raise UsageError(f"{option} {value!r} {problem}", code="usage.bad-url", option=option)
    return str(value)


# ------------------------------------------------------------------------------------------------
# The token
# ------------------------------------------------------------------------------------------------


def validate_token(token: str | None, source: str = "OPENDATA_MH_CKAN_TOKEN") -> None:
    """Refuse a token with whitespace or control characters (a trailing newline from ``echo``
    or a secrets file): :class:`PortalError` ``portal.bad-token``. The message never shows it."""
    if token is None:
        return
    bad = [c for c in token if c.isspace() or ord(c) < 32 or ord(c) == 127]
    if not token or bad:
        where = "is empty" if not token else "contains whitespace or a control character"
        if token and token != token.strip():
            where = "has leading or trailing whitespace (a newline?)"
        raise PortalUsageError(
            f"the API token in {source} {where}; store it without (printf '%s' ...), "
            "the token itself is not shown",
            code="portal.bad-token",
            option="--token-env",
            field="token",
        )


def _secret_forms(secret: str | None) -> list[str]:
    if not secret:
        return []
    forms = {secret, secret.strip(), repr(secret), repr(secret)[1:-1], json.dumps(secret)[1:-1]}
    return sorted((f for f in forms if len(f) >= 4), key=len, reverse=True)


def scrub(text: str, secret: str | None) -> str:
    """``text`` with every form of ``secret`` replaced by ``***``."""
    for form in _secret_forms(secret):
        text = text.replace(form, "***")
    return text


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


def ckan_resource(
    dist: Distribution, metadata_language: str, *, files: FilesMode = "upload", url: str = ""
) -> dict[str, Any]:
    """The resource fields sent to CKAN (no ``id``, ``package_id``).

    Upload mode: ``mimetype`` is the plain media type (``text/csv``), because CKAN serves a
    stored file with ``mimetype`` as its Content-Type; no ``url`` (the upload sets it). Link
    mode: ``url`` and ``download_url`` are the hosted file and ``mimetype`` carries the IANA URI
    like ``media_type``, as the DCAT-AP-DONL profile asks.
    """
    d: dict[str, Any] = {
        "name": dist.title,
        "description": dist.description,
        "format": dist.format,
        "media_type": dist.media_type,
        "mimetype": dist.mimetype if files == "upload" else dist.media_type,
        "language": list(dist.language),
        "metadata_language": metadata_language,
        "license_id": dist.license,
        "size": dist.byte_size,
        "hash": dist.sha256,
        "hash_algorithm": HASH_ALGORITHM,
        "status": "http://purl.org/adms/status/Completed",
    }
    if files == "link":
        d["url"] = url
        d["download_url"] = url
    return d


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


def _key_index(record: CatalogRecord) -> dict[str, str]:
    """Every name under which a distribution's file may appear on the portal -> its key: the
    file name itself, and the name CKAN stores an upload under."""
    index: dict[str, str] = {}
    for d in record.distributions:
        index.setdefault(d.key, d.key)
        index.setdefault(munge_filename(d.key), d.key)
    return index


def match_resources(
    record: CatalogRecord, resources: Sequence[Mapping[str, Any]]
) -> tuple[dict[str, Mapping[str, Any]], list[Mapping[str, Any]]]:
    """``({distribution key: its portal resource}, [resources matching no file or a duplicate])``.
    The first resource per key wins (the portal's order)."""
    index = _key_index(record)
    matched: dict[str, Mapping[str, Any]] = {}
    rest: list[Mapping[str, Any]] = []
    for r in resources:
        key = index.get(resource_key(r))
        if key is not None and key not in matched:
            matched[key] = r
        else:
            rest.append(r)
    return matched, rest


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
    """What :func:`apply` will do. ``files`` is the mode (``upload``/``link``), ``urls`` the
    hosted URL of each distribution in link mode. ``public`` is whether the portal's dataset is
    public now: its changes are then switched in one call (``package_revise``)."""

    portal: str
    organization: str
    dataset: Change
    resources: tuple[Change, ...]
    make_public: bool
    record: CatalogRecord = field(repr=False, compare=False)
    owner_org: str = ""
    files: FilesMode = "upload"
    urls: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)
    public: bool = False
    metadata_modified: str | None = None

    @property
    def changes(self) -> tuple[Change, ...]:
        return (self.dataset, *self.resources)

    @property
    def uploads(self) -> int:
        return sum(c.upload for c in self.resources)

    @property
    def changed(self) -> bool:
        return any(c.action in ("create", "update", "delete") for c in self.changes)

    @property
    def one_switch(self) -> bool:
        """Whether all changes go in one ``package_revise`` (an update of a public dataset)."""
        return self.public and self.dataset.action != "create" and self.changed

    @property
    def writes(self) -> int:
        if self.one_switch:
            return 1
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
            "files": self.files,
            "dataset": self.dataset.to_dict(),
            "resources": [c.to_dict() for c in self.resources],
            "resource_counts": self.counts(),
            "uploads": self.uploads,
            "writes": self.writes,
            "one_switch": self.one_switch,
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
    files: FilesMode = "upload",
    urls: Mapping[str, str] | None = None,
    stored: Mapping[str, str | None] | None = None,
) -> Plan:
    """The plan that brings the portal's dataset ``remote`` (``package_show`` result or ``None``)
    to the state described by ``record``. Pure: no I/O.

    ``files`` is the mode; ``urls`` the hosted URL of each distribution key (link mode);
    ``stored`` the SHA-256 of the bytes each matched resource really serves (upload mode;
    ``None`` when it could not be read), so a stored copy that differs is uploaded again.
    Raises :class:`PortalError` (``portal.name-in-use``) when a dataset with the record's name
    exists in another organisation or is deleted.
    """
    urls = dict(urls or {})
    stored = dict(stored or {})
    name = record.dataset.name
    meta_lang = record.dataset.metadata_language
    desired = ckan_dataset(record, owner_org or organization)
    common: dict[str, Any] = {
        "record": record,
        "owner_org": owner_org,
        "files": files,
        "urls": urls,
    }
    if remote is None:
        ds_change = Change("dataset", name, "create", tuple(desired), reason="new dataset")
        res = tuple(
            Change("resource", d.key, "create", upload=files == "upload", reason="new file")
            for d in record.distributions
        )
        return Plan(portal, organization, ds_change, res, True, **common)

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
    matched, rest = match_resources(record, list(remote.get("resources") or []))
    changes: list[Change] = []
    for d in record.distributions:
        r = matched.get(d.key)
        if r is None:
            changes.append(
                Change("resource", d.key, "create", upload=files == "upload", reason="new file")
            )
            continue
        rid = str(r.get("id"))
        want = ckan_resource(d, meta_lang, files=files, url=urls.get(d.key, ""))
        if files == "upload":
            why = ""
            if r.get("url_type") != "upload":
                why = "not stored on the portal"
            elif r.get("hash") != d.sha256 or r.get("hash_algorithm") != HASH_ALGORITHM:
                why = "content changed"
            elif d.key in stored and stored[d.key] != d.sha256:
                why = (
                    "the stored copy cannot be read"
                    if stored[d.key] is None
                    else "the stored copy differs from the local file"
                )
            diff = _diff(want, r, skip={"hash", "size"} if not why else set())
            if why:
                changes.append(
                    Change("resource", d.key, "update", tuple(diff), True, rid, reason=why)
                )
                continue
        else:
            diff = _diff(want, r, skip=set())
        if diff:
            why = "new hosted URL" if "url" in diff else "metadata"
            changes.append(Change("resource", d.key, "update", tuple(diff), id=rid, reason=why))
        else:
            changes.append(Change("resource", d.key, "unchanged", id=rid))
    keys = {d.key for d in record.distributions}
    index = _key_index(record)
    for r in rest:
        key = resource_key(r) or str(r.get("name") or r.get("id"))
        dup = index.get(key) in keys
        why = "duplicate of a published file" if dup else "no such file in the package"
        changes.append(
            Change(
                "resource",
                key,
                "delete" if delete_missing or dup else "keep",
                id=str(r.get("id")),
                reason=why + ("" if delete_missing or dup else "; kept (use --delete-missing)"),
            )
        )
    private = bool(remote.get("private"))
    return Plan(
        portal,
        organization,
        ds_change,
        tuple(changes),
        private,
        public=not private,
        metadata_modified=remote.get("metadata_modified"),
        **common,
    )


# ------------------------------------------------------------------------------------------------
# Client
# ------------------------------------------------------------------------------------------------


class Client(Protocol):
    """What :func:`apply` needs from a portal. ``call`` raises :class:`PortalError` only.
    ``files`` maps a form field (``upload``, ``update__resources__3__upload``) to a local file."""

    def call(
        self,
        action: str,
        data: Mapping[str, Any],
        *,
        files: Mapping[str, Path] | None = None,
        idempotent: bool = True,
    ) -> Any: ...

    def download(self, url: str) -> bytes: ...


def _server_text(text: str, limit: int = 300) -> str:
    """The server's words on one line, at most ``limit`` characters (printed literally)."""
    one = " ".join(text.split())
    return one if len(one) <= limit else one[: limit - 3] + "..."


def translate_error(action: str, exc: BaseException, secret: str | None = None) -> PortalError:
    """The one place where CKAN/HTTP exceptions become :class:`PortalError` (code, action,
    field, server message). ``secret`` (the token) is removed from every message, in any form."""
    import ckanapi
    import requests

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
        elif fld == "match":
            code = "portal.changed-meanwhile"
            msg = (
                f"the dataset changed on the portal while this run was planning ({msg}); run "
                "publish again"
            )
        else:
            code = "portal.validation"
    elif isinstance(exc, ckanapi.NotAuthorized):
        code = "portal.not-authorized"
        arg = exc.args[0] if exc.args else ""
        msg = arg.get("message", str(arg)) if isinstance(arg, dict) else str(arg)
    elif isinstance(exc, ckanapi.NotFound):
        code, msg = "portal.not-found", str(exc.args[0] if exc.args else exc)
    elif isinstance(exc, requests.exceptions.SSLError):
        code = "portal.tls-error"
        msg = (
            f"the TLS certificate of the server could not be verified ({exc}); check the URL, "
            "the server's certificate and the CA certificates of this machine "
            "(REQUESTS_CA_BUNDLE); not retried"
        )
    elif isinstance(exc, requests.Timeout):
        code, msg, retryable = "portal.timeout", f"no answer within the timeout ({exc})", True
    elif isinstance(exc, requests.ConnectionError):
        code, msg, retryable = "portal.unreachable", f"cannot connect ({exc})", True
    elif isinstance(exc, requests.RequestException):
        code, msg = "portal.error", f"the request could not be sent ({type(exc).__name__})"
    elif isinstance(exc, ckanapi.ServerIncompatibleError | ckanapi.CKANAPIError):
        raw = str(exc)
        if "Action name not known" in raw:
            code = "portal.unknown-action"
            msg = f"the portal does not know the action {action} (an older CKAN)"
        else:
            msg = _server_text(raw)
    out = PortalError(
        scrub(f"{action}: {msg}", secret),
        code=code,
        action=action,
        field=fld,
        server_message=scrub(msg, secret),
    )
    out.retryable = retryable
    return out


class RemoteClient:
    """:class:`Client` over HTTP (requests) with ckanapi's error classes: timeouts per attempt
    and a deadline for the whole run, retries with backoff, progress, one error translation.

    ``portal`` is the CKAN base URL (``https://data.overheid.nl/data``); ``token`` the API token
    or ``None`` (anonymous reads only). ``sleep`` is injectable for tests; ``progress`` receives
    one line per upload/download attempt, retry and heartbeat. ``actions``, ``writes`` and
    ``downloads`` count what was sent (for the benchmark).
    """

    def __init__(
        self,
        portal: str,
        token: str | None,
        *,
        retries: int = RETRIES,
        backoff: float = BACKOFF,
        sleep: Callable[[float], None] = time.sleep,
        timeout: tuple[float, float] = TIMEOUT,
        file_timeout: tuple[float, float] = FILE_TIMEOUT,
        total_timeout: float = TOTAL_TIMEOUT,
        heartbeat: float = HEARTBEAT,
        progress: Progress | None = None,
    ) -> None:
        import requests

        validate_token(token)
        if token is not None and plain_http_remote(portal):  # publish() said so already
            problem = portal_problem(portal)
            raise PortalUsageError(
                f"--portal {portal!r} {problem}", code="publish.bad-url", option="--portal"
            )
        self.portal = portal.rstrip("/")
        self._token = token
        self._retries = retries
        self._backoff = backoff
        self._sleep = sleep
        self._timeout = timeout
        self._file_timeout = file_timeout
        self._deadline = time.monotonic() + total_timeout
        self._total = total_timeout
        self._heartbeat = heartbeat
        self._progress = progress or (lambda line: None)
        self._session = requests.Session()
        self._session.headers["User-Agent"] = USER_AGENT
        self.actions: list[str] = []
        self.downloads = 0

    @property
    def writes(self) -> int:
        reads = {"package_show", "organization_list_for_user", "organization_show"}
        return sum(a not in reads and a != "am_following_group" for a in self.actions)

    def __repr__(self) -> str:  # never show the token
        return f"RemoteClient({self.portal!r}, token={'set' if self._token else 'none'})"

    def _say(self, line: str) -> None:
        self._progress(scrub(line, self._token))

    @contextlib.contextmanager
    def _waiting(self, what: str, limit: float) -> Iterator[None]:
        """Print a line every :data:`HEARTBEAT` seconds while ``what`` is pending."""
        done = threading.Event()
        t0 = time.monotonic()

        def beat() -> None:
            while not done.wait(self._heartbeat):
                self._say(
                    f"  still waiting for {what}: {time.monotonic() - t0:.0f} s of {limit:.0f}"
                )

        thread = threading.Thread(target=beat, daemon=True)
        thread.start()
        try:
            yield
        finally:
            done.set()

    def _limit(self, per_attempt: tuple[float, float], action: str) -> tuple[float, float]:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise PortalError(
                f"{action}: the publish did not finish within {self._total:.0f} s; run it "
                "again (it continues where it stopped)",
                code="portal.timeout",
                action=action,
            )
        return (min(per_attempt[0], left), min(per_attempt[1], left))

    def _attempts(self, action: str, idempotent: bool, fn: Callable[[], Any]) -> Any:
        delay = self._backoff
        attempts = self._retries if idempotent else 1
        for attempt in range(1, attempts + 1):
            try:
                return fn()
            except PortalError as err:
                if not err.retryable or attempt == attempts:
                    raise
                if self._deadline - time.monotonic() < delay:
                    raise
                nxt = f"retry {attempt + 1}/{attempts} in {delay:.1f} s"
                self._say(f"  {action} failed ({err.code}); {nxt}")
                self._sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")  # pragma: no cover

    def _answer(self, action: str, url: str, resp: Any) -> Any:
        """An HTTP answer of the action API -> its result, or :class:`PortalError`. The status
        decides first (5xx is retried whatever the body; 413 is too large; a redirect or a body
        that is not CKAN JSON means a wrong base URL); then ckanapi reads CKAN's error."""
        from ckanapi.common import reverse_apicontroller_action

        status = int(resp.status_code)
        ctype = str(resp.headers.get("Content-Type", "")).split(";")[0]
        text = str(resp.text)
        try:
            parsed: Any = json.loads(text)
        except ValueError:
            parsed = None
        if status >= 500:
            said = ""
            if isinstance(parsed, dict) and parsed.get("error"):
                e = parsed["error"]
                said = _server_text(str(e.get("message", e) if isinstance(e, dict) else e))
            msg = f"HTTP {status} from the server" + (f": {said}" if said else "")
            err = PortalError(
                scrub(f"{action}: {msg}", self._token),
                code="portal.server-error",
                action=action,
                server_message=scrub(msg, self._token),
            )
            err.retryable = True
            raise err
        if parsed is None and "json" in ctype:
            msg = f"HTTP {status}: the answer is not valid JSON (cut or damaged in transit)"
            err = PortalError(f"{action}: {msg}", code="portal.server-error", action=action)
            err.retryable = True
            raise err
        if status == 413:
            raise PortalError(
                f"{action}: HTTP 413: the portal refuses a request this large; ask the portal "
                "for a higher upload limit, or publish with --files link",
                code="portal.upload-too-large",
                action=action,
            )
        if 300 <= status < 400 or not isinstance(parsed, dict | str):
            where = resp.headers.get("Location")
            hint = f", a redirect to {_server_text(where, 200)}" if where else ""
            raise PortalError(
                f"{action}: {url} did not answer like a CKAN action API (HTTP {status}, "
                f"{ctype or 'no content type'}{hint}); check --portal: the CKAN base URL, "
                "e.g. https://data.overheid.nl/data",
                code="portal.wrong-url",
                action=action,
            )
        try:
            return reverse_apicontroller_action(url, status, text)
        except Exception as exc:
            raise translate_error(action, exc, self._token) from None

    def call(
        self,
        action: str,
        data: Mapping[str, Any],
        *,
        files: Mapping[str, Path] | None = None,
        idempotent: bool = True,
    ) -> Any:
        url = f"{self.portal}/api/3/action/{action}"
        headers = {"Authorization": self._token} if self._token else {}

        def once() -> Any:
            self.actions.append(action)
            if not files:
                limit = self._limit(self._timeout, action)
                try:
                    with self._waiting(action, limit[1]):
                        resp = self._session.post(
                            url,
                            json=dict(data),
                            headers=headers,
                            timeout=limit,
                            allow_redirects=False,
                        )
                except Exception as exc:
                    raise translate_error(action, exc, self._token) from None
                return self._answer(action, url, resp)
            return self._multipart(action, url, data, files, headers)

        return self._attempts(action, idempotent, once)

    def _multipart(
        self,
        action: str,
        url: str,
        data: Mapping[str, Any],
        files: Mapping[str, Path],
        headers: Mapping[str, str],
    ) -> Any:
        """A multipart call: a list becomes a repeated field (CKAN reads it back as a list), a
        dict is sent as JSON."""
        form: list[tuple[str, str]] = []
        for k, v in data.items():
            if v is None:
                continue
            if isinstance(v, dict):
                form.append((k, json.dumps(v)))
                continue
            for item in v if isinstance(v, list) else [v]:
                form.append((k, item if isinstance(item, str) else json.dumps(item)))
        size = sum(p.stat().st_size for p in files.values())
        names = ", ".join(p.name for p in files.values())
        limit = self._limit(self._file_timeout, action)
        self._say(f"  {action}: sending {names} ({size:,} bytes)")
        with contextlib.ExitStack() as stack:
            parts = {
                k: (p.name, stack.enter_context(p.open("rb"))) for k, p in sorted(files.items())
            }
            try:
                with self._waiting(f"{action} ({names})", limit[1]):
                    resp = self._session.post(
                        url,
                        data=form,
                        files=parts,
                        headers=headers,
                        timeout=limit,
                        allow_redirects=False,
                    )
            except Exception as exc:
                raise translate_error(action, exc, self._token) from None
        return self._answer(action, url, resp)

    def download(self, url: str) -> bytes:
        """The bytes at ``url`` (the token only goes to the portal's own URLs)."""

        def once() -> bytes:
            self.downloads += 1
            mine = url.startswith(self.portal + "/")
            headers = {"Authorization": self._token} if self._token and mine else {}
            limit = self._limit(self._file_timeout, "download")
            self._say(f"  download {url}")
            try:
                with self._waiting(f"download {url}", limit[1]):
                    resp = self._session.get(url, headers=headers, timeout=limit, stream=True)
                    body = bytearray()
                    for chunk in resp.iter_content(1 << 16):
                        body.extend(chunk)
                        if time.monotonic() > self._deadline:
                            raise PortalError(
                                f"download: {url} did not finish within the deadline",
                                code="portal.timeout",
                                action="download",
                            )
            except PortalError:
                raise
            except Exception as exc:
                raise translate_error("download", exc, self._token) from None
            if resp.status_code >= 500:
                err = PortalError(
                    f"download: GET {url}: HTTP {resp.status_code}",
                    code="portal.server-error",
                    action="download",
                )
                err.retryable = True
                raise err
            if resp.status_code >= 400:
                raise PortalError(
                    f"download: GET {url}: HTTP {resp.status_code}",
                    code="portal.not-found" if resp.status_code in (404, 410) else "portal.error",
                    action="download",
                )
            expected = resp.headers.get("Content-Length")
            if expected is not None and expected.isdigit() and int(expected) != len(body):
                err = PortalError(
                    f"download: GET {url}: {len(body)} of {expected} bytes (connection cut)",
                    code="portal.unreachable",
                    action="download",
                )
                err.retryable = True
                raise err
            return bytes(body)

        return bytes(self._attempts("download", True, once))


# ------------------------------------------------------------------------------------------------
# Reading the portal
# ------------------------------------------------------------------------------------------------


def fetch_dataset(client: Client, name: str) -> dict[str, Any] | None:
    """``package_show`` of ``name``, or ``None`` when the portal has no such dataset.

    A name this account may not read (a private dataset of another organisation) is
    ``portal.name-in-use``: the name is taken."""
    try:
        result = client.call("package_show", {"id": name})
    except PortalError as err:
        if err.code == "portal.not-found":
            return None
        if err.code == "portal.not-authorized":
            raise PortalError(
                f"package_show: the name {name!r} is taken on the portal by a dataset this "
                "account may not read (a private dataset of another organisation); choose "
                "another name (dcat.name in metadata/package.toml) or ask the portal",
                code="portal.name-in-use",
                action="package_show",
                field="name",
                server_message=err.server_message,
            ) from None
        raise
    return dict(result)


def check_token(client: Client, organization: str) -> dict[str, Any]:
    """The organisation (``id``, ``name``, ...) if the token's user may create datasets in it.

    One call when all is well (``organization_list_for_user``). Otherwise it finds out which of
    three things is wrong, each with its own code: the organisation does not exist
    (``portal.unknown-organization``), the portal does not accept the token (CKAN then treats
    the request as anonymous: ``portal.bad-token``), or the user has no right to create datasets
    in it (``portal.not-authorized``).
    """
    orgs = client.call("organization_list_for_user", {"permission": "create_dataset"})
    for o in orgs or []:
        if organization in (o.get("name"), o.get("id")):
            return dict(o)
    try:
        client.call("am_following_group", {"id": organization})
    except PortalError as err:
        if err.code in ("portal.validation", "portal.not-found"):
            raise PortalError(
                f"the organisation {organization!r} does not exist on the portal; check "
                "--organization (the name or id the portal gave the publishing organisation)",
                code="portal.unknown-organization",
                action="organization_show",
                field="organization",
            ) from None
        if err.code == "portal.not-authorized":
            raise PortalError(
                "the portal does not accept the API token (CKAN treats the request as "
                "anonymous): it is wrong, expired, revoked or for another portal; create a new "
                "token for the publishing account",
                code="portal.bad-token",
                action="organization_list_for_user",
                field="token",
            ) from None
        raise
    raise PortalError(
        f"the token's user may not create datasets in organisation {organization!r}; ask an "
        "admin of that organisation on the portal to make the user an editor",
        code="portal.not-authorized",
        action="organization_list_for_user",
        field="organization",
        server_message=f"{len(orgs or [])} organisation(s) allowed, not {organization!r}",
    )


def stored_hashes(
    client: Client, record: CatalogRecord, remote: Mapping[str, Any] | None
) -> dict[str, str | None]:
    """The SHA-256 of what each portal resource that stores one of the record's files really
    serves (``None`` when it cannot be read). Upload mode only."""
    if not remote:
        return {}
    matched, _ = match_resources(record, list(remote.get("resources") or []))
    out: dict[str, str | None] = {}
    for key, r in matched.items():
        if r.get("url_type") != "upload" or not r.get("url"):
            continue
        try:
            out[key] = hashlib.sha256(client.download(str(r["url"]))).hexdigest()
        except PortalError as err:
            if err.code in ("portal.not-found", "portal.error"):
                out[key] = None
            else:
                raise
    return out


def check_hosted(client: Client, record: CatalogRecord, urls: Mapping[str, str]) -> list[Issue]:
    """Download every hosted URL and compare it with the local file (link mode). A missing or
    different file is a finding (``publish.hosted-file-missing``, ``publish.hosted-file-differs``)
    that names the URL; an unreachable host is a :class:`PortalError`."""
    issues: list[Issue] = []
    for d in record.distributions:
        url = urls[d.key]
        try:
            body = client.download(url)
        except PortalError as err:
            if err.code not in ("portal.not-found", "portal.error"):
                raise
            issues.append(
                Issue(
                    "publish.hosted-file-missing",
                    "error",
                    f"{url} cannot be downloaded ({err}); deploy the release (opendata-mh "
                    "release) before publishing by link",
                    resource=d.key,
                )
            )
            continue
        got = hashlib.sha256(body).hexdigest()
        if got != d.sha256:
            issues.append(
                Issue(
                    "publish.hosted-file-differs",
                    "error",
                    f"{url} serves {len(body)} bytes with SHA-256 {got[:12]}..., the local "
                    f"{d.relpath} has {d.byte_size} bytes with {d.sha256[:12]}...; a published "
                    "version never changes: build a new version",
                    resource=d.key,
                )
            )
    return issues


# ------------------------------------------------------------------------------------------------
# Apply
# ------------------------------------------------------------------------------------------------

Hook = Callable[[str, str], None]
"""Called as ``hook(step, key)`` before every write (``package_create``, ``resource_create``,
``resource_patch``, ``resource_delete``, ``package_patch``, ``package_revise``,
``make_public``); a test raises from it to interrupt a run at that point."""


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


def _find_resource(
    client: Client, dataset: str, record: CatalogRecord, key: str
) -> dict[str, Any] | None:
    remote = fetch_dataset(client, dataset) or {}
    matched, _ = match_resources(record, list(remote.get("resources") or []))
    found = matched.get(key)
    return dict(found) if found is not None else None


def _safe_create(
    client: Client,
    action: str,
    data: Mapping[str, Any],
    exists: Callable[[], dict[str, Any] | None],
    files: Mapping[str, Path] | None = None,
) -> dict[str, Any]:
    """A create that is never duplicated: when the answer is lost (connection error, timeout,
    5xx), read the portal; if the object is there, that is the result, else try again."""
    last: PortalError | None = None
    for _ in range(RETRIES):
        try:
            return dict(client.call(action, data, files=files, idempotent=False))
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


def _revise(
    plan: Plan, client: Client, dataset_id: str, step: Callable[[str, str], None]
) -> int | None:
    """All changes of a public dataset in one ``package_revise`` (one transaction): the changed
    dataset fields and the complete new resource list, with every file to upload. Returns the
    number of uploads. On a CKAN without ``package_revise`` (before 2.9): one
    ``package_update`` when no file is uploaded (link mode, or fields only), else ``None``
    (nothing written; :func:`apply` then patches the dataset and one resource after the
    other)."""
    rec = plan.record
    meta_lang = rec.dataset.metadata_language
    remote = fetch_dataset(client, dataset_id) or {}
    by_id = {str(r.get("id")): dict(r) for r in remote.get("resources") or []}
    desired = ckan_dataset(rec, plan.owner_org or plan.organization)
    resources: list[dict[str, Any]] = []
    files: dict[str, Path] = {}
    for c in plan.resources:
        if c.action == "delete":
            continue
        dist = rec.distribution(c.key)
        if c.action == "keep" or dist is None:
            if c.id in by_id:
                resources.append(by_id[c.id])
            continue
        want = ckan_resource(dist, meta_lang, files=plan.files, url=plan.urls.get(c.key, ""))
        base = by_id.get(str(c.id), {}) if c.action != "create" else {}
        resources.append({**base, **want})
        if c.upload:
            files[f"update__resources__{len(resources) - 1}__upload"] = dist.path
    update = {k: desired[k] for k in plan.dataset.fields}
    update["resources"] = resources
    match: dict[str, Any] = {"id": dataset_id}
    if plan.metadata_modified:
        match["metadata_modified"] = plan.metadata_modified
    step("package_revise", rec.dataset.name)
    try:
        client.call(
            "package_revise",
            {"match": match, "filter": ["-resources"], "update": update},
            files=files or None,
            idempotent=False,
        )
    except PortalError as err:
        if err.code != "portal.unknown-action":
            raise
        if files:
            return None
        step("package_update", rec.dataset.name)
        client.call(
            "package_update",
            {**remote, **update, "id": dataset_id},
            idempotent=False,
        )
    return len(files)


def apply(plan: Plan, client: Client, hook: Hook | None = None) -> ApplyResult:
    """Carry out ``plan``: dataset, resources, read-back, then public. Returns what was done.

    A public dataset gets all its changes in one ``package_revise``. Raises
    :class:`PortalError` on a portal failure and when a file read back differs from the local one
    (``portal.verify-failed``); a new dataset then stays private.
    """
    rec = plan.record
    name = rec.dataset.name
    result = ApplyResult()
    note = hook or (lambda step, key: None)

    def step(s: str, key: str) -> None:
        note(s, key)
        result.steps.append(f"{s} {key}")

    meta_lang = rec.dataset.metadata_language
    desired = ckan_dataset(rec, plan.owner_org or plan.organization)
    ds = plan.dataset
    uploaded: set[str] = set()
    switched = None
    if plan.one_switch:
        dataset_id = str(ds.id)
        switched = _revise(plan, client, dataset_id, step)
    if switched is not None:
        result.uploads = switched
        uploaded = {c.key for c in plan.resources if c.upload}
    else:  # a new or private dataset, or no package_revise with files to upload
        if ds.action == "create":
            step("package_create", name)
            payload: dict[str, Any] = {**desired, "private": True}
            if plan.files == "link":  # the whole dataset in one call
                payload["resources"] = [
                    ckan_resource(d, meta_lang, files="link", url=plan.urls[d.key])
                    for d in rec.distributions
                ]
            created = _safe_create(
                client, "package_create", payload, lambda: fetch_dataset(client, name)
            )
            dataset_id = str(created["id"])
        else:
            dataset_id = str(ds.id)
            if ds.action == "update":
                step("package_patch", name)
                client.call(
                    "package_patch", {"id": dataset_id, **{k: desired[k] for k in ds.fields}}
                )
        for c in plan.resources:
            dist = rec.distribution(c.key)
            if c.action == "create" and dist is not None:
                if ds.action == "create" and plan.files == "link":
                    continue  # created with the dataset
                step("resource_create", c.key)
                want = ckan_resource(
                    dist, meta_lang, files=plan.files, url=plan.urls.get(c.key, "")
                )
                _safe_create(
                    client,
                    "resource_create",
                    {"package_id": dataset_id, **want},
                    lambda key=c.key: _find_resource(client, dataset_id, rec, key),  # type: ignore[misc]
                    files={"upload": dist.path} if c.upload else None,
                )
                if c.upload:
                    result.uploads += 1
                    uploaded.add(c.key)
            elif c.action == "update" and dist is not None:
                step("resource_patch", c.key)
                want = ckan_resource(
                    dist, meta_lang, files=plan.files, url=plan.urls.get(c.key, "")
                )
                data = {"id": c.id, **(want if c.upload else {k: want[k] for k in c.fields})}
                client.call(
                    "resource_patch", data, files={"upload": dist.path} if c.upload else None
                )
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
    result.dataset_id = dataset_id
    if not (plan.changed or plan.make_public):
        result.dataset_url = _dataset_url(plan.portal, {"name": name})
        return result
    remote = fetch_dataset(client, dataset_id) or {}
    result.dataset_url = _dataset_url(plan.portal, remote)
    must_verify = set(uploaded)
    if plan.files == "link":  # a link written is read back too (its URL and hash, no download)
        must_verify |= {c.key for c in plan.resources if c.action in ("create", "update")}
    if plan.make_public or remote.get("private"):
        must_verify |= {d.key for d in rec.distributions}
    result.verified = _verify(client, plan, remote, must_verify)
    if remote.get("private"):
        step("make_public", name)
        client.call("package_patch", {"id": dataset_id, "private": False})
        result.made_public = True
    return result


def _dataset_url(portal: str, remote: Mapping[str, Any]) -> str | None:
    return f"{portal.rstrip('/')}/dataset/{remote['name']}" if remote.get("name") else None


def _verify(client: Client, plan: Plan, remote: Mapping[str, Any], keys: set[str]) -> int:
    """Check every resource in ``keys`` on the portal: a stored file is downloaded and its
    SHA-256 compared with the local file; a link must point at the hosted URL with the local
    file's hash and size (the hosted bytes were compared before anything was written)."""
    rec = plan.record
    matched, _ = match_resources(rec, list(remote.get("resources") or []))
    public = not remote.get("private")
    after = (
        "the dataset is public and serves it now; run publish again to repair it"
        if public
        else "the dataset stays private; run publish again"
    )
    n = 0
    for d in rec.distributions:
        if d.key not in keys:
            continue
        r = matched.get(d.key)
        if r is None:
            raise PortalError(
                f"verify: resource {d.key!r} is missing on the portal after the write; {after}",
                code="portal.verify-failed",
                action="verify",
                field=d.key,
            )
        if plan.files == "link":
            want = plan.urls.get(d.key)
            if r.get("url") != want or r.get("hash") != d.sha256:
                raise PortalError(
                    f"verify: resource {d.key!r} on the portal links to {r.get('url')} with hash "
                    f"{str(r.get('hash'))[:12]}..., not to {want} ({d.sha256[:12]}...); {after}",
                    code="portal.verify-failed",
                    action="verify",
                    field=d.key,
                )
        else:
            got = hashlib.sha256(client.download(str(r["url"]))).hexdigest()
            if got != d.sha256 or r.get("hash") != d.sha256:
                raise PortalError(
                    f"verify: {d.key} read back from the portal has SHA-256 {got[:12]}... "
                    f"(stored hash {str(r.get('hash'))[:12]}...), the local file "
                    f"{d.sha256[:12]}...; {after}",
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
    """The outcome of :func:`publish`. ``refused``: the package failed ``check``, the DCAT
    validation or (link mode) the comparison with the hosted files (``issues`` say why) and
    nothing was written. ``plan`` is ``None`` when refused; ``applied`` is ``None`` for a dry
    run. ``downloads`` counts the files read to verify stored or hosted copies."""

    refused: bool
    issues: list[Issue]
    plan: Plan | None = None
    applied: ApplyResult | None = None
    dry_run: bool = False
    downloads: int = 0

    @property
    def ok(self) -> bool:
        return not self.refused

    def summary(self) -> dict[str, Any]:
        return {
            "refused": self.refused,
            "dry_run": self.dry_run,
            "plan": self.plan.to_dict() if self.plan else None,
            "applied": self.applied.to_dict() if self.applied else None,
            "verification_downloads": self.downloads,
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


class _Counting:
    """Counts the downloads a client makes (for :attr:`PublishResult.downloads`)."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.downloads = 0

    def call(
        self,
        action: str,
        data: Mapping[str, Any],
        *,
        files: Mapping[str, Path] | None = None,
        idempotent: bool = True,
    ) -> Any:
        return self.client.call(action, data, files=files, idempotent=idempotent)

    def download(self, url: str) -> bytes:
        self.downloads += 1
        return self.client.download(url)


def publish(
    package_dir: str | Path,
    portal: str,
    organization: str,
    token: str | None,
    *,
    dry_run: bool = False,
    delete_missing: bool = False,
    files: FilesMode | None = None,
    base_url: str | None = None,
    client: Client | None = None,
    hook: Hook | None = None,
    progress: Progress | None = None,
    token_source: str = "OPENDATA_MH_CKAN_TOKEN",
) -> PublishResult:
    """Publish the package in ``package_dir`` to the CKAN at ``portal`` in ``organization``.

    ``files`` is ``upload`` or ``link`` (default: :func:`default_files_mode`); link mode needs
    ``base_url``, the root of the hosted release. Refuses (``refused=True``, nothing written)
    when the package fails ``check`` or the DCAT validation, or a hosted file is missing or
    differs. Otherwise checks the token, reads the portal, plans, and unless ``dry_run``
    applies. A real publish needs a token (:class:`PortalError` ``portal.not-authorized``
    without one). Raises :class:`PortalError` on portal failures and
    :class:`opendata_mh.errors.PackageError` when the package cannot be read.
    """
    validate_token(token, token_source)
    problem = portal_problem(portal)
    if problem:
        raise PortalUsageError(
            f"--portal {portal!r} {problem}", code="publish.bad-url", option="--portal"
        )
    mode: FilesMode = files or default_files_mode(portal)
    if mode == "link" and not base_url:
        raise PortalUsageError(
            "--files link needs --base-url (or $OPENDATA_MH_BASE_URL): the URL the release is "
            "hosted at (the directory that holds <version>/)",
            code="publish.no-base-url",
            option="--base-url",
            field="base_url",
        )
    if mode == "link":
        problem = url_problem(base_url)
        if problem:
            raise PortalUsageError(
                f"--base-url {base_url!r} {problem}",
                code="publish.bad-url",
                option="--base-url",
                field="base_url",
            )
    record, issues = preflight(package_dir)
    if issues:
        return PublishResult(True, issues, dry_run=dry_run)
    if not token and not dry_run:
        raise PortalError(
            f"no API token: set {token_source} (or the variable named by --token-env)",
            code="portal.not-authorized",
            action="publish",
            field="token",
        )
    counting = _Counting(client or RemoteClient(portal, token, progress=progress))
    say = progress or (lambda line: None)
    urls: dict[str, str] = {}
    if mode == "link":
        version = record.dataset.version or ""
        if not version:
            raise PortalError(
                "--files link: the package has no version (datapackage.json 'version'), so "
                "there is no versioned URL to link to",
                code="publish.no-version",
                action="publish",
                field="version",
            )
        assert base_url is not None
        urls = {d.key: hosted_url(base_url, version, d.relpath) for d in record.distributions}
        say(f"comparing {len(urls)} hosted file(s) under {hosted_url(base_url, version, '')}")
        hosted = check_hosted(counting, record, urls)
        if hosted:
            return PublishResult(True, hosted, dry_run=dry_run, downloads=counting.downloads)
    owner_org = organization
    if token:
        owner_org = str(check_token(counting, organization).get("id") or organization)
    remote = fetch_dataset(counting, record.dataset.name)
    stored = stored_hashes(counting, record, remote) if mode == "upload" else {}
    plan = make_plan(
        record,
        remote,
        portal=portal,
        organization=organization,
        owner_org=owner_org,
        delete_missing=delete_missing,
        files=mode,
        urls=urls,
        stored=stored,
    )
    if dry_run:
        return PublishResult(False, [], plan, None, dry_run=True, downloads=counting.downloads)
    applied = apply(plan, counting, hook)
    return PublishResult(False, [], plan, applied, downloads=counting.downloads)


def summarize(changes: Sequence[Change]) -> str:
    """``3 create, 20 unchanged`` style count of changes."""
    counts: dict[str, int] = {}
    for c in changes:
        counts[c.action] = counts.get(c.action, 0) + 1
    return ", ".join(f"{n} {a}" for a, n in sorted(counts.items()))
