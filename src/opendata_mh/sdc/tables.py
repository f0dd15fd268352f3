"""Builders for generated tables (tests, benchmarks, synthetic data).

Pure functions. Cell ids of a two-way table: ``"r{i}|c{j}"`` for inner cells,
``"r{i}|T"`` row totals, ``"T|c{j}"`` column totals, ``"T|T"`` the grand total.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .audit import LinearRelation, additive

__all__ = ["two_way_table"]


def two_way_table(
    inner: np.ndarray | Sequence[Sequence[int]], prefix: str = ""
) -> tuple[dict[str, int], list[LinearRelation]]:
    """A two-way table with all margins.

    Args:
        inner: shape (R, C) of non-negative integer counts.
        prefix: prepended to every cell and relation id (to link several tables).

    Returns:
        (values, relations): cell id -> count, in row-major order with margins;
        one additive relation per row (``{prefix}row{i}``), per column
        (``{prefix}col{j}``) and for the grand total over the row totals
        (``{prefix}total``).
    """
    a = np.asarray(inner, dtype=np.int64)
    R, C = a.shape
    p = prefix
    vals: dict[str, int] = {}
    for i in range(R):
        for j in range(C):
            vals[f"{p}r{i}|c{j}"] = int(a[i, j])
        vals[f"{p}r{i}|T"] = int(a[i].sum())
    for j in range(C):
        vals[f"{p}T|c{j}"] = int(a[:, j].sum())
    vals[f"{p}T|T"] = int(a.sum())
    rels: list[LinearRelation] = []
    for i in range(R):
        rels += additive(f"{p}row{i}", f"{p}r{i}|T", [f"{p}r{i}|c{j}" for j in range(C)])
    for j in range(C):
        rels += additive(f"{p}col{j}", f"{p}T|c{j}", [f"{p}r{i}|c{j}" for i in range(R)])
    rels += additive(f"{p}total", f"{p}T|T", [f"{p}r{i}|T" for i in range(R)])
    return vals, rels
