"""The printed-value rules live in two layers on purpose: ``model.parse_printed`` (the metadata
layer, which must not load HiGHS: see test_architecture) and ``sdc.rules.parse_printed`` (the
attacker's knowledge in the disclosure audit). This test keeps the two from drifting apart:
for every form of printed value, both give the same interval."""

from __future__ import annotations

import math

import pytest

from opendata_mh import sdc
from opendata_mh.model import SdcRule, parse_printed

THRESHOLD = SdcRule("threshold", threshold=5)
ROUNDING = SdcRule("rounding", base=10)

CASES = [
    ("181", THRESHOLD, (181, 181)),
    ("0", THRESHOLD, (0, 0)),
    ("<5", THRESHOLD, (1, 4)),
    ("x", THRESHOLD, (1, None)),  # "not published; at least 1" in the package's convention
    ("170-180", ROUNDING, (170, 180)),
    ("180", ROUNDING, (175, 184)),
    ("0", ROUNDING, (0, 4)),
    ("490", ROUNDING, (485, 494)),
]


@pytest.mark.parametrize(("printed", "rule", "expected"), CASES)
def test_model_and_sdc_read_a_printed_value_alike(
    printed: str, rule: SdcRule, expected: tuple[int, int | None]
) -> None:
    mine = parse_printed(printed, rule)
    assert (mine.lower, mine.upper) == expected
    theirs = sdc.parse_printed(
        printed,
        threshold=rule.threshold or 5,
        rounding_base=rule.base if rule.rule == "rounding" else None,
        secondary_lower=1,
    )
    upper = None if math.isinf(theirs.upper) else int(theirs.upper)
    assert (int(theirs.lower), upper) == expected
