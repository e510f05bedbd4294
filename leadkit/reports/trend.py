"""Conversion over the trailing months (or ISO weeks, for periods shorter than a month)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pandas as pd

from leadkit.exceptions import PeriodError
from leadkit.frames import fetch
from leadkit.leads import Leads
from leadkit.method import Method
from leadkit.model import TOTAL
from leadkit.periods import Period, between, containing
from leadkit.reports.measures import add_rates, count_metrics
from leadkit.reports.selection import scoped
from leadkit.results import contract as C
from leadkit.results.contract import COUNTS
from leadkit.scope import Scope


def _anchor(leads: Leads, scope: Scope) -> date | None:
    if scope.period is not None:
        return scope.period.end
    col = leads.table[scope.date_column]
    last = fetch(leads.table.aggregate(last=col.max())).iloc[0]["last"]
    return None if pd.isna(last) else pd.Timestamp(last).date()


def grain_of(scope: Scope, method: Method) -> str:
    """ "week" for periods of at most ``method.weekly_up_to_days`` days, else "month"."""
    short = scope.period is not None and scope.period.days <= method.weekly_up_to_days
    return "week" if short else "month"


def buckets(anchor: date, grain: str, length: int) -> list[Period]:
    """The ``length`` whole months (or ISO weeks) ending with the one that holds ``anchor``, oldest first."""
    out: list[Period] = []
    current = containing(anchor, "week" if grain == "week" else "month")
    for _ in range(length):
        out.append(current)
        try:
            current = containing(current.start - timedelta(days=1), current.kind)  # type: ignore[arg-type]
        except PeriodError:  # before the first year reports cover
            break
    return out[::-1]


def conversion_trend(leads: Leads, scope: Scope, method: Method) -> tuple[pd.DataFrame, str]:
    """Per bucket and lead type (and Total): leads, converted, conversion % and its interval; and the grain."""
    grain = grain_of(scope, method)
    anchor = _anchor(leads, scope) if scope.date_column in leads.dated else None
    if anchor is None:
        return C.TREND.empty(), grain
    periods = buckets(anchor, grain, method.trend_length)
    t = scoped(leads, replace(scope, period=between(periods[0].start, periods[-1].end)))
    t = t.mutate(bucket=t[scope.date_column].truncate("W" if grain == "week" else "M").date())
    counts = fetch(t.group_by(["bucket", "lead_type"]).aggregate(**count_metrics(t)))
    counts["bucket"] = pd.to_datetime(counts["bucket"]).dt.date
    labels = {p.start: p.label for p in periods}
    frame = pd.DataFrame({"bucket": list(labels)})
    totals = counts.groupby("bucket", as_index=False)[list(COUNTS)].sum()
    totals = frame.merge(totals, on="bucket", how="left").assign(lead_type=TOTAL)
    rows = add_rates(pd.concat([counts, totals], ignore_index=True), method.z)
    rows.insert(0, "period", rows["bucket"].map(labels))
    rows["_o"] = (rows["lead_type"] != TOTAL).astype(int)
    rows = rows.sort_values(["bucket", "_o", "lead_type"], ignore_index=True)
    return C.TREND.conform(rows), grain
