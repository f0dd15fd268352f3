"""Time-series charts of the codebook (the only matplotlib import of the package).

:func:`render` draws one :class:`Chart` (one or more panels of series over years) and returns
``{"png": bytes, "svg": bytes}``; :func:`figure` returns the matplotlib figure itself (the tests
inspect it) and :func:`describe` the chart's alt text.

A cell without a single figure that could be small is **never drawn on the value axis**, so it
cannot be read as zero at any scale: masked cells (printed ``<5``), secondary suppressions
(``x``) and unresolved cells are drawn as their symbol (``<5``, ``x``, ``?``) in the series'
colour in a separate strip under each panel ("not published as a figure"), and the series' line
breaks there. Several such cells of one year are stacked one above the other in the strip, never
on top of each other. Ranges (IND ``170-180``) and rounded figures are drawn on the value axis
with a bar over their interval, true zeros as zeros. The legend sits under each panel.

Every artist drawn for a cell has a ``gid`` ``cell:<series>:<year>:<cell_type>`` (series =
index in its panel); the two axes of a panel have the gids ``values:<panel>`` and
``strip:<panel>``.

Deterministic bytes: the Agg canvas without pyplot state, a fixed ``svg.hashsalt``, no dates or
software version in the PNG/SVG metadata.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib as mpl
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

STRIP_TYPES = ("masked", "secondary", "unresolved")
WIDTH = 4.6
"""The figure's width in inches: narrow, so that beside a wide table (23rem, 368 px) its text
is still about 10 px high; the legend is one column under each panel."""
SYMBOL = {"masked": "<5", "secondary": "x", "unresolved": "?"}


@dataclass(frozen=True)
class Point:
    """One cell: ``year``, its ``cell_type``, ``value`` (None unless a single figure was
    printed) and the interval ``lower``..``upper`` that holds the true value."""

    year: int
    cell_type: str
    value: int | None
    lower: int | None
    upper: int | None


@dataclass(frozen=True)
class Series:
    label: str
    points: tuple[Point, ...]
    total: bool = False


@dataclass(frozen=True)
class Chart:
    """``panels`` is ``[(panel title, series), ...]``; ``unit`` labels the y axis."""

    title: str
    unit: str
    panels: tuple[tuple[str, tuple[Series, ...]], ...]


def _colour(s: Series, i: int) -> Any:
    return "black" if s.total else mpl.colormaps["tab10"](i % 10)


def _draw(ax: Any, strip: Any, series: Sequence[Series]) -> set[str]:
    """Series on the value axes ``ax``; masked / x / unresolved cells in ``strip``."""
    seen: set[str] = set()
    for i, s in enumerate(series):
        colour = _colour(s, i)
        xs = [p.year for p in s.points]
        ys = [
            float(p.value)
            if p.value is not None and p.cell_type not in STRIP_TYPES
            else float("nan")
            for p in s.points
        ]
        ax.plot(
            xs,
            ys,
            marker="o",
            markersize=4,
            linewidth=2.2 if s.total else 1.6,
            linestyle="--" if s.total else "-",
            color=colour,
            label=s.label,
            gid=f"series:{i}",
        )
        for p in s.points:
            if p.cell_type in STRIP_TYPES:
                seen.add(p.cell_type)
            elif p.cell_type in ("range", "rounded") and p.lower is not None:
                upper = p.upper if p.upper is not None else p.lower
                v = float(p.value) if p.value is not None else (p.lower + upper) / 2
                ax.errorbar(
                    [p.year],
                    [v],
                    yerr=[[v - p.lower], [upper - v]],
                    fmt="o" if p.cell_type == "range" else "none",
                    markersize=6,
                    markerfacecolor="white",
                    markeredgecolor=colour,
                    ecolor=colour,
                    elinewidth=1.5 if p.cell_type == "range" else 1,
                    capsize=4 if p.cell_type == "range" else 2,
                    gid=f"cell:{i}:{p.year}:{p.cell_type}",
                )
                seen.add(p.cell_type)
    # the strip: per year, the symbols of every series side by side
    by_year: dict[int, list[tuple[int, Point]]] = {}
    for i, s in enumerate(series):
        for p in s.points:
            if p.cell_type in STRIP_TYPES:
                by_year.setdefault(p.year, []).append((i, p))
    rows = max((len(c) for c in by_year.values()), default=1)
    for year, cells in sorted(by_year.items()):
        for k, (i, p) in enumerate(cells):  # stacked: one line of the strip per symbol
            strip.text(
                year,
                1 - (k + 0.5) / rows,
                SYMBOL[p.cell_type],
                ha="center",
                va="center",
                fontsize=9,
                fontweight="bold",
                color=_colour(series[i], i),
                gid=f"cell:{i}:{year}:{p.cell_type}",
            )
    return seen


_LEGEND_NOTES = {
    "masked": "<5 in the strip below: masked, a count from 1 to 4 (never 0)",
    "secondary": "x in the strip below: not published (secondary suppression), at least 1 "
    "(0 or more where a small group's breakdown is x)",
    "unresolved": "? in the strip below: not readable from the report (candidates listed)",
    "range": "published as a range: bar = range",
    "rounded": "rounded to tens (IND): bar = rounding interval",
}


def describe(chart: Chart) -> str:
    """The alt text of ``chart``: what it shows, its series and where the marked cells are."""
    years = sorted({p.year for _t, ss in chart.panels for s in ss for p in s.points})
    span = f"{years[0]}–{years[-1]}" if years else ""
    parts = [f"Line chart of {chart.title}, {span}, in {chart.unit}."]
    for ptitle, series in chart.panels:
        labels = ", ".join(s.label for s in series)
        parts.append(f"{ptitle + ': ' if ptitle else ''}one line per {labels}.")
    kinds = {p.cell_type for _t, ss in chart.panels for s in ss for p in s.points}
    if kinds & set(STRIP_TYPES):
        parts.append(
            "Masked (<5), suppressed (x) and unresolved (?) cells are shown as symbols in a "
            "strip under the chart, not as values."
        )
    parts.append("The figures are in the table beside the chart.")
    return " ".join(parts)


def figure(chart: Chart) -> Figure:
    """The figure of ``chart``: per panel a value axes and a strip for cells without a figure."""
    n = len(chart.panels)
    stacks = [
        max(
            (
                sum(
                    1
                    for s in series
                    for p in s.points
                    if p.year == y and p.cell_type in STRIP_TYPES
                )
                for y in {p.year for s in series for p in s.points}
            ),
            default=0,
        )
        for _t, series in chart.panels
    ]
    ratios = [r for m in stacks for r in (1.0, 0.07 + 0.06 * max(m, 1))]
    legend_h = [0.17 * (len(series) + 3) for _t, series in chart.panels]  # one column
    height = sum(h + 2.6 + 0.25 * max(m, 1) for h, m in zip(legend_h, stacks, strict=True))
    fig = Figure(figsize=(WIDTH, height + 0.5), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(2 * n, 1, squeeze=False, height_ratios=ratios)[:, 0]
    fig.suptitle(textwrap.fill(chart.title, 52), fontsize=10, fontweight="bold")
    for k, (ptitle, series) in enumerate(chart.panels):
        ax, strip = axes[2 * k], axes[2 * k + 1]
        ax.set_gid(f"values:{k}")
        strip.set_gid(f"strip:{k}")
        strip.sharex(ax)
        seen = _draw(ax, strip, series)
        years = sorted({p.year for s in series for p in s.points})
        ax.set_xticks(years, [str(y) for y in years])
        ax.set_xlim(years[0] - 0.5, years[-1] + 0.5)
        ax.set_ylim(bottom=0)
        ax.set_ylabel(chart.unit, fontsize=9)
        ax.tick_params(labelsize=9, labelbottom=False)
        ax.grid(axis="y", alpha=0.3)
        strip.set_ylim(0, 1)
        strip.set_yticks([])
        strip.tick_params(labelsize=9)
        strip.set_facecolor("#f1f1f1")
        strip.set_ylabel("<5 x ?", rotation=0, fontsize=7, ha="right", va="center")
        for side in ("top", "right", "left"):
            strip.spines[side].set_visible(False)
        if ptitle:
            ax.set_title(ptitle, fontsize=9, loc="left")
        handles, labels = ax.get_legend_handles_labels()
        for kind in ("masked", "secondary", "unresolved", "range", "rounded"):
            if kind in seen:
                handles.append(
                    Line2D(
                        [],
                        [],
                        color="grey",
                        marker="o" if kind == "range" else None,
                        markerfacecolor="white",
                        linestyle="-" if kind in ("range", "rounded") else "none",
                    )
                )
                labels.append(_LEGEND_NOTES[kind])
        strip.legend(
            handles,
            [textwrap.fill(lab, 48) for lab in labels],
            fontsize=8,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.65 / max(stacks[k], 1)),
            ncols=1,
            frameon=False,
        )
    return fig


def render(chart: Chart) -> dict[str, bytes]:
    """PNG (110 dpi) and SVG of ``chart``. Deterministic bytes."""
    fig = figure(chart)
    out: dict[str, bytes] = {}
    with mpl.rc_context({"svg.hashsalt": "opendata-mh", "svg.fonttype": "none"}):
        buf = io.BytesIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
        out["svg"] = buf.getvalue()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110, metadata={"Software": None})
        out["png"] = buf.getvalue()
    return out


__all__ = ["Chart", "Point", "Series", "describe", "figure", "render"]
