"""Rules: threshold, rounding (half up), ranges, printed symbols -> intervals."""

import math

import pytest

from opendata_mh.sdc import (
    CONF_STATUS,
    CellStatus,
    SDCError,
    controlled_rounding_interval,
    parse_printed,
    parse_range,
    round_half_up,
    rounding_interval,
    secondary_interval,
    threshold_status,
)


def test_threshold_rule_zero_published_small_primary() -> None:
    st = threshold_status({"a": 0, "b": 1, "c": 4, "d": 5, "e": 121})
    assert st == {
        "a": CellStatus.ZERO,
        "b": CellStatus.PRIMARY,
        "c": CellStatus.PRIMARY,
        "d": CellStatus.SAFE,
        "e": CellStatus.SAFE,
    }
    assert CONF_STATUS[CellStatus.PRIMARY] == "A"
    assert CONF_STATUS[CellStatus.SECONDARY] == "D"


def test_threshold_rule_rejects_negative_and_names_cell() -> None:
    with pytest.raises(SDCError, match="'x'"):
        threshold_status({"x": -1})


@pytest.mark.parametrize(
    ("value", "base", "expected"),
    [
        (14, 10, 10),
        (15, 10, 20),
        (25, 10, 30),
        (4, 10, 0),
        (5, 10, 10),
        (0, 10, 0),
        (2, 5, 0),
        (3, 5, 5),
    ],
)
def test_round_half_up(value: int, base: int, expected: int) -> None:
    assert round_half_up(value, base) == expected


def test_rounding_interval_inverts_rounding() -> None:
    assert rounding_interval(20, 10) == (15, 24)
    assert rounding_interval(0, 10) == (0, 4)
    for base in (2, 5, 10):
        for r in range(0, 60, base):
            lo, hi = rounding_interval(r, base)
            assert {v for v in range(0, 80) if round_half_up(v, base) == r} == set(
                range(lo, hi + 1)
            )
    with pytest.raises(SDCError):
        rounding_interval(15, 10)


def test_controlled_rounding_existence_interval_p7() -> None:
    # sdc.md P7 (TAU-MAN §2.14): b = 5; a = 15, K = 1 -> [6, 24]; a = 0, K = 0 -> [0, 4]
    assert controlled_rounding_interval(15, 5, 1) == (6, 24)
    assert controlled_rounding_interval(0, 5, 0) == (0, 4)


def test_printed_symbols() -> None:
    assert (parse_printed("<5").lower, parse_printed("<5").upper) == (1, 4)
    p = parse_printed("181")
    assert (p.kind, p.lower, p.upper, p.exact) == ("exact", 181, 181, True)
    assert parse_printed("0").kind == "zero"
    r = parse_printed("170-180")
    assert (r.kind, r.lower, r.upper) == ("range", 170, 180)
    q = parse_printed("170", rounding_base=10)
    assert (q.kind, q.lower, q.upper) == ("rounded", 165, 174)
    # "not published; at least 1": the convention of opendata-mh build and the default
    s = parse_printed("x")
    assert (s.kind, s.lower, s.upper) == ("secondary", 1, math.inf)
    assert secondary_interval(5) == (1, math.inf)
    # a publisher that never prints a small count as x
    assert secondary_interval(5, lower=5) == (5, math.inf)
    assert parse_printed("x", secondary_lower=5).lower == 5
    for bad in (0, 6):
        with pytest.raises(SDCError):
            secondary_interval(5, lower=bad)
    assert parse_range("3\u20137") == (3, 7)
    with pytest.raises(SDCError):
        parse_printed("abc")
    with pytest.raises(SDCError):
        parse_range("9-3")
