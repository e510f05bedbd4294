"""Employee performance: conversion per manager, with each manager's leads («Эффективность сотрудников»).

Beyond the bare rate: each manager's Wilson interval, a flag instead of a rank for
managers with fewer than ``method.min_leads`` leads, a ranking by the interval's lower bound,
funnel-plot limits around the team rate, and the rate the team would reach on the
manager's mix of lead types.
"""

from __future__ import annotations

from typing import Any

import ibis.expr.types as ir
import numpy as np
import pandas as pd

from leadkit.frames import fetch
from leadkit.method import Method
from leadkit.model import UNASSIGNED
from leadkit.reports.compare import conversion_comparisons, fairness
from leadkit.reports.highlights import employee_highlights
from leadkit.reports.measures import tally
from leadkit.reports.meta import Context, report_meta
from leadkit.reports.shared import shared_curve, shared_trend
from leadkit.reports.stats import control_limits, pct
from leadkit.reports.table import main_table
from leadkit.reports.timing import duration_quantiles
from leadkit.results import EmployeeResult, LeadList
from leadkit.results import contract as C

NAME = "employee_performance"
KEY = "manager"
FUNNEL_POINTS = 200


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


def team_rate(total: dict[str, Any]) -> float | None:
    """Converted ÷ leads of the whole team, 0..1; None without leads."""
    leads, converted = int(total["leads"] or 0), int(total["converted"] or 0)
    return converted / leads if leads else None


def judge(rows: pd.DataFrame, team: float | None, expected: pd.DataFrame, method: Method) -> pd.DataFrame:
    """Add few_leads, rank_by_lower_bound, funnel limits, vs_team, expected_pct and mix_diff_pp."""
    out = rows.merge(expected, on="manager", how="left")
    out["mix_diff_pp"] = out["conversion_pct"] - out["expected_pct"]
    out["few_leads"] = out["leads"] < method.min_leads
    rankable = ~out["few_leads"] & (out["manager"] != UNASSIGNED) & out["ci_low_pct"].notna()
    ranks = out.loc[rankable, "ci_low_pct"].rank(ascending=False, method="min")
    out["rank_by_lower_bound"] = pd.array([pd.NA] * len(out), dtype="Int64")
    out.loc[rankable, "rank_by_lower_bound"] = ranks.astype("int64")
    out["limit_low_pct"], out["limit_high_pct"] = control_limits(team or 0.0, out["leads"], method.z)
    above = (out["conversion_pct"] > out["limit_high_pct"]).fillna(False)
    below = (out["conversion_pct"] < out["limit_low_pct"]).fillna(False)
    out["vs_team"] = ["above" if a else "below" if b else "" for a, b in zip(above, below, strict=True)]
    return C.MANAGERS.conform(out)


def funnel_limits(team: float | None, most_leads: int, method: Method) -> pd.DataFrame:
    """The funnel limits along the leads axis, from 1 lead to a little past the busiest manager (for the chart)."""
    if team is None or most_leads <= 0:
        return C.FUNNEL.empty()
    n = pd.Series(np.linspace(1, max(most_leads * 1.05, 2), FUNNEL_POINTS))
    low, high = control_limits(team, n, method.z)
    return C.FUNNEL.conform(pd.DataFrame({"leads": n, "limit_low_pct": low, "limit_high_pct": high}))


def _by_status(t: ir.Table) -> pd.DataFrame:
    by_status = fetch(t.group_by(["manager", "status", "status_group"]).aggregate(leads=t.count()))
    by_status["leads"] = by_status["leads"].astype("int64")
    by_status = by_status.sort_values(["manager", "leads", "status"], ascending=[True, False, True], ignore_index=True)
    return C.BY_STATUS.conform(by_status)


def compute(ctx: Context) -> EmployeeResult:
    leads, scope, method, t = ctx.leads, ctx.scope, ctx.method, ctx.table
    table = main_table(leads, scope, KEY, method)
    team = team_rate(table.total)
    listing = t.select(*C.EMPLOYEE_LIST.names)
    counts = dict(zip(table.rows["manager"].astype(str), table.rows["leads"].astype(int), strict=True))
    trend, grain = shared_trend(ctx)
    fair = fairness(leads, scope, KEY, ctx.as_of, ctx.days)
    meta = report_meta(NAME, ctx)
    rows = judge(table.rows, team, mix_expected(t), method)
    comparisons = conversion_comparisons(table, KEY, fair, scope, method)
    return EmployeeResult(
        meta=meta,
        rows=rows,
        total=table.total,
        team_rate=team,
        funnel=funnel_limits(team, int(table.rows["leads"].max()) if len(table.rows) else 0, method),
        by_status=_by_status(t),
        leads=LeadList(listing, ("created_at", "lead_id"), int(table.total["leads"] or 0), KEY, counts, leads.lead_url),
        comparisons=comparisons,
        trend=trend,
        trend_grain=grain,
        timing=duration_quantiles(t, "is_won", KEY),
        curve=shared_curve(ctx),
        highlights=employee_highlights(meta, rows, table.total, comparisons, team),
    )
