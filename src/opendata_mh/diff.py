"""Differences between two package directories (two editions): cells added, revised, removed.

:func:`diff_packages` reads both ``datapackage.json`` files and the table CSVs (resources with
an ``sdc`` rule) and compares them cell by cell, a cell being identified by its resource and
primary key (``period`` + dimension codes):

* **added**: the key is only in NEW;
* **removed**: the key is only in OLD;
* **revised**: in both, and ``value``, ``value_printed``, ``value_lower`` or ``value_upper``
  changed; :attr:`CellChange.fields` names the fields that changed.

Labels, statuses and the ``edition`` column are not compared on their own (a revision changes
the value, the printed value or its bounds). Resources present in one package only count all their
cells as added or removed. Both packages are read by :func:`opendata_mh.validate.read_package`
and each table's rows taken by :func:`opendata_mh.csvfile.table_rows`, so a broken table file
(empty, not UTF-8, not comma-separated, a renamed column, an unclosed quote) raises
:class:`~opendata_mh.csvfile.TableFileError` naming the resource, row and field instead of being
compared as removed or revised cells. Pure reading: no writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opendata_mh.csvfile import key_fields, table_rows
from opendata_mh.report import PackageData
from opendata_mh.validate import is_csv, read_package

COMPARED = ("value", "value_printed", "value_lower", "value_upper")


@dataclass(frozen=True)
class CellChange:
    key: Mapping[str, str]
    old: Mapping[str, str] | None
    new: Mapping[str, str] | None
    fields: tuple[str, ...] = ()
    """For a revised cell: the compared fields that changed (of :data:`COMPARED`)."""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"key": dict(self.key), "old": self.old, "new": self.new}
        if self.old is not None and self.new is not None:
            out["fields"] = list(self.fields)
        return out


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


def _tables(pkg: PackageData) -> dict[str, dict[tuple[str, ...], dict[str, str]]]:
    out = {}
    for r in pkg.descriptor.get("resources", []):
        if not (isinstance(r, dict) and "sdc" in r and is_csv(r)):
            continue
        keys = key_fields(r)
        rows = table_rows(pkg, r["name"])
        out[r["name"]] = {tuple(f"{k}={row.get(k, '')}" for k in keys): row for row in rows}
    return out


def _slim(row: Mapping[str, str]) -> dict[str, str]:
    return {k: row.get(k, "") for k in (*COMPARED, "cell_type", "edition") if k in row}


def diff_packages(old: str | Path, new: str | Path) -> PackageDiff:
    """Compare two packages; raises :class:`~opendata_mh.errors.PackageError` if one cannot be
    read (:class:`~opendata_mh.csvfile.TableFileError` for a broken table file)."""
    op, np_ = read_package(old), read_package(new)
    od, nd = op.descriptor, np_.descriptor
    ot, nt = _tables(op), _tables(np_)
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
            CellChange(dict(x.split("=", 1) for x in k), _slim(a[k]), _slim(b[k]), changed)
            for k in b
            if k in a
            and (changed := tuple(c for c in COMPARED if a[k].get(c, "") != b[k].get(c, "")))
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
