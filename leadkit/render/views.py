"""What each report shows, as plain frames: the one place HTML, Excel and widgets agree on.

A view never computes a figure; it only picks, orders, pivots and stacks what the result holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from leadkit.model import TOTAL
from leadkit.reports.lists import LeadList
from leadkit.reports.results import ConversionResult, EmployeeResult, LostLeadsResult, Result

CONVERSION_COLUMNS = ["leads", "converted", "orders", "sales", "won", "lost", "open",
                      "conversion_pct", "ci_low_pct", "ci_high_pct", "closed_conversion_pct"]  # fmt: skip
JUDGEMENT_COLUMNS = ["leads", "conversion_pct", "ci_low_pct", "ci_high_pct", "rank_by_lower_bound", "few_leads",
                     "limit_low_pct", "limit_high_pct", "vs_team", "expected_pct", "mix_diff_pp"]  # fmt: skip
COMPARE_CONVERSION = ["leads", "converted", "conversion_pct", "base_leads", "base_converted", "base_conversion_pct",
                      "pp_change", "p_value", "significant"]  # fmt: skip
COMPARE_LOST = ["leads", "share_pct", "base_leads", "base_share_pct", "pp_change", "p_value", "significant"]
CURVE_DAYS = (1, 3, 7, 14, 30, 60, 90, 180)


@dataclass(frozen=True, eq=False)
class Extra:
    """A titled table; ``args`` fill the title, ``kinds`` override how columns are formatted."""

    key: str
    frame: pd.DataFrame
    args: dict[str, Any] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class View:
    """A report's tables: the summary (total last), extra tables, and the drill-down list."""

    key: str
    summary: pd.DataFrame
    charts: tuple[str, ...]
    extras: tuple[Extra, ...] = ()
    details: LeadList | None = None
    details_title: str = "list"


def _with_total(rows: pd.DataFrame, total: dict[str, Any], key: str, columns: list[str]) -> pd.DataFrame:
    frame = rows[[key, *columns]]
    last = pd.DataFrame([{key: TOTAL, **{c: total.get(c) for c in columns}}])
    return pd.concat([frame, last], ignore_index=True) if not frame.empty else last


def _status_pivot(result: EmployeeResult) -> pd.DataFrame:
    if result.by_status.empty:
        return pd.DataFrame()
    wide = result.by_status.pivot_table(index="manager", columns="status", values="leads", aggfunc="sum", fill_value=0)
    order = [m for m in result.rows["manager"] if m in wide.index]
    wide = wide.loc[order, wide.sum().sort_values(ascending=False, kind="stable").index]
    wide.columns.name = None
    return wide.reset_index()


def _comparisons(result: Result, key: str, columns: list[str]) -> list[Extra]:
    out = []
    for name, comp in result.comparisons.items():
        frame = _with_total(comp.rows, comp.total, key, columns) if key != "reason" else comp.rows[[key, *columns]]
        out.append(Extra(name, frame, {"label": comp.period.label}))
    return out


def trend_pivot(trend: pd.DataFrame) -> pd.DataFrame:
    """Lead types (Total first) × periods, conversion % in the cells."""
    if trend.empty:
        return trend
    wide = trend.pivot_table(index="lead_type", columns="period", values="conversion_pct", aggfunc="first", sort=False)
    types = [TOTAL, *sorted(t for t in wide.index if t != TOTAL)]
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


def _analysis(result: Result, timing_key: str) -> list[Extra]:
    extras = []
    if not result.trend.empty:
        pivot = trend_pivot(result.trend)
        grain = "week" if "-W" in str(result.trend["period"].iloc[0]) else "month"
        extras.append(Extra("trend_table", pivot, {"grain": grain}, {c: "pct" for c in pivot.columns[1:]}))
    if not isinstance(result, LostLeadsResult):
        if not result.timing.empty:
            extras.append(Extra(timing_key, result.timing))
        if not result.curve.empty:
            extras.append(Extra("curve_table", curve_points(result.curve)))
    return extras


def view_of(result: Result) -> View:
    if isinstance(result, ConversionResult):
        summary = _with_total(result.rows, result.total, "lead_type", CONVERSION_COLUMNS)
        extras = _comparisons(result, "lead_type", COMPARE_CONVERSION) + _analysis(result, "timing_by_type")
        return View("lead_type", summary, ("conversion", "trend", "curve"), tuple(extras))
    if isinstance(result, LostLeadsResult):
        summary = _with_total(result.reasons, result.total, "reason", ["leads", "share_pct", "cum_share_pct"])
        extras = [Extra("reason_by_type", result.matrix), Extra("reason_by_manager", result.manager_matrix)]
        extras += [Extra("days_open", result.days_open)] if not result.days_open.empty else []
        extras += _comparisons(result, "reason", COMPARE_LOST) + _analysis(result, "")
        return View("reason", summary, ("pareto", "trend"), tuple(extras), result.leads, "lost_list")
    summary = _with_total(result.rows, result.total, "manager", CONVERSION_COLUMNS)
    extras = [
        Extra("judgement", result.rows[["manager", *JUDGEMENT_COLUMNS]]),
        Extra("by_status", _status_pivot(result)),
    ]
    extras += _comparisons(result, "manager", COMPARE_CONVERSION) + _analysis(result, "timing_by_manager")
    return View("manager", summary, ("funnel", "trend", "curve"), tuple(extras), result.leads, "list")
