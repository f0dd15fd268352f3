"""Publication rules for counts: the threshold rule, rounding, ranges, and the
a-priori intervals an attacker reads off the printed symbols.

Pure functions, no I/O. Counts are non-negative integers; an interval is a pair
``(lower, upper)`` of ``int`` and ``int | float`` where ``upper`` may be
``math.inf`` (no upper bound known).

Knowledge model (``docs`` and ``/work/shared/research/sdc.md`` §2.3):

=================================  =======================================
published as                        a-priori interval of the true count y
=================================  =======================================
a number v                          [v, v]
``0``                               [0, 0]
``<n`` (threshold rule, n = 5)      [1, n-1]
secondary symbol (default)          [1, inf)   "not published; at least 1":
                                               zeros are always shown, and a
                                               primary cell may be printed with
                                               the symbol (an *upgraded* primary),
                                               so the symbol never implies >= n;
                                               the convention of ``opendata-mh
                                               build`` and of the API's defaults
secondary symbol, ``lower=n``       [n, inf)   (a publisher that never prints a
                                               small count with the symbol)
R rounded to base b (half up)       [max(0, R - floor(b/2)), R + ceil(b/2) - 1]
                                    e.g. b = 10: [R-5, R+4]
controlled rounding, K steps        [max(0, R-(K+1)b+1), R+(K+1)b-1]
                                    (TAU-MAN §2.14; sdc.md case P7)
range ``a-b``                       [a, b], both ends inclusive
=================================  =======================================

Zeros are never masked: a symbol that may hide a zero or a count >= n is the
non-convex set {0} U [n, inf), which no interval describes (an integer attacker
narrows ``<n`` cells that its convex hull [0, inf) leaves alone), so the API
offers no such option.

Tie rule for rounding: **round half up** (15 -> 20 at base 10), computed in
exact integer arithmetic (no float rounding, no banker's rounding).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "CONF_STATUS",
    "CellStatus",
    "Interval",
    "PrintedCell",
    "SDCError",
    "controlled_rounding_interval",
    "is_primary",
    "parse_printed",
    "parse_range",
    "round_half_up",
    "rounding_interval",
    "secondary_interval",
    "threshold_interval",
    "threshold_status",
]

Interval = tuple[int, float]
"""``(lower, upper)``: lower is an int, upper an int or ``math.inf``."""


class SDCError(ValueError):
    """Invalid input to the disclosure-control functions (negative count,
    unknown symbol, inconsistent bounds, ...). The message names the cell."""


class CellStatus(StrEnum):
    """Status of a count cell after protection.

    ``SAFE``: published as is. ``ZERO``: a published zero. ``PRIMARY``: masked by
    the threshold rule (SDMX CONF_STATUS ``A``). ``SECONDARY``: masked to protect
    a primary cell (CONF_STATUS ``D``).
    """

    SAFE = "safe"
    ZERO = "zero"
    PRIMARY = "primary"
    SECONDARY = "secondary"


CONF_STATUS: Mapping[CellStatus, str] = {
    CellStatus.SAFE: "F",
    CellStatus.ZERO: "F",
    CellStatus.PRIMARY: "A",
    CellStatus.SECONDARY: "D",
}
"""SDMX CL_CONF_STATUS code per cell status (sdc.md §3)."""


def _check_count(value: int, what: str = "count") -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise SDCError(f"{what} must be a non-negative integer, got {value!r}")


def is_primary(value: int, threshold: int = 5) -> bool:
    """True if a count is primary-suppressed by the threshold rule: 1 <= value <= n-1.

    Zeros are published (the rule protects persons, and an empty cell has none).

    Raises:
        SDCError: ``value`` not a non-negative int, or ``threshold`` < 2.
    """
    _check_count(value)
    if threshold < 2:
        raise SDCError(f"threshold must be >= 2, got {threshold}")
    return 0 < value < threshold


def threshold_status(values: Mapping[str, int], threshold: int = 5) -> dict[str, CellStatus]:
    """Apply the threshold rule to every cell.

    Args:
        values: cell id -> true count (non-negative int).
        threshold: n; counts 1..n-1 are primary (default 5, printed ``<5``).

    Returns:
        cell id -> ``CellStatus.ZERO`` (0), ``PRIMARY`` (1..n-1) or ``SAFE`` (>= n),
        in the order of ``values``.

    Raises:
        SDCError: a count is negative or not an int (message names the cell).
    """
    out: dict[str, CellStatus] = {}
    for cid, v in values.items():
        try:
            prim = is_primary(v, threshold)
        except SDCError as exc:
            raise SDCError(f"cell {cid!r}: {exc}") from None
        out[cid] = CellStatus.ZERO if v == 0 else (CellStatus.PRIMARY if prim else CellStatus.SAFE)
    return out


def round_half_up(value: int, base: int) -> int:
    """Round a count to a multiple of ``base``, ties upwards (15 -> 20 at base 10).

    Exact integer arithmetic: ``floor((2*value + base) / (2*base)) * base``.

    Raises:
        SDCError: negative value or base < 1.
    """
    _check_count(value)
    if base < 1:
        raise SDCError(f"rounding base must be >= 1, got {base}")
    return ((2 * value + base) // (2 * base)) * base


def rounding_interval(rounded: int, base: int) -> tuple[int, int]:
    """The true counts that :func:`round_half_up` maps to ``rounded``.

    ``[max(0, R - floor(b/2)), R + ceil(b/2) - 1]``; for base 10: ``[R-5, R+4]``,
    and ``0`` -> ``[0, 4]``.

    Raises:
        SDCError: ``rounded`` is not a non-negative multiple of ``base``.
    """
    _check_count(rounded, "rounded figure")
    if base < 1 or rounded % base:
        raise SDCError(f"{rounded} is not a multiple of {base} (the rounding base)")
    return max(0, rounded - base // 2), rounded + (base + 1) // 2 - 1


def controlled_rounding_interval(rounded: int, base: int, steps: int = 0) -> tuple[int, int]:
    """Existence interval of a value published by (unbiased) controlled rounding.

    With ``steps`` = K the true value lies within K+1 bases of the rounded one,
    exclusive: ``[max(0, R-(K+1)b+1), R+(K+1)b-1]`` (TAU-MAN §2.14; sdc.md P7:
    R=15, b=5, K=1 -> [6, 24]; R=0, K=0 -> [0, 4]).
    """
    _check_count(rounded, "rounded figure")
    _check_count(steps, "steps")
    if base < 1:
        raise SDCError(f"rounding base must be >= 1, got {base}")
    w = (steps + 1) * base
    return max(0, rounded - w + 1), rounded + w - 1


def threshold_interval(threshold: int = 5) -> tuple[int, int]:
    """A-priori interval of a ``<n`` cell: ``[1, n-1]``."""
    if threshold < 2:
        raise SDCError(f"threshold must be >= 2, got {threshold}")
    return 1, threshold - 1


def secondary_interval(threshold: int = 5, *, lower: int = 1) -> Interval:
    """A-priori interval of a cell masked with the secondary symbol: ``[lower, inf)``.

    ``lower=1`` (default): "not published; at least 1" (zeros are always shown; a
    primary cell may be printed with the symbol). ``lower=threshold``: a publisher
    that never prints a small count with the symbol (only counts >= n are masked
    as secondary).

    Raises:
        SDCError: threshold < 2, or ``lower`` outside 1..n.
    """
    if threshold < 2:
        raise SDCError(f"threshold must be >= 2, got {threshold}")
    if not 1 <= lower <= threshold:
        raise SDCError(f"secondary lower bound {lower} outside 1..{threshold}")
    return (lower, math.inf)


_RANGE = re.compile(r"^\s*(\d+)\s*[-\u2013]\s*(\d+)\s*$")
_LT = re.compile(r"^\s*<\s*(\d+)\s*$")
_INT = re.compile(r"^\s*(\d+)\s*$")
_STRICT_RANGE = re.compile(r"^(0|[1-9]\d*)-(0|[1-9]\d*)$")
_STRICT_LT = re.compile(r"^<([1-9]\d*)$")
_STRICT_INT = re.compile(r"^(0|[1-9]\d*)$")
"""The forms as the package writes them (``strict=True`` of :func:`parse_printed`): no
leading zeros, no inner blanks, an ASCII hyphen."""


def parse_range(printed: str) -> tuple[int, int]:
    """``"170-180"`` -> ``(170, 180)``; both ends inclusive (en dash accepted).

    Raises:
        SDCError: not a range, or lower end above upper end.
    """
    m = _RANGE.match(printed)
    if not m:
        raise SDCError(f"not a range 'a-b': {printed!r}")
    a, b = int(m.group(1)), int(m.group(2))
    if a > b:
        raise SDCError(f"range {printed!r} has its lower end above its upper end")
    return a, b


@dataclass(frozen=True)
class PrintedCell:
    """A printed figure read as attacker knowledge.

    Attributes:
        kind: ``exact``, ``zero``, ``masked`` (``<n``), ``secondary``, ``rounded`` or ``range``.
        lower, upper: the a-priori interval (upper may be ``math.inf``).
    """

    kind: str
    lower: int
    upper: float

    @property
    def exact(self) -> bool:
        """True if the figure is published as one exact number."""
        return self.lower == self.upper


def parse_printed(
    printed: str,
    *,
    threshold: int = 5,
    rounding_base: int | None = None,
    secondary_symbols: Iterable[str] = ("x", ".", "*"),
    secondary_lower: int = 1,
    strict: bool = False,
) -> PrintedCell:
    """Read a printed figure as the interval an attacker knows (table above).

    Args:
        printed: the figure as printed: ``"181"``, ``"0"``, ``"<5"``, ``"170-180"``
            or a secondary-suppression symbol.
        threshold: n of the threshold rule; ``<m`` with m != n is read as [1, m-1]
            all the same (the symbol itself says it).
        rounding_base: if given, an integer figure is a rounded one (IND: 10).
        secondary_symbols: symbols that mark a secondary suppression.
        secondary_lower: the lower end of a secondary symbol (``lower`` of
            :func:`secondary_interval`); 1 (default) for the packages ``opendata-mh
            build`` writes.
        strict: accept only the forms the package writes (``181``, ``<5``, ``170-180``: no
            leading zeros, blanks or en dash), as the metadata layer does
            (:func:`opendata_mh.model.parse_printed` reads every value of the package here).

    Raises:
        SDCError: the figure matches none of the forms.
    """
    s = printed.strip()
    lt, num, rng = (_STRICT_LT, _STRICT_INT, _STRICT_RANGE) if strict else (_LT, _INT, _RANGE)
    if s in set(secondary_symbols):
        lo, hi = secondary_interval(threshold, lower=secondary_lower)
        return PrintedCell("secondary", lo, hi)
    m = lt.match(s)
    if m:
        lo2, hi2 = threshold_interval(int(m.group(1)))
        return PrintedCell("masked", lo2, hi2)
    m = num.match(s)
    if m:
        v = int(m.group(1))
        if rounding_base is not None:
            lo3, hi3 = rounding_interval(v, rounding_base)
            return PrintedCell("rounded", lo3, hi3)
        return PrintedCell("zero" if v == 0 else "exact", v, v)
    if rng.match(s):
        a, b = parse_range(s)
        return PrintedCell("range", a, b)
    raise SDCError(
        f"cannot read printed figure {printed!r} (expected n, <n, a-b or a secondary symbol)"
    )
