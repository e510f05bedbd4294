"""Charts as PNG bytes (matplotlib, no global pyplot state): safe in threads and kernels."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from leadkit.model import TOTAL
from leadkit.render.labels import column, value, word
from leadkit.render.views import View

BAR = "#3b6ea8"
LOST = "#c0504d"
MAX_BARS = 25


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=130, bbox_inches="tight")
    return buffer.getvalue()


def _figure(n_bars: int) -> tuple[Figure, Axes]:
    fig = Figure(figsize=(8.0, max(1.6, 0.32 * n_bars + 0.9)))
    return fig, fig.add_subplot()


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
        ax.axvline(float(total.iloc[0]), color="#999999", linestyle="--", linewidth=1)
    return _png(fig)


def lost_chart(view: View, lang: str) -> bytes | None:
    """Lost leads per reason, most frequent on top."""
    rows = view.summary[view.summary[view.key] != TOTAL].head(MAX_BARS)
    if rows.empty:
        return None
    rows = rows.iloc[::-1]
    fig, ax = _figure(len(rows))
    ax.barh(np.arange(len(rows)), rows["leads"].astype(int), color=LOST)
    ax.set_yticks(np.arange(len(rows)), [value(r, lang) for r in rows[view.key]])
    ax.set_xlabel(column("leads", lang))
    ax.set_title(word("chart_lost", lang), loc="left")
    return _png(fig)


def chart_png(view: View, lang: str) -> bytes | None:
    return conversion_chart(view, lang) if view.chart == "conversion" else lost_chart(view, lang)
