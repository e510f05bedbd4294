"""Apply a scope (period, basis, filters) to the leads, and count what it leaves out."""

from __future__ import annotations

import operator
from functools import reduce

import ibis
import ibis.expr.types as ir

from leadkit.leads import Leads
from leadkit.model import NO_REASON, NOT_SET, UNASSIGNED
from leadkit.periods import Period, between
from leadkit.reports.frames import fetch
from leadkit.reports.measures import tally
from leadkit.reports.quality import DataQuality
from leadkit.scope import Scope


def _within(t: ir.Table, column: str, period: Period) -> ir.BooleanValue:
    lo, hi = period.bounds()
    return (t[column] >= lo) & (t[column] < hi)


def _raw_conditions(t: ir.Table, scope: Scope) -> tuple[ir.BooleanValue, ir.BooleanValue]:
    """(in period, passes filters), NULL where the value is missing.

    As a filter, NULL drops a row just as FALSE does, and plain comparisons let DuckDB
    skip whole row groups by their min/max dates (a COALESCE around them would not).
    """
    in_period = ibis.literal(True) if scope.period is None else _within(t, scope.date_column, scope.period)
    passes: ir.BooleanValue = ibis.literal(True)
    for column, values in scope.filters.items():
        passes = passes & t[column].isin(list(values))
    return in_period, passes


def _conditions(t: ir.Table, scope: Scope) -> tuple[ir.BooleanValue, ir.BooleanValue]:
    """(in period, passes filters) as never-null booleans, for counting."""
    in_period, passes = _raw_conditions(t, scope)
    return in_period.fill_null(False), passes.fill_null(False)


def scoped_periods(
    leads: Leads, scope: Scope, periods: dict[str, Period]
) -> tuple[ir.Table, dict[str, ir.BooleanValue]]:
    """The leads that pass the filters and fall in any of ``periods``, with each period's condition.

    One scan then serves a report's period and the periods it is compared with.
    """
    scope.require_dates(leads.dated, leads.label)
    t, column = leads.table, scope.date_column
    _, passes = _raw_conditions(t, scope)
    span = between(min(p.start for p in periods.values()), max(p.end for p in periods.values()))
    any_period = reduce(operator.or_, (_within(t, column, p) for p in periods.values()))
    kept = t.filter(passes & _within(t, column, span) & any_period)
    # The conditions are built on the filtered table, for its aggregates.
    return kept, {name: _within(kept, column, p).fill_null(False) for name, p in periods.items()}


def scoped(leads: Leads, scope: Scope) -> ir.Table:
    """The annotated leads in scope."""
    scope.require_dates(leads.dated, leads.label)
    return leads.table.filter(*_raw_conditions(leads.table, scope))


def select(leads: Leads, scope: Scope) -> tuple[ir.Table, DataQuality]:
    """The annotated leads in scope, and the data-quality summary for them."""
    kept = scoped(leads, scope)
    t = leads.table
    return kept, _quality(leads, t, scope, *_conditions(t, scope))


def _quality(
    leads: Leads, t: ir.Table, scope: Scope, in_period: ir.BooleanValue, passes: ir.BooleanValue
) -> DataQuality:
    n = lambda cond: tally(t, cond)  # noqa: E731
    keep = in_period & passes
    date = t[scope.date_column]
    no_ids = t.is_won & t.order_id.isnull() & t.sale_id.isnull()
    counts = {
        "rows": t.count(),
        "no_date": n(date.isnull() & ~t.is_open),
        "no_date_open": n(date.isnull() & t.is_open),
        "outside_period": n(date.notnull() & ~in_period),
        "filtered_out": n(in_period & ~passes),
        "in_scope": n(keep),
        "no_lead_type": n(keep & (t.lead_type == NOT_SET)),
        "unassigned": n(keep & (t.manager == UNASSIGNED)),
        "no_branch": n(keep & (t.branch == NOT_SET)),
        "lost_without_reason": n(keep & t.is_lost & (t.reason == NO_REASON)),
        "won_placed_by_status": n(keep & no_ids & t.status_result.notnull()),
        "won_without_order_or_sale": n(keep & no_ids & t.status_result.isnull()),
        "closed_without_close_date": n(keep & (t.is_won | t.is_lost) & t.closed_at.isnull()),
        "closed_before_created": n(keep & (t.closed_at < t.created_at)),
    }  # fmt: skip
    got = {k: int(v or 0) for k, v in fetch(t.aggregate(**counts)).iloc[0].items()}
    excluded: dict[str, int] = {}
    if scope.period is not None:
        excluded = {k: got[k] for k in ("no_date", "no_date_open", "outside_period")}
        if scope.basis == "created":
            excluded["no_date"] += excluded.pop("no_date_open")
    excluded["filtered_out"] = got["filtered_out"]
    in_scope = {k: got[k] for k in list(counts)[6:]}
    return DataQuality(
        source=leads.label,
        rows_read=leads.rows_read,
        rows_loaded=got["rows"],
        leads_in_scope=got["in_scope"],
        excluded=excluded,
        in_scope=in_scope,
        unmatched_filters=_unmatched(leads.table, scope),
    )


def _unmatched(t: ir.Table, scope: Scope) -> dict[str, list[str]]:
    """Filter values that match no lead at all: usually a typo worth pointing out."""
    found: dict[str, list[str]] = {}
    for column, values in scope.filters.items():
        present = set(fetch(t.filter(t[column].isin(list(values))).select(column).distinct())[column])
        missing = [v for v in values if v not in present]
        if missing:
            found[column] = missing
    return found
