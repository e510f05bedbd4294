"""Small results built by hand, frame by frame, for the render tests: every figure is written out here.

The renderers (views, JSON, Excel, charts) only pick, order and format what a result
holds, so a result built from a few literal rows tests them against numbers known
without running a single report. Frames not given are empty, with their declared columns.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import ibis
import pandas as pd

from leadkit.method import DEFAULT
from leadkit.periods import parse_period
from leadkit.results import (
    Comparison,
    ConversionResult,
    DataQuality,
    EmployeeResult,
    LeadList,
    LostLeadsResult,
    ReportMeta,
)
from leadkit.results import contract as C
from leadkit.scope import Scope

GENERATED = datetime(2025, 4, 1, 9, 30)


def meta(report: str, leads: int, period: str | None = "2025-03") -> ReportMeta:
    scope = Scope(parse_period(period) if period else None)
    quality = DataQuality("hand-made", rows_read=leads, rows_loaded=leads, leads_in_scope=leads)
    return ReportMeta(report, scope, DEFAULT, "UTC", GENERATED, quality, as_of=None, horizon_days=None)


def frame(contract: C.Contract, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """``rows`` in ``contract``'s columns and declared dtypes (a column not given is null)."""
    empty = contract.empty()
    if not rows:
        return empty
    given = pd.DataFrame([{name: row.get(name) for name in contract.names} for row in rows])
    return given.astype({name: empty[name].dtype for name in contract.names})


def rate_row(key: str, name: str, leads: int, converted: int, low: float | None, high: float | None) -> dict:
    """A conversion row: everything converted was won with an order; the rest open."""
    pct = converted / leads * 100 if leads else None
    return {key: name, "leads": leads, "converted": converted, "orders": converted, "sales": 0, "won": converted,
            "lost": 0, "open": leads - converted, "conversion_pct": pct,
            "closed_conversion_pct": 100.0 if converted else None, "ci_low_pct": low, "ci_high_pct": high}  # fmt: skip


def total_of(rows: list[dict[str, Any]]) -> dict[str, Any]:
    total = {c: sum(r[c] for r in rows) for c in C.COUNTS}
    pct = total["converted"] / total["leads"] * 100 if total["leads"] else None
    return total | {"conversion_pct": pct, "closed_conversion_pct": 100.0 if total["converted"] else None,
                    "ci_low_pct": None, "ci_high_pct": None}  # fmt: skip


def conversion(rows: list[dict[str, Any]], period: str | None = "2025-03") -> ConversionResult:
    return ConversionResult(
        meta=meta("lead_conversion", sum(r["leads"] for r in rows), period),
        rows=frame(C.rows("lead_type"), rows),
        total=total_of(rows),
        comparisons={},
        trend=C.TREND.empty(),
        trend_grain="month",
        timing=C.timing("lead_type").empty(),
        curve=C.CURVE.empty(),
    )


def lead_list(contract: C.Contract, rows: list[dict[str, Any]], order: tuple[str, ...], group_by: str | None = None):
    """A LeadList over an in-process DuckDB table holding ``rows``."""
    table = ibis.duckdb.connect().create_table("leads", frame(contract, rows).astype(_arrow_friendly(contract)))
    counts = {}
    if group_by:
        counts = {str(k): int(v) for k, v in pd.Series([r[group_by] for r in rows]).value_counts(sort=False).items()}
    return LeadList(table, order, len(rows), group_by, counts)


def _arrow_friendly(contract: C.Contract) -> dict[str, str]:
    """Text columns as pandas strings, so DuckDB types them as VARCHAR even when all null."""
    return {n: "string" for n in contract.names if C.COLUMNS[n].kind in ("text", "group")}


def lost(reasons: list[dict[str, Any]], leads: list[dict[str, Any]]) -> LostLeadsResult:
    total = {"reason": "Total", "leads": sum(r["leads"] for r in reasons), "share_pct": 100.0 if reasons else None}
    return LostLeadsResult(
        meta=meta("lost_leads", len(leads)),
        reasons=frame(C.REASONS, reasons),
        total=total,
        by_type=C.reasons_by("lead_type").empty(),
        by_manager=C.reasons_by("manager").empty(),
        leads=lead_list(C.LOST_LIST, leads, ("created_at", "lead_id")),
        days_open=C.timing("reason").empty(),
        comparisons={},
        trend=C.LOST_TREND.empty(),
        trend_grain="month",
    )


def employees(rows: list[dict[str, Any]], by_status: list[dict[str, Any]], leads: list[dict[str, Any]],
              team_rate: float | None, funnel: list[dict[str, Any]] | None = None) -> EmployeeResult:  # fmt: skip
    return EmployeeResult(
        meta=meta("employee_performance", sum(r["leads"] for r in rows)),
        rows=frame(C.MANAGERS, rows),
        total=total_of(rows),
        team_rate=team_rate,
        funnel=frame(C.FUNNEL, funnel or []),
        by_status=frame(C.BY_STATUS, by_status),
        leads=lead_list(C.EMPLOYEE_LIST, leads, ("created_at", "lead_id"), group_by="manager"),
        comparisons={},
        trend=C.TREND.empty(),
        trend_grain="month",
        timing=C.timing("manager").empty(),
        curve=C.CURVE.empty(),
    )


def comparison(period: str, verdict: str, base_leads: int) -> Comparison:
    """A comparison with ``period`` for one lead type, Call: 3 of 4 now against 1 of ``base_leads`` then."""
    row = {"lead_type": "Call", "leads": 4, "converted": 3, "conversion_pct": 75.0, "base_leads": base_leads,
           "base_converted": 1, "base_conversion_pct": 50.0, "pp_change": 25.0, "verdict": verdict}  # fmt: skip
    rows = frame(C.compare_rows("lead_type"), [row] if base_leads else [])
    return Comparison("previous", parse_period(period), rows, {k: v for k, v in row.items() if k != "lead_type"})
