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
editions only) is "not published; at least 1".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from opendata_mh.model.constants import SECONDARY_SYMBOL, CellType

PRINTED_INT_RE = re.compile(r"^(0|[1-9]\d*)$")
PRINTED_MASK_RE = re.compile(r"^<([1-9]\d*)$")
PRINTED_RANGE_RE = re.compile(r"^(0|[1-9]\d*)-(0|[1-9]\d*)$")


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
