"""Time-series charts of the codebook (the only matplotlib import of the package).

:func:`render` draws one :class:`Chart` (one or more panels of series over years) and returns
``{"png": bytes, "svg": bytes}``. Masked cells (printed ``<5``) are **never drawn as zero**: the
line breaks there and the cell is drawn as a hollow marker at the middle of its interval with an
error bar over the whole interval (1-4); ranges and unresolved cells likewise (their interval),
rounded figures (IND) as a point with their rounding interval.

Deterministic bytes: the Agg canvas without pyplot state, a fixed ``svg.hashsalt``, no dates or
software version in the PNG/SVG metadata.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib as mpl
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

INTERVAL_TYPES = ("masked", "range", "unresolved")


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


def _draw(ax: object, series: Sequence[Series]) -> set[str]:
    from matplotlib.axes import Axes

    assert isinstance(ax, Axes)
    seen: set[str] = set()
    cmap = mpl.colormaps["tab10"]
    for i, s in enumerate(series):
        colour = "black" if s.total else cmap(i % 10)
        xs = [p.year for p in s.points]
        ys = [float(p.value) if p.value is not None else float("nan") for p in s.points]
        mids = [
            float(p.value)
            if p.value is not None
            else (p.lower + p.upper) / 2
            if p.lower is not None and p.upper is not None
            else float("nan")
            for p in s.points
        ]
        if any(v != m for v, m in zip(ys, mids, strict=True)):  # nan != x: a gap to bridge
            ax.plot(xs, mids, linestyle=":", linewidth=1, color=colour, alpha=0.6)
        ax.plot(
            xs,
            ys,
            marker="o",
            markersize=4,
            linewidth=2.2 if s.total else 1.6,
            linestyle="--" if s.total else "-",
            color=colour,
            label=s.label,
        )
        for p in s.points:
            if p.cell_type in INTERVAL_TYPES and p.lower is not None and p.upper is not None:
                mid = (p.lower + p.upper) / 2
                ax.errorbar(
                    [p.year],
                    [mid],
                    yerr=[[mid - p.lower], [p.upper - mid]],
                    fmt="o" if p.cell_type != "unresolved" else "s",
                    markersize=6,
                    markerfacecolor="white",
                    markeredgecolor=colour,
                    ecolor=colour,
                    elinewidth=1.5,
                    capsize=4,
                )
                if p.cell_type == "masked":
                    ax.annotate(
                        "<5",
                        (p.year, p.upper),
                        textcoords="offset points",
                        xytext=(5, 2),
                        fontsize=7,
                        color=colour,
                    )
                seen.add(p.cell_type)
            elif p.cell_type == "rounded" and p.lower is not None and p.upper is not None:
                v = float(p.value if p.value is not None else p.lower)
                ax.errorbar(
                    [p.year],
                    [v],
                    yerr=[[v - p.lower], [p.upper - v]],
                    fmt="none",
                    ecolor=colour,
                    elinewidth=1,
                    capsize=2,
                )
                seen.add("rounded")
    return seen


_LEGEND_NOTES = {
    "masked": ("o", "masked (<5): true value 1–4, bar = interval"),
    "range": ("o", "published as a range: bar = range"),
    "unresolved": ("s", "unresolved in the report text: bar = candidates"),
    "rounded": ("", "rounded to tens (IND): bar = rounding interval"),
}


def render(chart: Chart) -> dict[str, bytes]:
    """PNG (150 dpi) and SVG of ``chart``. Deterministic bytes."""
    n = len(chart.panels)
    fig = Figure(figsize=(9, 4.2 * n + 0.6), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(n, 1, squeeze=False)[:, 0]
    fig.suptitle(textwrap.fill(chart.title, 80), fontsize=11, fontweight="bold")
    for ax, (ptitle, series) in zip(axes, chart.panels, strict=True):
        seen = _draw(ax, series)
        years = sorted({p.year for s in series for p in s.points})
        ax.set_xticks(years, [str(y) for y in years])
        ax.set_ylim(bottom=0)
        ax.set_ylabel(chart.unit)
        ax.grid(axis="y", alpha=0.3)
        if ptitle:
            ax.set_title(ptitle, fontsize=10, loc="left")
        handles, labels = ax.get_legend_handles_labels()
        for kind in ("masked", "range", "unresolved", "rounded"):
            if kind in seen:
                marker, text = _LEGEND_NOTES[kind]
                handles.append(
                    Line2D(
                        [],
                        [],
                        color="grey",
                        marker=marker or None,
                        markerfacecolor="white",
                        linestyle="-" if not marker else "none",
                    )
                )
                labels.append(text)
        ax.legend(
            handles,
            labels,
            fontsize=8,
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
            frameon=False,
        )
    out: dict[str, bytes] = {}
    with mpl.rc_context({"svg.hashsalt": "opendata-mh", "svg.fonttype": "none"}):
        buf = io.BytesIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
        out["svg"] = buf.getvalue()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110, metadata={"Software": None})
        out["png"] = buf.getvalue()
    return out


__all__ = ["Chart", "Point", "Series", "render"]
