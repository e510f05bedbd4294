"""Apply a scope (period, basis, filters) to the leads: the conditions every report query starts from."""

from __future__ import annotations

import operator
from datetime import date
from functools import reduce

import ibis
import ibis.expr.types as ir

from leadkit.leads import Leads, matches
from leadkit.periods import Period, between
from leadkit.scope import Scope


def within(t: ir.Table, column: str, period: Period) -> ir.BooleanValue:
    lo, hi = period.bounds()
    return (t[column] >= lo) & (t[column] < hi)


def raw_conditions(t: ir.Table, scope: Scope) -> tuple[ir.BooleanValue, ir.BooleanValue]:
    """(in period, passes filters), NULL where the value is missing.

    As a filter, NULL drops a row just as FALSE does, and plain comparisons let DuckDB
    skip whole row groups by their min/max dates (a COALESCE around them would not).
    """
    in_period = ibis.literal(True) if scope.period is None else within(t, scope.date_column, scope.period)
    return in_period, matches(t, scope.filters)


def conditions(t: ir.Table, scope: Scope) -> tuple[ir.BooleanValue, ir.BooleanValue]:
    """(in period, passes filters) as never-null booleans, for counting."""
    in_period, passes = raw_conditions(t, scope)
    return in_period.fill_null(False), passes.fill_null(False)


def once(periods: dict[str, Period]) -> dict[str, str]:
    """Each period's name → the first name given the same days, whose figures it shares.

    A year's previous period is also the year earlier: computed once, it costs one set of
    aggregates in a query and one comparison, not two.
    """
    first: dict[tuple[date, date], str] = {}
    return {name: first.setdefault((p.start, p.end), name) for name, p in periods.items()}


def distinct(periods: dict[str, Period]) -> dict[str, Period]:
    """``periods`` without those whose days an earlier name already covers (see ``once``)."""
    same = once(periods)
    return {name: p for name, p in periods.items() if same[name] == name}


def scoped_periods(
    leads: Leads, scope: Scope, periods: dict[str, Period]
) -> tuple[ir.Table, dict[str, ir.BooleanValue]]:
    """The leads that pass the filters and fall in any of ``periods``, with each period's condition.

    One scan then serves a report's period and the periods it is compared with.
    """
    scope.require_dates(leads.dated, leads.label)
    t, column = leads.table, scope.date_column
    _, passes = raw_conditions(t, scope)
    span = between(min(p.start for p in periods.values()), max(p.end for p in periods.values()))
    any_period = reduce(operator.or_, (within(t, column, p) for p in periods.values()))
    kept = t.filter(passes & within(t, column, span) & any_period)
    # The conditions are built on the filtered table, for its aggregates.
    return kept, {name: within(kept, column, p).fill_null(False) for name, p in periods.items()}


def scoped(leads: Leads, scope: Scope) -> ir.Table:
    """The annotated leads in scope."""
    scope.require_dates(leads.dated, leads.label)
    return leads.table.filter(*raw_conditions(leads.table, scope))
