"""Lost leads by reason, type and manager («Закрытые неуспешно»), with a Pareto view.

"(no reason)" stays apart from the Pareto line: its cumulative share is left empty,
since a missing reason is not one more reason to fix.
"""

from __future__ import annotations

import ibis.expr.types as ir
import pandas as pd

from leadkit.frames import fetch
from leadkit.leads import Leads
from leadkit.method import Method
from leadkit.model import NO_REASON, TOTAL
from leadkit.reports.compare import base_reasons, lost_comparisons
from leadkit.reports.meta import report_meta
from leadkit.reports.selection import scoped
from leadkit.reports.stats import pct
from leadkit.reports.timing import duration_quantiles
from leadkit.reports.trend import conversion_trend
from leadkit.results import LeadList, LostLeadsResult
from leadkit.results import contract as C
from leadkit.scope import Scope

NAME = "lost_leads"


def _lost(t: ir.Table) -> ir.Table:
    return t.filter(t.is_lost)


def _long(lost: ir.Table, column: str) -> pd.DataFrame:
    frame = fetch(lost.group_by([column, "reason"]).aggregate(leads=lost.count()))
    frame["leads"] = frame["leads"].astype("int64")
    frame = frame.sort_values(["leads", column, "reason"], ascending=[False, True, True], ignore_index=True)
    return C.reasons_by(column).conform(frame)


def pareto(by_type: pd.DataFrame) -> pd.DataFrame:
    """Reasons by count with share % and, for named reasons, the cumulative share (Pareto line)."""
    reasons = by_type.groupby("reason", as_index=False).agg(leads=("leads", "sum"))
    n_lost = int(reasons["leads"].sum())
    reasons["share_pct"] = pct(reasons["leads"], pd.Series(n_lost, index=reasons.index))
    reasons["_none"] = reasons["reason"] == NO_REASON
    reasons = reasons.sort_values(["_none", "leads", "reason"], ascending=[True, False, True], ignore_index=True)
    named = reasons["leads"].where(~reasons["_none"], 0).cumsum()
    reasons["cum_share_pct"] = pct(named, pd.Series(n_lost, index=reasons.index)).mask(reasons["_none"])
    return C.REASONS.conform(reasons)


def compute(leads: Leads, scope: Scope, method: Method) -> LostLeadsResult:
    lost = _lost(scoped(leads, scope))
    by_type, by_manager = _long(lost, "lead_type"), _long(lost, "manager")
    reasons = pareto(by_type)
    n_lost = int(reasons["leads"].sum())
    trend, grain = conversion_trend(leads, scope, method)
    return LostLeadsResult(
        meta=report_meta(NAME, leads, scope, method),
        reasons=reasons,
        total={"reason": TOTAL, "leads": n_lost, "share_pct": 100.0 if n_lost else None},
        by_type=by_type,
        by_manager=by_manager,
        leads=LeadList(lost.select(*C.LOST_LIST.names), ("created_at", "lead_id"), n_lost),
        days_open=duration_quantiles(lost, "is_lost", "reason"),
        comparisons=lost_comparisons(base_reasons(leads, scope), reasons, method),
        trend=trend,
        trend_grain=grain,
    )
