"""One resolver for the file of a package resource, used by every command that opens one
(``check``, ``docs``, ``show``/``tables`` through :func:`opendata_mh.validate.read_package`;
``dcat`` and ``publish`` through :mod:`opendata_mh.dcat`; ``diff``).

A resource path must be relative (no leading ``/``, no drive, no backslash, no URL), stay inside
the package (no ``..`` part), not be a symlink (or pass through one) that leads out of the
package, and name an existing file. Anything else raises :class:`ResourcePathError`
(``package.bad-path``; ``package.missing-file`` for a file that does not exist) naming the
resource and the path, so that no command reads, hashes or uploads a file outside the package.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from opendata_mh.errors import PackageError

_DRIVE = re.compile(r"^[A-Za-z]:")


class ResourcePathError(PackageError):
    """A resource path that is not a file inside the package (CLI exit 3)."""

    code = "package.bad-path"

    def __init__(self, resource: str, path: object, reason: str, code: str | None = None) -> None:
        self.resource, self.path, self.reason = resource, path, reason
        if code:
            self.code = code
        super().__init__(f"resource {resource}: path {path!r} {reason}")


def resolve_resource_path(base: str | Path, rel: object, resource: str) -> Path:
    """The file of ``resource`` whose descriptor ``path`` is ``rel``, in the package directory
    ``base``; raises :class:`ResourcePathError` unless it is a file inside the package."""
    if not isinstance(rel, str) or not rel.strip():
        raise ResourcePathError(resource, rel, "is not a file path")
    if "://" in rel:
        raise ResourcePathError(resource, rel, "is a URL, not a file of the package")
    pure = PurePosixPath(rel)
    if pure.is_absolute() or "\\" in rel or _DRIVE.match(rel) or "\0" in rel:
        raise ResourcePathError(resource, rel, "must be relative to the package directory")
    if ".." in pure.parts:
        raise ResourcePathError(resource, rel, "leads out of the package ('..')")
    root = Path(base).resolve()
    full = Path(base) / rel
    real = full.resolve()
    if not real.is_relative_to(root):
        raise ResourcePathError(
            resource, rel, "is a symlink (or passes through one) that leads out of the package"
        )
    if not real.is_file():
        raise ResourcePathError(
            resource, rel, f"names no file of the package ({full})", code="package.missing-file"
        )
    return full


__all__ = ["ResourcePathError", "resolve_resource_path"]
