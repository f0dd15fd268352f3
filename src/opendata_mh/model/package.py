"""``package.toml``: the package's own metadata (titles, licences, contributors, sources with their
reference dates, units) as :class:`PackageMeta`, and its loader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from opendata_mh.model._collect import _check_keys, _Collector
from opendata_mh.model.constants import ID_RE


@dataclass(frozen=True)
class License:
    name: str
    path: str
    title: str


@dataclass(frozen=True)
class Contributor:
    title: str
    role: str
    path: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    title_en: str
    path: str | None = None
    printed: str | None = None
    reference_date: str | None = None


@dataclass(frozen=True)
class Unit:
    id: str
    title: str
    title_en: str


@dataclass(frozen=True)
class PackageMeta:
    name: str
    version: str
    title: str
    title_en: str
    description: str
    description_en: str
    homepage: str | None
    language: tuple[str, ...]
    keywords: tuple[str, ...]
    temporal_start: str | None
    temporal_end: str | None
    licenses: tuple[License, ...]
    contributors: tuple[Contributor, ...]
    sources: tuple[Source, ...]
    units: tuple[Unit, ...]
    edition: str | None = None
    created: str | None = None
    extra: tuple[tuple[str, Any], ...] = ()
    revision_model: str = "monotone"
    revision_bound: int | None = None

    def source(self, sid: str) -> Source:
        return next(s for s in self.sources if s.id == sid)

    def unit(self, uid: str) -> Unit:
        return next(u for u in self.units if u.id == uid)


_PACKAGE_KEYS = {
    "name",
    "edition",
    "version",
    "title",
    "title_en",
    "description",
    "description_en",
    "homepage",
    "language",
    "keywords",
    "created",
    "temporal",
    "licenses",
    "contributors",
    "sources",
    "units",
    "revisions",
}
REVISION_MODELS = ("monotone", "either", "none")
"""The attacker's model of revisions between editions (``[revisions] model`` in package.toml):
``monotone`` (late registrations only add: a later edition's count >= the earlier one's),
``either`` (a revision moves a count by at most ``bound`` either way), ``none`` (editions
taken as independent)."""
_CONTRIBUTOR_ROLES = {"author", "publisher", "maintainer", "wrangler", "contributor"}


def _load_package(data: dict[str, Any], col: _Collector) -> PackageMeta:
    f = "package.toml"
    name = col.str_(data, "name", f)
    version = col.str_(data, "version", f)
    if version and not re.match(r"^\d{4}\.\d+\.\d+$", version):
        col.add(f, f"version {version!r} must look like '2023.<n>.<m>'", field="version")
    edition = col.opt_str(data, "edition", f)
    if edition and version and not version.startswith(edition + "."):
        col.add(
            f, f"version {version!r} does not start with the edition {edition!r}", field="version"
        )
    temporal = data.get("temporal") or {}
    t_start = t_end = None
    if temporal:
        if not isinstance(temporal, dict):
            col.add(f, "'temporal' must be a table {start, end}", field="temporal")
        else:
            t_start = temporal.get("start") if isinstance(temporal.get("start"), str) else None
            t_end = temporal.get("end") if isinstance(temporal.get("end"), str) else None
            for k, v in (("start", t_start), ("end", t_end)):
                if v is None or not re.match(r"^\d{4}-\d{2}-\d{2}$", v):
                    col.add(f, f"temporal.{k} must be a date YYYY-MM-DD", field=f"temporal.{k}")
    licenses = []
    raw_lic = data.get("licenses")
    if not isinstance(raw_lic, list) or not raw_lic:
        col.add(f, "at least one [[licenses]] entry is required", field="licenses")
    else:
        for i, lic in enumerate(raw_lic, 1):
            licenses.append(
                License(
                    name=col.str_(lic, "name", f, row=i),
                    path=col.str_(lic, "path", f, row=i),
                    title=col.str_(lic, "title", f, row=i),
                )
            )
    contributors = []
    for i, c in enumerate(data.get("contributors") or [], 1):
        role = col.str_(c, "role", f, row=i, table="contributors")
        if role and role not in _CONTRIBUTOR_ROLES:
            col.add(
                f,
                f"contributor role {role!r} is not one of {sorted(_CONTRIBUTOR_ROLES)}",
                table="contributors",
                row=i,
                field="role",
            )
        contributors.append(
            Contributor(
                title=col.str_(c, "title", f, row=i, table="contributors"),
                role=role,
                path=col.opt_str(c, "path", f),
                email=col.opt_str(c, "email", f),
            )
        )
    sources = []
    seen: set[str] = set()
    raw_src = data.get("sources")
    if not isinstance(raw_src, list) or not raw_src:
        col.add(f, "at least one [[sources]] entry is required", field="sources")
        raw_src = []
    for i, s in enumerate(raw_src, 1):
        sid = col.str_(s, "id", f, row=i, table="sources")
        if sid and not ID_RE.match(sid):
            col.add(
                f, f"source id {sid!r} must match [a-z0-9_]+", table="sources", row=i, field="id"
            )
        if sid in seen:
            col.add(f, f"duplicate source id {sid!r}", table="sources", row=i, field="id")
        seen.add(sid)
        ref = col.opt_str(s, "reference_date", f)
        if ref and not re.match(r"^\d{4}-\d{2}-\d{2}$", ref):
            col.add(
                f,
                f"reference_date {ref!r} must be YYYY-MM-DD",
                table="sources",
                row=i,
                field="reference_date",
            )
        _check_keys(
            s,
            {"id", "title", "title_en", "path", "printed", "reference_date"},
            f,
            col,
            table="sources",
            row=i,
        )
        sources.append(
            Source(
                id=sid,
                title=col.str_(s, "title", f, table="sources", row=i),
                title_en=col.str_(s, "title_en", f, table="sources", row=i),
                path=col.opt_str(s, "path", f),
                printed=col.opt_str(s, "printed", f),
                reference_date=ref,
            )
        )
    units = []
    raw_units = data.get("units")
    if not isinstance(raw_units, dict) or not raw_units:
        col.add(f, "at least one [units.<id>] table is required", field="units")
        raw_units = {}
    for uid, u in raw_units.items():
        if not ID_RE.match(uid):
            col.add(f, f"unit id {uid!r} must match [a-z0-9_]+", table="units", field=uid)
        if not isinstance(u, dict):
            col.add(f, f"units.{uid} must be a table", table="units", field=uid)
            continue
        units.append(
            Unit(
                uid,
                col.str_(u, "title", f, table=f"units.{uid}"),
                col.str_(u, "title_en", f, table=f"units.{uid}"),
            )
        )
    language = data.get("language") or []
    keywords = data.get("keywords") or []
    if not isinstance(language, list) or not all(isinstance(x, str) for x in language):
        col.add(f, "'language' must be a list of strings", field="language")
        language = []
    if not isinstance(keywords, list) or not all(isinstance(x, str) for x in keywords):
        col.add(f, "'keywords' must be a list of strings", field="keywords")
        keywords = []
    created = data.get("created")
    if created is not None and not isinstance(created, str):
        created = str(created)
    extra = tuple((k, v) for k, v in data.items() if k not in _PACKAGE_KEYS)
    rev_model, rev_bound = _load_revisions(data.get("revisions"), f, col)
    return PackageMeta(
        name=name,
        version=version,
        title=col.str_(data, "title", f),
        title_en=col.str_(data, "title_en", f),
        description=col.str_(data, "description", f),
        description_en=col.str_(data, "description_en", f),
        homepage=col.opt_str(data, "homepage", f),
        language=tuple(language),
        keywords=tuple(keywords),
        temporal_start=t_start,
        temporal_end=t_end,
        licenses=tuple(licenses),
        contributors=tuple(contributors),
        sources=tuple(sources),
        units=tuple(units),
        edition=edition,
        created=created or None,
        extra=extra,
        revision_model=rev_model,
        revision_bound=rev_bound,
    )


def _load_revisions(raw: Any, f: str, col: _Collector) -> tuple[str, int | None]:
    """``[revisions]``: ``model`` (:data:`REVISION_MODELS`, default monotone) and ``bound``
    (required for ``either``: the most a revision moves a count, an integer >= 0)."""
    if raw is None:
        return "monotone", None
    if not isinstance(raw, dict):
        col.add(f, "'revisions' must be a table {model, bound}", field="revisions")
        return "monotone", None
    _check_keys(raw, {"model", "bound"}, f, col, table="revisions")
    model = raw.get("model", "monotone")
    if model not in REVISION_MODELS:
        col.add(
            f,
            f"revisions.model {model!r} is not one of {list(REVISION_MODELS)}",
            field="revisions.model",
        )
        model = "monotone"
    bound = raw.get("bound")
    if model == "either":
        if type(bound) is not int or bound < 0:
            col.add(
                f,
                "revisions.bound must be an integer >= 0 with model 'either'",
                field="revisions.bound",
            )
            bound = 0
    elif bound is not None:
        col.add(
            f,
            f"revisions.bound applies to model 'either' only, not {model!r}",
            field="revisions.bound",
        )
        bound = None
    return str(model), bound
