"""Helpers of the loaders: a collector of metadata problems (every problem is recorded with its
file, table, panel, row and field before one :class:`~opendata_mh.errors.MetadataError` is
raised), reading a TOML file, and rejecting unknown keys.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from opendata_mh.errors import MetadataProblem


class _Collector:
    """Collects problems; typed getters that record a problem and return a fallback."""

    def __init__(self) -> None:
        self.problems: list[MetadataProblem] = []

    def add(self, file: str, message: str, **loc: Any) -> None:
        self.problems.append(MetadataProblem(file=file, message=message, **loc))

    def str_(
        self,
        d: Mapping[str, Any],
        key: str,
        file: str,
        *,
        required: bool = True,
        empty_ok: bool = False,
        **loc: Any,
    ) -> str:
        v = d.get(key)
        if v is None:
            if required:
                self.add(file, f"missing required key '{key}'", field=key, **loc)
            return ""
        if not isinstance(v, str):
            self.add(file, f"'{key}' must be a string, got {type(v).__name__}", field=key, **loc)
            return ""
        if required and not empty_ok and not v.strip():
            self.add(file, f"'{key}' must not be empty", field=key, **loc)
        return v

    def opt_str(self, d: Mapping[str, Any], key: str, file: str, **loc: Any) -> str | None:
        if d.get(key) is None:
            return None
        return self.str_(d, key, file, required=False, **loc) or None

    def str_list(
        self, d: Mapping[str, Any], key: str, file: str, *, required: bool = False, **loc: Any
    ) -> tuple[str, ...]:
        v = d.get(key)
        if v is None:
            if required:
                self.add(file, f"missing required key '{key}'", field=key, **loc)
            return ()
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            self.add(file, f"'{key}' must be a list of strings", field=key, **loc)
            return ()
        return tuple(v)


def _read_toml(path: Path, rel: str, col: _Collector, required: bool = True) -> dict[str, Any]:
    if not path.exists():
        if required:
            col.add(rel, "file not found")
        return {}
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        col.add(rel, f"not valid TOML: {exc}")
    except OSError as exc:
        col.add(rel, f"cannot read: {exc}")
    return {}


def _check_keys(
    d: Mapping[str, Any], allowed: Iterable[str], file: str, col: _Collector, **loc: Any
) -> None:
    allowed_set = set(allowed)
    for k in d:
        if k not in allowed_set:
            col.add(file, f"unknown key '{k}' (typo? see docs/metadata-format.md)", field=k, **loc)
