"""One DCAT-shaped catalogue record of a data package, checked against the DCAT-AP-DONL lists.

The record is built from the package alone (``datapackage.json`` and the files it names, plus a
``docs/`` directory if the package has one). Both readers of catalogue metadata use it and nothing
else: :mod:`opendata_mh.publish` maps it to a CKAN dataset for data.overheid.nl (DCAT-AP-DONL 1.1)
and :mod:`opendata_mh.rdf` serialises it as DCAT-AP-NL 3.0.

Where the values come from:

- the ``dcat`` table of ``metadata/package.toml`` (copied into ``datapackage.json`` as ``dcat``):
  CKAN name, identifier URI, authority/publisher, themes, licence, access rights, frequency,
  issued/modified dates, contact point, DCAT-AP-NL 3.0 organisation and EU theme;
- the rest of the descriptor: title, description, keywords, languages, temporal coverage,
  homepage (landing page), sources (source URIs), version;
- the files: one :class:`Distribution` per local file of a resource (CSV, Parquet, ...), one for
  ``datapackage.json`` and one per file under ``docs/`` (a codebook, for instance). Each carries
  its byte size and SHA-256, which the publisher stores on the portal to detect changes.

Conventions:

- Distributions are keyed by **file name** (the last path segment). The key is unique within a
  record and is the name the file is uploaded under, so a portal resource is matched to its local
  file by the file name in its URL. Two files with the same name are a finding.
- Dates are ``YYYY-MM-DD`` in the record; each serialiser formats them as its profile wants.
- :func:`validate_record` returns findings (``dcat.*`` issue codes), never raises: every value is
  checked against the value lists before any request is made. Each message names the field, the
  value and what is allowed.

Value lists: :func:`value_lists` reads ``opendata_mh/data/donl/`` (the subset of the DCAT-AP-DONL
1.1 lists known to be accepted by data.overheid.nl; provenance in that directory's README.md).

Errors: :class:`opendata_mh.errors.PackageError` when the package cannot be read.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources as importlib_resources
from pathlib import Path
from typing import Any

from opendata_mh.errors import PackageError
from opendata_mh.paths import ResourcePathError, resolve_resource_path
from opendata_mh.report import Issue

# ------------------------------------------------------------------------------------------------
# Value lists
# ------------------------------------------------------------------------------------------------

LANGUAGE_URI = "http://publications.europa.eu/resource/authority/language/"
FILE_TYPE_URI = "http://publications.europa.eu/resource/authority/file-type/"
IANA_URI = "https://www.iana.org/assignments/media-types/"
DISTRIBUTION_COMPLETED = "http://purl.org/adms/status/Completed"
DATASET_AVAILABLE = "http://data.overheid.nl/status/beschikbaar"

#: ISO 639-1 code (as in ``datapackage.json`` ``language``) -> EU language authority code.
ISO639_1_TO_EU = {"nl": "NLD", "en": "ENG", "fy": "FRY", "de": "DEU", "fr": "FRA"}

#: File extension -> (MDR file-type code, IANA media type). Unknown extensions are a finding.
EXTENSIONS: dict[str, tuple[str, str]] = {
    "csv": ("CSV", "text/csv"),
    "json": ("JSON", "application/json"),
    "parquet": ("PARQUET", "application/vnd.apache.parquet"),
    "pdf": ("PDF", "application/pdf"),
    "md": ("TXT", "text/markdown"),
    "txt": ("TXT", "text/plain"),
    "html": ("HTML", "text/html"),
    "xml": ("XML", "application/xml"),
    "zip": ("ZIP", "application/zip"),
    "xlsx": (
        "XLSX",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
}

#: Open licences: with status "available" and access rights PUBLIC, DONL forbids the others.
NON_OPEN_LICENSES = frozenset(
    {
        "http://standaarden.overheid.nl/owms/terms/geslotenlicentie",
        "http://standaarden.overheid.nl/owms/terms/licentieonbekend",
    }
)

_MAPPING_FILES = {
    "DONL:Organization": "NGR__Dataset__Authority.json",
    "DONL:License": "NGR__Dataset__License.json",
    "DONL:Language": "NGR__Dataset__Language.json",
    "MDR:FiletypeNAL": "NGR__Distribution__Format.json",
    "IANA:Mediatypes": "NGR__Distribution__Mediatype.json",
    "Overheid:Frequency": "CBS__Dataset__Frequency.json",
    "Overheid:Openbaarheidsniveau": "Eindhoven__Dataset__AccessRights.json",
}
_TYPOS = frozenset({"http://publications.europa.eu/resource/authority/access-right/RESTRICED"})


def _data_file(name: str) -> Any:
    ref = importlib_resources.files("opendata_mh").joinpath("data", "donl", name)
    return json.loads(ref.read_text(encoding="utf-8"))


@cache
def value_lists() -> dict[str, frozenset[str]]:
    """The DCAT-AP-DONL 1.1 value lists by their DONL name (``DONL:License``, ...).

    Returns ``{list name: frozenset of URIs}``: the ``target_value``s of DONL's own import mappings,
    every theme and parent theme of the taxonomy, and the values of ``extra.json`` (each with its
    source). A subset of the production lists; see ``opendata_mh/data/donl/README.md``.
    """
    lists: dict[str, set[str]] = {}
    for list_name, fname in _MAPPING_FILES.items():
        lists[list_name] = {e["target_value"] for e in _data_file(fname)} - _TYPOS
    themes = _data_file("hierarchy_theme.json")
    lists["Overheid:TaxonomieBeleidsagenda"] = set(themes) | {v[0] for v in themes.values()}
    for list_name, values in _data_file("extra.json").items():
        if not list_name.startswith("_"):
            lists.setdefault(list_name, set()).update(values)
    return {k: frozenset(v) for k, v in lists.items()}


# ------------------------------------------------------------------------------------------------
# The record
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContactPoint:
    name: str
    email: str | None = None
    website: str | None = None


@dataclass(frozen=True)
class Distribution:
    """One file of the package as a DCAT distribution.

    ``key`` is the file name (unique in the record); ``path`` the absolute local path; ``relpath``
    the path inside the package (POSIX). ``format`` is an MDR file-type URI, ``media_type`` an IANA
    media-type URI and ``mimetype`` the plain media type (``text/csv``). ``byte_size`` in bytes;
    ``sha256`` the hex digest of the bytes. ``role`` is ``table``, ``descriptor`` or ``docs``.
    """

    key: str
    path: Path
    relpath: str
    role: str
    title: str
    description: str
    format: str
    media_type: str
    mimetype: str
    language: tuple[str, ...]
    license: str
    byte_size: int
    sha256: str
    title_en: str | None = None
    conforms_to: tuple[str, ...] = ()


@dataclass(frozen=True)
class Dataset:
    """The package as a DCAT dataset (values are URIs where the profile wants URIs).

    Dates (``issued``, ``modified``, ``temporal_start``, ``temporal_end``) are ``YYYY-MM-DD``.
    ``theme`` holds DONL taxonomy URIs (DCAT-AP-DONL 1.1); ``theme_eu`` EU data-theme URIs
    (DCAT-AP-NL 3.0). ``authority``/``publisher`` are DONL:Organization URIs; ``organization_tooi``
    the TOOI URI of the same organisation (DCAT-AP-NL 3.0).
    """

    name: str
    identifier: str
    title: str
    description: str
    language: tuple[str, ...]
    metadata_language: str
    authority: str
    publisher: str
    contact_point: ContactPoint
    license: str
    theme: tuple[str, ...]
    modified: str
    access_rights: str
    frequency: str | None = None
    issued: str | None = None
    temporal_start: str | None = None
    temporal_end: str | None = None
    landing_page: str | None = None
    keywords: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    conforms_to: tuple[str, ...] = ()
    version: str | None = None
    title_en: str | None = None
    description_en: str | None = None
    theme_eu: tuple[str, ...] = ()
    organization_name: str | None = None
    organization_tooi: str | None = None
    creator_name: str | None = None
    status: str = DATASET_AVAILABLE

    @property
    def temporal_label(self) -> str | None:
        if self.temporal_start and self.temporal_end:
            return f"{self.temporal_start[:4]}-{self.temporal_end[:4]}"
        return None


@dataclass(frozen=True)
class CatalogRecord:
    """A dataset and its distributions (in a stable order: resources, descriptor, docs)."""

    dataset: Dataset
    distributions: tuple[Distribution, ...]
    base_path: Path
    problems: tuple[Issue, ...] = field(default=(), compare=False)

    def distribution(self, key: str) -> Distribution | None:
        return next((d for d in self.distributions if d.key == key), None)


def munge_filename(name: str) -> str:
    """The name CKAN stores an uploaded file under (``ckan.lib.munge.munge_filename``): lower
    case, ASCII, only ``a-z0-9_.-`` with spaces as ``-``, the extension kept (at most 21
    characters) and the whole at most 100 characters. ``docs/README.md`` -> ``readme.md``."""
    import unicodedata

    name = name.replace("\\", "/").rsplit("/", 1)[-1].lower().strip()
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    name = re.sub(r"[^a-zA-Z0-9_. -]", "", name).replace(" ", "-")
    name = re.sub(r"-+", "-", name)
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        stem, ext = name, ""
    else:
        ext = ("." + ext)[:21]
    stem = stem.ljust(max(1, 3 - len(ext)), "_")[: 100 - len(ext)]
    return stem + ext


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB chunks."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _s(x: Any) -> str | None:
    return x if isinstance(x, str) and x.strip() else None


def _strs(x: Any) -> tuple[str, ...]:
    if isinstance(x, str):
        return (x,)
    if isinstance(x, list):
        return tuple(v for v in x if isinstance(v, str))
    return ()


def _languages(desc: Mapping[str, Any], problems: list[Issue]) -> tuple[str, ...]:
    out = []
    for code in _strs(desc.get("language")) or ("nl",):
        eu = ISO639_1_TO_EU.get(code.lower())
        if eu is None:
            problems.append(
                Issue(
                    "dcat.invalid-value",
                    "error",
                    f"language: {code!r} has no DCAT language URI; allowed ISO 639-1 codes: "
                    f"{', '.join(sorted(ISO639_1_TO_EU))}",
                    field="language",
                )
            )
            continue
        out.append(LANGUAGE_URI + eu)
    return tuple(out)


def _file_distribution(
    base: Path,
    relpath: str,
    role: str,
    title: str,
    description: str,
    language: tuple[str, ...],
    license_uri: str,
    problems: list[Issue],
    title_en: str | None = None,
    conforms_to: tuple[str, ...] = (),
) -> Distribution | None:
    try:  # the one resolver of every command: inside the package, no symlink out, existing
        path = resolve_resource_path(base, relpath, relpath)
    except ResourcePathError as exc:
        code = "dcat.missing-file" if exc.code == "package.missing-file" else exc.code
        problems.append(Issue(code, "error", str(exc), resource=relpath))
        return None
    ext = path.suffix.lower().lstrip(".")
    ftype, mime = EXTENSIONS.get(ext, ("", ""))
    if not ftype:
        problems.append(
            Issue(
                "dcat.invalid-value",
                "error",
                f"format: file extension {ext!r} of {relpath} has no DCAT file type; allowed: "
                f"{', '.join(sorted(EXTENSIONS))}",
                resource=path.name,
                field="format",
            )
        )
    return Distribution(
        key=path.name,
        path=path,
        relpath=relpath,
        role=role,
        title=title,
        description=description,
        format=FILE_TYPE_URI + ftype if ftype else "",
        media_type=IANA_URI + mime if mime else "",
        mimetype=mime,
        language=language,
        license=license_uri,
        byte_size=path.stat().st_size,
        sha256=sha256_file(path),
        title_en=title_en,
        conforms_to=conforms_to,
    )


def _date(x: Any) -> str | None:
    s = _s(x) if not hasattr(x, "isoformat") else x.isoformat()
    return s[:10] if s else None


def read_descriptor(package_dir: str | Path) -> tuple[Path, dict[str, Any]]:
    """``(package directory, parsed datapackage.json)``; :class:`PackageError` if unreadable."""
    p = Path(package_dir)
    desc_path = p if p.is_file() else p / "datapackage.json"
    try:
        desc = json.loads(desc_path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise PackageError(
            f"{desc_path}: no datapackage.json; run 'opendata-mh generate' first"
        ) from exc
    except (OSError, ValueError) as exc:
        raise PackageError(f"{desc_path}: cannot read the descriptor: {exc}") from exc
    if not isinstance(desc, dict):
        raise PackageError(f"{desc_path}: the descriptor is not a JSON object")
    return desc_path.parent, desc


def build_record(package_dir: str | Path) -> CatalogRecord:
    """The catalogue record of the package in ``package_dir`` (directory or its datapackage.json).

    Reads the descriptor and hashes every file it publishes. Problems found while building (a
    missing file, an unknown extension, a language without URI) are kept in ``record.problems``
    and reported again by :func:`validate_record`; missing *values* stay empty strings here and
    are reported there. Raises :class:`PackageError` when the descriptor cannot be read.
    """
    base, desc = read_descriptor(package_dir)
    problems: list[Issue] = []
    meta = desc.get("dcat") if isinstance(desc.get("dcat"), dict) else {}
    assert isinstance(meta, dict)
    contact = meta.get("contact_point") if isinstance(meta.get("contact_point"), dict) else {}
    assert isinstance(contact, dict)
    languages = _languages(desc, problems)
    license_uri = _s(meta.get("license")) or ""
    temporal = (
        desc.get("temporalCoverage") if isinstance(desc.get("temporalCoverage"), dict) else {}
    )
    assert isinstance(temporal, dict)
    sources = tuple(
        s["path"]
        for s in desc.get("sources") or []
        if isinstance(s, dict) and isinstance(s.get("path"), str)
    )
    dataset = Dataset(
        name=_s(meta.get("name")) or _s(desc.get("name")) or "",
        identifier=_s(meta.get("identifier")) or "",
        title=_s(desc.get("title")) or "",
        title_en=_s(desc.get("title_en")),
        description=_s(desc.get("description")) or "",
        description_en=_s(desc.get("description_en")),
        language=languages,
        metadata_language=_s(meta.get("metadata_language")) or (languages[:1] or ("",))[0],
        authority=_s(meta.get("authority")) or "",
        publisher=_s(meta.get("publisher")) or "",
        contact_point=ContactPoint(
            name=_s(contact.get("name")) or "",
            email=_s(contact.get("email")),
            website=_s(contact.get("website")),
        ),
        license=license_uri,
        theme=_strs(meta.get("theme")),
        theme_eu=_strs(meta.get("theme_eu")),
        modified=_date(meta.get("modified")) or "",
        issued=_date(meta.get("issued")),
        access_rights=_s(meta.get("access_rights")) or "",
        frequency=_s(meta.get("frequency")),
        temporal_start=_date(temporal.get("start")),
        temporal_end=_date(temporal.get("end")),
        landing_page=_s(desc.get("homepage")),
        keywords=_strs(desc.get("keywords")),
        sources=tuple(dict.fromkeys(sources)),
        conforms_to=_strs(meta.get("conforms_to")),
        version=_s(desc.get("version")),
        organization_name=_s(meta.get("organization_name")),
        organization_tooi=_s(meta.get("organization_tooi")),
        creator_name=_s(meta.get("creator_name")),
    )
    dists: list[Distribution] = []
    for res in desc.get("resources") or []:
        if not isinstance(res, dict):
            continue
        for rel in _strs(res.get("path")):
            if "://" in rel:
                continue  # remote data: not a file of the package
            ext = Path(rel).suffix.lstrip(".").upper()
            title = _s(res.get("title")) or _s(res.get("name")) or rel
            title_en = _s(res.get("title_en"))
            d = _file_distribution(
                base,
                rel,
                "table",
                f"{title} ({ext})",
                _s(res.get("description")) or title,
                languages,
                license_uri,
                problems,
                title_en=f"{title_en} ({ext})" if title_en else None,
            )
            if d:
                dists.append(d)
    d = _file_distribution(
        base,
        "datapackage.json",
        "descriptor",
        "Beschrijving van het datapakket (datapackage.json)",
        "Frictionless Data Package: de beschrijving van alle tabellen (kolommen, codes, eenheden, "
        "bronnen), de relaties tussen cellen en de regels voor onthullingsbeheersing.",
        languages,
        license_uri,
        problems,
        title_en="Data package descriptor (datapackage.json)",
        conforms_to=("https://datapackage.org/standard/data-package/",),
    )
    if d:
        dists.append(d)
    docs = base / "docs"
    if docs.is_dir():
        for f in sorted(p for p in docs.rglob("*") if p.is_file() and not p.name.startswith(".")):
            rel = f.relative_to(base).as_posix()
            d = _file_distribution(
                base,
                rel,
                "docs",
                f"Documentatie: {f.name}",
                f"Documentatie bij het datapakket ({rel}).",
                languages,
                license_uri,
                problems,
                title_en=f"Documentation: {f.name}",
            )
            if d:
                dists.append(d)
    seen: dict[str, str] = {}
    for d in dists:
        for key in dict.fromkeys((d.key, munge_filename(d.key))):
            if key in seen:
                problems.append(
                    Issue(
                        "dcat.duplicate-file-name",
                        "error",
                        f"{d.relpath} and {seen[key]} have the same file name {key!r} on a "
                        "portal (CKAN stores uploads in lower case, spaces as '-', at most 100 "
                        "characters); file names identify resources and must be unique",
                        resource=d.key,
                    )
                )
                break
        for key in (d.key, munge_filename(d.key)):
            seen.setdefault(key, d.relpath)
    return CatalogRecord(dataset, tuple(dists), base, tuple(problems))


# ------------------------------------------------------------------------------------------------
# Validation against DCAT-AP-DONL 1.1
# ------------------------------------------------------------------------------------------------

_NAME_RE = re.compile(r"^[a-z0-9_-]{2,100}$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _is_uri(v: str) -> bool:
    return bool(re.match(r"^https?://[^\s/]+\.[^\s/]+(/\S*)?$", v))


def _allowed(list_name: str, values: frozenset[str], value: str) -> str:
    if len(values) <= 12:
        return f"allowed ({list_name}): {', '.join(sorted(values))}"
    close = difflib.get_close_matches(value, sorted(values), n=3, cutoff=0.6)
    hint = f"; closest: {', '.join(close)}" if close else ""
    return (
        f"allowed: one of the {len(values)} values of {list_name} "
        f"(src/opendata_mh/data/donl/){hint}"
    )


def validate_record(record: CatalogRecord) -> list[Issue]:
    """Every problem of the record for DCAT-AP-DONL 1.1, before any request (no network).

    Issue codes: ``dcat.missing-field`` (a required field is empty), ``dcat.not-in-value-list``
    (a value outside its value list: the message names the field, the value and what is
    allowed), ``dcat.invalid-value`` (not a URI, a date that is not ``YYYY-MM-DD``, a bad CKAN
    name, temporal start after end, a closed licence on a public dataset, no contact channel),
    plus the problems found while building the record (``dcat.missing-file``,
    ``dcat.duplicate-file-name``). ``resource`` is the distribution key (file name) for
    distribution fields, ``field`` the CKAN/DONL field name.
    """
    vl = value_lists()
    ds = record.dataset
    issues: list[Issue] = list(record.problems)

    def add(code: str, msg: str, fld: str, resource: str | None = None) -> None:
        issues.append(Issue(code, "error", msg, resource=resource, field=fld))

    def required(fld: str, value: object, resource: str | None = None) -> bool:
        if value in ("", None, ()):
            add("dcat.missing-field", f"{fld}: required by DCAT-AP-DONL 1.1", fld, resource)
            return False
        return True

    def in_list(fld: str, list_name: str, value: str, resource: str | None = None) -> None:
        values = vl.get(list_name, frozenset())
        if value not in values:
            add(
                "dcat.not-in-value-list",
                f"{fld}: {value!r} is not in the value list {list_name}; "
                + _allowed(list_name, values, value),
                fld,
                resource,
            )

    for fld, value in (("title", ds.title), ("notes", ds.description)):
        required(fld, value)
    if required("name", ds.name) and not _NAME_RE.match(ds.name):
        add(
            "dcat.invalid-value",
            f"name: {ds.name!r} must be 2-100 characters of a-z, 0-9, '-' and '_'",
            "name",
        )
    if required("identifier", ds.identifier) and not _is_uri(ds.identifier):
        add("dcat.invalid-value", f"identifier: {ds.identifier!r} is not a URI", "identifier")
    if required("metadata_language", ds.metadata_language):
        in_list("metadata_language", "DONL:Language", ds.metadata_language)
    if required("language", ds.language):
        for v in ds.language:
            in_list("language", "DONL:Language", v)
    for fld in ("authority", "publisher"):
        if required(fld, getattr(ds, fld)):
            in_list(fld, "DONL:Organization", getattr(ds, fld))
    required("contact_point_name", ds.contact_point.name)
    if not (ds.contact_point.email or ds.contact_point.website):
        add(
            "dcat.invalid-value",
            "contact_point: give contact_point.email or contact_point.website besides the name "
            "(DCAT-AP-DONL rule: name plus at least one channel)",
            "contact_point",
        )
    if ds.contact_point.website and not _is_uri(ds.contact_point.website):
        add(
            "dcat.invalid-value",
            f"contact_point_website: {ds.contact_point.website!r} is not a URI",
            "contact_point_website",
        )
    if required("license_id", ds.license):
        in_list("license_id", "DONL:License", ds.license)
    if required("theme", ds.theme):
        for v in ds.theme:
            in_list("theme", "Overheid:TaxonomieBeleidsagenda", v)
    if required("access_rights", ds.access_rights):
        in_list("access_rights", "Overheid:Openbaarheidsniveau", ds.access_rights)
    if ds.frequency:
        in_list("frequency", "Overheid:Frequency", ds.frequency)
    for fld in ("modified", "issued", "temporal_start", "temporal_end"):
        v = getattr(ds, fld)
        if fld == "modified":
            required(fld, v)
        if v and not _DATE_RE.match(v):
            add("dcat.invalid-value", f"{fld}: {v!r} must be a date YYYY-MM-DD", fld)
    if ds.temporal_start and ds.temporal_end and ds.temporal_start >= ds.temporal_end:
        add(
            "dcat.invalid-value",
            f"temporal: start {ds.temporal_start} must be before end {ds.temporal_end}",
            "temporal_start",
        )
    if (
        ds.access_rights.endswith("/PUBLIC")
        and ds.status == DATASET_AVAILABLE
        and ds.license in NON_OPEN_LICENSES
    ):
        add(
            "dcat.invalid-value",
            f"license_id: {ds.license!r} is not an open licence; a public, available dataset "
            "needs an open licence (DCAT-AP-DONL rule)",
            "license_id",
        )
    for fld, uris in (
        ("url", (ds.landing_page,) if ds.landing_page else ()),
        ("source", ds.sources),
        ("conforms_to", ds.conforms_to),
    ):
        for u in uris:
            if not _is_uri(u):
                add("dcat.invalid-value", f"{fld}: {u!r} is not a URI", fld)
    if not record.distributions:
        add("dcat.missing-field", "resources: the package has no file to publish", "resources")
    for d in record.distributions:
        r = d.key
        required("name", d.title, r)
        required("description", d.description, r)
        if d.format:
            in_list("format", "MDR:FiletypeNAL", d.format, r)
        if d.media_type:
            in_list("media_type", "IANA:Mediatypes", d.media_type, r)
        if required("license_id", d.license, r) and d.license != ds.license:
            in_list("license_id", "DONL:License", d.license, r)
        for v in d.language:
            in_list("language", "DONL:Language", v, r)
        if d.byte_size < 1:
            add(
                "dcat.invalid-value",
                f"size: {d.relpath} is empty (DONL wants size >= 1)",
                "size",
                r,
            )
    return issues
