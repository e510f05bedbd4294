"""Employee performance: conversion per manager, with each manager's leads («Эффективность сотрудников»).

Beyond the bare rate: each manager's Wilson interval, a flag instead of a rank for
managers with fewer than ``MIN_LEADS`` leads, a ranking by the interval's lower bound,
funnel-plot limits around the team rate, and the rate the team would reach on the
manager's mix of lead types.
"""

from __future__ import annotations

import ibis.expr.types as ir
import pandas as pd

from leadkit.leads import Leads
from leadkit.model import UNASSIGNED
from leadkit.reports.compare import conversion_with_comparisons
from leadkit.reports.frames import fetch
from leadkit.reports.lists import LeadList
from leadkit.reports.measures import tally
from leadkit.reports.meta import report_meta
from leadkit.reports.results import EmployeeResult
from leadkit.reports.selection import select
from leadkit.reports.stats import control_limits, pct
from leadkit.reports.timing import conversion_curve, duration_quantiles, report_date
from leadkit.reports.trend import conversion_trend
from leadkit.scope import Scope

NAME = "employee_performance"
MIN_LEADS = 30
LIST_COLUMNS = ["manager", "lead_id", "created_at", "lead_type", "status", "status_group", "is_converted"]


def mix_expected(t: ir.Table) -> pd.DataFrame:
    """Per manager: Σ over lead types of (the manager's share of that type × the team's rate for it), in %."""
    cells = fetch(t.group_by(["manager", "lead_type"]).aggregate(leads=t.count(), converted=tally(t, t.is_converted)))
    if cells.empty:
        return pd.DataFrame(columns=["manager", "expected_pct"])
    team = cells.groupby("lead_type")[["leads", "converted"]].sum()
    rate = (team["converted"] / team["leads"]).rename("type_rate")
    cells = cells.join(rate, on="lead_type")
    cells["weighted"] = cells["leads"] * cells["type_rate"]
    per = cells.groupby("manager")[["weighted", "leads"]].sum()
    return pd.DataFrame({"manager": per.index, "expected_pct": pct(per["weighted"], per["leads"]).to_numpy()})


def judge(rows: pd.DataFrame, total: dict[str, object], expected: pd.DataFrame) -> pd.DataFrame:
    """Add few_leads, rank_by_lower_bound, funnel limits, vs_team, expected_pct and mix_diff_pp."""
    out = rows.merge(expected, on="manager", how="left")
    out["mix_diff_pp"] = out["conversion_pct"] - out["expected_pct"]
    out["few_leads"] = out["leads"] < MIN_LEADS
    rankable = ~out["few_leads"] & (out["manager"] != UNASSIGNED) & out["ci_low_pct"].notna()
    ranks = out.loc[rankable, "ci_low_pct"].rank(ascending=False, method="min")
    out["rank_by_lower_bound"] = pd.array([pd.NA] * len(out), dtype="Int64")
    out.loc[rankable, "rank_by_lower_bound"] = ranks.astype("int64")
    leads, converted = int(total["leads"] or 0), int(total["converted"] or 0)  # type: ignore[call-overload]
    team = converted / leads if leads else 0.0
    out["limit_low_pct"], out["limit_high_pct"] = control_limits(team, out["leads"])
    above = (out["conversion_pct"] > out["limit_high_pct"]).fillna(False)
    below = (out["conversion_pct"] < out["limit_low_pct"]).fillna(False)
    out["vs_team"] = ["above" if a else "below" if b else "" for a, b in zip(above, below, strict=True)]
    return out


def compute(leads: Leads, scope: Scope, lang: str = "en") -> EmployeeResult:
    t, quality = select(leads, scope)
    rows, total, comparisons = conversion_with_comparisons(leads, scope, "manager")
    by_status = fetch(t.group_by(["manager", "status", "status_group"]).aggregate(leads=t.count()))
    by_status["leads"] = by_status["leads"].astype("int64")
    by_status = by_status.sort_values(["manager", "leads", "status"], ascending=[True, False, True], ignore_index=True)
    listing = t.select(*LIST_COLUMNS).rename(converted="is_converted")
    counts = dict(zip(rows["manager"].astype(str), rows["leads"].astype(int), strict=True))
    return EmployeeResult(
        meta=report_meta(NAME, leads, scope, lang, quality),
        rows=judge(rows, total, mix_expected(t)),
        total=total,
        by_status=by_status,
        leads=LeadList(listing, ("created_at", "lead_id"), int(total["leads"] or 0), "manager", counts),
        comparisons=comparisons,
        trend=conversion_trend(leads, scope),
        timing=duration_quantiles(t, "is_won", "manager"),
        curve=conversion_curve(t, report_date(leads, scope)),
    )
