"""An in-memory stand-in for a CKAN portal (the :class:`opendata_mh.publish.Client` protocol).

Enough of CKAN's behaviour for the plan/apply unit tests: datasets by name or id, private flag,
patch semantics (top-level keys merged, resources untouched), uploads served at
``<portal>/dataset/<id>/resource/<rid>/download/<file name>``, NotFound as ``portal.not-found``.
It records every call (``calls``) and can fail a chosen call (``fail``).
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from opendata_mh.errors import PortalError


class FakeCkan:
    def __init__(self, portal: str = "http://ckan.test", orgs: tuple[str, ...] = ("nrm",)) -> None:
        self.portal = portal
        self.orgs = {name: {"id": f"org-{name}", "name": name} for name in orgs}
        self.datasets: dict[str, dict[str, Any]] = {}
        self.files: dict[str, bytes] = {}
        self.calls: list[str] = []
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
        url = f"{self.portal}/dataset/{ds['id']}/resource/{r['id']}/download/{upload.name}"
        r["url"] = url
        r["url_type"] = "upload"
        self.files[url] = upload.read_bytes()

    # -- protocol ------------------------------------------------------------------------------
    def call(
        self,
        action: str,
        data: Mapping[str, Any],
        *,
        upload: Path | None = None,
        idempotent: bool = True,
    ) -> Any:
        self.calls.append(action)
        err = self.fail(action, data)
        if err is not None:
            raise err
        data = copy.deepcopy(dict(data))
        if action == "organization_list_for_user":
            return list(self.orgs.values())
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
            }
            self.datasets[ds["name"]] = ds
            return copy.deepcopy(ds)
        if action == "package_patch":
            ds = self._get(data.pop("id"))
            assert "resources" not in data, "patch must never send a resource list"
            ds.update(data)
            return copy.deepcopy(ds)
        if action == "resource_create":
            ds = self._get(data.pop("package_id"))
            r = {**data, "id": str(uuid.uuid4()), "package_id": ds["id"]}
            assert upload is not None
            self._store(ds, r, upload)
            ds["resources"].append(r)
            return copy.deepcopy(r)
        if action == "resource_patch":
            ds, r = self._resource(data.pop("id"))
            r.update(data)
            if upload is not None:
                self._store(ds, r, upload)
            return copy.deepcopy(r)
        if action == "resource_delete":
            ds, r = self._resource(data["id"])
            ds["resources"].remove(r)
            return None
        raise AssertionError(f"unexpected action {action}")

    def download(self, url: str) -> bytes:
        self.calls.append("download")
        return self.files[url]
