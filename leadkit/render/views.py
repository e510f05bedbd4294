"""What each report shows, as plain frames: the one place HTML, Excel and widgets agree on.

A view never computes a figure; it only picks, orders, pivots and stacks what the result
holds, with column lists from the result contract.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from leadkit.model import TOTAL
from leadkit.results import ConversionResult, EmployeeResult, LeadList, LostLeadsResult, Result
from leadkit.results import contract as C

COMPARE_CONVERSION = ("leads", "conversion_pct", "base_leads", "base_conversion_pct", "horizon_pct",
                      "base_horizon_pct", "fair_change_pp", "p_value", "verdict")  # fmt: skip
COMPARE_LOST = ("leads", "share_pct", "base_leads", "base_share_pct", "horizon_pct", "base_horizon_pct",
                "fair_change_pp", "p_value", "verdict")  # fmt: skip
CURVE_DAYS = (1, 3, 7, 14, 30, 60, 90, 180)


@dataclass(frozen=True, eq=False)
class Extra:
    """A titled table (or, without rows, one line saying why).

    ``args`` fill the title; ``kinds`` override how columns are formatted; ``marked``
    columns carry a "*" explained by ``note`` (a word and its values); ``shares`` (the
    same shape) are shown beside the counts; ``chart`` is drawn right above the table.
    """

    key: str
    frame: pd.DataFrame
    args: dict[str, Any] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    marked: tuple[str, ...] = ()
    note: tuple[str, dict[str, Any]] | None = None
    shares: pd.DataFrame | None = None
    chart: str | None = None
    line: tuple[str, dict[str, Any]] | None = None  # instead of an empty table: a word and its values


@dataclass(frozen=True, eq=False)
class View:
    """A report's tables: the summary (total last) with its chart, extra tables, and the drill-down list."""

    key: str
    summary: pd.DataFrame
    chart: str | None
    extras: tuple[Extra, ...] = ()
    details: LeadList | None = None
    details_title: str = "list"

    @property
    def charts(self) -> tuple[str, ...]:
        """Every chart of the view, in the order the page shows them."""
        return tuple(c for c in (self.chart, *(e.chart for e in self.extras)) if c)


def _with_total(rows: pd.DataFrame, total: dict[str, Any], key: str, columns: tuple[str, ...]) -> pd.DataFrame:
    frame = rows[[key, *columns]]
    last = pd.DataFrame([{key: TOTAL, **{c: total.get(c) for c in columns}}])
    return pd.concat([frame, last], ignore_index=True) if not frame.empty else last


def pivot(
    long: pd.DataFrame, index: str, columns: str, order: list[str], totals: pd.Series | None = None
) -> pd.DataFrame:
    """``long`` (index, columns, leads) as a wide table: rows in ``order``, columns by most leads first.

    ``totals`` (per row, from the result) is appended as a Total column.
    """
    if long.empty:
        return pd.DataFrame()
    wide = long.pivot_table(index=index, columns=columns, values="leads", aggfunc="sum", fill_value=0)
    wide = wide.reindex(index=[r for r in order if r in wide.index])
    wide = wide[wide.sum().sort_values(ascending=False, kind="stable").index].astype("int64")
    if totals is not None:
        wide[TOTAL] = totals.reindex(wide.index).astype("int64")
    wide.columns.name = None
    return wide.reset_index()


def _reasons_by(result: LostLeadsResult, long: pd.DataFrame, column: str, key: str) -> Extra:
    """Reasons × lead types (or managers), with each cell's share of its column's lost leads."""
    totals = result.reasons.set_index("reason")["leads"]
    counts = pivot(long, "reason", column, list(result.reasons["reason"]), totals)
    if counts.empty:
        return Extra(key, counts)
    values = counts.drop(columns=["reason"])
    shares = values.div(values.sum(axis=0).where(lambda s: s > 0), axis=1) * 100
    return Extra(key, counts, shares=pd.concat([counts[["reason"]], shares], axis=1), note=("shares_note", {}))


def _status_pivot(result: EmployeeResult) -> pd.DataFrame:
    return pivot(result.by_status, "manager", "status", list(result.rows["manager"]))


def _comparisons(result: Result, key: str, columns: tuple[str, ...]) -> list[Extra]:
    """One table per base period — a single line when the base period had no leads, none twice for a year."""
    out, seen = [], set()
    for name, comp in result.comparisons.items():
        if comp.period in seen:  # a year's previous period is also the year before: print it once
            continue
        seen.add(comp.period)
        args = {"period": comp.period, "days": comp.horizon_days}
        if comp.total.get("verdict") == "no_base":
            out.append(Extra(name, pd.DataFrame(), args, line=("no_comparison", {"period": comp.period})))
            continue
        total = dict(comp.total)
        if key == "reason":  # every reason's share is of lost leads, so the total's is all of them
            total |= {"share_pct": 100.0 if total["leads"] else None,
                      "base_share_pct": 100.0 if total["base_leads"] else None}  # fmt: skip
        frame = _with_total(comp.rows, total, key, columns)
        out.append(Extra(name, frame, args))
    return out


def trend_pivot(trend: pd.DataFrame, key: str = "lead_type", value: str = "conversion_pct") -> pd.DataFrame:
    """Groups (Total first, then as the trend lists them) × periods, ``value`` in the cells."""
    if trend.empty:
        return trend
    wide = trend.pivot_table(index=key, columns="period", values=value, aggfunc="first", sort=False)
    listed = list(dict.fromkeys(trend[key]))
    types = [
        TOTAL,
        *(sorted(t for t in listed if t != TOTAL) if key == "lead_type" else [t for t in listed if t != TOTAL]),
    ]
    wide = wide.reindex(index=[t for t in types if t in wide.index], columns=list(dict.fromkeys(trend["period"])))
    wide.columns.name = None
    return wide.reset_index()


def curve_points(curve: pd.DataFrame) -> pd.DataFrame:
    """The cumulative curve read at a few milestone days (the last event on or before each)."""
    if curve.empty:
        return curve
    rows = []
    for day in CURVE_DAYS:
        upto = curve[curve["day"] <= day]
        if not upto.empty and day <= int(curve["day"].max()) + 1:
            last = upto.iloc[-1]
            rows.append({"day": day, "won_cum_pct": last["won_cum_pct"], "lost_cum_pct": last["lost_cum_pct"]})
    return pd.DataFrame(rows)


def _trend(result: Result) -> Extra | None:
    """Groups × periods of the trend, the periods still maturing marked."""
    if result.trend.empty:
        return None
    lost = isinstance(result, LostLeadsResult)
    value, key = ("lost_pct", "reason") if lost else ("conversion_pct", "lead_type")
    table = trend_pivot(result.trend, key, value)
    periods = list(dict.fromkeys(result.trend["period"]))
    marked = tuple(p for p in periods if result.trend.loc[result.trend["period"] == p, "maturing"].any())
    days = result.meta.horizon_days
    note = ("maturing_note", {"days": days}) if marked else None
    args = {"grain": result.trend_grain, "n": len(periods)}
    name = "lost_trend_table" if lost else "trend_table"
    kinds = {str(c): "pct" for c in table.columns[1:]}
    return Extra(name, table, args, kinds, marked, note, chart="lost_trend" if lost else "trend")


def _analysis(result: Result, timing_key: str) -> list[Extra]:
    trend = _trend(result)
    extras = [trend] if trend is not None else []
    if not isinstance(result, LostLeadsResult):
        if not result.timing.empty:
            extras.append(Extra(timing_key, result.timing))
        if not result.curve.empty:
            extras.append(Extra("curve_table", curve_points(result.curve), chart="curve"))
    return extras


def view_of(result: Result) -> View:
    if isinstance(result, ConversionResult):
        summary = _with_total(result.rows, result.total, "lead_type", (*C.COUNTS, *C.RATES))
        extras = _comparisons(result, "lead_type", COMPARE_CONVERSION) + _analysis(result, "timing_by_type")
        return View("lead_type", summary, "conversion", tuple(extras))
    if isinstance(result, LostLeadsResult):
        summary = _with_total(result.reasons, result.total, "reason", C.REASONS.names[1:])
        extras = _comparisons(result, "reason", COMPARE_LOST) + _analysis(result, "")
        extras += [_reasons_by(result, result.by_type, "lead_type", "reason_by_type"),
                   _reasons_by(result, result.by_manager, "manager", "reason_by_manager")]  # fmt: skip
        extras += [Extra("days_open", result.days_open)] if not result.days_open.empty else []
        return View("reason", summary, "pareto", tuple(extras), result.leads, "lost_list")
    summary = _with_total(result.rows, result.total, "manager", (*C.COUNTS, *C.RATES))
    judgement = result.rows[["manager", "leads", "conversion_pct", "ci_low_pct", "ci_high_pct", *C.JUDGEMENT]]
    extras = [Extra("judgement", judgement, chart="funnel"), Extra("by_status", _status_pivot(result))]
    extras += _comparisons(result, "manager", COMPARE_CONVERSION) + _analysis(result, "timing_by_manager")
    return View("manager", summary, "conversion", tuple(extras), result.leads, "list")
