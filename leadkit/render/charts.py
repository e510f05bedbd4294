"""Charts as SVG bytes (matplotlib, no global pyplot state): safe in threads and kernels.

They draw what the result holds and compute nothing: the team rate and the funnel
limits come with the result. Text from data is never parsed as mathtext (``$x$``).

``planned`` says which charts a view has, with the data each one draws and its size,
before anything is drawn: the panel shows a box of that size at once, draws the chart
later, and keeps drawings by their data (``Planned.key``), so unchanged data is never
drawn twice.
"""

from __future__ import annotations

import functools
import hashlib
import io
import threading
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Literal, ParamSpec, TypeVar

import numpy as np
import pandas as pd
from matplotlib import rc_context, rcParams
from matplotlib.axes import Axes
from matplotlib.backends.backend_mixed import MixedModeRenderer
from matplotlib.backends.backend_svg import RendererSVG
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from leadkit.model import NO_REASON, TOTAL
from leadkit.render.labels import column, value, word
from leadkit.render.views import View
from leadkit.results import EmployeeResult, LostLeadsResult, Result

P = ParamSpec("P")
R = TypeVar("R")
BAR, LOST, GREY = "#3b6ea8", "#c0504d", "#999999"
MAX_BARS = 25
Image = Literal["svg", "png"]
_IMAGE: ContextVar[Image] = ContextVar("chart_image", default="svg")
PNG_DPI = 110  # e-mail: sharp enough at the width a mail client shows, a few dozen kB


def _svg(fig: Figure) -> bytes:
    """The chart as SVG: sharp on screen and in print, and quicker to draw than a PNG.

    Text is drawn as paths, so the chart looks the same wherever it is opened; the fixed
    salt keeps the file byte-identical for identical data. Inside ``charts(..., image="png")``
    a PNG instead, for mail clients that show no SVG.
    """
    if _IMAGE.get() == "png":
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=PNG_DPI, bbox_inches="tight", metadata={"Software": None})
        return buffer.getvalue()
    with rc_context({"svg.fonttype": "path", "svg.hashsalt": "leadkit"}):
        return _cropped_svg(fig)


def _cropped_svg(fig: Figure) -> bytes:
    """The figure drawn once as SVG, then cut to what it shows: ``savefig(bbox_inches="tight")`` in one pass.

    savefig's "tight" draws the figure twice (once to measure, once to write); here the
    drawing is measured after it is written, and the crop is the SVG's viewBox: the same
    box, the same pad, every shape where it was.
    """
    text = io.StringIO()
    raster_dpi, (width, height) = fig.dpi, fig.get_size_inches()
    fig.dpi = 72  # SVG's unit is the point; rasterized parts keep the figure's dpi, as savefig does
    try:
        svg = RendererSVG(width * 72, height * 72, text, image_dpi=raster_dpi, metadata={"Date": None})
        renderer: Any = MixedModeRenderer(fig, width, height, raster_dpi, svg)  # a proxy of RendererSVG
        fig.draw(renderer)
        renderer.finalize()
        box = fig.get_tightbbox(renderer).padded(rcParams["savefig.pad_inches"])
    finally:
        fig.dpi = raster_dpi
    full = _size(0, 0, width * 72, height * 72)
    cut = _size(box.x0 * 72, (height - box.y1) * 72, box.width * 72, box.height * 72)  # SVG's y runs down
    out = text.getvalue()
    if full not in out:  # another matplotlib writes its header otherwise: let savefig measure and cut
        buffer = io.BytesIO()
        fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
        return buffer.getvalue()
    return out.replace(full, cut, 1).encode("utf-8")


def _size(x: float, y: float, width: float, height: float) -> str:
    """The root element's size and viewBox, in points, written as matplotlib writes them."""
    w, h = _pt(width), _pt(height)
    return f'width="{w}pt" height="{h}pt" viewBox="{_pt(x)} {_pt(y)} {w} {h}"'


def _pt(x: float) -> str:
    """A length as matplotlib writes it in SVG: six decimals at most, no trailing zeros."""
    return f"{x:f}".rstrip("0").rstrip(".")


# Text is drawn as written: no mathtext ("$5$ off", "a_b^c"), and no LaTeX even if a matplotlibrc asks for it.
LITERAL: Any = {"text.parse_math": False, "text.usetex": False}
_DRAWING = threading.RLock()  # rc_context changes matplotlib's global settings: one chart at a time


def literal_text(draw: Callable[P, R]) -> Callable[P, R]:
    """Draw (and save) with ``LITERAL`` settings: a "$5$ off" lead type is shown as written, never parsed."""

    @functools.wraps(draw)
    def drawn(*args: P.args, **kwargs: P.kwargs) -> R:
        with _DRAWING, rc_context(LITERAL):
            return draw(*args, **kwargs)

    return drawn


WIDTH = 8.0  # inches, every chart
HEIGHTS = {"pareto": 3.6, "funnel": 4.2, "trend": 3.4, "lost_trend": 3.4, "curve": 3.2}


def bars_height(n_bars: int) -> float:
    """The height of a bar chart of ``n_bars`` bars, in inches."""
    return max(1.6, 0.32 * n_bars + 0.9)


def _figure(height: float) -> tuple[Figure, Axes]:
    fig = Figure(figsize=(WIDTH, height))
    return fig, fig.add_subplot()


# Each chart is drawn from its data only (a ``_*_data`` function picks it from the result): what
# ``Planned.key`` fingerprints is everything the drawing reads besides the language.


def _conversion_data(view: View) -> tuple[Any, ...]:
    """The groups with a rate (at most ``MAX_BARS``) and the total's rate, if any."""
    summary = view.summary
    rows = summary[summary[view.key] != TOTAL].dropna(subset=["conversion_pct"]).head(MAX_BARS)
    if rows.empty:
        return ()
    total = summary[summary[view.key] == TOTAL]["conversion_pct"]
    rate = float(total.iloc[0]) if not total.empty and pd.notna(total.iloc[0]) else None
    return rows[[view.key, "leads", "conversion_pct", "ci_low_pct", "ci_high_pct"]], rate


def conversion_chart(view: View, lang: str) -> bytes | None:
    """Horizontal bars of conversion % per row, with the Wilson 95% interval as whiskers."""
    return _draw(_conversion, _conversion_data(view), lang)


@literal_text
def _conversion(rows: pd.DataFrame, total: float | None, lang: str) -> bytes:
    key = str(rows.columns[0])
    rows = rows.iloc[::-1]
    rate = rows["conversion_pct"].astype(float).to_numpy()
    # Rounded rates may sit a hair outside their interval (0% and 100%): whiskers are never negative.
    low = np.clip(rate - rows["ci_low_pct"].astype(float).to_numpy(), 0, None)
    high = np.clip(rows["ci_high_pct"].astype(float).to_numpy() - rate, 0, None)
    fig, ax = _figure(bars_height(len(rows)))
    labels = [f"{value(k, lang)} (n={n})" for k, n in zip(rows[key], rows["leads"], strict=True)]
    ax.barh(np.arange(len(rows)), rate, color=BAR, xerr=[low, high], ecolor="#333333", capsize=3)
    ax.set_yticks(np.arange(len(rows)), labels)
    ax.set_xlim(0, 100)
    ax.set_xlabel(column("conversion_pct", lang))
    ax.set_title(word("chart_conversion", lang), loc="left")
    if total is not None:
        ax.axvline(total, color=GREY, linestyle="--", linewidth=1)
    return _svg(fig)


def _pareto_data(result: Result) -> tuple[Any, ...]:
    if not isinstance(result, LostLeadsResult) or result.reasons.empty:
        return ()
    return (result.reasons.head(MAX_BARS)[["reason", "leads", "cum_share_pct"]],)


def pareto_chart(result: LostLeadsResult, lang: str) -> bytes | None:
    """Bars by count with the cumulative share of named reasons; "(no reason)" grey, apart."""
    return _draw(_pareto, _pareto_data(result), lang)


@literal_text
def _pareto(rows: pd.DataFrame, lang: str) -> bytes:
    fig, ax = _figure(HEIGHTS["pareto"])
    x = np.arange(len(rows))
    colours = [GREY if r == NO_REASON else LOST for r in rows["reason"]]
    ax.bar(x, rows["leads"].astype(int), color=colours)
    ax.set_xticks(x, [value(r, lang) for r in rows["reason"]], rotation=30, ha="right")
    ax.set_ylabel(column("leads", lang))
    line = ax.twinx()
    named = rows["cum_share_pct"].astype("float64")
    line.plot(x[named.notna().to_numpy()], named.dropna(), color="#333333", marker="o", clip_on=False)  # 100% whole
    line.set_ylim(0, 100)
    line.set_ylabel(column("cum_share_pct", lang))
    ax.set_title(word("chart_pareto", lang), loc="left")
    return _svg(fig)


RASTER_POINTS = 1000
FUNNEL_LABELS = 6  # besides the managers outside the limits, label this many of the busiest


def _label_without_overlap(ax: Axes, points: list[tuple[str, float, float]], width: float, height: float) -> None:
    """Label points in the order given, skipping any label whose box would overlap one already placed.

    Boxes are in axes fractions: ``width`` per character and one ``height`` per line.
    """
    placed: list[tuple[float, float, float, float]] = []
    to_axes = ax.transLimits.transform
    for text, x, y in points:
        fx, fy = to_axes((x, y))
        wide = width * len(text)
        left = fx + 0.008 + wide > 1.0  # near the right edge: the label goes to the left of its point
        box = (
            (fx - 0.008 - wide, fy, fx - 0.008, fy + height)
            if left
            else (fx + 0.008, fy, fx + 0.008 + wide, fy + height)
        )
        if any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in placed):
            continue
        placed.append(box)
        ax.annotate(text, (x, y), textcoords="offset points", xytext=(-4 if left else 4, 2), fontsize=7,
                    ha="right" if left else "left")  # fmt: skip


def _funnel_data(result: Result) -> tuple[Any, ...]:
    if not isinstance(result, EmployeeResult) or result.team_rate is None:
        return ()
    rows = result.rows.dropna(subset=["conversion_pct"])[["manager", "leads", "conversion_pct", "vs_team"]]
    return (rows, result.funnel[["leads", "limit_low_pct", "limit_high_pct"]], result.team_rate) if len(rows) else ()


def funnel_chart(result: EmployeeResult, lang: str) -> bytes | None:
    """Each manager's conversion against their number of leads, inside the team's control limits.

    Only the managers outside the limits and the busiest few are labelled, never on top of each other.
    """
    return _draw(_funnel, _funnel_data(result), lang)


@literal_text
def _funnel(rows: pd.DataFrame, limits: pd.DataFrame, team_rate: float, lang: str) -> bytes:
    fig, ax = _figure(HEIGHTS["funnel"])
    ax.plot(limits["leads"], limits["limit_high_pct"].astype(float), color=GREY, linestyle="--", linewidth=1)
    ax.plot(limits["leads"], limits["limit_low_pct"].astype(float), color=GREY, linestyle="--", linewidth=1)
    ax.axhline(team_rate * 100, color=GREY, linewidth=1, label=word("team", lang))
    colours = [LOST if v == "below" else "#2e7d32" if v == "above" else BAR for v in rows["vs_team"]]
    # Thousands of points as vector paths would make a page of megabytes: past RASTER_POINTS they are one image.
    ax.scatter(rows["leads"], rows["conversion_pct"].astype(float), color=colours, zorder=3,
               rasterized=len(rows) > RASTER_POINTS)  # fmt: skip
    ax.set_xlim(0, float(limits["leads"].max()) if len(limits) else None)
    ax.set_ylim(0, 100)
    outside = rows[rows["vs_team"] != ""]
    busiest = rows[rows["vs_team"] == ""].sort_values("leads", ascending=False).head(FUNNEL_LABELS)
    chosen = pd.concat([outside, busiest])
    names, sizes, rates = chosen["manager"], chosen["leads"], chosen["conversion_pct"]
    points = [(value(m, lang), float(n), float(c)) for m, n, c in zip(names, sizes, rates, strict=True)]
    _label_without_overlap(ax, points, width=0.0105, height=0.045)
    ax.set_xlabel(column("leads", lang))
    ax.set_ylabel(column("conversion_pct", lang))
    ax.set_title(word("chart_funnel", lang), loc="left")
    return _svg(fig)


def _lines(ax: Axes, trend: pd.DataFrame, key: str, value_column: str, lang: str) -> list[str]:
    """One line per group (Total bold); points of still maturing periods hollow. Returns the periods."""
    periods = list(dict.fromkeys(trend["period"]))
    x = {p: i for i, p in enumerate(periods)}
    groups = [name for name in dict.fromkeys(trend[key]) if name != TOTAL]
    colours = {name: f"C{i % 10}" for i, name in enumerate(groups)} | {TOTAL: "#222222"}  # one colour per group
    for name, part in trend.groupby(key, sort=False):
        total, colour = name == TOTAL, colours[name]
        xs, ys = [x[p] for p in part["period"]], part[value_column].astype(float).to_numpy()
        ax.plot(xs, ys, marker="o" if total else ".", linewidth=2.4 if total else 1, color=colour,
                label=value(name, lang))  # fmt: skip
        young = part["maturing"].to_numpy(dtype=bool)
        if young.any():
            ax.plot(np.asarray(xs)[young], ys[young], linestyle="none", marker="o", markersize=7, color=colour,
                    markerfacecolor="white", markeredgecolor=colour, zorder=3)  # fmt: skip
    ax.set_xticks(range(len(periods)), periods, rotation=45, ha="right", fontsize=7)
    return periods


def _trend_axes(ax: Axes, trend: pd.DataFrame, ylabel: str, title: str, lang: str) -> None:
    ax.set_ylim(0, 100)
    ax.set_ylabel(ylabel)
    handles, names = ax.get_legend_handles_labels()
    if trend["maturing"].any():
        hollow = Line2D([], [], linestyle="none", marker="o", markerfacecolor="white", markeredgecolor="#222222")
        handles, names = [*handles, hollow], [*names, word("hollow_maturing", lang)]
    ax.legend(handles, names, fontsize=7, ncol=4, loc="upper left")
    ax.set_title(title, loc="left")


@literal_text
def _trend(trend: pd.DataFrame, title: str, lang: str) -> bytes:
    """A share per period: the total bold, each group thin, still maturing points hollow."""
    key, value = str(trend.columns[1]), str(trend.columns[2])
    fig, ax = _figure(HEIGHTS["trend"])
    _lines(ax, trend, key, value, lang)
    _trend_axes(ax, trend, column(value, lang), word(title, lang), lang)
    return _svg(fig)


def _trend_data(result: Result, lost: bool) -> tuple[Any, ...]:
    """The trend (period, group, share, maturing) and the chart's title; for lost leads only with ``lost``."""
    if isinstance(result, LostLeadsResult) != lost or result.trend.empty:
        return ()
    key, value, title = ("reason", "lost_pct", "chart_lost_trend") if lost else ("lead_type", "conversion_pct",
                                                                                  "chart_trend")  # fmt: skip
    return result.trend[["period", key, value, "maturing"]], title


def trend_chart(result: Result, lang: str) -> bytes | None:
    """Conversion % per period, in total and per lead type."""
    return _draw(_trend, _trend_data(result, lost=False), lang)


def lost_trend_chart(result: LostLeadsResult, lang: str) -> bytes | None:
    """The share of leads lost per period, in total and for the top reasons."""
    return _draw(_trend, _trend_data(result, lost=True), lang)


def _curve_data(result: Result) -> tuple[Any, ...]:
    curve = getattr(result, "curve", pd.DataFrame())
    return () if curve.empty else (curve[["day", "won_cum_pct", "lost_cum_pct"]],)


def curve_chart(result: Result, lang: str) -> bytes | None:
    """Cumulative conversion (and loss) by days since creation, as steps."""
    return _draw(_curve, _curve_data(result), lang)


@literal_text
def _curve(curve: pd.DataFrame, lang: str) -> bytes:
    fig, ax = _figure(HEIGHTS["curve"])
    ax.step(curve["day"], curve["won_cum_pct"], where="post", color=BAR, label=column("won_cum_pct", lang))
    ax.step(curve["day"], curve["lost_cum_pct"], where="post", color=LOST, label=column("lost_cum_pct", lang))
    ax.set_xlim(0, min(float(curve["day"].max()) + 1, 180))
    ax.set_ylim(0, 100)
    ax.set_xlabel(word("days_since", lang))
    ax.legend(fontsize=7)
    ax.set_title(word("chart_curve", lang), loc="left")
    return _svg(fig)


def _draw(drawer: Callable[..., bytes], data: tuple[Any, ...], lang: str) -> bytes | None:
    return drawer(*data, lang) if data else None


DRAWERS: dict[str, Callable[..., bytes]] = {"conversion": _conversion, "pareto": _pareto, "funnel": _funnel,
                                            "trend": _trend, "lost_trend": _trend, "curve": _curve}  # fmt: skip


def _data(name: str, result: Result, view: View) -> tuple[Any, ...]:
    """Everything chart ``name`` draws besides the language (empty: nothing to draw)."""
    pick: dict[str, Callable[[], tuple[Any, ...]]] = {
        "conversion": lambda: _conversion_data(view),
        "pareto": lambda: _pareto_data(result),
        "funnel": lambda: _funnel_data(result),
        "trend": lambda: _trend_data(result, lost=False),
        "lost_trend": lambda: _trend_data(result, lost=True),
        "curve": lambda: _curve_data(result),
    }
    return pick[name]()


def _digest(parts: tuple[Any, ...]) -> str:
    """A fingerprint of a chart's data: frames by their columns, types and every value, in order."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        if isinstance(part, (pd.DataFrame, pd.Series)):
            frame = part.to_frame() if isinstance(part, pd.Series) else part
            h.update(repr((list(frame.columns), [str(t) for t in frame.dtypes], len(frame))).encode())
            h.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
        else:
            h.update(repr(part).encode())
        h.update(b"|")
    return h.hexdigest()


@dataclass(frozen=True, eq=False)
class Planned:
    """A chart a view will show, not drawn yet: its data, and its size before the tight crop (inches)."""

    name: str
    data: tuple[Any, ...]
    size: tuple[float, float]

    @functools.cached_property
    def fingerprint(self) -> str:
        return _digest((self.name, *self.data))

    def key(self, lang: str) -> tuple[str, str, str]:
        """What the drawing depends on: the chart, the language of its words, its data."""
        return (self.name, lang, self.fingerprint)

    def draw(self, lang: str) -> bytes:
        """The chart as SVG bytes, exactly as ``charts`` draws it."""
        return DRAWERS[self.name](*self.data, lang)


def planned(result: Result, view: View) -> dict[str, Planned]:
    """The view's charts that have data to draw, in page order."""
    out = {}
    for name in view.charts:
        data = _data(name, result, view)
        if data:
            height = bars_height(len(data[0])) if name == "conversion" else HEIGHTS[name]
            out[name] = Planned(name, data, (WIDTH, height))
    return out


def charts(result: Result, view: View, lang: str, image: Image = "svg") -> dict[str, bytes]:
    """Every chart of the view that has data to draw, by name (as SVG, or PNG for e-mail)."""
    token = _IMAGE.set(image)
    try:
        return {name: chart.draw(lang) for name, chart in planned(result, view).items()}
    finally:
        _IMAGE.reset(token)
