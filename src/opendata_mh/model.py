"""Load and validate the hand-edited metadata (``metadata/*.toml``) into frozen dataclasses.

The format is specified in ``docs/metadata-format.md``. :func:`load_metadata` reads every file,
collects *every* problem (file, table, panel, row, field) and raises one
:class:`~opendata_mh.errors.MetadataError` listing them all, or returns a :class:`Metadata`.

What is validated:

* ids unique and ``[a-z0-9_]+``; codes exist in their code list; periods are ``YYYY`` or
  ``YYYY-YYYY``; source and unit ids exist in ``package.toml``;
* every panel covers the table's dimensions (row dim, column dim or ``fixed``) and ``period``;
  every grid row has one printed value per column; no cell is defined twice (across panels);
* printed values have the syntax ``181``, ``<5``, ``170-180`` or ``?`` (see :func:`parse_printed`);
  under ``sdc.rule = "rounding"`` integers are multiples of ``base``; ``<n`` uses the table's
  threshold;
* every ``?`` has exactly one ``[[unresolved]]`` entry and every entry has its ``?``;
* relations expand (``for_each``, ``*`` patterns) to explicit cell references that all resolve;
  latent quantities (``@name/...``) and text figures (``text:id``) are resolved too.

Printed values -> cells (the single place of these rules, :func:`parse_printed`):

==============  ===========================  ==========  ==========  ===========
printed         bounds [lower, upper]        cell_type   obs_status  conf_status
==============  ===========================  ==========  ==========  ===========
``0``           [0, 0]                       zero        A           F
``181``         [181, 181]                   exact       A           F
``<5``          [1, 4]  (``<n`` -> [1, n-1])  masked      Q           A
``170`` (IND)   [165, 174]                   rounded     A           F
``170-180``     [170, 180]                   range       Q           D
``?``           hull of the candidates       unresolved  O           F
==============  ===========================  ==========  ==========  ===========

Sources of the rules: the report masks counts 1 to 4 as ``<5`` (so a masked cell is 1..4, never 0,
which is printed as ``0``); the IND tables carry "Noot: de cijfers zijn afgerond op tientallen"
(rounded to tens). Rounding is taken as round half up, so a printed R with base b stands for
[max(0, R - b/2), R + b/2 - 1] (170 -> 165..174; 0 -> 0..4, a rounded zero is ``rounded``, not
``zero``). A printed range ``a-b`` includes both ends.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import re
import tomllib
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import replace as _replace
from pathlib import Path
from typing import Any, Literal, TypeVar

from opendata_mh.aggregation import Aggregation, parse_aggregation
from opendata_mh.errors import MetadataError, MetadataProblem

_K = TypeVar("_K", bound=Hashable)
ID_RE = re.compile(r"^[a-z0-9_]+$")
PERIOD_RE = re.compile(r"^(\d{4})(?:-(\d{4}))?$")
PRINTED_INT_RE = re.compile(r"^(0|[1-9]\d*)$")
PRINTED_MASK_RE = re.compile(r"^<([1-9]\d*)$")
PRINTED_RANGE_RE = re.compile(r"^(0|[1-9]\d*)-(0|[1-9]\d*)$")
PLACEHOLDER_RE = re.compile(r"\{([A-Za-z0-9_]+)\}")

CellType = Literal["exact", "zero", "masked", "rounded", "range", "unresolved", "secondary"]
CELL_TYPES: tuple[str, ...] = (
    "exact",
    "zero",
    "masked",
    "rounded",
    "range",
    "unresolved",
    "secondary",
)
SECONDARY_SYMBOL = "x"
"""Printed symbol of a secondary suppression (a count >= the threshold withheld so that a
``<n`` cell cannot be derived from the totals; builds only, the 2023 report has none)."""
OBS_STATUS: tuple[str, ...] = ("A", "Q", "O")
CONF_STATUS: tuple[str, ...] = ("F", "A", "D")
RELATION_TYPES: tuple[str, ...] = (
    "additive",
    "multilabel",
    "subset",
    "overlap_subset",
    "identity",
    "share",
    "change",
)
SHARE_TYPES: tuple[str, ...] = ("share", "change")
"""Relation types between a printed percentage (``figure``) and two sums of counts
(``numerator``, ``denominator``); see :func:`share_rows`."""
NON_COUNT_UNITS: tuple[str, ...] = ("percent", "percent_change", "years", "days")
GENERIC_COUNT_UNIT = "count"  # a count of something that is not a package unit
AUDIT_FINDING_CODES: tuple[str, ...] = ("audit.exact-disclosure", "audit.narrowed")
"""Codes of the disclosure audit (:mod:`opendata_mh.audit`) that an acknowledgement can name."""
PERIOD = "period"
ALL = "all"


# --------------------------------------------------------------------------------------------
# Printed values
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SdcRule:
    """Disclosure rule of a table: ``threshold`` (counts 1..threshold-1 masked as ``<threshold``)
    or ``rounding`` (figures rounded to ``base``, round half up)."""

    rule: Literal["threshold", "rounding"]
    threshold: int | None = None
    base: int | None = None

    def to_dict(self) -> dict[str, Any]:
        if self.rule == "rounding":
            return {"rule": "rounding", "base": self.base, "tie": "half_up"}
        return {"rule": "threshold", "threshold": self.threshold}


@dataclass(frozen=True)
class ParsedValue:
    """A printed value as data: the CSV columns ``value`` .. ``conf_status``."""

    printed: str
    value: int | None
    lower: int
    upper: int | None
    cell_type: CellType
    obs_status: str
    conf_status: str


def parse_printed(printed: str, sdc: SdcRule, candidates: Sequence[str] = ()) -> ParsedValue:
    """Parse one printed value of a table with disclosure rule ``sdc``.

    ``?`` needs ``candidates`` (printed values); its bounds are the hull of theirs. Raises
    :class:`ValueError` with a readable message on bad syntax. See the module docstring for the
    rules and their sources. The audit reads the same symbols with
    :func:`opendata_mh.sdc.rules.parse_printed` (kept separate so this layer never loads HiGHS);
    ``tests/unit/test_printed_rules_agree.py`` keeps the two in step.
    """
    s = printed.strip() if isinstance(printed, str) else printed
    if not isinstance(s, str):
        raise ValueError(f"printed value must be a string, got {printed!r}")
    if s == "?":
        if not candidates:
            raise ValueError("'?' (unresolved) needs at least one candidate")
        parsed = [parse_printed(c, sdc) for c in candidates]
        if any(p.cell_type == "unresolved" for p in parsed):
            raise ValueError("a candidate cannot be '?'")
        uppers = [p.upper for p in parsed]
        upper = None if any(u is None for u in uppers) else max(u for u in uppers if u is not None)
        return ParsedValue("", None, min(p.lower for p in parsed), upper, "unresolved", "O", "F")
    if m := PRINTED_INT_RE.match(s):
        v = int(m.group(1))
        if sdc.rule == "rounding":
            base = sdc.base or 1
            if v % base:
                raise ValueError(f"{s!r} is not a multiple of {base} (the table is rounded)")
            lower = max(0, v - base // 2)
            upper = v + (base - base // 2) - 1
            return ParsedValue(s, v, lower, upper, "rounded", "A", "F")
        if v == 0:
            return ParsedValue(s, 0, 0, 0, "zero", "A", "F")
        return ParsedValue(s, v, v, v, "exact", "A", "F")
    if m := PRINTED_MASK_RE.match(s):
        n = int(m.group(1))
        if n < 2:
            raise ValueError(f"{s!r}: a mask '<n' needs n >= 2")
        if sdc.rule == "threshold" and n != sdc.threshold:
            raise ValueError(f"{s!r} does not match the table's threshold {sdc.threshold}")
        return ParsedValue(s, None, 1, n - 1, "masked", "Q", "A")
    if s == SECONDARY_SYMBOL:
        if sdc.rule != "threshold":
            raise ValueError(f"{s!r} (secondary suppression) needs a threshold table")
        # "not published; at least 1" (zeros are always shown): not >= threshold, because a
        # small count may be printed x too (an upgraded primary, opendata_mh.build)
        return ParsedValue(s, None, 1, None, "secondary", "Q", "D")
    if m := PRINTED_RANGE_RE.match(s):
        a, b = int(m.group(1)), int(m.group(2))
        if a > b:
            raise ValueError(f"range {s!r} has its lower end above its upper end")
        return ParsedValue(s, None, a, b, "range", "Q", "D")
    raise ValueError(
        f"{printed!r} is not a printed value: expected an integer like '181', '<5', "
        f"a range like '170-180', {SECONDARY_SYMBOL!r} (secondary suppression) or '?'"
    )


def count_bounds(printed: str, value: float | None) -> tuple[float, float] | None:
    """Bounds of a figure quoted in the prose: ``<n`` -> [1, n-1], ``a-b`` -> [a, b], an integer
    -> itself; otherwise the numeric ``value`` (e.g. ``5.000`` with value 5000); else ``None``."""
    s = printed.strip()
    if m := PRINTED_MASK_RE.match(s):
        return (1.0, float(int(m.group(1)) - 1))
    if m := PRINTED_RANGE_RE.match(s):
        return (float(m.group(1)), float(m.group(2)))
    if value is not None:
        return (float(value), float(value))
    if m := PRINTED_INT_RE.match(s):
        return (float(m.group(1)), float(m.group(1)))
    return None


def valid_period(p: str) -> bool:
    m = PERIOD_RE.match(p)
    return bool(m) and (m.group(2) is None or int(m.group(1)) < int(m.group(2)))  # type: ignore[union-attr]


# --------------------------------------------------------------------------------------------
# Dataclasses
# --------------------------------------------------------------------------------------------


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

    def source(self, sid: str) -> Source:
        return next(s for s in self.sources if s.id == sid)

    def unit(self, uid: str) -> Unit:
        return next(u for u in self.units if u.id == uid)


@dataclass(frozen=True)
class Code:
    code: str
    label: str
    label_en: str


@dataclass(frozen=True)
class CodeList:
    id: str
    title: str
    title_en: str
    codes: tuple[Code, ...]

    def get(self, code: str) -> Code | None:
        return next((c for c in self.codes if c.code == code), None)

    @property
    def code_ids(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.codes)


@dataclass(frozen=True)
class Column:
    code: str
    label: str


@dataclass(frozen=True)
class PanelRow:
    code: str
    label: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Panel:
    id: str
    row_dim: str
    col_dim: str
    fixed: tuple[tuple[str, str], ...]
    columns: tuple[Column, ...]
    rows: tuple[PanelRow, ...]
    title: str | None = None
    title_en: str | None = None


@dataclass(frozen=True)
class Unresolved:
    key: tuple[tuple[str, str], ...]
    candidates: tuple[str, ...]
    reason: str

    def key_dict(self) -> dict[str, str]:
        return dict(self.key)


@dataclass(frozen=True)
class Cell:
    """One published cell: ``key`` is (period, *dimensions) in CSV order; ``labels`` has one
    (dimension, printed Dutch label, English label) per dimension (not period)."""

    table: str
    key: tuple[tuple[str, str], ...]
    labels: tuple[tuple[str, str, str], ...]
    parsed: ParsedValue
    panel: str
    row: int
    column: int
    edition: str = ""

    @property
    def ref(self) -> str:
        return self.table + "".join(f"/{k}={v}" for k, v in self.key)


@dataclass(frozen=True)
class TableSpec:
    id: str
    number: int
    title: str
    title_en: str
    description: str
    description_en: str
    section: str
    source: str
    printed_source: str | None
    unit: str
    sdc: SdcRule
    dimensions: tuple[str, ...]
    available: bool
    notes: tuple[str, ...]
    notes_en: tuple[str, ...]
    inference: str
    panels: tuple[Panel, ...]
    unresolved: tuple[Unresolved, ...]
    cells: tuple[Cell, ...]
    file: str
    aggregation: Aggregation | None = None

    @property
    def key_fields(self) -> tuple[str, ...]:
        return (PERIOD, *self.dimensions)


@dataclass(frozen=True)
class CellRef:
    """A reference to a table cell, a latent quantity (``@``) or a text figure (``text:``)."""

    kind: Literal["cell", "latent", "text"]
    name: str
    key: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        if self.kind == "text":
            return f"text:{self.name}"
        prefix = "@" if self.kind == "latent" else ""
        return prefix + self.name + "".join(f"/{k}={v}" for k, v in self.key)


@dataclass(frozen=True)
class Relation:
    """An expanded relation: explicit cell references only (no patterns, no placeholders)."""

    id: str
    type: str
    total: CellRef | None
    parts: tuple[CellRef, ...]
    cells: tuple[CellRef, ...]
    description: str
    description_en: str
    origin: str = "relations.toml"
    figure: CellRef | None = None
    numerator: tuple[CellRef, ...] = ()
    denominator: tuple[CellRef, ...] = ()
    decimals: int = 0
    percent: float | None = None

    @property
    def refs(self) -> tuple[CellRef, ...]:
        if self.type == "identity":
            return self.cells
        if self.type in SHARE_TYPES:
            return ((self.figure,) if self.figure else ()) + self.numerator + self.denominator
        return ((self.total,) if self.total else ()) + self.parts


def share_rows(
    rtype: str,
    percent: float,
    decimals: int,
    numerator: Sequence[_K],
    denominator: Sequence[_K],
) -> list[tuple[dict[_K, float], float]]:
    """The two linear inequalities of a ``share`` or ``change`` relation, each
    ``(coefficients, rhs)`` meaning ``sum(coefficients[x] * y_x) <= rhs``.

    Args:
        rtype: ``share`` (the figure is ``100 * N / D`` rounded) or ``change`` (the figure is
            ``100 * (N - D) / D`` rounded: N the new count, D the old one).
        percent: the printed percentage ``p`` (signed for a change: a decrease is negative).
        decimals: decimals printed (0: a whole percent); ``p * 10**decimals`` must be an integer.
        numerator, denominator: variable ids (any hashable: ids, :class:`CellRef`); N and D
            are their sums. An id may appear in both (a share of a part in a sum that includes
            it): the coefficients add up.

    Returns:
        ``[(lower_row, 0.0), (upper_row, -1.0)]``.

    A printed p with ``d`` decimals is taken as rounded **half up** (towards +inf: the true
    value x = 100 N / D, or 100 (N - D) / D, lies in ``[p - h, p + h)`` with h = 0.5 * 10**-d);
    the report does not say how it rounds. With ``k = 10**d`` and ``P = p + 100`` for a change
    (``p`` for a share), multiplying by ``2 k D`` (D > 0) gives

        (2 k P - 1) * D - 200 k * N <= 0          (lower side, closed)
        200 k * N - (2 k P + 1) * D <= -1         (upper side: strict, and every term is an
                                                   integer for counts N, D, so ``< 0`` is
                                                   ``<= -1``)

    linear in the counts. D = 0 makes the upper row fail (a percentage of nothing). The ``-1``
    is exact for integer counts and a valid cut for the LP relaxation of the audit.
    """
    k = 10**decimals
    q = round(2 * k * (percent + (100 if rtype == "change" else 0)))
    c = float(200 * k)
    lower: dict[_K, float] = {}
    upper: dict[_K, float] = {}
    for x in numerator:
        lower[x] = lower.get(x, 0.0) - c
        upper[x] = upper.get(x, 0.0) + c
    for x in denominator:
        lower[x] = lower.get(x, 0.0) + (q - 1)
        upper[x] = upper.get(x, 0.0) - (q + 1)
    return [
        ({x: v for x, v in lower.items() if v != 0}, 0.0),
        ({x: v for x, v in upper.items() if v != 0}, -1.0),
    ]


@dataclass(frozen=True)
class LatentQuantity:
    ref: CellRef
    relations: tuple[str, ...]
    title: str | None = None
    description: str | None = None
    description_en: str | None = None
    unit: str | None = None


@dataclass(frozen=True)
class TextFigure:
    id: str
    period: str
    printed: str
    value: float | None
    unit: str
    quote: str
    description_en: str
    section: str
    refers_to: CellRef | None

    @property
    def bounds(self) -> tuple[float, float] | None:
        return count_bounds(self.printed, self.value)


@dataclass(frozen=True)
class Discrepancy:
    id: str
    relations: tuple[str, ...]
    description: str
    description_en: str


FINGERPRINT_RE = re.compile(r"^sha256:[0-9a-f]{64}$")
"""The form of a finding fingerprint (:func:`finding_fingerprint`)."""


def finding_fingerprint(cell: str, code: str, interval: tuple[int, int]) -> str:
    """The fingerprint of an audit finding: ``"sha256:"`` + the hex SHA-256 of
    ``f"{cell}|{code}|{lower}|{upper}"`` (UTF-8).

    Args:
        cell: the canonical cell reference as the audit prints it (key fields in the table's
            primary-key order), e.g. ``om_cases_by_form/period=2019/form=unknown``.
        code: an audit finding code (:data:`AUDIT_FINDING_CODES`).
        interval: the audit interval ``(lower, upper)`` as found (counts).

    Returns:
        ``"sha256:"`` and 64 lowercase hex digits (:data:`FINGERPRINT_RE`).

    A fingerprint lets the audit recognise the *same* finding (same cell, code and interval)
    in ``acknowledged_findings.toml`` and ``acknowledgedFindings`` without publishing the
    interval. It is **not a secret**: the interval space of a masked cell is tiny (``<5`` has 10
    sub-intervals), so anyone can recompute it; it only keeps our own publication, codebook and
    CI logs from printing the values of masked cells. A changed interval gives a different
    fingerprint, so the acknowledgement no longer matches.
    """
    lo, hi = interval
    return "sha256:" + hashlib.sha256(f"{cell}|{code}|{lo}|{hi}".encode()).hexdigest()


@dataclass(frozen=True)
class AcknowledgedFinding:
    """A finding of the disclosure audit that a maintainer accepted
    (``acknowledged_findings.toml``): the masked ``cell``, the audit ``code``, the
    ``fingerprint`` of the finding as found (:func:`finding_fingerprint`; the interval itself is
    never stored), the relations that pin it, why it is accepted, by whom and when (ISO date)."""

    cell: CellRef
    code: str
    fingerprint: str
    relations: tuple[str, ...]
    reason: str
    by: str
    date: str


@dataclass(frozen=True)
class EditionTable:
    """What an edition does to one table: the periods it adds, revises and removes."""

    id: str
    file: str
    adds: tuple[str, ...]
    revises: tuple[str, ...]
    removes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Edition:
    """A later edition (``metadata/editions/<id>/edition.toml`` + one CSV per table it touches):
    protected printed values only, built by ``opendata-mh build``. ``sources`` maps a source id to
    the reference date of the data it used (e.g. a later Phoenix extract)."""

    id: str
    version: str
    date: str
    description: str
    description_en: str
    years: tuple[str, ...]
    sources: tuple[tuple[str, str], ...]
    tables: tuple[EditionTable, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "version": self.version,
            "date": self.date,
            "description": self.description,
            "description_en": self.description_en,
            "years": list(self.years),
            "sources": [{"id": k, "reference_date": v} for k, v in self.sources],
            "tables": [
                {
                    "id": t.id,
                    "adds": list(t.adds),
                    "revises": list(t.revises),
                    "removes": list(t.removes),
                }
                for t in self.tables
            ],
        }


@dataclass(frozen=True)
class Metadata:
    package: PackageMeta
    codelists: tuple[CodeList, ...]
    tables: tuple[TableSpec, ...]
    relations: tuple[Relation, ...]
    latent: tuple[LatentQuantity, ...]
    text_figures: tuple[TextFigure, ...]
    discrepancies: tuple[Discrepancy, ...]
    acknowledged_findings: tuple[AcknowledgedFinding, ...] = ()
    editions: tuple[Edition, ...] = ()

    def table(self, tid: str) -> TableSpec:
        return next(t for t in self.tables if t.id == tid)

    def codelist(self, cid: str) -> CodeList:
        return next(c for c in self.codelists if c.id == cid)


# --------------------------------------------------------------------------------------------
# Loading helpers
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# package.toml and codelists.toml
# --------------------------------------------------------------------------------------------

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
}
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
    )


def _load_codelists(data: dict[str, Any], col: _Collector) -> tuple[CodeList, ...]:
    f = "codelists.toml"
    out = []
    for cid, cl in data.items():
        if cid == PERIOD:
            col.add(f, "'period' is built in and must not have a code list", table=cid)
            continue
        if not ID_RE.match(cid):
            col.add(f, f"dimension id {cid!r} must match [a-z0-9_]+", table=cid)
        if not isinstance(cl, dict):
            col.add(f, f"[{cid}] must be a table", table=cid)
            continue
        _check_keys(
            cl, {"title", "title_en", "description", "description_en", "codes"}, f, col, table=cid
        )
        codes = []
        seen: set[str] = set()
        raw = cl.get("codes")
        if not isinstance(raw, list) or not raw:
            col.add(f, "'codes' must be a non-empty list", table=cid, field="codes")
            raw = []
        for i, c in enumerate(raw, 1):
            if not isinstance(c, dict):
                col.add(f, "a code must be {code, label, label_en}", table=cid, row=i)
                continue
            code = col.str_(c, "code", f, table=cid, row=i)
            if code and not ID_RE.match(code):
                col.add(f, f"code {code!r} must match [a-z0-9_]+", table=cid, row=i, field="code")
            if code in seen:
                col.add(f, f"duplicate code {code!r}", table=cid, row=i, field="code")
            seen.add(code)
            codes.append(
                Code(
                    code,
                    col.str_(c, "label", f, table=cid, row=i),
                    col.str_(c, "label_en", f, table=cid, row=i),
                )
            )
        out.append(
            CodeList(
                cid,
                col.str_(cl, "title", f, table=cid),
                col.str_(cl, "title_en", f, table=cid),
                tuple(codes),
            )
        )
    return tuple(out)


# --------------------------------------------------------------------------------------------
# tables/*.toml
# --------------------------------------------------------------------------------------------

_TABLE_KEYS = {
    "id",
    "number",
    "title",
    "title_en",
    "description",
    "description_en",
    "section",
    "source",
    "printed_source",
    "unit",
    "sdc",
    "dimensions",
    "available",
    "notes",
    "notes_en",
    "inference",
    "panels",
    "unresolved",
    "aggregation",
}
_PANEL_KEYS = {"id", "fixed", "row_dim", "col_dim", "columns", "rows", "title", "title_en"}


def _load_sdc(raw: Any, f: str, tid: str, col: _Collector) -> SdcRule:
    if not isinstance(raw, dict):
        col.add(
            f,
            "'sdc' must be {rule = 'threshold', threshold = 5} or {rule = 'rounding', base = 10}",
            table=tid,
            field="sdc",
        )
        return SdcRule("threshold", threshold=5)
    rule = raw.get("rule")
    if rule == "threshold":
        t = raw.get("threshold")
        if not isinstance(t, int) or isinstance(t, bool) or t < 2:
            col.add(f, "sdc.threshold must be an integer >= 2", table=tid, field="sdc.threshold")
            t = 5
        _check_keys(raw, {"rule", "threshold"}, f, col, table=tid)
        return SdcRule("threshold", threshold=t)
    if rule == "rounding":
        b = raw.get("base")
        if not isinstance(b, int) or isinstance(b, bool) or b < 2:
            col.add(f, "sdc.base must be an integer >= 2", table=tid, field="sdc.base")
            b = 10
        _check_keys(raw, {"rule", "base"}, f, col, table=tid)
        return SdcRule("rounding", base=b)
    col.add(f, f"sdc.rule {rule!r} must be 'threshold' or 'rounding'", table=tid, field="sdc.rule")
    return SdcRule("threshold", threshold=5)


def _code_ok(dim: str, code: str, cls: Mapping[str, CodeList]) -> bool:
    if dim == PERIOD:
        return valid_period(code)
    cl = cls.get(dim)
    return cl is not None and cl.get(code) is not None


def _load_table(
    data: dict[str, Any], f: str, pkg: PackageMeta, cls: Mapping[str, CodeList], col: _Collector
) -> TableSpec | None:
    start = len(col.problems)
    tid = col.str_(data, "id", f)
    if tid and not ID_RE.match(tid):
        col.add(f, f"table id {tid!r} must match [a-z0-9_]+", table=tid, field="id")
    tloc: dict[str, Any] = {"table": tid or None}
    _check_keys(data, _TABLE_KEYS, f, col, **tloc)
    number = data.get("number")
    if not isinstance(number, int) or isinstance(number, bool) or number < 1:
        col.add(
            f, "'number' must be a positive integer (order in the report)", field="number", **tloc
        )
        number = 0
    texts = {
        k: col.str_(data, k, f, **tloc)
        for k in ("title", "title_en", "description", "description_en", "section", "inference")
    }
    source = col.str_(data, "source", f, **tloc)
    if source and source not in {s.id for s in pkg.sources}:
        col.add(
            f, f"source {source!r} is not a [[sources]] id in package.toml", field="source", **tloc
        )
    unit = col.str_(data, "unit", f, **tloc)
    if unit and unit not in {u.id for u in pkg.units}:
        col.add(f, f"unit {unit!r} is not a [units.*] key in package.toml", field="unit", **tloc)
    sdc = _load_sdc(data.get("sdc"), f, tid, col)
    dims = col.str_list(data, "dimensions", f, required=True, **tloc)
    for d in dims:
        if d == PERIOD:
            col.add(
                f,
                "'period' is built in; do not list it in 'dimensions'",
                field="dimensions",
                **tloc,
            )
        elif d not in cls:
            col.add(
                f, f"dimension {d!r} has no code list in codelists.toml", field="dimensions", **tloc
            )
    if len(set(dims)) != len(dims):
        col.add(f, "duplicate dimension in 'dimensions'", field="dimensions", **tloc)
    available = data.get("available", True)
    if not isinstance(available, bool):
        col.add(f, "'available' must be true or false", field="available", **tloc)
        available = True
    notes = col.str_list(data, "notes", f, **tloc)
    notes_en = col.str_list(data, "notes_en", f, **tloc)
    if len(notes) != len(notes_en):
        col.add(
            f,
            f"'notes' has {len(notes)} entries but 'notes_en' {len(notes_en)}",
            field="notes_en",
            **tloc,
        )
    key_fields = (PERIOD, *[d for d in dims if d != PERIOD])
    panels: list[Panel] = []
    raw_panels = data.get("panels") or []
    if not isinstance(raw_panels, list):
        col.add(f, "'panels' must be an array of tables [[panels]]", field="panels", **tloc)
        raw_panels = []
    if available and not raw_panels:
        col.add(f, "an available table needs at least one [[panels]]", field="panels", **tloc)
    if not available and raw_panels:
        col.add(f, "a table with available = false must not have panels", field="panels", **tloc)
    seen_panels: set[str] = set()
    for pi, rp in enumerate(raw_panels, 1):
        p = _load_panel(rp, pi, f, tid, key_fields, cls, col)
        if p is None:
            continue
        if p.id in seen_panels:
            col.add(f, f"duplicate panel id {p.id!r}", panel=p.id, field="id", **tloc)
        seen_panels.add(p.id)
        panels.append(p)
    # unresolved entries
    unresolved: list[Unresolved] = []
    raw_unres = data.get("unresolved") or []
    for ui, ru in enumerate(raw_unres, 1):
        loc: dict[str, Any] = {"table": tid or None, "row": ui}
        if not isinstance(ru, dict):
            col.add(f, "[[unresolved]] entries must be tables", **loc)
            continue
        _check_keys(ru, {"key", "candidates", "reason"}, f, col, **loc)
        key = ru.get("key")
        if not isinstance(key, dict) or not all(isinstance(v, str) for v in key.values()):
            col.add(
                f,
                "[[unresolved]] key must be a table of strings {period = ..., <dim> = ...}",
                field="key",
                **loc,
            )
            continue
        if set(key) != set(key_fields):
            col.add(
                f,
                f"[[unresolved]] key must give exactly {list(key_fields)}, got {sorted(key)}",
                field="key",
                **loc,
            )
        cands = col.str_list(ru, "candidates", f, required=True, **loc)
        if not cands:
            col.add(f, "[[unresolved]] needs at least one candidate", field="candidates", **loc)
        for c in cands:
            try:
                if parse_printed(c, sdc).cell_type == "unresolved":
                    raise ValueError("a candidate cannot be '?'")
            except ValueError as exc:
                col.add(f, f"candidate: {exc}", field="candidates", **loc)
        reason = col.str_(ru, "reason", f, **loc)
        unresolved.append(
            Unresolved(
                key=tuple((k, key[k]) for k in key_fields if k in key),
                candidates=cands,
                reason=reason,
            )
        )
    cells = _build_cells(tid, key_fields, panels, unresolved, sdc, cls, f, col)
    aggregation = None
    if "aggregation" in data:
        if not available:
            col.add(f, "a table with available = false has no [aggregation]", **tloc)
        aggregation, agg_problems = parse_aggregation(
            data["aggregation"], dims, {d: cl.code_ids for d, cl in cls.items()}
        )
        for fld, msg in agg_problems:
            col.add(f, msg, field=fld, **tloc)
    if len(col.problems) > start:
        return None
    return TableSpec(
        id=tid,
        number=number,
        title=texts["title"],
        title_en=texts["title_en"],
        description=texts["description"],
        description_en=texts["description_en"],
        section=texts["section"],
        source=source,
        printed_source=col.opt_str(data, "printed_source", f),
        unit=unit,
        sdc=sdc,
        dimensions=tuple(dims),
        available=available,
        notes=notes,
        notes_en=notes_en,
        inference=texts["inference"],
        panels=tuple(panels),
        unresolved=tuple(unresolved),
        cells=cells,
        file=f,
        aggregation=aggregation,
    )


def _load_panel(
    rp: Any,
    pi: int,
    f: str,
    tid: str,
    key_fields: tuple[str, ...],
    cls: Mapping[str, CodeList],
    col: _Collector,
) -> Panel | None:
    if not isinstance(rp, dict):
        col.add(f, "[[panels]] entries must be tables", table=tid, row=pi)
        return None
    pid: str = rp["id"] if isinstance(rp.get("id"), str) else f"#{pi}"
    loc: dict[str, Any] = {"table": tid or None, "panel": pid}
    if not isinstance(rp.get("id"), str) or not ID_RE.match(rp["id"]):
        col.add(f, "panel 'id' must be a string matching [a-z0-9_]+", field="id", **loc)
    _check_keys(rp, _PANEL_KEYS, f, col, **loc)
    # row_dim = "" (or col_dim = ""): no dimension along that axis, one row/column with code ""
    row_dim = col.str_(rp, "row_dim", f, empty_ok=True, **loc)
    col_dim = col.str_(rp, "col_dim", f, empty_ok=True, **loc)
    if not row_dim and not col_dim:
        col.add(f, "row_dim and col_dim cannot both be empty", field="row_dim", **loc)
    fixed_raw = rp.get("fixed") or {}
    if not isinstance(fixed_raw, dict) or not all(isinstance(v, str) for v in fixed_raw.values()):
        col.add(f, "'fixed' must be a table of strings {<dim> = <code>}", field="fixed", **loc)
        fixed_raw = {}
    ok = True
    for d in (row_dim, col_dim):
        if d and d not in key_fields:
            col.add(f, f"{d!r} is not 'period' nor one of the table's dimensions", field=d, **loc)
            ok = False
    if row_dim and row_dim == col_dim:
        col.add(f, "row_dim and col_dim must differ", field="col_dim", **loc)
        ok = False
    for d, v in fixed_raw.items():
        if d not in key_fields:
            col.add(
                f,
                f"fixed dimension {d!r} is not 'period' nor a table dimension",
                field=f"fixed.{d}",
                **loc,
            )
            ok = False
        elif d in (row_dim, col_dim):
            col.add(f, f"{d!r} is both fixed and a row/column dimension", field=f"fixed.{d}", **loc)
            ok = False
        elif not _code_ok(d, v, cls):
            col.add(f, f"fixed {d} = {v!r} is not a code of {d!r}", field=f"fixed.{d}", **loc)
            ok = False
    for d in key_fields:
        if d not in (row_dim, col_dim) and d not in fixed_raw:
            col.add(
                f,
                f"dimension {d!r} is not covered: make it row_dim, col_dim or fixed",
                field=d,
                **loc,
            )
            ok = False
    columns: list[Column] = []
    raw_cols = rp.get("columns")
    if not isinstance(raw_cols, list) or not raw_cols:
        col.add(f, "'columns' must be a non-empty list of {code, label}", field="columns", **loc)
        raw_cols = []
    seen: set[str] = set()
    for ci, c in enumerate(raw_cols, 1):
        if not isinstance(c, dict):
            col.add(f, f"column {ci} must be {{code, label}}", field="columns", **loc)
            ok = False
            continue
        code = c.get("code")
        label = c.get("label", "")
        if not isinstance(code, str) or not isinstance(label, str):
            col.add(f, f"column {ci}: code and label must be strings", field="columns", **loc)
            ok = False
            continue
        if col_dim and col_dim in key_fields and not _code_ok(col_dim, code, cls):
            col.add(
                f,
                f"column {ci}: {code!r} is not a code of {col_dim!r}",
                field=f"columns.{code}",
                **loc,
            )
            ok = False
        if not col_dim and code:
            col.add(
                f, f"column {ci}: code must be '' because col_dim is empty", field="columns", **loc
            )
            ok = False
        if code in seen:
            col.add(f, f"duplicate column code {code!r}", field=f"columns.{code}", **loc)
        seen.add(code)
        columns.append(Column(code, label))
    if not col_dim and len(columns) > 1:
        col.add(f, "with an empty col_dim the panel has exactly one column", field="columns", **loc)
        ok = False
    rows: list[PanelRow] = []
    raw_rows = rp.get("rows")
    if not isinstance(raw_rows, list) or not raw_rows:
        col.add(
            f, "'rows' must be a non-empty list of [code, label, values...]", field="rows", **loc
        )
        raw_rows = []
    seen = set()
    for ri, r in enumerate(raw_rows, 1):
        if not isinstance(r, list) or len(r) < 2 or not all(isinstance(x, str) for x in r):
            col.add(f, "a row must be a list of strings [code, label, value, ...]", row=ri, **loc)
            ok = False
            continue
        code, label, values = r[0], r[1], tuple(r[2:])
        if row_dim and row_dim in key_fields and not _code_ok(row_dim, code, cls):
            col.add(
                f, f"row code {code!r} is not a code of {row_dim!r}", row=ri, field=row_dim, **loc
            )
            ok = False
        if not row_dim and code:
            col.add(
                f, "row code must be '' because row_dim is empty", row=ri, field="row_dim", **loc
            )
            ok = False
        if code in seen:
            col.add(f, f"duplicate row code {code!r}", row=ri, field=row_dim or "rows", **loc)
            ok = False
        seen.add(code)
        if len(values) != len(columns):
            col.add(
                f,
                f"row {code!r} has {len(values)} values but the panel has {len(columns)} columns",
                row=ri,
                field="values",
                **loc,
            )
            ok = False
        rows.append(PanelRow(code, label, values))
    if not ok:
        return None
    return Panel(
        id=pid,
        row_dim=row_dim,
        col_dim=col_dim,
        fixed=tuple((d, fixed_raw[d]) for d in key_fields if d in fixed_raw),
        columns=tuple(columns),
        rows=tuple(rows),
        title=rp.get("title") if isinstance(rp.get("title"), str) else None,
        title_en=rp.get("title_en") if isinstance(rp.get("title_en"), str) else None,
    )


def _build_cells(
    tid: str,
    key_fields: tuple[str, ...],
    panels: list[Panel],
    unresolved: list[Unresolved],
    sdc: SdcRule,
    cls: Mapping[str, CodeList],
    f: str,
    col: _Collector,
) -> tuple[Cell, ...]:
    cells: list[Cell] = []
    where: dict[tuple[tuple[str, str], ...], str] = {}
    unres = {u.key: u for u in unresolved}
    used_unres: set[tuple[tuple[str, str], ...]] = set()
    for p in panels:
        for ri, row in enumerate(p.rows, 1):
            for ci, (column, printed) in enumerate(zip(p.columns, row.values, strict=False), 1):
                values = dict(p.fixed)
                if p.row_dim:
                    values[p.row_dim] = row.code
                if p.col_dim:
                    values[p.col_dim] = column.code
                key = tuple((k, values[k]) for k in key_fields)
                loc: dict[str, Any] = {
                    "table": tid,
                    "panel": p.id,
                    "row": ri,
                    "field": f"{p.col_dim or 'column'}={column.code}",
                }
                if key in where:
                    col.add(
                        f, f"cell {_fmt_key(key)} is defined twice (also in {where[key]})", **loc
                    )
                    continue
                where[key] = f"panel {p.id}, row {ri}"
                cands: tuple[str, ...] = ()
                if printed.strip() == "?":
                    u = unres.get(key)
                    if u is None:
                        col.add(
                            f,
                            f"'?' at {_fmt_key(key)} has no [[unresolved]] entry with this key",
                            **loc,
                        )
                        continue
                    used_unres.add(key)
                    cands = u.candidates
                elif key in unres:
                    col.add(
                        f,
                        f"[[unresolved]] {_fmt_key(key)} but the grid prints {printed!r}, not '?'",
                        **loc,
                    )
                    used_unres.add(key)
                try:
                    parsed = parse_printed(printed, sdc, cands)
                except ValueError as exc:
                    col.add(f, str(exc), **loc)
                    continue
                labels = []
                for d in key_fields[1:]:
                    code = values[d]
                    cl = cls[d]
                    c = cl.get(code)
                    printed_label = ""
                    if d == p.row_dim:
                        printed_label = row.label
                    elif d == p.col_dim:
                        printed_label = column.label
                    labels.append(
                        (d, printed_label or (c.label if c else code), c.label_en if c else code)
                    )
                cells.append(Cell(tid, key, tuple(labels), parsed, p.id, ri, ci))
    for ui, u in enumerate(unresolved, 1):
        if u.key not in used_unres and set(dict(u.key)) == set(key_fields):
            col.add(
                f,
                f"[[unresolved]] {_fmt_key(u.key)} matches no cell printed '?'",
                table=tid,
                row=ui,
                field="key",
            )
    return tuple(cells)


def _fmt_key(key: Iterable[tuple[str, str]]) -> str:
    return "/".join(f"{k}={v}" for k, v in key)


# --------------------------------------------------------------------------------------------
# References, relations, text figures, discrepancies
# --------------------------------------------------------------------------------------------


def _parse_ref_syntax(s: str) -> tuple[str, str, list[tuple[str, str]]]:
    """Split a reference into (kind, name, [(field, value)]); raises ValueError."""
    if s.startswith("text:"):
        fid = s[5:]
        if not fid:
            raise ValueError(f"reference {s!r}: empty text figure id")
        return "text", fid, []
    kind = "latent" if s.startswith("@") else "cell"
    body = s[1:] if kind == "latent" else s
    name, *pairs = body.split("/")
    if not ID_RE.match(name):
        raise ValueError(f"reference {s!r}: {name!r} is not a resource or latent name")
    out = []
    for p in pairs:
        if "=" not in p:
            raise ValueError(f"reference {s!r}: {p!r} must be field=value")
        k, v = p.split("=", 1)
        if not k or not v:
            raise ValueError(f"reference {s!r}: {p!r} must be field=value")
        out.append((k, v))
    if len({k for k, _ in out}) != len(out):
        raise ValueError(f"reference {s!r}: a field is given twice")
    return kind, name, out


def parse_ref(s: str) -> CellRef:
    """Parse an explicit reference string (no patterns) into a :class:`CellRef`; the key order of
    latent quantities is normalised (period first, then alphabetical). Raises ValueError."""
    kind, name, pairs = _parse_ref_syntax(s)
    if any(v == "*" for _, v in pairs):
        raise ValueError(f"reference {s!r}: '*' patterns are not explicit references")
    if kind == "latent":
        pairs.sort(key=lambda kv: (kv[0] != PERIOD, kv[0]))
    return CellRef(kind, name, tuple(pairs))  # type: ignore[arg-type]


class _BrokenReferenceError(ValueError):
    """The reference names a table that failed to load (already reported): stay quiet."""


class _Resolver:
    def __init__(
        self,
        tables: Mapping[str, TableSpec],
        figures: Mapping[str, TextFigure],
        broken: frozenset[str] = frozenset(),
    ) -> None:
        self.tables = tables
        self.figures = figures
        self.broken = broken
        self.cells: dict[str, dict[tuple[tuple[str, str], ...], Cell]] = {
            t.id: {c.key: c for c in t.cells} for t in tables.values()
        }
        self.periods: list[str] = sorted(
            {c.key[0][1] for t in tables.values() for c in t.cells},
            key=lambda p: (p.split("-")[-1], p),
        )

    def resolve(self, s: str, *, allow_pattern: bool) -> list[CellRef]:
        """Resolve a reference string to explicit references; raises ValueError."""
        kind, name, pairs = _parse_ref_syntax(s)
        if kind == "text":
            fig = self.figures.get(name)
            if fig is None and name in self.broken:
                raise _BrokenReferenceError(s)
            if fig is None:
                raise ValueError(f"reference {s!r}: no text figure with id {name!r}")
            if fig.bounds is None:
                raise ValueError(f"reference {s!r}: the text figure has no numeric value")
            return [CellRef("text", name)]
        if kind == "latent":
            if any(v == "*" for _, v in pairs):
                raise ValueError(f"reference {s!r}: '*' is not allowed in a latent quantity")
            pairs.sort(key=lambda kv: (kv[0] != PERIOD, kv[0]))
            return [CellRef("latent", name, tuple(pairs))]
        table = self.tables.get(name)
        if table is None and name in self.broken:
            raise _BrokenReferenceError(s)
        if table is None:
            raise ValueError(f"reference {s!r}: no table with id {name!r}")
        given = dict(pairs)
        if set(given) != set(table.key_fields):
            missing = [k for k in table.key_fields if k not in given]
            extra = [k for k in given if k not in table.key_fields]
            raise ValueError(
                f"reference {s!r}: must give every key field {list(table.key_fields)}"
                + (f"; missing {missing}" if missing else "")
                + (f"; unknown {extra}" if extra else "")
            )
        stars = [k for k, v in given.items() if v == "*" or v.startswith("in:")]
        if stars and not allow_pattern:
            raise ValueError(f"reference {s!r}: '*' patterns are only allowed in 'parts'")
        window = _window_of(s, given.get(PERIOD, ""))
        if not table.available:
            raise ValueError(f"reference {s!r}: table {name!r} is not available (no cells)")
        matches = []
        for key, _cell in self.cells[name].items():
            ok = True
            for k, v in key:
                want = given[k]
                if want == "*":
                    if v == ALL or (k == PERIOD and "-" in v):
                        ok = False
                        break
                elif window is not None and k == PERIOD:
                    if "-" in v or not window[0] <= int(v) <= window[1]:
                        ok = False
                        break
                elif want != v:
                    ok = False
                    break
            if ok:
                matches.append(CellRef("cell", name, key))
        if not matches:
            what = "matches no cell" if stars else "is not a cell of the table"
            raise ValueError(f"reference {s!r} {what}")
        return matches


def _window_of(ref: str, period: str) -> tuple[int, int] | None:
    """``period=in:2020-2024`` (a pattern: every single year of the window) -> (2020, 2024)."""
    if not period.startswith("in:"):
        return None
    m = PERIOD_RE.match(period[3:])
    if not m or not m.group(2) or not valid_period(period[3:]):
        raise ValueError(f"reference {ref!r}: 'in:' needs a period range like in:2020-2024")
    return int(m.group(1)), int(m.group(2))


def _for_each_values(value: Any, periods: Sequence[str]) -> list[str] | None:
    """Values of one ``for_each`` entry: a list, ``"*"`` (every single year of the package),
    ``"*-*"`` (every multi-year period), optionally followed by ``" except A, B"``.
    ``None`` if malformed."""
    if isinstance(value, list):
        if value and all(isinstance(x, str | int) for x in value):
            return [str(x) for x in value]
        return None
    if not isinstance(value, str):
        return None
    head, _, tail = value.partition(" except ")
    excluded = {x.strip() for x in tail.split(",") if x.strip()}
    if head.strip() == "*":
        return [p for p in periods if "-" not in p and p not in excluded]
    if head.strip() == "*-*":
        return [p for p in periods if "-" in p and p not in excluded]
    return None


def _substitute(s: str, binding: Mapping[str, str]) -> str:
    for k, v in binding.items():
        s = s.replace("{" + k + "}", v)
    return s


def _load_text_figures(
    data: dict[str, Any], pkg: PackageMeta, col: _Collector
) -> list[tuple[TextFigure, str | None, int]]:
    f = "text_figures.toml"
    _check_keys(data, {"figures"}, f, col)
    out: list[tuple[TextFigure, str | None, int]] = []
    seen: set[str] = set()
    units = {u.id for u in pkg.units} | set(NON_COUNT_UNITS) | {GENERIC_COUNT_UNIT}
    for i, r in enumerate(data.get("figures") or [], 1):
        if not isinstance(r, dict):
            col.add(f, "[[figures]] entries must be tables", row=i)
            continue
        fid = col.str_(r, "id", f, row=i)
        loc: dict[str, Any] = {"table": fid or None, "row": i}
        if fid and not re.match(r"^[A-Za-z0-9_.\-]+$", fid):
            col.add(f, f"figure id {fid!r} must match [A-Za-z0-9_.-]+", field="id", **loc)
        if fid in seen:
            col.add(f, f"duplicate figure id {fid!r}", field="id", **loc)
        seen.add(fid)
        _check_keys(
            r,
            {
                "id",
                "period",
                "printed",
                "value",
                "unit",
                "quote",
                "description_en",
                "section",
                "refers_to",
                "description",
            },
            f,
            col,
            **loc,
        )
        period = col.str_(r, "period", f, required=False, **loc)
        if period and not valid_period(period):
            col.add(f, f"period {period!r} must be YYYY, YYYY-YYYY or ''", field="period", **loc)
        value = r.get("value")
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            col.add(f, "'value' must be a number", field="value", **loc)
            value = None
        unit = col.str_(r, "unit", f, **loc)
        if unit and unit not in units:
            col.add(
                f,
                f"unit {unit!r} is not a package unit nor one of "
                f"{[*NON_COUNT_UNITS, GENERIC_COUNT_UNIT]}",
                field="unit",
                **loc,
            )
        refers = col.opt_str(r, "refers_to", f, **loc)
        out.append(
            (
                TextFigure(
                    id=fid,
                    period=period,
                    printed=col.str_(r, "printed", f, **loc),
                    value=float(value) if isinstance(value, float) else value,
                    unit=unit,
                    quote=col.str_(r, "quote", f, **loc),
                    description_en=col.str_(r, "description_en", f, **loc),
                    section=col.str_(r, "section", f, required=False, **loc),
                    refers_to=None,
                ),
                refers,
                i,
            )
        )
    return out


def _load_relations(
    data: dict[str, Any], resolver: _Resolver, col: _Collector
) -> tuple[list[Relation], dict[str, dict[str, Any]]]:
    f = "relations.toml"
    _check_keys(data, {"relations", "latent"}, f, col)
    latent_meta: dict[str, dict[str, Any]] = {}
    raw_latent = data.get("latent") or {}
    if not isinstance(raw_latent, dict):
        col.add(f, "'latent' must be tables [latent.<name>]", field="latent")
        raw_latent = {}
    for name, meta in raw_latent.items():
        if not isinstance(meta, dict):
            col.add(f, f"[latent.{name}] must be a table", table=name)
            continue
        _check_keys(meta, {"title", "description", "description_en", "unit"}, f, col, table=name)
        latent_meta[name] = meta
    out: list[Relation] = []
    for i, r in enumerate(data.get("relations") or [], 1):
        if not isinstance(r, dict):
            col.add(f, "[[relations]] entries must be tables", row=i)
            continue
        rid = col.str_(r, "id", f, row=i)
        loc: dict[str, Any] = {"table": rid or None, "row": i}
        _check_keys(
            r,
            {
                "id",
                "type",
                "for_each",
                "total",
                "parts",
                "cells",
                "figure",
                "numerator",
                "denominator",
                "decimals",
                "description",
                "description_en",
            },
            f,
            col,
            **loc,
        )
        rtype = col.str_(r, "type", f, **loc)
        if rtype and rtype not in RELATION_TYPES:
            col.add(f, f"type {rtype!r} must be one of {list(RELATION_TYPES)}", field="type", **loc)
            continue
        desc = col.str_(r, "description", f, required=False, **loc)
        desc_en = col.str_(r, "description_en", f, **loc)
        total = r.get("total")
        parts = r.get("parts")
        cells = r.get("cells")
        share_keys = [k for k in ("figure", "numerator", "denominator", "decimals") if k in r]
        if rtype not in SHARE_TYPES and share_keys:
            col.add(f, f"a {rtype} relation has no {share_keys}", **loc)
            continue
        figure = r.get("figure")
        numer = r.get("numerator")
        denom = r.get("denominator")
        decimals = r.get("decimals", 0)
        if rtype in SHARE_TYPES:
            if total is not None or parts is not None or cells is not None:
                col.add(
                    f,
                    f"a {rtype} relation has 'figure', 'numerator' and 'denominator', not "
                    "'total'/'parts'/'cells'",
                    **loc,
                )
            bad_share = False
            if not isinstance(figure, str) or not figure.startswith("text:"):
                col.add(f, "'figure' must be a text figure reference 'text:<id>'", **loc)
                bad_share = True
            for key, v in (("numerator", numer), ("denominator", denom)):
                if not isinstance(v, list) or not v or not all(isinstance(x, str) for x in v):
                    col.add(f, f"'{key}' must be a non-empty list of references", field=key, **loc)
                    bad_share = True
            if type(decimals) is not int or not 0 <= decimals <= 3:
                col.add(f, "'decimals' must be an integer 0..3", field="decimals", **loc)
                bad_share = True
            if bad_share:
                continue
        elif rtype == "identity":
            if total is not None or parts is not None:
                col.add(f, "an identity relation has 'cells', not 'total'/'parts'", **loc)
            if (
                not isinstance(cells, list)
                or len(cells) < 2
                or not all(isinstance(c, str) for c in cells)
            ):
                col.add(
                    f, "'cells' must be a list of at least two references", field="cells", **loc
                )
                continue
        else:
            if cells is not None:
                col.add(f, f"a {rtype} relation has 'total' and 'parts', not 'cells'", **loc)
            if not isinstance(total, str):
                col.add(f, "'total' must be a reference string", field="total", **loc)
                continue
            if (
                not isinstance(parts, list)
                or not parts
                or not all(isinstance(p, str) for p in parts)
            ):
                col.add(f, "'parts' must be a non-empty list of references", field="parts", **loc)
                continue
        cells_l: list[str] = list(cells) if isinstance(cells, list) else []
        parts_l: list[str] = list(parts) if isinstance(parts, list) else []
        total_s: str = total if isinstance(total, str) else ""
        raw_fe = r.get("for_each") or {}
        fe: dict[str, list[str]] = {}
        if isinstance(raw_fe, dict):
            for n, v in raw_fe.items():
                vals = _for_each_values(v, resolver.periods)
                if vals is None:
                    break
                fe[n] = vals
        if not isinstance(raw_fe, dict) or len(fe) != len(raw_fe):
            col.add(
                f,
                "'for_each' must map names to non-empty lists of values, or to '*' (every year) "
                "or '*-*' (every multi-year period), optionally with ' except A, B'",
                field="for_each",
                **loc,
            )
            continue
        # with a wildcard, combinations whose references do not all resolve are skipped
        lenient = any(isinstance(v, str) for v in raw_fe.values())
        expanded = 0
        names = list(fe)
        for combo in itertools.product(*(fe[n] for n in names)):
            binding = {n: str(v) for n, v in zip(names, combo, strict=True)}

            def sub(text: str, b: dict[str, str] = binding) -> str:
                return _substitute(text, b)

            xid = sub(rid)
            xloc = {"table": xid, "row": i}
            strings = [xid, desc, desc_en]
            if rtype == "identity":
                strings += cells_l
            elif rtype in SHARE_TYPES:
                strings += [str(figure), *(numer or []), *(denom or [])]
            else:
                strings += [total_s, *parts_l]
            bad = sorted({m for s in strings for m in PLACEHOLDER_RE.findall(sub(s))})
            if bad:
                col.add(f, f"placeholder(s) {bad} not defined in for_each", **xloc)
                continue
            if rtype in SHARE_TYPES:
                try:
                    rel = _share_relation(
                        xid,
                        rtype,
                        sub(str(figure)),
                        [sub(x) for x in numer or []],
                        [sub(x) for x in denom or []],
                        int(decimals),
                        (sub(desc), sub(desc_en)),
                        resolver,
                    )
                except _BrokenReferenceError:
                    continue
                except ValueError as exc:
                    if not lenient:
                        col.add(f, str(exc), **xloc)
                    continue
                expanded += 1
                out.append(rel)
                continue
            try:
                if rtype == "identity":
                    xcells = [
                        ref
                        for c in cells_l
                        for ref in resolver.resolve(sub(c), allow_pattern=False)
                    ]
                    xtotal = None
                    xparts: list[CellRef] = []
                else:
                    xcells = []
                    xtotal = resolver.resolve(sub(total_s), allow_pattern=False)[0]
                    xparts = [
                        ref for p in parts_l for ref in resolver.resolve(sub(p), allow_pattern=True)
                    ]
            except _BrokenReferenceError:
                continue
            except ValueError as exc:
                if not lenient:
                    col.add(f, str(exc), **xloc)
                continue
            expanded += 1
            allrefs = [*([xtotal] if xtotal else []), *xparts, *xcells]
            if len(set(allrefs)) != len(allrefs):
                dup = sorted({str(x) for x in allrefs if allrefs.count(x) > 1})
                col.add(f, f"the same reference appears twice: {dup}", **xloc)
                continue
            out.append(
                Relation(xid, rtype, xtotal, tuple(xparts), tuple(xcells), sub(desc), sub(desc_en))
            )
        if lenient and not expanded and all(fe.values()):
            col.add(
                f, "the wildcard for_each matches no period where every reference resolves", **loc
            )
    return out, latent_meta


def _share_relation(
    rid: str,
    rtype: str,
    figure: str,
    numerator: Sequence[str],
    denominator: Sequence[str],
    decimals: int,
    descs: tuple[str, str],
    resolver: _Resolver,
) -> Relation:
    """One expanded ``share``/``change`` relation; raises ValueError (or
    :class:`_BrokenReferenceError`) when a reference does not resolve or the figure does not fit:
    a ``share`` needs a figure of unit ``percent``, a ``change`` one of unit ``percent_change``;
    its printed value must be a plain number with ``decimals`` decimals at most."""
    fig_ref = resolver.resolve(figure, allow_pattern=False)[0]
    if fig_ref.kind != "text":
        raise ValueError(f"figure {figure!r} must be a text figure 'text:<id>'")
    fig = resolver.figures[fig_ref.name]
    want = "percent" if rtype == "share" else "percent_change"
    if fig.unit != want:
        raise ValueError(f"figure {figure!r} has unit {fig.unit!r}; a {rtype} needs {want!r}")
    bounds = fig.bounds
    if fig.value is None or bounds is None or bounds[0] != bounds[1]:
        raise ValueError(f"figure {figure!r} is not one printed number")
    if abs(fig.value * 10**decimals - round(fig.value * 10**decimals)) > 1e-9:
        raise ValueError(f"figure {figure!r} ({fig.value}) has more than {decimals} decimals")
    num = [x for s in numerator for x in resolver.resolve(s, allow_pattern=True)]
    den = [x for s in denominator for x in resolver.resolve(s, allow_pattern=True)]
    for name, refs in (("numerator", num), ("denominator", den)):
        if any(x.kind == "text" and resolver.figures[x.name].unit in NON_COUNT_UNITS for x in refs):
            raise ValueError(f"the {name} holds counts (cells, latents, count figures of the text)")
        if len(set(refs)) != len(refs):
            dup = sorted({str(x) for x in refs if refs.count(x) > 1})
            raise ValueError(f"the same reference appears twice in the {name}: {dup}")
    return Relation(
        rid,
        rtype,
        None,
        (),
        (),
        descs[0],
        descs[1],
        figure=fig_ref,
        numerator=tuple(num),
        denominator=tuple(den),
        decimals=decimals,
        percent=float(fig.value),
    )


def _load_discrepancies(
    data: dict[str, Any], relation_ids: set[str], resolver: _Resolver, col: _Collector
) -> list[Discrepancy]:
    f = "discrepancies.toml"
    _check_keys(data, {"discrepancies"}, f, col)
    out = []
    seen: set[str] = set()
    for i, r in enumerate(data.get("discrepancies") or [], 1):
        if not isinstance(r, dict):
            col.add(f, "[[discrepancies]] entries must be tables", row=i)
            continue
        did = col.str_(r, "id", f, row=i)
        loc: dict[str, Any] = {"table": did or None, "row": i}
        _check_keys(r, {"id", "relations", "description", "description_en"}, f, col, **loc)
        if did in seen:
            col.add(f, f"duplicate discrepancy id {did!r}", field="id", **loc)
        seen.add(did)
        rels = col.str_list(r, "relations", f, required=True, **loc)
        if not rels:
            col.add(
                f,
                "'relations' must list at least one relation id or reference",
                field="relations",
                **loc,
            )
        canon = []
        for rel in rels:
            if rel in relation_ids:
                canon.append(rel)
                continue
            try:
                refs = resolver.resolve(rel, allow_pattern=False)
                canon.append(str(refs[0]))
            except _BrokenReferenceError:
                continue
            except ValueError as exc:
                col.add(
                    f,
                    f"{rel!r} is neither a relation id nor a valid reference ({exc})",
                    field="relations",
                    **loc,
                )
        out.append(
            Discrepancy(
                did,
                tuple(canon),
                col.str_(r, "description", f, **loc),
                col.str_(r, "description_en", f, **loc),
            )
        )
    return out


_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _load_acknowledged_findings(
    data: dict[str, Any],
    relation_ids: set[str],
    resolver: _Resolver,
    tables: Mapping[str, TableSpec],
    col: _Collector,
    texts: Mapping[str, TextFigure] | None = None,
) -> list[AcknowledgedFinding]:
    """``acknowledged_findings.toml``: every entry names a masked cell of a table (or a masked
    text figure, ``text:<figure_id>`` printed ``<5``), a code of
    :data:`AUDIT_FINDING_CODES`, the finding's ``fingerprint`` (``sha256:`` + 64 hex, as
    ``opendata-mh audit`` prints it; it must be the fingerprint of this cell and code with some
    interval within the cell's bounds), the pinning relations (ids of ``relations.toml``, also
    those a later edition left out: they are informational), a reason, who and
    an ISO date; one entry per cell and code. The former key ``interval`` is refused: the values
    of masked cells are not written into the metadata. Whether an entry still matches a finding
    is decided by the audit, not here."""
    f = "acknowledged_findings.toml"
    _check_keys(data, {"findings"}, f, col)
    out = []
    seen: set[tuple[str, str]] = set()
    for i, r in enumerate(data.get("findings") or [], 1):
        if not isinstance(r, dict):
            col.add(f, "[[findings]] entries must be tables", row=i)
            continue
        cell_s = col.str_(r, "cell", f, row=i)
        loc: dict[str, Any] = {"table": cell_s or None, "row": i}
        keys = {"cell", "code", "fingerprint", "relations", "reason", "by", "date"}
        _check_keys(r, keys | {"interval"}, f, col, **loc)
        if "interval" in r:
            col.add(
                f,
                "unknown key 'interval': the values of a masked cell are not written down; "
                "use 'fingerprint' instead, as printed by 'opendata-mh audit' for the finding",
                field="interval",
                **loc,
            )
        code = col.str_(r, "code", f, **loc)
        if code and code not in AUDIT_FINDING_CODES:
            col.add(f, f"'code' must be one of {list(AUDIT_FINDING_CODES)}", field="code", **loc)
        ref: CellRef | None = None
        bounds: tuple[int, int | None] | None = None
        if cell_s:
            try:
                ref = resolver.resolve(cell_s, allow_pattern=False)[0]
                if ref.kind == "text":
                    fig = (texts or {}).get(ref.name)
                    tb = fig.bounds if fig is not None else None
                    if fig is None or tb is None or not fig.printed.startswith("<"):
                        raise ValueError(
                            "a text figure has findings only when it is masked (printed <n)"
                        )
                    bounds = (int(tb[0]), int(tb[1]))
                elif ref.kind != "cell":
                    raise ValueError("an acknowledgement names a table cell or a text figure")
                else:
                    cell = next(c for c in tables[ref.name].cells if c.key == ref.key)
                    if cell.parsed.cell_type != "masked":
                        raise ValueError(
                            f"the cell is {cell.parsed.cell_type}, only masked cells have findings"
                        )
                    bounds = (cell.parsed.lower, cell.parsed.upper)
            except _BrokenReferenceError:
                ref = None
            except ValueError as exc:
                col.add(f, f"cell: {exc}", field="cell", **loc)
                ref = None
        fp = r.get("fingerprint")
        fingerprint = ""
        if not isinstance(fp, str) or not FINGERPRINT_RE.match(fp):
            col.add(
                f,
                "'fingerprint' must be 'sha256:' and 64 lowercase hex digits, as printed by "
                "'opendata-mh audit' for the finding",
                field="fingerprint",
                **loc,
            )
        else:
            fingerprint = fp
            hi = bounds[1] if bounds is not None else None
            if (
                ref is not None
                and bounds is not None
                and hi is not None
                and hi - bounds[0] <= 100
                and code in AUDIT_FINDING_CODES
                and not any(
                    finding_fingerprint(str(ref), code, (lo, up)) == fp
                    for lo in range(bounds[0], hi + 1)
                    for up in range(lo, hi + 1)
                )
            ):
                col.add(
                    f,
                    f"'fingerprint' is not that of a {code} of this cell within its bounds; "
                    "copy it from 'opendata-mh audit' (the cell and the code must match too)",
                    field="fingerprint",
                    **loc,
                )
        rels = col.str_list(r, "relations", f, required=True, **loc)
        if not rels:
            col.add(
                f,
                "'relations' must name the relation(s) that pin the cell",
                field="relations",
                **loc,
            )
        for rel in rels:
            if rel not in relation_ids:
                col.add(f, f"{rel!r} is not a relation id", field="relations", **loc)
        date = r.get("date")
        date_s = date.isoformat() if isinstance(date, dt.date) else date
        if not isinstance(date_s, str) or not _DATE_RE.match(date_s):
            col.add(f, "'date' must be a date YYYY-MM-DD", field="date", **loc)
            date_s = ""
        reason = col.str_(r, "reason", f, **loc)
        by = col.str_(r, "by", f, **loc)
        if ref is not None:
            if (str(ref), code) in seen:
                col.add(f, f"{ref} is acknowledged twice for {code}", field="cell", **loc)
            seen.add((str(ref), code))
            out.append(AcknowledgedFinding(ref, code, fingerprint, rels, reason, by, date_s))
    return out


# --------------------------------------------------------------------------------------------
# Editions (metadata/editions/<id>/)
# --------------------------------------------------------------------------------------------

EDITIONS_DIR = "editions"
EDITION_MANIFEST = "edition.toml"
EDITION_ID_RE = re.compile(r"^\d{4}(?:\.\d+)?$")
_EDITION_KEYS = {"id", "version", "date", "description", "description_en", "years", "sources"}
_EDITION_KEYS |= {"tables"}


def _edition_sort_key(eid: str) -> tuple[int, ...]:
    return tuple(int(x) for x in eid.split("."))


def _period_sort_key(p: str) -> tuple[str, str]:
    return (p.split("-")[-1], p)


def read_edition_csv(data: bytes) -> list[dict[str, str]]:
    """Rows of an edition table file (UTF-8 CSV: ``period, <dims...>, value_printed``)."""
    import csv
    import io

    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


def _load_edition(
    d: Path,
    base: str,
    tables: Mapping[str, TableSpec],
    cls: Mapping[str, CodeList],
    col: _Collector,
) -> tuple[Edition | None, dict[str, tuple[list[Cell], tuple[str, ...]]]]:
    """Parse one edition directory: its manifest and table files -> new cells per table."""
    rel = f"{EDITIONS_DIR}/{d.name}/{EDITION_MANIFEST}"
    data = _read_toml(d / EDITION_MANIFEST, rel, col)
    if not data:
        return None, {}
    _check_keys(data, _EDITION_KEYS, rel, col)
    eid = col.str_(data, "id", rel)
    if eid and (eid != d.name or not EDITION_ID_RE.match(eid)):
        col.add(rel, f"edition id {eid!r} must equal its directory name and look like '2024'")
    if (
        eid
        and base
        and EDITION_ID_RE.match(eid)
        and EDITION_ID_RE.match(base)
        and _edition_sort_key(eid) <= _edition_sort_key(base)
    ):
        col.add(rel, f"edition {eid!r} must come after the base edition {base!r}")
    version = col.str_(data, "version", rel)
    if version and not (re.match(r"^\d{4}\.\d+\.\d+$", version) and version.startswith(eid + ".")):
        col.add(rel, f"version {version!r} must look like '{eid}.<n>.<m>'", field="version")
    date = data.get("date")
    date_s = date.isoformat() if isinstance(date, dt.date) else date
    if not isinstance(date_s, str) or not re.match(r"^\d{4}-\d{2}-\d{2}$", date_s):
        col.add(rel, "'date' must be a date YYYY-MM-DD", field="date")
        date_s = ""
    years = col.str_list(data, "years", rel, required=False)
    sources: list[tuple[str, str]] = []
    for i, src in enumerate(data.get("sources") or [], 1):
        if not isinstance(src, dict):
            col.add(rel, "[[sources]] entries must be tables", row=i)
            continue
        _check_keys(src, {"id", "reference_date"}, rel, col, row=i)
        sid = col.str_(src, "id", rel, row=i)
        ref = src.get("reference_date")
        ref_s = ref.isoformat() if isinstance(ref, dt.date) else ref
        if not isinstance(ref_s, str) or not re.match(r"^\d{4}-\d{2}-\d{2}$", ref_s):
            col.add(rel, "reference_date must be YYYY-MM-DD", row=i, field="reference_date")
            continue
        sources.append((sid, ref_s))
    etables: list[EditionTable] = []
    cells_out: dict[str, tuple[list[Cell], tuple[str, ...]]] = {}
    for i, rt in enumerate(data.get("tables") or [], 1):
        if not isinstance(rt, dict):
            col.add(rel, "[[tables]] entries must be tables", row=i)
            continue
        _check_keys(rt, {"id", "file", "adds", "revises", "removes"}, rel, col, row=i)
        tid = col.str_(rt, "id", rel, row=i)
        t = tables.get(tid)
        if t is None:
            col.add(rel, f"table {tid!r} does not exist (or failed to load)", row=i, field="id")
            continue
        fname = col.str_(rt, "file", rel, row=i)
        frel = f"{EDITIONS_DIR}/{d.name}/{fname}"
        removes = col.str_list(rt, "removes", rel, required=False, row=i)
        try:
            rows = read_edition_csv((d / fname).read_bytes())
        except (OSError, UnicodeDecodeError) as exc:
            col.add(frel, f"cannot read: {exc}", table=tid)
            continue
        want = [PERIOD, *t.dimensions, "value_printed"]
        if rows and list(rows[0]) != want:
            col.add(frel, f"header must be {want}, got {list(rows[0])}", table=tid)
            continue
        known = {c.key: c for c in t.cells}
        labels: dict[tuple[str, str], str] = {}
        for c in t.cells:
            for dim, label, _ in c.labels:
                labels.setdefault((dim, dict(c.key)[dim]), label)
        new: list[Cell] = []
        seen: set[tuple[tuple[str, str], ...]] = set()
        adds: set[str] = set()
        revises: set[str] = set()
        for li, row in enumerate(rows, 2):
            loc: dict[str, Any] = {"table": tid, "row": li}
            key = tuple((k, (row.get(k) or "").strip()) for k in t.key_fields)
            bad = [k for k, v in key if not _code_ok(k, v, cls)]
            if bad:
                col.add(frel, f"line {li}: {bad[0]} {dict(key)[bad[0]]!r} is not a code", **loc)
                continue
            if key in seen:
                col.add(frel, f"line {li}: cell {_fmt_key(key)} is given twice", **loc)
                continue
            seen.add(key)
            try:
                parsed = parse_printed(row.get("value_printed") or "", t.sdc)
                if parsed.cell_type == "unresolved":
                    raise ValueError("an edition has no unresolved cells")
            except ValueError as exc:
                col.add(frel, f"line {li}: {exc}", field="value_printed", **loc)
                continue
            (revises if key in known else adds).add(key[0][1])
            lab = tuple(
                (
                    dim,
                    labels.get((dim, v)) or (cls[dim].get(v).label if cls[dim].get(v) else v),  # type: ignore[union-attr]
                    cls[dim].get(v).label_en if cls[dim].get(v) else v,  # type: ignore[union-attr]
                )
                for dim, v in key[1:]
            )
            new.append(Cell(tid, key, lab, parsed, f"edition:{eid}", li - 1, 0, eid))
        revises -= adds
        for fld, got in (("adds", adds), ("revises", revises)):
            declared = col.str_list(rt, fld, rel, required=False, row=i)
            if sorted(declared, key=_period_sort_key) != sorted(got, key=_period_sort_key):
                col.add(
                    rel,
                    f"table {tid!r}: '{fld}' says {sorted(declared)} but {fname} "
                    f"{fld[:-1]} {sorted(got, key=_period_sort_key)}",
                    row=i,
                    field=fld,
                )
        etables.append(
            EditionTable(
                tid,
                fname,
                tuple(sorted(adds, key=_period_sort_key)),
                tuple(sorted(revises, key=_period_sort_key)),
                tuple(removes),
            )
        )
        cells_out[tid] = (new, tuple(removes))
    edition = Edition(
        id=eid,
        version=version,
        date=date_s,
        description=col.str_(data, "description", rel, required=False),
        description_en=col.str_(data, "description_en", rel),
        years=tuple(years),
        sources=tuple(sources),
        tables=tuple(etables),
    )
    return edition, cells_out


def _apply_editions(
    root: Path,
    pkg: PackageMeta,
    tables: list[TableSpec],
    cls: Mapping[str, CodeList],
    col: _Collector,
) -> tuple[PackageMeta, list[TableSpec], tuple[Edition, ...]]:
    """Stamp the transcribed cells with the base edition, then merge every edition in
    ``metadata/editions/`` in order: a cell of a later edition replaces the cell with the same
    key (a revision) or is appended (a new cell); ``removes`` drops periods. The package takes
    the latest edition's id and version, its temporal end and its sources' reference dates."""
    base = pkg.edition or ""
    tables = [_replace(t, cells=tuple(_replace(c, edition=base) for c in t.cells)) for t in tables]
    edir = root / EDITIONS_DIR
    if not edir.is_dir():
        return pkg, tables, ()
    dirs = sorted(
        (p for p in edir.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: _edition_sort_key(p.name) if EDITION_ID_RE.match(p.name) else (0,),
    )
    editions: list[Edition] = []
    for d in dirs:
        tmap = {t.id: t for t in tables}
        edition, new_cells = _load_edition(d, base, tmap, cls, col)
        if edition is None:
            continue
        editions.append(edition)
        for i, t in enumerate(tables):
            if t.id not in new_cells:
                continue
            cells, removes = new_cells[t.id]
            by_key = {c.key: c for c in cells}
            merged = [by_key.pop(c.key, c) for c in t.cells if c.key[0][1] not in removes]
            merged += [c for c in cells if c.key in by_key]
            still = {c.key for c in merged if c.parsed.cell_type == "unresolved"}
            tables[i] = _replace(
                t, cells=tuple(merged), unresolved=tuple(u for u in t.unresolved if u.key in still)
            )
    if not editions:
        return pkg, tables, ()
    last = editions[-1]
    refs: dict[str, str] = {}
    for e in editions:
        refs.update(dict(e.sources))
    for sid in refs:
        if sid not in {s.id for s in pkg.sources}:
            col.add(f"{EDITIONS_DIR}/", f"source {sid!r} of an edition is not in package.toml")
    years = [c.key[0][1] for t in tables for c in t.cells]
    end = max(int(p.split("-")[-1]) for p in years) if years else None
    pkg = _replace(
        pkg,
        edition=last.id,
        version=last.version,
        temporal_end=f"{end}-12-31" if end and pkg.temporal_end else pkg.temporal_end,
        sources=tuple(
            _replace(s, reference_date=refs[s.id]) if s.id in refs else s for s in pkg.sources
        ),
    )
    return pkg, tables, tuple(editions)


def _one_edition(
    r: Relation,
    cells: Mapping[CellRef, str],
    base: str,
    latent_eds: Mapping[CellRef, set[str]] | None = None,
) -> bool:
    """True when every table cell and text figure of ``r`` comes from the same edition (text
    figures belong to the base edition): a relation holds among figures of one reference date,
    so a relation that a later edition revised only in part is left out. A latent quantity
    carries the editions of the table cells it is related to (``latent_eds``), so a prose figure
    tied to a latent whose cells a later edition revised lapses too."""
    eds = {
        cells.get(ref, base) if ref.kind == "cell" else base
        for ref in r.refs
        if ref.kind != "latent"
    }
    for ref in r.refs:
        if ref.kind == "latent" and latent_eds:
            eds |= latent_eds.get(ref, set())
    return len(eds) <= 1


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------


def load_metadata(root: str | Path) -> Metadata:
    """Load and validate ``metadata/``; raise :class:`MetadataError` with every problem found."""
    root = Path(root)
    col = _Collector()
    if not root.is_dir():
        raise MetadataError([MetadataProblem(str(root), "metadata directory not found")])
    pkg = _load_package(_read_toml(root / "package.toml", "package.toml", col), col)
    codelists = _load_codelists(_read_toml(root / "codelists.toml", "codelists.toml", col), col)
    cls = {c.id: c for c in codelists}
    tables: list[TableSpec] = []
    seen_ids: dict[str, str] = {}
    table_files = sorted((root / "tables").glob("*.toml")) if (root / "tables").is_dir() else []
    if not table_files:
        col.add("tables/", "no table files tables/*.toml")
    for path in table_files:
        rel = f"tables/{path.name}"
        data = _read_toml(path, rel, col)
        if not data:
            continue
        t = _load_table(data, rel, pkg, cls, col)
        tid = data.get("id") if isinstance(data.get("id"), str) else None
        if tid:
            if tid in seen_ids:
                col.add(
                    rel, f"table id {tid!r} is also used by {seen_ids[tid]}", table=tid, field="id"
                )
            seen_ids.setdefault(tid, rel)
        if t is not None and t.id == tid:
            tables.append(t)
    if "text_figures" in seen_ids:
        col.add(seen_ids["text_figures"], "table id 'text_figures' is reserved", field="id")
    tables.sort(key=lambda t: (t.number, t.id))
    base_edition = pkg.edition or ""
    pkg, tables, editions = _apply_editions(root, pkg, tables, cls, col)
    tmap = {t.id: t for t in tables}

    raw_figs = _load_text_figures(
        _read_toml(root / "text_figures.toml", "text_figures.toml", col, required=False), pkg, col
    )
    figs_noref = {fig.id: fig for fig, _, _ in raw_figs}
    resolver = _Resolver(tmap, figs_noref)
    figures: list[TextFigure] = []
    text_relations: list[Relation] = []
    for fig, refers, i in raw_figs:
        ref: CellRef | None = None
        if refers:
            try:
                ref = resolver.resolve(refers, allow_pattern=False)[0]
                if ref.kind == "text":
                    raise ValueError(f"refers_to {refers!r} must be a cell or latent quantity")
            except _BrokenReferenceError:
                ref = None
            except ValueError as exc:
                col.add(
                    "text_figures.toml", f"refers_to: {exc}", table=fig.id, row=i, field="refers_to"
                )
                ref = None
        fig = TextFigure(**{**fig.__dict__, "refers_to": ref})
        figures.append(fig)
        if ref is not None and fig.unit not in NON_COUNT_UNITS:
            if fig.bounds is None:
                col.add(
                    "text_figures.toml",
                    "a figure with refers_to needs a numeric value",
                    table=fig.id,
                    row=i,
                    field="value",
                )
                continue
            text_relations.append(
                Relation(
                    id=f"text.{fig.id}",
                    type="identity",
                    total=None,
                    parts=(),
                    cells=(CellRef("text", fig.id), ref),
                    description=f"De tekst noemt {fig.printed} ({fig.id}) voor {ref}.",
                    description_en=f"The text states {fig.printed} for {ref} (figure {fig.id}).",
                    origin="text_figures.toml",
                )
            )
    resolver = _Resolver(tmap, {f.id: f for f in figures})
    relations, latent_meta = _load_relations(
        _read_toml(root / "relations.toml", "relations.toml", col, required=False), resolver, col
    )
    relations += text_relations
    lapsed_rel: set[str] = set()  # relation ids a later edition left out (see _one_edition)
    if editions:
        cell_eds = {CellRef("cell", t.id, c.key): c.edition for t in tables for c in t.cells}
        lapsed_rel = {r.id for r in relations}
        relations = [r for r in relations if _one_edition(r, cell_eds, base_edition)]
        latent_eds: dict[CellRef, set[str]] = {}
        for r in relations:
            eds = {cell_eds.get(ref, base_edition) for ref in r.refs if ref.kind == "cell"}
            for ref in r.refs:
                if ref.kind == "latent":
                    latent_eds.setdefault(ref, set()).update(eds)
        relations = [r for r in relations if _one_edition(r, cell_eds, base_edition, latent_eds)]
        lapsed_rel -= {r.id for r in relations}
    seen_rel: set[str] = set()
    for r in relations:
        if r.id in seen_rel:
            col.add(r.origin, f"relation id {r.id!r} is not unique after expansion", table=r.id)
        seen_rel.add(r.id)
    latent_uses: dict[CellRef, list[str]] = {}
    for r in relations:
        for ref in r.refs:
            if ref.kind == "latent":
                latent_uses.setdefault(ref, []).append(r.id)
    for fig in figures:
        if fig.refers_to is not None and fig.refers_to.kind == "latent":
            latent_uses.setdefault(fig.refers_to, [])
    for name in latent_meta:
        if not any(ref.name == name for ref in latent_uses):
            col.add("relations.toml", f"[latent.{name}] is not used by any relation", table=name)
    latent = tuple(
        LatentQuantity(
            ref=ref,
            relations=tuple(ids),
            title=latent_meta.get(ref.name, {}).get("title"),
            description=latent_meta.get(ref.name, {}).get("description"),
            description_en=latent_meta.get(ref.name, {}).get("description_en"),
            unit=latent_meta.get(ref.name, {}).get("unit"),
        )
        for ref, ids in sorted(latent_uses.items(), key=lambda kv: str(kv[0]))
    )
    discrepancies = _load_discrepancies(
        _read_toml(root / "discrepancies.toml", "discrepancies.toml", col, required=False),
        # a relation a later edition left out may stay listed (it then covers nothing)
        seen_rel | lapsed_rel,
        resolver,
        col,
    )
    raw_ack = _read_toml(
        root / "acknowledged_findings.toml", "acknowledged_findings.toml", col, required=False
    )
    if editions and isinstance(raw_ack.get("findings"), list):
        # an acknowledgement of a figure that a later edition revised lapses (it was about the
        # earlier publication of that figure). One that cites a relation an edition left out
        # stays: its cell, code and fingerprint decide (the relations are informational; the
        # audit reports a relation id the package no longer has, as audit.acknowledged-relation-
        # lapsed)
        revised = {
            str(CellRef("cell", t.id, c.key))
            for t in tables
            for c in t.cells
            if c.edition != base_edition
        }
        raw_ack = {
            **raw_ack,
            "findings": [
                f
                for f in raw_ack["findings"]
                if not isinstance(f, dict) or f.get("cell") not in revised
            ],
        }
    acknowledged = _load_acknowledged_findings(
        raw_ack,
        seen_rel | lapsed_rel,
        resolver,
        tmap,
        col,
        {t.id: t for t in figures},
    )
    if col.problems:
        raise MetadataError(col.problems)
    return Metadata(
        package=pkg,
        codelists=codelists,
        tables=tuple(tables),
        relations=tuple(relations),
        latent=latent,
        text_figures=tuple(figures),
        discrepancies=tuple(discrepancies),
        acknowledged_findings=tuple(acknowledged),
        editions=editions,
    )


__all__ = [
    "AUDIT_FINDING_CODES",
    "CELL_TYPES",
    "CONF_STATUS",
    "FINGERPRINT_RE",
    "OBS_STATUS",
    "RELATION_TYPES",
    "SHARE_TYPES",
    "AcknowledgedFinding",
    "Cell",
    "CellRef",
    "CodeList",
    "Discrepancy",
    "Edition",
    "EditionTable",
    "LatentQuantity",
    "Metadata",
    "PackageMeta",
    "Panel",
    "ParsedValue",
    "Relation",
    "SdcRule",
    "TableSpec",
    "TextFigure",
    "Unresolved",
    "count_bounds",
    "finding_fingerprint",
    "load_metadata",
    "parse_printed",
    "parse_ref",
    "share_rows",
]
