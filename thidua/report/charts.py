"""Chart geometry for hand-drawn SVG: Python computes positions, the templates draw and label them.

Coordinates are points (the SVG is sized in pt), so a font size here is the size printed. Labels are
wrapped to their column with the font's own widths and never cut; a row grows to hold its label.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from thidua.base.values import number_or_none
from thidua.report.textwidth import TextWidth

MAX_BARS = 48  # beyond this many criteria the bar chart keeps key and unmet criteria only
LABEL_SIZE = 8.5  # pt: every chart label (criteria, fields, values)
TICK_SIZE = 8.0  # pt: the % scale under the bars
LINE_HEIGHT = 1.12  # × font size, between the lines of a wrapped label
STATUS_ORDER = ("Vượt", "Đạt", "Chưa đạt", "Không có số liệu")


@dataclass
class Bar:
    """One horizontal bar: `y` its top edge, `width` in pt; `row` the criterion it draws; `lines` its label,
    set at the baselines `label_ys`; `value_y` the baseline of the value printed after the plot."""

    y: float
    width: float
    row: Mapping[str, Any]
    clipped: bool = False
    lines: list[str] = field(default_factory=list)
    label_ys: list[float] = field(default_factory=list)
    value_y: float = 0.0


@dataclass
class PercentChart:
    """% of plan per criterion: bars from x0, reference lines at 100% and at the bonus line."""

    width: float
    height: float
    x0: float
    plot_width: float
    bar_height: float
    scale_max: float
    bars: list[Bar]
    ticks: list[tuple[float, float]]  # (x, percent)
    x100: float
    x_bonus: float
    bonus_line: float
    omitted: int = 0
    font_size: float = LABEL_SIZE
    tick_size: float = TICK_SIZE
    plot_bottom: float = 0.0

    @property
    def statuses(self) -> list[str]:
        """The statuses that have a visible bar, in the legend's order (the legend lists only these)."""
        shown = {str(b.row.get("status")) for b in self.bars if b.width > 0}
        return [s for s in STATUS_ORDER if s in shown] + sorted(shown - set(STATUS_ORDER))

    def paths_by_status(self) -> dict[str, str]:
        """One SVG path per status (all its bars): far cheaper for WeasyPrint than one rect per bar."""
        out: dict[str, list[str]] = {}
        for b in self.bars:
            if b.width > 0:
                out.setdefault(str(b.row.get("status")), []).append(
                    f"M{self.x0:.1f} {b.y:.1f}h{b.width:.1f}v{self.bar_height:.1f}h{-b.width:.1f}z")
        return {status: "".join(parts) for status, parts in out.items()}

    def grid_path(self) -> str:
        """The vertical tick lines as one path."""
        return "".join(f"M{x:.1f} 4V{self.plot_bottom:.1f}" for x, _ in self.ticks)


@dataclass
class BarChart:
    """Rows of two bars on one scale: a grey bar for the maximum points and a filled one for what was earned
    (points per field of one report; totals of a cluster's provinces or of one province's years). `rows`
    carry the bars' places and widths and the item drawn."""

    width: float
    height: float
    x0: float
    plot_width: float
    bar_height: float
    rows: list[dict[str, Any]] = field(default_factory=list)
    font_size: float = LABEL_SIZE


def _label_rows(texts: Sequence[str], measure: TextWidth, label_width: float, bar_height: float, gap: float,
                top: float) -> tuple[list[tuple[float, list[str], list[float]]], float]:
    """For each label (bar top, lines, baselines), rows stacked from `top` and each as tall as its label;
    and the bottom of the last row."""
    line = LABEL_SIZE * LINE_HEIGHT
    out = []
    y = top
    for text in texts:
        lines = measure.wrap(text, label_width, LABEL_SIZE)
        height = max(bar_height, len(lines) * line)
        first = y + (height - len(lines) * line) / 2 + LABEL_SIZE * 0.8
        out.append((y + (height - bar_height) / 2, lines, [first + i * line for i in range(len(lines))]))
        y += height + gap
    return out, y - gap


def percent_chart(rows: Sequence[Mapping[str, Any]], bonus_line: float = 110.0, *, measure: TextWidth | None = None,
                  width: float = 460, label_width: float = 215, bar_height: float = 7,
                  gap: float = 1.2) -> PercentChart | None:
    """Bars for criteria that have a % of plan; None when no criterion has one."""
    measure = measure or TextWidth()
    with_pct = [r for r in rows if number_or_none(r.get("pct_of_plan")) is not None]
    omitted = 0
    if len(with_pct) > MAX_BARS:
        chosen = [r for r in with_pct if r.get("key") or r.get("status") == "Chưa đạt"][:MAX_BARS]
        omitted = len(with_pct) - len(chosen)
        with_pct = chosen
    if not with_pct:
        return None
    top = max(number_or_none(r["pct_of_plan"]) or 0.0 for r in with_pct)
    scale_max = min(200.0, max(140.0, math.ceil(top / 20.0) * 20.0))
    value_width = measure("200,00% ›", LABEL_SIZE) + 4  # the values printed right of the plot
    plot_width = width - label_width - value_width
    bars = []
    placed, bottom = _label_rows([str(r.get("name") or "") for r in with_pct], measure, label_width - 5,
                                 bar_height, gap, 6)
    for r, (y, lines, baselines) in zip(with_pct, placed, strict=True):
        pct = max(0.0, number_or_none(r["pct_of_plan"]) or 0.0)
        bars.append(Bar(y=y, width=min(pct, scale_max) / scale_max * plot_width, row=r, clipped=pct > scale_max,
                        lines=lines, label_ys=baselines, value_y=y + bar_height / 2 + LABEL_SIZE * 0.35))
    plot_bottom = bottom + 4
    height = plot_bottom + TICK_SIZE + 6
    ticks = [(label_width + p / scale_max * plot_width, float(p)) for p in range(0, int(scale_max) + 1, 20)]
    return PercentChart(width=width, height=height, x0=label_width, plot_width=plot_width,
                        bar_height=bar_height, scale_max=scale_max, bars=bars, ticks=ticks,
                        x100=label_width + 100 / scale_max * plot_width,
                        x_bonus=label_width + bonus_line / scale_max * plot_width, bonus_line=bonus_line,
                        omitted=omitted, plot_bottom=plot_bottom)


def field_chart(fields: Sequence[Mapping[str, Any]], *, measure: TextWidth | None = None, width: float = 460,
                label_width: float = 190, bar_height: float = 9, gap: float = 2.5) -> BarChart | None:
    """Earned vs maximum points per field, on one scale (the largest field maximum)."""
    if not fields:
        return None
    measure = measure or TextWidth()
    top = max((number_or_none(f.get("max_points")) or 0.0) for f in fields) or 1.0
    plot_width = width - label_width - measure("44.575,91/44.575,91", LABEL_SIZE) - 6
    out = []
    placed, bottom = _label_rows([str(f.get("field") or "") for f in fields], measure, label_width - 5,
                                 bar_height, gap, 4)
    for f, (y, lines, baselines) in zip(fields, placed, strict=True):
        mx = number_or_none(f.get("max_points")) or 0.0
        earned = min((number_or_none(f.get("points")) or 0.0), mx) if mx else 0.0
        out.append({"y": y, "max_width": mx / top * plot_width, "width": earned / top * plot_width, "row": f,
                    "lines": lines, "label_ys": baselines, "value_y": y + bar_height / 2 + LABEL_SIZE * 0.35})
    height = bottom + 4
    return BarChart(width=width, height=height, x0=label_width, plot_width=plot_width,
                      bar_height=bar_height, rows=out)


def totals_chart(items: Sequence[Mapping[str, Any]], *, width: float = 600, label_width: float = 120,
                 bar_height: float = 11, gap: float = 5) -> BarChart | None:
    """Bars of `total` against `max_points` for each item, on one scale; None when there is nothing."""
    if not items:
        return None
    def value(item: Mapping[str, Any], key: str) -> float:
        return max(0.0, number_or_none(item.get(key)) or 0.0)

    top = max(max(value(i, "max_points"), value(i, "total")) for i in items) or 1.0
    plot_width = width - label_width - 80  # the right 80 px hold "total/max"
    step = bar_height + gap
    rows = [{"y": 6 + n * step, "max_width": value(i, "max_points") / top * plot_width,
             "width": value(i, "total") / top * plot_width, "item": i} for n, i in enumerate(items)]
    return BarChart(width=width, height=6 + len(rows) * step + 2, x0=label_width, plot_width=plot_width,
                       bar_height=bar_height, rows=rows)
