"""What a reader must see first: the figures behind each headline sentence, and only what statistics support.

A highlight is a kind and its figures (numbers, labels, names from the data); the words
are the renderer's. A best or worst lead type is named only where the intervals separate
them, a change only with the fair comparison's verdict, a manager above or below the team
only outside the control limits.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from leadkit.frames import plain, records
from leadkit.method import Method
from leadkit.model import NO_REASON, NOT_SET, UNASSIGNED
from leadkit.reports.stats import pct
from leadkit.results import Comparison, Highlight, ReportMeta

NO_REASON_WARNING_PCT = 10.0  # a larger share of lost leads without a reason is a headline warning
TOP_REASONS = 3


def _pct(part: int, whole: int) -> float | None:
    return float(pct(pd.Series([part]), pd.Series([whole])).iloc[0]) if whole else None


def scope_line(meta: ReportMeta, total: dict[str, Any]) -> Highlight:
    """The period, leads in scope, conversion with its interval, and how many are still open."""
    leads, opened = int(total["leads"] or 0), int(total["open"] or 0)
    figures = {"period": meta.scope.period.label if meta.scope.period else None, "leads": leads,
               "conversion_pct": plain(total["conversion_pct"]), "ci_low_pct": plain(total["ci_low_pct"]),
               "ci_high_pct": plain(total["ci_high_pct"]), "confidence": meta.method.confidence, "open": opened,
               "open_pct": _pct(opened, leads)}  # fmt: skip
    return Highlight("scope", figures)


def change_line(comparisons: dict[str, Comparison], kind: str = "change") -> Highlight | None:
    """The fair change of the total against the previous period, with its verdict."""
    comparison = comparisons.get("previous")
    if comparison is None:
        return None
    total = {k: plain(v) for k, v in comparison.total.items()}
    figures = {"base_period": comparison.period.label, "horizon_days": comparison.horizon_days, **total}
    return Highlight(kind, figures)


def as_of_line(meta: ReportMeta) -> Highlight:
    """The data's cut-off and the filters, in one line; whether the period starts after the data ends."""
    period = meta.scope.period
    after = bool(period is not None and meta.as_of is not None and period.bounds()[0] > meta.as_of)
    return Highlight("as_of", {"as_of": meta.as_of.isoformat(timespec="minutes") if meta.as_of else None,
                               "timezone": meta.timezone, "filters": meta.scope.filters.as_dict(),
                               "after_data": after})  # fmt: skip


def best_and_worst(rows: pd.DataFrame, key: str, method: Method) -> Highlight | None:
    """The best and worst group, named only when their intervals do not overlap."""
    known = rows[(rows["leads"] >= method.min_leads) & ~rows[key].isin([NOT_SET, UNASSIGNED])]
    known = known.dropna(subset=["conversion_pct"])
    if len(known) < 2:
        return None
    ranked = known.sort_values("conversion_pct", ascending=False, kind="stable")
    best, worst = records(ranked.head(1))[0], records(ranked.tail(1))[0]
    if not best["ci_low_pct"] > worst["ci_high_pct"]:
        return None
    fields = (key, "conversion_pct", "ci_low_pct", "ci_high_pct", "leads")
    figures = {f"best_{f}": best[f] for f in fields} | {f"worst_{f}": worst[f] for f in fields}
    return Highlight("best_worst", {"key": key, **figures})


def largest_change(comparisons: dict[str, Comparison], key: str) -> Highlight | None:
    """The group whose fair change against the previous period is largest among the significant ones."""
    comparison = comparisons.get("previous")
    if comparison is None:
        return None
    rows = comparison.rows
    judged = rows[rows["verdict"].isin(["up", "down", "no_change"])]
    if judged.empty:
        return None
    moved = judged[judged["significant"]]
    if moved.empty:
        return Highlight("largest_change", {"key": key, key: None, "base_period": comparison.period.label})
    size = moved["fair_change_pp"].fillna(moved["pp_change"]).astype(float).abs()
    row = records(moved.assign(_size=size).sort_values("_size", ascending=False, kind="stable").head(1))[0]
    figures = {k: row[k] for k in (key, "conversion_pct", "base_conversion_pct", "pp_change", "horizon_pct",
                                   "base_horizon_pct", "fair_change_pp", "p_value", "verdict")}  # fmt: skip
    return Highlight("largest_change", {"key": key, **figures, "base_period": comparison.period.label,
                                        "horizon_days": comparison.horizon_days})  # fmt: skip


def conversion_highlights(
    meta: ReportMeta, rows: pd.DataFrame, total: dict[str, Any], comparisons: dict[str, Comparison], key: str
) -> tuple[Highlight, ...]:
    found = [scope_line(meta, total), change_line(comparisons), best_and_worst(rows, key, meta.method),
             largest_change(comparisons, key), as_of_line(meta)]  # fmt: skip
    return tuple(h for h in found if h is not None)


def lost_highlights(
    meta: ReportMeta, reasons: pd.DataFrame, comparisons: dict[str, Comparison]
) -> tuple[Highlight, ...]:
    """Lost count and share of all leads, its fair change, the top reasons with theirs, and missing reasons."""
    leads, lost = meta.data_quality.leads_in_scope, int(reasons["leads"].sum())
    scope = Highlight("lost", {"period": meta.scope.period.label if meta.scope.period else None, "lost": lost,
                               "leads": leads, "lost_pct": _pct(lost, leads)})  # fmt: skip
    named = reasons[reasons["reason"] != NO_REASON].head(TOP_REASONS)
    changes = comparisons["previous"].rows.set_index("reason") if "previous" in comparisons else None
    top = []
    for rec in records(named[["reason", "leads", "share_pct"]]):
        if changes is not None and rec["reason"] in changes.index:
            rec |= {k: plain(changes.loc[rec["reason"], k]) for k in ("fair_change_pp", "pp_change", "verdict")}
        top.append(rec)
    found = [
        scope,
        change_line(comparisons, "lost_change"),
        Highlight("top_reasons", {"reasons": top}) if top else None,
    ]
    missing = reasons[reasons["reason"] == NO_REASON]
    if not missing.empty and float(missing["share_pct"].iloc[0]) >= NO_REASON_WARNING_PCT:
        found.append(Highlight("no_reason", {"leads": int(missing["leads"].iloc[0]),
                                             "share_pct": plain(missing["share_pct"].iloc[0])}))  # fmt: skip
    found.append(as_of_line(meta))
    return tuple(h for h in found if h is not None)


def team_line(rows: pd.DataFrame, team_rate: float | None, method: Method) -> Highlight:
    """The team rate, who lies above or below the control limits, and how many have too few leads to judge."""
    judged = rows[~rows["few_leads"]]
    return Highlight("team", {
        "team_pct": None if team_rate is None else team_rate * 100,
        "above": [str(m) for m in judged.loc[judged["vs_team"] == "above", "manager"]],
        "below": [str(m) for m in judged.loc[judged["vs_team"] == "below", "manager"]],
        "few_leads": int(rows["few_leads"].sum()),
        "min_leads": method.min_leads,
    })  # fmt: skip


def employee_highlights(
    meta: ReportMeta, rows: pd.DataFrame, total: dict[str, Any], comparisons: dict[str, Comparison],
    team_rate: float | None,
) -> tuple[Highlight, ...]:  # fmt: skip
    found = [scope_line(meta, total), change_line(comparisons), team_line(rows, team_rate, meta.method),
             as_of_line(meta)]  # fmt: skip
    return tuple(h for h in found if h is not None)
