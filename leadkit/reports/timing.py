"""How long conversion takes: quantiles of days to win, and the cumulative conversion curve."""

from __future__ import annotations

from datetime import datetime

import ibis
import ibis.expr.types as ir
import pandas as pd

from leadkit.frames import fetch
from leadkit.model import TOTAL
from leadkit.reports.measures import tally
from leadkit.reports.stats import cumulative_incidence
from leadkit.results import contract as C

DAY = 86400.0


def _days(t: ir.Table, stop: ir.TimestampValue) -> ir.FloatingValue:
    # Whole seconds on every engine: DuckDB's epoch is whole seconds, PostgreSQL's is not.
    seconds = stop.truncate("s").epoch_seconds() - t.created_at.truncate("s").epoch_seconds()
    return seconds.cast("float64") / DAY


def duration_quantiles(t: ir.Table, flag: str, by: str) -> pd.DataFrame:
    """Per ``by`` and in total: count, median, 75th and 90th percentile of days from created to closed."""
    done = t.filter(t[flag] & t.created_at.notnull() & t.closed_at.notnull() & (t.closed_at >= t.created_at))
    done = done.mutate(days=_days(done, done.closed_at))
    stats = {
        "leads": done.count(),
        "median_days": done.days.quantile(0.5),
        "p75_days": done.days.quantile(0.75),
        "p90_days": done.days.quantile(0.9),
    }
    rows = done.group_by(by).aggregate(**stats).mutate(_total=False)
    total = done.aggregate(**stats).mutate(**{by: ibis.null(str), "_total": True})
    both = fetch(rows.union(total.select(*rows.columns)))  # one query for the groups and the total
    is_total = both.pop("_total").astype(bool)
    rows = both[~is_total].sort_values(["leads", by], ascending=[False, True])
    total = both[is_total].assign(**{by: TOTAL})
    frame = pd.concat([rows, total], ignore_index=True) if not rows.empty else total
    frame["leads"] = frame["leads"].fillna(0).astype("int64")
    return C.timing(by).conform(frame)


def conversion_curve(t: ir.Table, as_of: datetime | None) -> pd.DataFrame:
    """Cumulative conversion by days since creation; open leads censored at ``as_of``, lost competing.

    ``as_of`` is the data's cut-off (None without creation dates: no curve then).
    """
    if as_of is None:
        return C.CURVE.empty()
    end = ibis.literal(as_of)
    usable = t.filter(t.created_at.notnull() & (t.created_at < end) & ~((t.is_won | t.is_lost) & t.closed_at.isnull()))
    closed_in = usable.closed_at.notnull() & (usable.closed_at <= end)
    stop = ibis.ifelse(closed_in, usable.closed_at, end)
    usable = usable.mutate(day=_days(usable, stop).floor().cast("int64"), closed_in=closed_in)
    usable = usable.filter(usable.day >= 0)
    counts = usable.group_by("day").aggregate(
        won=tally(usable, usable.closed_in & usable.is_won),
        lost=tally(usable, usable.closed_in & usable.is_lost),
        censored=tally(usable, ~(usable.closed_in & (usable.is_won | usable.is_lost))),
    )
    events = fetch(counts)
    if events.empty:
        return C.CURVE.empty()
    curve = cumulative_incidence(events)
    curve["won_cum_pct"] = curve.pop("won_cum") * 100
    curve["lost_cum_pct"] = curve.pop("lost_cum") * 100
    return C.CURVE.conform(curve)
