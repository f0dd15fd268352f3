"""Differences between two package directories (two editions): cells added, revised, removed.

:func:`diff_packages` reads both ``datapackage.json`` files and the table CSVs (resources with
an ``sdc`` rule) and compares them cell by cell, a cell being identified by its resource and
primary key (``period`` + dimension codes):

* **added**: the key is only in NEW;
* **removed**: the key is only in OLD;
* **revised**: in both, and ``value_printed``, ``value_lower`` or ``value_upper`` changed.

Labels, statuses and the ``edition`` column are not compared on their own (a revision changes
the printed value or its bounds). Resources present in one package only count all their cells as
added or removed. Pure reading: no writes; CSV via the standard library.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opendata_mh.errors import PackageError
from opendata_mh.paths import resolve_resource_path

COMPARED = ("value_printed", "value_lower", "value_upper")


@dataclass(frozen=True)
class CellChange:
    key: Mapping[str, str]
    old: Mapping[str, str] | None
    new: Mapping[str, str] | None

    def to_dict(self) -> dict[str, Any]:
        return {"key": dict(self.key), "old": self.old, "new": self.new}


@dataclass(frozen=True)
class TableDiff:
    resource: str
    added: tuple[CellChange, ...] = ()
    revised: tuple[CellChange, ...] = ()
    removed: tuple[CellChange, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.added or self.revised or self.removed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "resource": self.resource,
            "added": [c.to_dict() for c in self.added],
            "revised": [c.to_dict() for c in self.revised],
            "removed": [c.to_dict() for c in self.removed],
        }


@dataclass(frozen=True)
class PackageDiff:
    old: str
    new: str
    old_version: str
    new_version: str
    tables: tuple[TableDiff, ...] = field(default_factory=tuple)

    def summary(self) -> dict[str, Any]:
        return {
            "old": self.old,
            "new": self.new,
            "old_version": self.old_version,
            "new_version": self.new_version,
            "added": sum(len(t.added) for t in self.tables),
            "revised": sum(len(t.revised) for t in self.tables),
            "removed": sum(len(t.removed) for t in self.tables),
            "tables": {
                t.resource: {
                    "added": len(t.added),
                    "revised": len(t.revised),
                    "removed": len(t.removed),
                }
                for t in self.tables
                if t.changed
            },
        }

    def to_dict(self) -> dict[str, Any]:
        return {**self.summary(), "changes": [t.to_dict() for t in self.tables if t.changed]}


def _read(path: str | Path) -> tuple[Path, dict[str, Any]]:
    p = Path(path)
    desc = p / "datapackage.json" if p.is_dir() else p
    try:
        return desc.parent, json.loads(desc.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PackageError(f"cannot read the package {desc}: {exc}") from exc


def _cells(base: Path, res: Mapping[str, Any]) -> dict[tuple[str, ...], dict[str, str]]:
    pk = res.get("schema", {}).get("primaryKey", [])
    keys = [pk] if isinstance(pk, str) else list(pk)
    path = resolve_resource_path(base, res.get("path"), str(res.get("name")))
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, KeyError) as exc:
        raise PackageError(f"cannot read resource {res.get('name')!r}: {exc}") from exc
    return {tuple(f"{k}={r.get(k, '')}" for k in keys): r for r in rows}


def _tables(
    base: Path, desc: Mapping[str, Any]
) -> dict[str, dict[tuple[str, ...], dict[str, str]]]:
    return {
        r["name"]: _cells(base, r)
        for r in desc.get("resources", [])
        if isinstance(r, dict) and "sdc" in r and str(r.get("path", "")).endswith(".csv")
    }


def _slim(row: Mapping[str, str]) -> dict[str, str]:
    return {k: row.get(k, "") for k in (*COMPARED, "cell_type", "edition") if k in row}


def diff_packages(old: str | Path, new: str | Path) -> PackageDiff:
    """Compare two packages; raises :class:`PackageError` if one cannot be read."""
    ob, od = _read(old)
    nb, nd = _read(new)
    ot, nt = _tables(ob, od), _tables(nb, nd)
    out = []
    for name in [*nt, *(n for n in ot if n not in nt)]:
        a, b = ot.get(name, {}), nt.get(name, {})
        added = tuple(
            CellChange(dict(x.split("=", 1) for x in k), None, _slim(b[k])) for k in b if k not in a
        )
        removed = tuple(
            CellChange(dict(x.split("=", 1) for x in k), _slim(a[k]), None) for k in a if k not in b
        )
        revised = tuple(
            CellChange(dict(x.split("=", 1) for x in k), _slim(a[k]), _slim(b[k]))
            for k in b
            if k in a and any(a[k].get(c, "") != b[k].get(c, "") for c in COMPARED)
        )
        out.append(TableDiff(name, added, revised, removed))
    return PackageDiff(
        str(old),
        str(new),
        str(od.get("version", "")),
        str(nd.get("version", "")),
        tuple(out),
    )


__all__ = ["CellChange", "PackageDiff", "TableDiff", "diff_packages"]
