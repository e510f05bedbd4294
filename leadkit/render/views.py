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

COMPARE_CONVERSION = C.compare_rows("lead_type").names[1:]
COMPARE_LOST = tuple(n for n in C.COMPARE_LOST.names[1:] if n not in ("lost", "base_lost"))
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


def _reasons_by(result: LostLeadsResult, long: pd.DataFrame, column: str) -> pd.DataFrame:
    totals = result.reasons.set_index("reason")["leads"]
    return pivot(long, "reason", column, list(result.reasons["reason"]), totals)


def _status_pivot(result: EmployeeResult) -> pd.DataFrame:
    return pivot(result.by_status, "manager", "status", list(result.rows["manager"]))


def _comparisons(result: Result, key: str, columns: tuple[str, ...]) -> list[Extra]:
    out = []
    for name, comp in result.comparisons.items():
        frame = _with_total(comp.rows, comp.total, key, columns) if key != "reason" else comp.rows[[key, *columns]]
        out.append(Extra(name, frame, {"period": comp.period}))
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
        table = trend_pivot(result.trend)
        kinds = {str(c): "pct" for c in table.columns[1:]}
        extras.append(Extra("trend_table", table, {"grain": result.trend_grain}, kinds))
    if not isinstance(result, LostLeadsResult):
        if not result.timing.empty:
            extras.append(Extra(timing_key, result.timing))
        if not result.curve.empty:
            extras.append(Extra("curve_table", curve_points(result.curve)))
    return extras


def view_of(result: Result) -> View:
    if isinstance(result, ConversionResult):
        summary = _with_total(result.rows, result.total, "lead_type", (*C.COUNTS, *C.RATES))
        extras = _comparisons(result, "lead_type", COMPARE_CONVERSION) + _analysis(result, "timing_by_type")
        return View("lead_type", summary, ("conversion", "trend", "curve"), tuple(extras))
    if isinstance(result, LostLeadsResult):
        summary = _with_total(result.reasons, result.total, "reason", C.REASONS.names[1:])
        extras = [Extra("reason_by_type", _reasons_by(result, result.by_type, "lead_type")),
                  Extra("reason_by_manager", _reasons_by(result, result.by_manager, "manager"))]  # fmt: skip
        extras += [Extra("days_open", result.days_open)] if not result.days_open.empty else []
        extras += _comparisons(result, "reason", COMPARE_LOST) + _analysis(result, "")
        return View("reason", summary, ("pareto", "trend"), tuple(extras), result.leads, "lost_list")
    summary = _with_total(result.rows, result.total, "manager", (*C.COUNTS, *C.RATES))
    extras = [
        Extra("judgement", result.rows[["manager", "leads", "conversion_pct", "ci_low_pct", "ci_high_pct",
                                        *C.JUDGEMENT]]),
        Extra("by_status", _status_pivot(result)),
    ]  # fmt: skip
    extras += _comparisons(result, "manager", COMPARE_CONVERSION) + _analysis(result, "timing_by_manager")
    return View("manager", summary, ("funnel", "trend", "curve"), tuple(extras), result.leads, "list")
