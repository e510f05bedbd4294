"""Lost leads by reason and type («Закрытые неуспешно»)."""

from __future__ import annotations

import pandas as pd

from leadkit.leads import Leads
from leadkit.model import TOTAL
from leadkit.reports.measures import reason
from leadkit.reports.meta import report_meta
from leadkit.reports.results import LostLeadsResult
from leadkit.reports.selection import select
from leadkit.reports.stats import pct
from leadkit.scope import Scope

NAME = "lost_leads"
LIST_COLUMNS = ["lead_id", "created_at", "closed_at", "lead_type", "reason", "manager", "client"]


def reason_matrix(by_type: pd.DataFrame, reasons: pd.DataFrame) -> pd.DataFrame:
    """Reasons (rows, as in ``reasons``) × lead types (columns, most lost first), with totals."""
    if by_type.empty:
        return pd.DataFrame({"reason": [], TOTAL: []}).astype({TOTAL: "int64"})
    wide = by_type.pivot_table(index="reason", columns="lead_type", values="leads", aggfunc="sum", fill_value=0)
    order = wide.sum().sort_values(ascending=False, kind="stable").index
    wide = wide.reindex(index=reasons["reason"], columns=sorted(order, key=list(order).index))
    wide[TOTAL] = wide.sum(axis=1)
    wide = wide.astype("int64").reset_index()
    wide.columns.name = None
    return wide


def compute(leads: Leads, scope: Scope, lang: str = "en") -> LostLeadsResult:
    t, quality = select(leads, scope)
    lost = t.filter(t.is_lost).mutate(reason=reason(t, leads.no_reason_statuses))
    by_type = lost.group_by(["lead_type", "reason"]).aggregate(leads=lost.count()).to_pandas()
    by_type["leads"] = by_type["leads"].astype("int64")
    by_type = by_type.sort_values(["leads", "lead_type", "reason"], ascending=[False, True, True], ignore_index=True)
    reasons = by_type.groupby("reason", as_index=False)["leads"].sum()
    n_lost = int(reasons["leads"].sum())
    reasons["share_pct"] = pct(reasons["leads"], pd.Series(n_lost, index=reasons.index))
    reasons = reasons.sort_values(["leads", "reason"], ascending=[False, True], ignore_index=True)
    total = {"reason": TOTAL, "leads": n_lost, "share_pct": 100.0 if n_lost else None}
    listing = lost.select(*LIST_COLUMNS).order_by(["created_at", "lead_id"]).to_pandas()
    return LostLeadsResult(
        meta=report_meta(NAME, leads, scope, lang, quality),
        reasons=reasons,
        total=total,
        by_type=by_type,
        matrix=reason_matrix(by_type, reasons),
        leads=listing,
    )
