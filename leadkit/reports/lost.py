"""Lost leads by reason, type and manager («Закрытые неуспешно»), with a Pareto view.

"(no reason)" stays apart from the Pareto line: its cumulative share is left empty,
since a missing reason is not one more reason to fix.
"""

from __future__ import annotations

import ibis.expr.types as ir
import pandas as pd

from leadkit.frames import fetch
from leadkit.model import NO_REASON, TOTAL
from leadkit.reports.compare import base_reasons, fairness, lost_comparisons
from leadkit.reports.highlights import lost_highlights
from leadkit.reports.meta import Context, report_meta
from leadkit.reports.stats import pct
from leadkit.reports.timing import duration_quantiles
from leadkit.reports.trend import lost_trend
from leadkit.results import LeadList, LostLeadsResult
from leadkit.results import contract as C

NAME = "lost_leads"


def _lost(t: ir.Table) -> ir.Table:
    return t.filter(t.is_lost)


def _long(lost: ir.Table, column: str) -> pd.DataFrame:
    frame = fetch(lost.group_by([column, "reason"]).aggregate(leads=lost.count()))
    frame["leads"] = frame["leads"].astype("int64")
    frame = frame.sort_values(["leads", column, "reason"], ascending=[False, True, True], ignore_index=True)
    return C.reasons_by(column).conform(frame)


def pareto(by_type: pd.DataFrame) -> pd.DataFrame:
    """Reasons by count with share % and, for named reasons, their cumulative share of named reasons (Pareto)."""
    reasons = by_type.groupby("reason", as_index=False).agg(leads=("leads", "sum"))
    n_lost = int(reasons["leads"].sum())
    reasons["share_pct"] = pct(reasons["leads"], pd.Series(n_lost, index=reasons.index))
    reasons["_none"] = reasons["reason"] == NO_REASON
    reasons = reasons.sort_values(["_none", "leads", "reason"], ascending=[True, False, True], ignore_index=True)
    named = reasons["leads"].where(~reasons["_none"], 0)
    whole = pd.Series(int(named.sum()), index=reasons.index)
    reasons["cum_share_pct"] = pct(named.cumsum(), whole).mask(reasons["_none"])
    return C.REASONS.conform(reasons)


def compute(ctx: Context) -> LostLeadsResult:
    leads, scope, method = ctx.leads, ctx.scope, ctx.method
    lost = _lost(ctx.table)
    by_type, by_manager = _long(lost, "lead_type"), _long(lost, "manager")
    reasons = pareto(by_type)
    n_lost = int(reasons["leads"].sum())
    named = [r for r in reasons["reason"] if r != NO_REASON]
    trend, grain = lost_trend(leads, scope, method, named, ctx.as_of, ctx.days, ctx.latest)
    fair = fairness(leads, scope, None, ctx.as_of, ctx.days, by_reason=True)
    meta = report_meta(NAME, ctx)
    in_scope = meta.data_quality.leads_in_scope
    comparisons = lost_comparisons(base_reasons(leads, scope), reasons, in_scope, fair, scope, method)
    return LostLeadsResult(
        meta=meta,
        reasons=reasons,
        total={"reason": TOTAL, "leads": n_lost, "share_pct": 100.0 if n_lost else None},
        by_type=by_type,
        by_manager=by_manager,
        leads=LeadList(lost.select(*C.LOST_LIST.names), ("created_at", "lead_id"), n_lost, link=leads.lead_url),
        days_open=duration_quantiles(lost, "is_lost", "reason"),
        comparisons=comparisons,
        trend=trend,
        trend_grain=grain,
        highlights=lost_highlights(meta, reasons, comparisons),
    )
