"""The gold standard of the narrative check (tests/fixtures/text/gold_2023.toml) and matching of
extracted figures against it; shared by the tests and scripts/bench_text.py."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "text"
TEXT_2023 = FIXTURES / "jaarcijfers_2023.txt"
GOLD_2023 = FIXTURES / "gold_2023.toml"
PROBLEMS_2023 = FIXTURES / "known_problems_2023.toml"


def gold() -> list[dict[str, Any]]:
    with GOLD_2023.open("rb") as fh:
        return list(tomllib.load(fh)["figures"])


def gold_value(g: dict[str, Any]) -> float | None:
    if "value" in g:
        return float(g["value"])
    if "lower" in g:
        return (float(g["lower"]) + min(float(g["upper"]), 1e6)) / 2
    return None


def match(figures: list[Any], golds: list[dict[str, Any]]) -> dict[int, int]:
    """gold index -> figure index: same line and the figure's interval holds the gold value
    (masked: both masked; verbal: both verbal), first come first served in text order."""
    used: set[int] = set()
    out: dict[int, int] = {}
    for gi, g in enumerate(golds):
        for fi, f in enumerate(figures):
            if fi in used or f.line != g["line"]:
                continue
            if g["kind"] == "masked":
                ok = f.kind == "masked"
            elif g["kind"] in ("share_words", "ratio_words"):
                ok = f.kind == g["kind"]
            else:
                v = float(g["value"])
                ok = f.kind not in ("share_words", "ratio_words", "masked") and (
                    f.contains(v) or (f.value is not None and abs(abs(f.value) - abs(v)) < 1e-9)
                )
            if ok:
                out[gi] = fi
                used.add(fi)
                break
    return out
