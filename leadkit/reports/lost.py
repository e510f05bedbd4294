"""Lost leads by reason, type and manager («Закрытые неуспешно»), with a Pareto view.

"(no reason)" stays apart from the Pareto line: its cumulative share is left empty,
since a missing reason is not one more reason to fix.
"""

from __future__ import annotations

import ibis.expr.types as ir
import pandas as pd

from leadkit.leads import Leads
from leadkit.model import NO_REASON, TOTAL
from leadkit.reports.compare import base_reasons, lost_comparisons
from leadkit.reports.frames import fetch
from leadkit.reports.lists import LeadList
from leadkit.reports.meta import report_meta
from leadkit.reports.results import LostLeadsResult
from leadkit.reports.selection import select
from leadkit.reports.stats import pct
from leadkit.reports.timing import duration_quantiles
from leadkit.reports.trend import conversion_trend
from leadkit.scope import Scope

NAME = "lost_leads"
LIST_COLUMNS = ["lead_id", "created_at", "closed_at", "lead_type", "reason", "manager", "client"]


def reason_matrix(long: pd.DataFrame, reasons: pd.DataFrame, column: str) -> pd.DataFrame:
    """Reasons (rows, as in ``reasons``) × values of ``column`` (most lost first), with totals."""
    if long.empty:
        return pd.DataFrame({"reason": [], TOTAL: []}).astype({TOTAL: "int64"})
    wide = long.pivot_table(index="reason", columns=column, values="leads", aggfunc="sum", fill_value=0)
    order = list(wide.sum().sort_values(ascending=False, kind="stable").index)
    wide = wide.reindex(index=reasons["reason"], columns=order)
    wide[TOTAL] = wide.sum(axis=1)
    wide = wide.astype("int64").reset_index()
    wide.columns.name = None
    return wide


def _lost(t: ir.Table) -> ir.Table:
    return t.filter(t.is_lost)


def _long(lost: ir.Table, column: str) -> pd.DataFrame:
    frame = fetch(lost.group_by([column, "reason"]).aggregate(leads=lost.count()))
    frame["leads"] = frame["leads"].astype("int64")
    return frame.sort_values(["leads", column, "reason"], ascending=[False, True, True], ignore_index=True)


def pareto(by_type: pd.DataFrame) -> pd.DataFrame:
    """Reasons by count with share % and, for named reasons, the cumulative share (Pareto line)."""
    reasons = by_type.groupby("reason", as_index=False).agg(leads=("leads", "sum"))
    n_lost = int(reasons["leads"].sum())
    reasons["share_pct"] = pct(reasons["leads"], pd.Series(n_lost, index=reasons.index))
    reasons["_none"] = reasons["reason"] == NO_REASON
    reasons = reasons.sort_values(["_none", "leads", "reason"], ascending=[True, False, True], ignore_index=True)
    named = reasons["leads"].where(~reasons["_none"], 0).cumsum()
    reasons["cum_share_pct"] = pct(named, pd.Series(n_lost, index=reasons.index)).mask(reasons["_none"])
    return reasons.drop(columns="_none")


def compute(leads: Leads, scope: Scope, lang: str = "en") -> LostLeadsResult:
    t, quality = select(leads, scope)
    lost = _lost(t)
    by_type, by_manager = _long(lost, "lead_type"), _long(lost, "manager")
    reasons = pareto(by_type)
    n_lost = int(reasons["leads"].sum())
    total = {"reason": TOTAL, "leads": n_lost, "share_pct": 100.0 if n_lost else None}
    return LostLeadsResult(
        meta=report_meta(NAME, leads, scope, lang, quality),
        reasons=reasons,
        total=total,
        by_type=by_type,
        matrix=reason_matrix(by_type, reasons, "lead_type"),
        leads=LeadList(lost.select(*LIST_COLUMNS), ("created_at", "lead_id"), n_lost),
        by_manager=by_manager,
        manager_matrix=reason_matrix(by_manager, reasons, "manager"),
        days_open=duration_quantiles(lost, "is_lost", "reason"),
        comparisons=lost_comparisons(base_reasons(leads, scope), reasons),
        trend=conversion_trend(leads, scope),
    )
