"""Findings as data: :class:`Issue`, :class:`Report` and the :class:`PackageData` handed to checks.

An :class:`Issue` is one finding with a stable ``code`` (see :mod:`opendata_mh.validate` for the
vocabulary), a ``severity`` (``error``, ``warning`` or ``info``) and a location: ``resource``,
``row`` (1-based data row of the resource's CSV, the header not counted) and ``field``.

A report is *ok* when it has no ``error`` and no ``warning`` issues; ``info`` issues (such as
known discrepancies of the printed report) never make it fail.

This module imports nothing from the package.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")


@dataclass(frozen=True)
class Issue:
    """One finding. ``row`` is the 1-based data row number in the resource's CSV."""

    code: str
    severity: Severity
    message: str
    resource: str | None = None
    row: int | None = None
    field: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def location(self) -> str:
        parts = []
        if self.resource:
            parts.append(self.resource)
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.field:
            parts.append(f"field {self.field}")
        return ", ".join(parts) if parts else "package"


@dataclass
class Report:
    """The result of a check: issues plus a summary of what was checked."""

    issues: list[Issue] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not any(i.severity in ("error", "warning") for i in self.issues)

    def count(self, severity: Severity) -> int:
        return sum(1 for i in self.issues if i.severity == severity)

    def by_code(self, code: str) -> list[Issue]:
        return [i for i in self.issues if i.code == code]

    def extend(self, issues: Iterable[Issue]) -> None:
        self.issues.extend(issues)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "summary": self.summary,
            "issues": [i.to_dict() for i in self.issues],
        }


@dataclass(frozen=True)
class PackageData:
    """A read package as handed to every check (including plugged-in ``extra_checks``).

    ``descriptor`` is the parsed ``datapackage.json``; ``rows[resource]`` the CSV data rows as
    dicts of strings (row ``i`` of the list is CSV data row ``i + 1``).
    """

    base_path: Path
    descriptor: Mapping[str, Any]
    rows: Mapping[str, list[dict[str, str]]]
    file_issues: tuple[Issue, ...] = ()
    """What is wrong with the CSV files as files (:mod:`opendata_mh.csvfile`); a broken file's
    rows are empty."""

    def resource(self, name: str) -> Mapping[str, Any] | None:
        for res in self.descriptor.get("resources", []):
            if isinstance(res, dict) and res.get("name") == name:
                return res
        return None


Check = Callable[[PackageData], Iterable[Issue]]
"""An extra check: takes the read package, yields issues. See ``validate.check(extra_checks=)``."""
