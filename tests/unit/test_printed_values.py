"""The printed-value rules, pinned: every form of printed value, what the package publishes for
it (bounds, cell type, SDMX statuses) and what the disclosure audit's attacker reads off it.

There is one reading of a symbol (:func:`opendata_mh.sdc.rules.parse_printed`); the metadata
layer (:func:`opendata_mh.model.parse_printed`) adds the table's rule and the CSV columns on top
of it, so the two cannot drift apart."""

from __future__ import annotations

import math

import pytest

from opendata_mh import sdc
from opendata_mh.model import SdcRule, count_bounds, is_masked, parse_printed

THRESHOLD = SdcRule("threshold", threshold=5)
ROUNDING = SdcRule("rounding", base=10)

CASES = [
    # printed, rule, (value, lower, upper), cell_type, obs_status, conf_status
    ("181", THRESHOLD, (181, 181, 181), "exact", "A", "F"),
    ("0", THRESHOLD, (0, 0, 0), "zero", "A", "F"),
    ("<5", THRESHOLD, (None, 1, 4), "masked", "Q", "A"),
    ("x", THRESHOLD, (None, 1, None), "secondary", "Q", "D"),  # "not published; at least 1"
    ("170-180", ROUNDING, (None, 170, 180), "range", "Q", "D"),
    ("180", ROUNDING, (180, 175, 184), "rounded", "A", "F"),
    ("0", ROUNDING, (0, 0, 4), "rounded", "A", "F"),
    ("490", ROUNDING, (490, 485, 494), "rounded", "A", "F"),
    ("<5", ROUNDING, (None, 1, 4), "masked", "Q", "A"),
]


@pytest.mark.parametrize(("printed", "rule", "bounds", "ctype", "obs", "conf"), CASES)
def test_a_printed_value_as_published_and_as_the_attacker_reads_it(
    printed: str,
    rule: SdcRule,
    bounds: tuple[int | None, int, int | None],
    ctype: str,
    obs: str,
    conf: str,
) -> None:
    mine = parse_printed(printed, rule)
    assert (mine.value, mine.lower, mine.upper) == bounds
    assert (mine.cell_type, mine.obs_status, mine.conf_status) == (ctype, obs, conf)
    theirs = sdc.parse_printed(
        printed,
        threshold=rule.threshold or 5,
        rounding_base=rule.base if rule.rule == "rounding" else None,
    )
    upper = None if math.isinf(theirs.upper) else int(theirs.upper)
    assert (theirs.kind, int(theirs.lower), upper) == (ctype, bounds[1], bounds[2])


@pytest.mark.parametrize("printed", ["07", " < 5", "170 - 180", "170\u2013180", "<05"])
def test_the_package_writes_the_strict_forms_only(printed: str) -> None:
    # the attacker reads a lenient form all the same; the metadata must use the strict one
    assert sdc.parse_printed(printed).kind in ("exact", "masked", "range")
    with pytest.raises(ValueError):
        parse_printed(printed, THRESHOLD)


def test_the_table_rule_is_checked_on_top_of_the_reading() -> None:
    with pytest.raises(ValueError, match="threshold 5"):
        parse_printed("<10", THRESHOLD)
    with pytest.raises(ValueError, match="needs a threshold table"):
        parse_printed("x", ROUNDING)
    with pytest.raises(ValueError, match="multiple of 10"):
        parse_printed("175", ROUNDING)


@pytest.mark.parametrize(
    ("printed", "value", "expected"),
    [
        ("<5", None, (1.0, 4.0)),
        ("10-20", None, (10.0, 20.0)),
        ("5.000", 5000.0, (5000.0, 5000.0)),
        ("209", None, (209.0, 209.0)),
        ("40%", None, None),
    ],
)
def test_bounds_of_a_figure_of_the_prose(
    printed: str, value: float | None, expected: tuple[float, float] | None
) -> None:
    assert count_bounds(printed, value) == expected


@pytest.mark.parametrize(
    ("printed", "masked"),
    [("<5", True), ("<10", True), ("5", False), ("x", False), ("40%", False), ("", False)],
)
def test_is_masked(printed: str, masked: bool) -> None:
    assert is_masked(printed) is masked


@pytest.mark.parametrize(
    ("printed", "rule"),
    [
        ("181", SdcRule("threshold", threshold=5)),
        ("0", SdcRule("threshold", threshold=5)),
        ("<5", SdcRule("threshold", threshold=5)),
        ("<10", SdcRule("threshold", threshold=10)),
        ("x", SdcRule("threshold", threshold=5)),
        ("170", SdcRule("rounding", base=10)),
        ("0", SdcRule("rounding", base=10)),
        ("170-180", SdcRule("rounding", base=10)),
    ],
)
def test_the_printed_value_and_statuses_follow_from_cell_type_and_bounds(
    printed: str, rule: SdcRule
) -> None:
    """A table CSV has no value_printed/obs_status/conf_status (one type per column under
    default readers); reading it derives them, and the derivation inverts parse_printed."""
    from opendata_mh.model.printed import printed_of, status_of

    p = parse_printed(printed, rule)
    s = [("" if x is None else str(x)) for x in (p.value, p.lower, p.upper)]
    assert printed_of(p.cell_type, *s) == printed
    assert status_of(p.cell_type) == (p.obs_status, p.conf_status)


def test_an_unresolved_cell_has_no_printed_value() -> None:
    from opendata_mh.model.printed import printed_of, status_of

    p = parse_printed("?", SdcRule("threshold", threshold=5), ["<5", "7"])
    assert printed_of(p.cell_type, "", str(p.lower), str(p.upper)) == ""
    assert status_of("unresolved") == ("O", "F") and status_of("bogus") == ("", "")
