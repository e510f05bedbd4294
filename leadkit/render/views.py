"""What each report shows, as plain frames: the one place HTML, Excel and widgets agree on.

A view never computes a figure; it only picks, orders and stacks what the result holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from leadkit.model import TOTAL
from leadkit.reports.results import ConversionResult, EmployeeResult, LostLeadsResult, Result

CONVERSION_COLUMNS = ["leads", "converted", "orders", "sales", "won", "lost", "open",
                      "conversion_pct", "ci_low_pct", "ci_high_pct", "closed_conversion_pct"]  # fmt: skip


@dataclass(frozen=True, eq=False)
class View:
    """A report's tables: the summary (total last), extra tables, and the drill-down list."""

    key: str
    summary: pd.DataFrame
    chart: str
    extras: tuple[tuple[str, pd.DataFrame], ...] = ()
    details: pd.DataFrame = field(default_factory=pd.DataFrame)
    details_title: str = "list"
    group_by: str | None = None


def _with_total(rows: pd.DataFrame, total: dict[str, object], key: str, columns: list[str]) -> pd.DataFrame:
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


def view_of(result: Result) -> View:
    if isinstance(result, ConversionResult):
        summary = _with_total(result.rows, result.total, "lead_type", CONVERSION_COLUMNS)
        return View("lead_type", summary, "conversion")
    if isinstance(result, LostLeadsResult):
        summary = _with_total(result.reasons, result.total, "reason", ["leads", "share_pct"])
        matrix = result.matrix.rename(columns={"reason": "reason"})
        return View("reason", summary, "lost", (("reason_by_type", matrix),), result.leads, "lost_list")
    summary = _with_total(result.rows, result.total, "manager", CONVERSION_COLUMNS)
    details = result.leads
    return View("manager", summary, "conversion", (("by_status", _status_pivot(result)),), details, "list", "manager")
