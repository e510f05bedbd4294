"""Conversion over the trailing 12 months (or weeks, for periods of up to two months)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pandas as pd

from leadkit.leads import Leads
from leadkit.model import TOTAL
from leadkit.periods import Period, between, iso_week, month
from leadkit.reports.frames import fetch
from leadkit.reports.measures import add_rates, count_metrics
from leadkit.reports.selection import scoped
from leadkit.scope import Scope

BUCKETS = 12
WEEKLY_UP_TO_DAYS = 27  # shorter than a month: weeks; else months


def _anchor(leads: Leads, scope: Scope) -> date | None:
    if scope.period is not None:
        return scope.period.end
    col = leads.table[scope.date_column]
    last = fetch(leads.table.aggregate(last=col.max())).iloc[0]["last"]
    return None if pd.isna(last) else pd.Timestamp(last).date()


def buckets(anchor: date, weekly: bool) -> list[Period]:
    """The 12 whole months (or ISO weeks) ending with the one that holds ``anchor``."""
    out = []
    if weekly:
        iso = anchor.isocalendar()
        current = iso_week(iso.year, iso.week)
        for _ in range(BUCKETS):
            out.append(current)
            prev = current.start - timedelta(days=1)
            current = iso_week(prev.isocalendar().year, prev.isocalendar().week)
    else:
        y, m = anchor.year, anchor.month
        for _ in range(BUCKETS):
            out.append(month(y, m))
            y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def conversion_trend(leads: Leads, scope: Scope) -> pd.DataFrame:
    """Per bucket and lead type (and Total): leads, converted, conversion % and its interval."""
    anchor = _anchor(leads, scope) if scope.date_column in leads.dated else None
    if anchor is None:
        return pd.DataFrame()
    weekly = scope.period is not None and scope.period.days <= WEEKLY_UP_TO_DAYS
    periods = buckets(anchor, weekly)
    t = scoped(leads, replace(scope, period=between(periods[0].start, periods[-1].end)))
    grain = "W" if weekly else "M"
    t = t.mutate(bucket=t[scope.date_column].truncate(grain).date())
    counts = fetch(t.group_by(["bucket", "lead_type"]).aggregate(**count_metrics(t)))
    counts["bucket"] = pd.to_datetime(counts["bucket"]).dt.date
    labels = {p.start: p.label for p in periods}
    frame = pd.DataFrame({"bucket": list(labels)})
    totals = counts.groupby("bucket", as_index=False)[
        ["leads", "converted", "orders", "sales", "won", "lost", "open"]
    ].sum()
    totals = frame.merge(totals, on="bucket", how="left").assign(lead_type=TOTAL)
    rows = pd.concat([counts, totals], ignore_index=True)
    rows = add_rates(rows)
    rows.insert(0, "period", rows["bucket"].map(labels))
    order = {TOTAL: 0}
    rows["_o"] = rows["lead_type"].map(lambda v: order.get(v, 1))
    rows = rows.sort_values(["bucket", "_o", "lead_type"], ignore_index=True).drop(columns=["_o", "bucket"])
    return rows[["period", "lead_type", "leads", "converted", "conversion_pct", "ci_low_pct", "ci_high_pct"]]
