"""Property tests of secondary suppression against the independent attacker
(:mod:`tests.attacker`: scipy ``milp``, integer, no engine code): random tables of
every kind (2-D, 3-D, hierarchical, multi-label, linked pairs) protected with the
engine's defaults leave no ``<5`` cell exact or narrowed, no small ``x`` provably
small, and every upgraded primary at its floor. ``scripts/bench_sdc.py`` runs the
same check on >= 300 tables."""

from __future__ import annotations

import numpy as np
import pytest

from opendata_mh.sdc import SDCError
from tests.attacker import (
    KINDS,
    Known,
    findings,
    intervals,
    printed_knowledge,
    protect_and_print,
    random_case,
)

SEEDS = range(8)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("kind", KINDS)
def test_independent_attacker_finds_nothing(kind: str, seed: int) -> None:
    rng = np.random.default_rng(1000 * KINDS.index(kind) + seed)
    vals, rels = random_case(kind, rng)
    try:
        printed, res = protect_and_print(vals, rels)
    except SDCError as exc:  # a primary whose relations hold only zeros and primaries
        assert "cannot be protected" in str(exc)
        pytest.skip("unprotectable table")
    got = findings(vals, printed, rels)
    assert got == {"exact": [], "narrowed": [], "wrong": []}
    # upgraded primaries: lower end at the floor the zeros allow
    floor_know = {
        c: Known(0, 0) if v == 0 else (Known(1, 4) if 1 <= v <= 4 else Known(1))
        for c, v in vals.items()
    }
    know = printed_knowledge(vals, printed)
    for c in res.upgraded:  # type: ignore[attr-defined]
        floor = intervals(floor_know | {c: Known(1)}, rels, [c])[c][0]
        assert intervals(know, rels, [c])[c][0] <= floor
