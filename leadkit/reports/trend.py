"""Conversion over the trailing months (or ISO weeks, for periods shorter than a month)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

import ibis.expr.types as ir
import pandas as pd

from leadkit.exceptions import PeriodError
from leadkit.frames import fetch
from leadkit.leads import Leads
from leadkit.method import Method
from leadkit.model import TOTAL
from leadkit.periods import Period, between, containing
from leadkit.reports.maturity import maturing
from leadkit.reports.measures import add_rates, count_metrics, tally
from leadkit.reports.selection import scoped
from leadkit.reports.stats import pct
from leadkit.results import contract as C
from leadkit.results.contract import COUNTS
from leadkit.scope import Scope

TOP_REASONS = 3  # reasons drawn in the lost trend besides the total


def _anchor(scope: Scope, latest: dict[str, date | None]) -> date | None:
    """The day the trend ends on: the period's last, or for all time the data's latest (``Context.latest``)."""
    return scope.period.end if scope.period is not None else latest.get(scope.date_column)


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


@dataclass(frozen=True)
class Buckets:
    """The trend's periods (oldest first), their grain, and the leads in them with a ``bucket`` column."""

    periods: list[Period]
    grain: str
    table: ir.Table | None

    @property
    def labels(self) -> dict[date, str]:
        return {p.start: p.label for p in self.periods}

    def maturing(self, as_of: datetime | None, days: int | None) -> dict[str, bool]:
        ends = pd.Series([p.end for p in self.periods], index=[p.label for p in self.periods])
        return {str(k): bool(v) for k, v in maturing(ends, as_of, days).items()}


def trend_buckets(leads: Leads, scope: Scope, method: Method, latest: dict[str, date | None]) -> Buckets:
    """The months (or weeks) of a report's trend and the leads that fall in them.

    ``latest``: the whole data's latest day per date column, where the trend of all time ends.
    """
    grain = grain_of(scope, method)
    anchor = _anchor(scope, latest) if scope.date_column in leads.dated else None
    if anchor is None:
        return Buckets([], grain, None)
    periods = buckets(anchor, grain, method.trend_length)
    t = scoped(leads, replace(scope, period=between(periods[0].start, periods[-1].end)))
    return Buckets(
        periods, grain, t.mutate(bucket=t[scope.date_column].truncate("W" if grain == "week" else "M").date())
    )


def _as_dates(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(bucket=pd.to_datetime(frame["bucket"]).dt.date)


def conversion_trend(
    leads: Leads, scope: Scope, method: Method, as_of: datetime | None, days: int | None,
    latest: dict[str, date | None],
) -> tuple[pd.DataFrame, str]:  # fmt: skip
    """Per bucket and lead type (and Total): leads, converted, conversion % and its interval, open, maturing."""
    found = trend_buckets(leads, scope, method, latest)
    if found.table is None:
        return C.TREND.empty(), found.grain
    t = found.table
    counts = _as_dates(fetch(t.group_by(["bucket", "lead_type"]).aggregate(**count_metrics(t))))
    frame = pd.DataFrame({"bucket": list(found.labels)})
    totals = counts.groupby("bucket", as_index=False)[list(COUNTS)].sum()
    totals = frame.merge(totals, on="bucket", how="left").assign(lead_type=TOTAL)
    rows = add_rates(pd.concat([counts, totals], ignore_index=True), method.z)
    rows.insert(0, "period", rows["bucket"].map(found.labels))
    rows["maturing"] = rows["period"].map(found.maturing(as_of, days)).astype(bool)
    rows["_o"] = (rows["lead_type"] != TOTAL).astype(int)
    rows = rows.sort_values(["bucket", "_o", "lead_type"], ignore_index=True)
    return C.TREND.conform(rows), found.grain


def lost_trend(
    leads: Leads, scope: Scope, method: Method, reasons: list[str], as_of: datetime | None, days: int | None,
    latest: dict[str, date | None],
) -> tuple[pd.DataFrame, str]:  # fmt: skip
    """Per bucket: the share of leads lost, in total and for each of ``reasons``, and whether it is maturing."""
    found = trend_buckets(leads, scope, method, latest)
    if found.table is None:
        return C.LOST_TREND.empty(), found.grain
    t = found.table
    shown = reasons[:TOP_REASONS]
    counts = {"leads": t.count(), "lost": tally(t, t.is_lost)}
    counts |= {f"r{i}": tally(t, t.is_lost & (t.reason == r)) for i, r in enumerate(shown)}
    wide = (
        pd.DataFrame({"bucket": list(found.labels)})
        .merge(_as_dates(fetch(t.group_by("bucket").aggregate(**counts))), on="bucket", how="left")
        .fillna(0)
    )
    parts = [wide.assign(reason=TOTAL)] + [wide.assign(reason=r, lost=wide[f"r{i}"]) for i, r in enumerate(shown)]
    rows = pd.concat(parts, ignore_index=True).astype({"lost": "int64", "leads": "int64"})
    rows["lost_pct"] = pct(rows["lost"], rows["leads"])
    rows["period"] = rows["bucket"].map(found.labels)
    rows["maturing"] = rows["period"].map(found.maturing(as_of, days)).astype(bool)
    return C.LOST_TREND.conform(rows.sort_values(["bucket"], kind="stable", ignore_index=True)), found.grain
