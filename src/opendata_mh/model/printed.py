"""Printed values -> cells: the disclosure rule of a table (:class:`SdcRule`) and what a printed
symbol says about the count behind it (:func:`parse_printed`, :func:`count_bounds`).

==============  ===========================  ==========  ==========  ===========
printed         bounds [lower, upper]        cell_type   obs_status  conf_status
==============  ===========================  ==========  ==========  ===========
``0``           [0, 0]                       zero        A           F
``181``         [181, 181]                   exact       A           F
``<5``          [1, 4]  (``<n`` -> [1, n-1])  masked      Q           A
``170`` (IND)   [165, 174]                   rounded     A           F
``170-180``     [170, 180]                   range       Q           D
``x``           [1, inf)                     secondary   Q           D
``?``           hull of the candidates       unresolved  O           F
==============  ===========================  ==========  ==========  ===========

Sources of the rules: the report masks counts 1 to 4 as ``<5`` (so a masked cell is 1..4, never 0,
which is printed as ``0``); the IND tables carry "Noot: de cijfers zijn afgerond op tientallen"
(rounded to tens). Rounding is taken as round half up, so a printed R with base b stands for
[max(0, R - b/2), R + b/2 - 1] (170 -> 165..174; 0 -> 0..4, a rounded zero is ``rounded``, not
``zero``). A printed range ``a-b`` includes both ends. ``x`` (secondary suppression, built
editions only) is "not published; at least 1" -- except in a table whose group protection is
``breakdown`` (:data:`GROUP_PROTECTIONS`), where the whole breakdown of a small group is printed
``x``, zeros included: there every ``x`` is "not published; 0 or more" ([0, inf), the one
documented exception to "zeros are always shown").
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from opendata_mh.model.constants import SECONDARY_SYMBOL, VALUE_COLUMNS, CellType
from opendata_mh.sdc import rules

GROUP_PROTECTIONS = ("breakdown", "total", "off")
"""How ``opendata-mh build`` protects a small group (a total of 1..n-1 whose breakdown puts every
member in one category; ``audit.group-disclosure``) in a threshold table (``sdc.group_protection``
in ``tables/*.toml``): ``breakdown`` prints the whole breakdown ``x``, zeros included (so every
``x`` of the table reads [0, inf)), the total stays ``<n``; ``total`` prints the total and its one
non-zero category ``x`` (a reader cannot tell that the group is small; zeros stay 0); ``off``
leaves it to the audit (the build refuses what ``check`` would report)."""

DEFAULT_GROUP_PROTECTION = {"victims": "breakdown"}
"""The default group protection by the table's ``unit`` when ``tables/*.toml`` does not state
it; any other unit: ``total``. Every table of ``metadata/tables`` states it."""


@dataclass(frozen=True)
class SdcRule:
    """Disclosure rule of a table: ``threshold`` (counts 1..threshold-1 masked as ``<threshold``)
    or ``rounding`` (figures rounded to ``base``, round half up)."""

    rule: Literal["threshold", "rounding"]
    threshold: int | None = None
    base: int | None = None
    group_protection: str | None = None
    """Threshold tables: one of :data:`GROUP_PROTECTIONS` (``None``: a package that does not
    say, read as ``total``: ``x`` is [1, inf))."""

    @property
    def x_lower(self) -> int:
        """The a-priori lower end of ``x`` in this table: 0 under ``breakdown``, else 1."""
        return 0 if self.group_protection == "breakdown" else 1

    def to_dict(self) -> dict[str, Any]:
        if self.rule == "rounding":
            return {"rule": "rounding", "base": self.base, "tie": "half_up"}
        out: dict[str, Any] = {"rule": "threshold", "threshold": self.threshold}
        if self.group_protection is not None:
            out["groupProtection"] = self.group_protection
        return out


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

    def as_text(self, columns: Sequence[str] = VALUE_COLUMNS) -> list[str]:
        """The CSV text of ``columns`` (of :data:`VALUE_COLUMNS`, in that order by default):
        what a table CSV (:data:`TABLE_VALUE_COLUMNS`) and the long files print for the cell."""
        text = {
            "value": number_text(self.value),
            "value_lower": number_text(self.lower),
            "value_upper": number_text(self.upper),
            "value_printed": self.printed,
            "cell_type": self.cell_type,
            "obs_status": self.obs_status,
            "conf_status": self.conf_status,
        }
        return [text[c] for c in columns]


def number_text(x: float | None) -> str:
    """A number as the CSV files print it: ``""`` for none, ``3`` for 3 and 3.0, ``0.5``."""
    if x is None:
        return ""
    return str(int(x)) if float(x).is_integer() else str(x)


_STATUS: dict[str, tuple[str, str]] = {
    "exact": ("A", "F"),
    "zero": ("A", "F"),
    "rounded": ("A", "F"),
    "masked": ("Q", "A"),
    "range": ("Q", "D"),
    "secondary": ("Q", "D"),
    "unresolved": ("O", "F"),
}
"""SDMX ``OBS_STATUS`` and ``CONF_STATUS`` of each cell type (the table above)."""


def _read(s: str, sdc: SdcRule | None) -> rules.PrintedCell:
    """The one reading of a printed symbol (:func:`opendata_mh.sdc.rules.parse_printed`, in the
    strict form the package writes), as ``ValueError`` with a readable message."""
    try:
        return rules.parse_printed(
            s,
            threshold=(sdc.threshold if sdc and sdc.rule == "threshold" else None) or 5,
            rounding_base=(sdc.base or 1) if sdc and sdc.rule == "rounding" else None,
            secondary_symbols=(SECONDARY_SYMBOL,) if sdc else (),
            secondary_lower=1,
            strict=True,
        )
    except rules.SDCError as exc:
        if "cannot read" in str(exc):
            raise ValueError(
                f"{s!r} is not a printed value: expected an integer like '181', '<5', "
                f"a range like '170-180', {SECONDARY_SYMBOL!r} (secondary suppression) or '?'"
            ) from None
        raise ValueError(f"{s!r}: {exc}") from None


def parse_printed(printed: str, sdc: SdcRule, candidates: Sequence[str] = ()) -> ParsedValue:
    """Parse one printed value of a table with disclosure rule ``sdc``.

    ``?`` needs ``candidates`` (printed values); its bounds are the hull of theirs. Raises
    :class:`ValueError` with a readable message on bad syntax. See the module docstring for the
    rules and their sources. The symbol is read by :func:`opendata_mh.sdc.rules.parse_printed`
    (the attacker's knowledge in the disclosure audit: one reading for both); this function
    adds what the table's rule demands (``<n`` with the table's threshold, ``x`` only in a
    threshold table) and the CSV columns.
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
    if s == SECONDARY_SYMBOL and sdc.rule != "threshold":
        raise ValueError(f"{s!r} (secondary suppression) needs a threshold table")
    cell = _read(s, sdc)
    if cell.kind == "masked" and sdc.rule == "threshold" and cell.upper + 1 != sdc.threshold:
        raise ValueError(f"{s!r} does not match the table's threshold {sdc.threshold}")
    kind: CellType = cell.kind  # type: ignore[assignment]
    value = int(s) if kind in ("exact", "zero", "rounded") else None
    upper = None if math.isinf(cell.upper) else int(cell.upper)
    lower = sdc.x_lower if kind == "secondary" else int(cell.lower)
    return ParsedValue(s, value, lower, upper, kind, *_STATUS[kind])


def printed_of(cell_type: str, value: str, lower: str, upper: str) -> str:
    """The printed value of a table cell from the columns a table CSV keeps (``cell_type``,
    ``value``, ``value_lower``, ``value_upper``, as CSV strings): the inverse of
    :func:`parse_printed` for what the package writes (``181``; ``<5`` for a masked 1..4;
    ``170-180``; ``x``; ``""`` for an unresolved cell). A cell type it does not know, or a
    value missing where the type needs one, gives ``""`` (then ``check`` reports the row)."""
    if cell_type in ("exact", "zero", "rounded"):
        return value
    if cell_type == "masked":
        return f"<{int(upper) + 1}" if upper.isdigit() else ""
    if cell_type == "range":
        return f"{lower}-{upper}" if lower and upper else ""
    if cell_type == "secondary":
        return SECONDARY_SYMBOL
    return ""


def status_of(cell_type: str) -> tuple[str, str]:
    """SDMX ``(OBS_STATUS, CONF_STATUS)`` of a cell type (the module docstring's table);
    ``("", "")`` for an unknown type."""
    return _STATUS.get(cell_type, ("", ""))


def is_masked(printed: str) -> bool:
    """Is the printed figure a mask ``<n`` (a count from 1 to n-1)? Any text: a figure of the
    prose such as ``40%`` is not."""
    try:
        return _read(printed.strip(), None).kind == "masked"
    except ValueError:
        return False


def count_bounds(printed: str, value: float | None) -> tuple[float, float] | None:
    """Bounds of a figure quoted in the prose: ``<n`` -> [1, n-1], ``a-b`` -> [a, b], an integer
    -> itself; otherwise the numeric ``value`` (e.g. ``5.000`` with value 5000); else ``None``."""
    try:
        cell: rules.PrintedCell | None = _read(printed.strip(), None)
    except ValueError:
        cell = None
    if cell is not None and cell.kind in ("masked", "range"):
        return (float(cell.lower), float(cell.upper))
    if value is not None:
        return (float(value), float(value))
    if cell is not None:
        return (float(cell.lower), float(cell.upper))
    return None
