"""An in-memory stand-in for a CKAN portal (the :class:`opendata_mh.publish.Client` protocol).

Enough of CKAN's behaviour for the plan/apply unit tests: datasets by name or id, private flag,
patch semantics (top-level keys merged, resources untouched), ``package_revise`` (match, filter
``-resources``, update, ``update__resources__<i>__upload`` files) in one step, uploads served at
``<portal>/dataset/<id>/resource/<rid>/download/<munged file name>`` (CKAN's rewriting of the
name), NotFound as ``portal.not-found``, a token check (``am_following_group``). It records
every call (``calls``) and can fail a chosen call (``fail``). ``hosted`` holds files served at
other URLs (a static host in link mode). ``FakeCkan(revise=False)`` is a CKAN before 2.9: no
``package_revise`` (CKAN's "Action name not known", as ``portal.unknown-action``), and
``package_update`` replaces the dataset: every field it is sent, the resources as listed (a
listed id keeps its resource, a resource without id is new, an unlisted one is deleted).
"""

from __future__ import annotations

import copy
import re
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from opendata_mh.errors import PortalError


def ckan_munge(name: str) -> str:
    """CKAN's rewriting of an uploaded file name (its own copy here, independent of the code
    under test): lower case, spaces to '-', only a-z0-9_.- kept, at most 100 characters."""
    name = re.sub(r"[^a-z0-9_. -]", "", name.lower().strip()).replace(" ", "-")
    name = re.sub(r"-+", "-", name)
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        return name[:100]
    return stem[: 100 - len(ext) - 1] + "." + ext


class FakeCkan:
    def __init__(
        self,
        portal: str = "https://ckan.test",
        orgs: tuple[str, ...] = ("nrm",),
        *,
        revise: bool = True,
    ) -> None:
        self.portal = portal
        self.revise = revise
        self.orgs = {name: {"id": f"org-{name}", "name": name} for name in orgs}
        self.datasets: dict[str, dict[str, Any]] = {}
        self.files: dict[str, bytes] = {}
        self.hosted: dict[str, bytes] = {}
        self.calls: list[str] = []
        self.token_valid = True
        self.other_orgs: dict[str, dict[str, Any]] = {}  # organisations without rights
        self._clock = 0
        self.fail: Callable[[str, Mapping[str, Any]], PortalError | None] = lambda a, d: None

    # -- helpers -------------------------------------------------------------------------------
    def _get(self, ref: str) -> dict[str, Any]:
        for d in self.datasets.values():
            if ref in (d["id"], d["name"]):
                return d
        raise PortalError(f"package_show: Not found: {ref}", code="portal.not-found")

    def _resource(self, rid: str) -> tuple[dict[str, Any], dict[str, Any]]:
        for d in self.datasets.values():
            for r in d["resources"]:
                if r["id"] == rid:
                    return d, r
        raise PortalError("resource not found", code="portal.not-found")

    def _store(self, ds: dict[str, Any], r: dict[str, Any], upload: Path) -> None:
        name = ckan_munge(upload.name)
        url = f"{self.portal}/dataset/{ds['id']}/resource/{r['id']}/download/{name}"
        r["url"] = url
        r["url_type"] = "upload"
        self.files[url] = upload.read_bytes()

    def _touch(self, ds: dict[str, Any]) -> None:
        self._clock += 1
        ds["metadata_modified"] = f"2026-01-01T00:00:{self._clock:06d}"

    # -- protocol ------------------------------------------------------------------------------
    def call(
        self,
        action: str,
        data: Mapping[str, Any],
        *,
        files: Mapping[str, Path] | None = None,
        idempotent: bool = True,
        upload: Path | None = None,  # the publisher's former signature
    ) -> Any:
        upload = upload or (files or {}).get("upload")
        self.calls.append(action)
        err = self.fail(action, data)
        if err is not None:
            raise err
        data = copy.deepcopy(dict(data))
        if action == "organization_list_for_user":
            return list(self.orgs.values()) if self.token_valid else []
        if action == "am_following_group":
            if not any(data["id"] in (o["id"], o["name"]) for o in self.all_orgs()):
                raise PortalError("am_following_group: id: Not found", code="portal.validation")
            if not self.token_valid:
                raise PortalError("Access denied", code="portal.not-authorized")
            return False
        if action == "package_show":
            return copy.deepcopy(self._get(data["id"]))
        if action == "package_create":
            if data["name"] in self.datasets:
                raise PortalError(
                    "package_create: name: That URL is already in use.",
                    code="portal.name-in-use",
                    action="package_create",
                    field="name",
                )
            org = next(o for o in self.orgs.values() if data["owner_org"] in (o["id"], o["name"]))
            ds = {
                **data,
                "id": str(uuid.uuid4()),
                "owner_org": org["id"],
                "organization": dict(org),
                "state": "active",
                "private": bool(data.get("private", False)),
                "resources": [],
                "metadata_modified": "",
            }
            for res in data.get("resources") or []:
                ds["resources"].append({**res, "id": str(uuid.uuid4()), "package_id": ds["id"]})
            self._touch(ds)
            self.datasets[ds["name"]] = ds
            return copy.deepcopy(ds)
        if action == "package_patch":
            ds = self._get(data.pop("id"))
            assert "resources" not in data, "patch must never send a resource list"
            ds.update(data)
            self._touch(ds)
            return copy.deepcopy(ds)
        if action == "package_revise" and not self.revise:
            raise PortalError(
                "package_revise: the portal does not know the action package_revise (an older "
                "CKAN)",
                code="portal.unknown-action",
                action="package_revise",
            )
        if action == "package_update":
            if self.revise:
                raise AssertionError("package_update on a CKAN with package_revise")
            ds = self._get(data["id"])
            keep = {k: ds[k] for k in ("id", "name", "owner_org", "organization", "state")}
            old = {r["id"]: r for r in ds["resources"]}
            resources = []
            for r in data.pop("resources", []):
                rid = r.get("id")
                base = old.get(rid, {}) if rid else {}
                resources.append({**r, "id": rid or str(uuid.uuid4()), "package_id": ds["id"]})
                if base.get("url_type") == "upload" and "url" not in r:
                    resources[-1]["url"] = base["url"]
            ds.clear()
            ds.update({**data, **keep, "resources": resources})
            self._touch(ds)
            return copy.deepcopy(ds)
        if action == "package_revise":
            ds = self._get(data["match"]["id"])
            for k, v in data["match"].items():
                if ds.get(k) != v:
                    raise PortalError(f"match: {k}", code="portal.changed-meanwhile")
            update = copy.deepcopy(data.get("update") or {})
            if "-resources" in (data.get("filter") or []):
                ds["resources"] = []
            for r in update.pop("resources", []):
                r.setdefault("id", str(uuid.uuid4()))
                r["package_id"] = ds["id"]
                ds["resources"].append(r)
            ds.update(update)
            for key, path in (files or {}).items():
                index = int(key.split("__")[2])
                self._store(ds, ds["resources"][index], path)
            self._touch(ds)
            return {"package": copy.deepcopy(ds)}
        if action == "resource_create":
            ds = self._get(data.pop("package_id"))
            r = {**data, "id": str(uuid.uuid4()), "package_id": ds["id"]}
            if upload is not None:
                self._store(ds, r, upload)
            ds["resources"].append(r)
            self._touch(ds)
            return copy.deepcopy(r)
        if action == "resource_patch":
            ds, r = self._resource(data.pop("id"))
            r.update(data)
            if upload is not None:
                self._store(ds, r, upload)
            self._touch(ds)
            return copy.deepcopy(r)
        if action == "resource_delete":
            ds, r = self._resource(data["id"])
            ds["resources"].remove(r)
            self._touch(ds)
            return None
        raise AssertionError(f"unexpected action {action}")

    def all_orgs(self) -> list[dict[str, Any]]:
        return list(self.orgs.values()) + list(self.other_orgs.values())

    def download(self, url: str) -> bytes:
        self.calls.append("download")
        if url in self.hosted:
            return self.hosted[url]
        if url not in self.files:
            raise PortalError(f"download: GET {url}: HTTP 404", code="portal.not-found")
        return self.files[url]
