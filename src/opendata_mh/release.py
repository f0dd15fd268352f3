"""A release of the package as a static, versioned site that any static host can serve.

:func:`write_release` writes, under ``OUT``::

    <version>/                    everything here never changes once written
        datapackage.json, data/, parquet/, docs/ ...   every file of the package
        <name>-<version>.zip      the whole package in one file
        index.html                the codebook as the landing page (+ codebook.md/.html, charts/)
        CITATION.cff              how to cite this version
        dcat-ap-donl.ttl          DCAT-AP-DONL 1.1 catalogue (data.overheid.nl's harvester)
        dcat-ap-nl.ttl            DCAT-AP-NL 3.0 catalogue
        SHA256SUMS                the SHA-256 of every other file of the version
    latest/index.html             the one place that moves: points at the newest version
    latest/release.json           {"version": ..., "url": ...}
    index.html                    the list of versions

Download URLs in both catalogues are the hosted URLs ``<base-url>/<version>/<path>``
(:func:`opendata_mh.publish.hosted_url`), the same ones ``publish --files link`` registers.

Conventions:

- **Deterministic**: the same package and base URL give the same bytes (sorted entries, fixed
  zip timestamps and permissions, no random blank-node ids).
- **Immutable versions**: an existing ``<version>/`` is compared with what would be written;
  equal is fine (nothing is written), different is refused (:class:`ReleaseError`, the differing
  files named): a published version never changes, a new one needs a new version number.
- **Nothing half-written**: the version is built in a temporary directory next to it and moved
  into place in one rename.
- ``CITATION.cff``: the repository's own file when there is one (``citation``), else the
  package's (``datapackage/CITATION.cff``, written by ``opendata-mh generate``), otherwise one
  generated from the package metadata.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opendata_mh.dcat import CatalogRecord, build_record, read_descriptor
from opendata_mh.errors import OpendataMhError
from opendata_mh.report import Issue

ZIP_DATE = (1980, 1, 1, 0, 0, 0)


class ReleaseError(OpendataMhError):
    """The release cannot be written as asked (``code``: ``release.version-changed``: the
    version exists with other bytes; ``release.check-failed``: the package fails the same
    full check as ``publish`` (``issues`` are its findings); ``release.no-version``: the
    package has no version)."""

    def __init__(
        self,
        message: str,
        code: str,
        files: tuple[str, ...] = (),
        issues: tuple[Issue, ...] = (),
    ) -> None:
        super().__init__(message)
        self.code = code
        self.files = files
        self.issues = issues


@dataclass
class ReleaseResult:
    """What :func:`write_release` did. ``unchanged``: the version existed with the same bytes."""

    version: str
    out: Path
    base_url: str
    files: tuple[str, ...]
    zip_name: str
    unchanged: bool
    latest: str
    versions: tuple[str, ...] = field(default=())

    @property
    def url(self) -> str:
        return f"{self.base_url.rstrip('/')}/{self.version}/"

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "out": str(self.out),
            "url": self.url,
            "files": len(self.files),
            "zip": self.zip_name,
            "unchanged": self.unchanged,
            "latest": self.latest,
            "versions": list(self.versions),
        }


def package_files(package_dir: Path) -> list[str]:
    """Every file of the package (POSIX paths relative to it), sorted; hidden files skipped.
    Each goes through the one resource-path resolver (:mod:`opendata_mh.paths`), so a symlink
    that leads out of the package is refused (``package.bad-path``), never copied."""
    from opendata_mh.paths import resolve_resource_path

    out = []
    for p in package_dir.rglob("*"):
        rel = p.relative_to(package_dir)
        if p.is_file() and not any(part.startswith(".") for part in rel.parts):
            resolve_resource_path(package_dir, rel.as_posix(), rel.as_posix())
            out.append(rel.as_posix())
    return sorted(out)


def _zip(package_dir: Path, files: list[str], root: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for rel in files:
            info = zipfile.ZipInfo(f"{root}/{rel}", ZIP_DATE)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, (package_dir / rel).read_bytes())
    return buf.getvalue()


def _yaml(v: str) -> str:
    return json.dumps(v, ensure_ascii=False)


def citation_cff(record: CatalogRecord, desc: dict[str, Any], url: str) -> str:
    """A ``CITATION.cff`` (Citation File Format 1.2.0) of this version, from the package."""
    ds = record.dataset
    authors = [
        c.get("title")
        for c in desc.get("contributors") or []
        if isinstance(c, dict)
        and ("author" in (c.get("roles") or [c.get("role") or "author"]))
        and c.get("title")
    ] or [ds.creator_name or ds.contact_point.name or "unknown"]
    lic = next(
        (x.get("name") for x in desc.get("licenses") or [] if isinstance(x, dict)), "CC0-1.0"
    )
    lines = [
        "cff-version: 1.2.0",
        'message: "If you use these data, please cite them as below."',
        "type: dataset",
        f"title: {_yaml(ds.title)}",
        f"version: {_yaml(ds.version or '')}",
        f"date-released: {_yaml(ds.modified)}",
        f"url: {_yaml(url)}",
        f"license: {_yaml(str(lic))}",
        "authors:",
        *(f"  - name: {_yaml(str(a))}" for a in authors),
    ]
    if ds.keywords:
        lines += ["keywords:", *(f"  - {_yaml(k)}" for k in ds.keywords)]
    if ds.identifier:
        lines += ["identifiers:", "  - type: url", f"    value: {_yaml(ds.identifier)}"]
    return "\n".join(lines) + "\n"


def _render(
    package_dir: Path, base_url: str, citation: Path | None
) -> tuple[str, dict[str, bytes], str]:
    """``(version, {path in the version directory: bytes}, zip name)``."""
    from opendata_mh.codebook import build_codebook, render_codebook
    from opendata_mh.publish import ckan_dataset, ckan_resource, hosted_url
    from opendata_mh.rdf import donl_graph, record_graph, turtle

    record = build_record(package_dir)
    _, desc = read_descriptor(package_dir)
    version = record.dataset.version or ""
    if not version or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", version):
        raise ReleaseError(
            f"{package_dir}/datapackage.json: version {version!r} cannot name a release "
            "directory (letters, digits, '.', '_', '-')",
            "release.no-version",
        )
    files: dict[str, bytes] = {}
    listed = package_files(package_dir)
    for rel in listed:
        files[rel] = (package_dir / rel).read_bytes()
    name = record.dataset.name or str(desc.get("name") or "package")
    zip_name = f"{name}-{version}.zip"
    files[zip_name] = _zip(package_dir, listed, f"{name}-{version}")
    book = render_codebook(build_codebook(package_dir))
    for rel, data in book.items():
        files[rel] = data
    if "codebook.html" in book:
        files["index.html"] = book["codebook.html"]
    url = hosted_url(base_url, version, "")
    if citation is not None and citation.is_file():
        files["CITATION.cff"] = citation.read_bytes()
    elif "CITATION.cff" not in files:  # the package's own (opendata-mh generate writes one)
        files["CITATION.cff"] = citation_cff(record, desc, url).encode("utf-8")
    urls = {d.key: hosted_url(base_url, version, d.relpath) for d in record.distributions}
    ds = ckan_dataset(record, record.dataset.publisher)
    ds.pop("owner_org", None)
    res = [
        ckan_resource(d, record.dataset.metadata_language, files="link", url=urls[d.key])
        for d in record.distributions
    ]
    files["dcat-ap-donl.ttl"] = turtle(donl_graph(ds, res, catalog=url)).encode("utf-8")
    files["dcat-ap-nl.ttl"] = turtle(record_graph(record, urls)).encode("utf-8")
    sums = "".join(
        f"{hashlib.sha256(data).hexdigest()}  {rel}\n" for rel, data in sorted(files.items())
    )
    files["SHA256SUMS"] = sums.encode("ascii")
    return version, files, zip_name


def _version_key(v: str) -> tuple[tuple[int, int | str], ...]:
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"[._-]", v))


def _write_tree(root: Path, files: dict[str, bytes]) -> None:
    for rel, data in sorted(files.items()):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def _differs(existing: Path, files: dict[str, bytes]) -> list[str]:
    have = set(package_files(existing))
    out = sorted(have ^ set(files))
    for rel in sorted(have & set(files)):
        if (existing / rel).read_bytes() != files[rel]:
            out.append(rel)
    return sorted(out)


def _pages(out: Path, base_url: str) -> tuple[str, tuple[str, ...]]:
    """Write ``latest/`` and the root ``index.html`` for the versions present in ``out``."""
    versions = sorted(
        (
            p.name
            for p in out.iterdir()
            if p.is_dir() and (p / "SHA256SUMS").is_file() and not p.name.startswith(".")
        ),
        key=_version_key,
    )
    latest = versions[-1]
    base = base_url.rstrip("/")
    (out / "latest").mkdir(exist_ok=True)
    target = f"../{latest}/"
    (out / "latest" / "index.html").write_text(
        '<!DOCTYPE html>\n<html lang="nl"><head><meta charset="utf-8">'
        f'<meta http-equiv="refresh" content="0; url={target}">'
        f"<title>{html.escape(latest)}</title></head>"
        f'<body><p><a href="{target}">{html.escape(latest)}</a></p></body></html>\n',
        encoding="utf-8",
    )
    (out / "latest" / "release.json").write_text(
        json.dumps({"version": latest, "url": f"{base}/{latest}/"}, indent=2) + "\n",
        encoding="utf-8",
    )
    items = "".join(
        f'<li><a href="{html.escape(v)}/">{html.escape(v)}</a>'
        f"{' (latest)' if v == latest else ''}</li>"
        for v in reversed(versions)
    )
    (out / "index.html").write_text(
        '<!DOCTYPE html>\n<html lang="nl"><head><meta charset="utf-8"><title>Releases</title>'
        f'</head><body><h1>Releases</h1><p><a href="latest/">latest</a></p><ul>{items}</ul>'
        "</body></html>\n",
        encoding="utf-8",
    )
    return latest, tuple(versions)


def write_release(
    package_dir: str | Path,
    out: str | Path,
    base_url: str,
    *,
    citation: str | Path | None = None,
) -> ReleaseResult:
    """Write the release of the package in ``package_dir`` under ``out`` (see the module
    docstring). ``base_url`` is the URL ``out`` is served at; ``citation`` an existing
    ``CITATION.cff`` to ship (else one is generated). Raises :class:`ReleaseError` when the
    version exists with other bytes, :class:`opendata_mh.errors.PackageError` when the package
    cannot be read, :class:`opendata_mh.errors.UsageError` when ``base_url`` is not an absolute
    https URL (plain http only for 127.0.0.0/8, ::1, localhost). Before anything is written the
    package goes through the same full check as ``publish``
    (:func:`opendata_mh.publish.preflight`: schemas, disclosure rules, consistency, metadata,
    Parquet twins, disclosure audit, DCAT-AP-DONL); any finding refuses the release
    (``release.check-failed``), since a version is never re-released with other bytes."""
    from opendata_mh.publish import check_url, preflight

    check_url(base_url, "--base-url")
    pkg = Path(package_dir)
    if pkg.is_file():
        pkg = pkg.parent
    _, issues = preflight(pkg)
    if issues:
        raise ReleaseError(
            f"{pkg}: {len(issues)} finding(s) of the check; nothing was written "
            "(run `opendata-mh check` and fix them)",
            "release.check-failed",
            issues=tuple(issues),
        )
    root = Path(out)
    version, files, zip_name = _render(
        pkg, base_url, Path(citation) if citation is not None else None
    )
    root.mkdir(parents=True, exist_ok=True)
    target = root / version
    unchanged = False
    if target.exists():
        diff = _differs(target, files)
        if diff:
            shown = ", ".join(diff[:8]) + (f" and {len(diff) - 8} more" if len(diff) > 8 else "")
            raise ReleaseError(
                f"{target}: version {version} is already released with other bytes ({shown}); "
                "a published version never changes: raise the package version for a new release",
                "release.version-changed",
                tuple(diff),
            )
        unchanged = True
    else:
        tmp = Path(tempfile.mkdtemp(prefix=f".{version}.tmp-", dir=root))
        try:
            _write_tree(tmp, files)
            for p in tmp.rglob("*"):
                p.chmod(0o755 if p.is_dir() else 0o644)
            tmp.chmod(0o755)
            tmp.rename(target)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    latest, versions = _pages(root, base_url)
    return ReleaseResult(
        version=version,
        out=root,
        base_url=base_url,
        files=tuple(sorted(files)),
        zip_name=zip_name,
        unchanged=unchanged,
        latest=latest,
        versions=versions,
    )


__all__ = [
    "ReleaseError",
    "ReleaseResult",
    "citation_cff",
    "package_files",
    "write_release",
]
