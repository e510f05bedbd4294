"""Charts as SVG bytes (matplotlib, no global pyplot state): safe in threads and kernels.

They draw what the result holds and compute nothing: the team rate and the funnel
limits come with the result. Text from data is never parsed as mathtext (``$x$``).
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import numpy as np
import pandas as pd
from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from leadkit.model import NO_REASON, TOTAL
from leadkit.render.labels import column, value, word
from leadkit.render.views import View
from leadkit.results import EmployeeResult, LostLeadsResult, Result

P = ParamSpec("P")
R = TypeVar("R")
BAR, LOST, GREY = "#3b6ea8", "#c0504d", "#999999"
MAX_BARS = 25


def _svg(fig: Figure) -> bytes:
    """The chart as SVG: sharp on screen and in print, and quicker to draw than a PNG.

    Text is drawn as paths, so the chart looks the same wherever it is opened; the fixed
    salt keeps the file byte-identical for identical data.
    """
    buffer = io.BytesIO()
    with rc_context({"svg.fonttype": "path", "svg.hashsalt": "leadkit"}):
        fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    return buffer.getvalue()


def literal_text(draw: Callable[P, R]) -> Callable[P, R]:
    """Draw with mathtext off: a "$5$ off" lead type is shown as written, never parsed (or failing)."""

    @functools.wraps(draw)
    def drawn(*args: P.args, **kwargs: P.kwargs) -> R:
        with rc_context({"text.parse_math": False}):
            return draw(*args, **kwargs)

    return drawn


def _figure(n_bars: int = 10, height: float | None = None) -> tuple[Figure, Axes]:
    fig = Figure(figsize=(8.0, height or max(1.6, 0.32 * n_bars + 0.9)))
    return fig, fig.add_subplot()


@literal_text
def conversion_chart(view: View, lang: str) -> bytes | None:
    """Horizontal bars of conversion % per row, with the Wilson 95% interval as whiskers."""
    rows = view.summary[view.summary[view.key] != TOTAL].dropna(subset=["conversion_pct"]).head(MAX_BARS)
    if rows.empty:
        return None
    rows = rows.iloc[::-1]
    rate = rows["conversion_pct"].astype(float).to_numpy()
    low = rate - rows["ci_low_pct"].astype(float).to_numpy()
    high = rows["ci_high_pct"].astype(float).to_numpy() - rate
    fig, ax = _figure(len(rows))
    labels = [f"{value(k, lang)} (n={n})" for k, n in zip(rows[view.key], rows["leads"], strict=True)]
    ax.barh(np.arange(len(rows)), rate, color=BAR, xerr=[low, high], ecolor="#333333", capsize=3)
    ax.set_yticks(np.arange(len(rows)), labels)
    ax.set_xlim(0, 100)
    ax.set_xlabel(column("conversion_pct", lang))
    ax.set_title(word("chart_conversion", lang), loc="left")
    total = view.summary[view.summary[view.key] == TOTAL]["conversion_pct"]
    if not total.empty and pd.notna(total.iloc[0]):
        ax.axvline(float(total.iloc[0]), color=GREY, linestyle="--", linewidth=1)
    return _svg(fig)


@literal_text
def pareto_chart(result: LostLeadsResult, lang: str) -> bytes | None:
    """Bars by count with the cumulative share of named reasons; "(no reason)" grey, apart."""
    rows = result.reasons.head(MAX_BARS)
    if rows.empty:
        return None
    fig, ax = _figure(height=3.6)
    x = np.arange(len(rows))
    colours = [GREY if r == NO_REASON else LOST for r in rows["reason"]]
    ax.bar(x, rows["leads"].astype(int), color=colours)
    ax.set_xticks(x, [value(r, lang) for r in rows["reason"]], rotation=30, ha="right")
    ax.set_ylabel(column("leads", lang))
    line = ax.twinx()
    named = rows["cum_share_pct"].astype("float64")
    line.plot(x[named.notna().to_numpy()], named.dropna(), color="#333333", marker="o")
    line.set_ylim(0, 100)
    line.set_ylabel(column("cum_share_pct", lang))
    ax.set_title(word("chart_pareto", lang), loc="left")
    return _svg(fig)


@literal_text
def funnel_chart(result: EmployeeResult, lang: str) -> bytes | None:
    """Each manager's conversion against their number of leads, inside the team's 95% limits."""
    rows = result.rows.dropna(subset=["conversion_pct"])
    if rows.empty or result.team_rate is None:
        return None
    fig, ax = _figure(height=4.2)
    limits = result.funnel
    ax.plot(limits["leads"], limits["limit_high_pct"].astype(float), color=GREY, linestyle="--", linewidth=1)
    ax.plot(limits["leads"], limits["limit_low_pct"].astype(float), color=GREY, linestyle="--", linewidth=1)
    ax.axhline(result.team_rate * 100, color=GREY, linewidth=1, label=word("team", lang))
    colours = [LOST if v == "below" else "#2e7d32" if v == "above" else BAR for v in rows["vs_team"]]
    ax.scatter(rows["leads"], rows["conversion_pct"].astype(float), color=colours, zorder=3)
    for name, x, y in zip(rows["manager"], rows["leads"], rows["conversion_pct"].astype(float), strict=True):
        ax.annotate(value(name, lang), (x, y), textcoords="offset points", xytext=(4, 3), fontsize=7)
    ax.set_ylim(0, 100)
    ax.set_xlabel(column("leads", lang))
    ax.set_ylabel(column("conversion_pct", lang))
    ax.set_title(word("chart_funnel", lang), loc="left")
    return _svg(fig)


@literal_text
def trend_chart(result: Result, lang: str) -> bytes | None:
    """Conversion % per period: the total bold, each lead type thin."""
    trend = result.trend
    if trend.empty:
        return None
    fig, ax = _figure(height=3.4)
    periods = list(dict.fromkeys(trend["period"]))
    x = {p: i for i, p in enumerate(periods)}
    for name, part in trend.groupby("lead_type", sort=False):
        total = name == TOTAL
        ax.plot([x[p] for p in part["period"]], part["conversion_pct"].astype(float), marker="o" if total else None,
                linewidth=2.4 if total else 1, color="#222222" if total else None, label=value(name, lang))  # fmt: skip
    ax.set_xticks(range(len(periods)), periods, rotation=45, ha="right", fontsize=7)
    ax.set_ylim(0, 100)
    ax.set_ylabel(column("conversion_pct", lang))
    ax.legend(fontsize=7, ncol=4, loc="upper left")
    ax.set_title(word("chart_trend", lang), loc="left")
    return _svg(fig)


@literal_text
def curve_chart(result: Result, lang: str) -> bytes | None:
    """Cumulative conversion (and loss) by days since creation, as steps."""
    curve = getattr(result, "curve", pd.DataFrame())
    if curve.empty:
        return None
    fig, ax = _figure(height=3.2)
    ax.step(curve["day"], curve["won_cum_pct"], where="post", color=BAR, label=column("won_cum_pct", lang))
    ax.step(curve["day"], curve["lost_cum_pct"], where="post", color=LOST, label=column("lost_cum_pct", lang))
    ax.set_xlim(0, min(float(curve["day"].max()) + 1, 180))
    ax.set_ylim(0, 100)
    ax.set_xlabel(word("days_since", lang))
    ax.legend(fontsize=7)
    ax.set_title(word("chart_curve", lang), loc="left")
    return _svg(fig)


def charts(result: Result, view: View, lang: str) -> list[tuple[str, bytes]]:
    """Every chart of the view that has data to draw, as (name, SVG)."""
    drawn: list[tuple[str, bytes | None]] = []
    for name in view.charts:
        if name == "conversion":
            drawn.append((name, conversion_chart(view, lang)))
        elif name == "pareto" and isinstance(result, LostLeadsResult):
            drawn.append((name, pareto_chart(result, lang)))
        elif name == "funnel" and isinstance(result, EmployeeResult):
            drawn.append((name, funnel_chart(result, lang)))
        elif name == "trend":
            drawn.append((name, trend_chart(result, lang)))
        elif name == "curve":
            drawn.append((name, curve_chart(result, lang)))
    return [(name, svg) for name, svg in drawn if svg]
