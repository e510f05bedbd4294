"""The main conversion table of a report — per lead type or per manager — and the same table for its base periods.

One query serves the report's period and the periods it is compared with (the previous
period and a year earlier); ``compare`` then sets them side by side.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from leadkit.exceptions import PeriodError
from leadkit.leads import Leads
from leadkit.method import Method
from leadkit.periods import Period, previous, year_earlier
from leadkit.reports.measures import conversion_table, conversion_tables
from leadkit.reports.selection import distinct, once, scoped, scoped_periods
from leadkit.scope import Scope

CURRENT = "current"
BASES = {"previous": previous, "year_ago": year_earlier}


@dataclass(frozen=True, eq=False)
class Table:
    """Rows per group with rates, their total, and the same for each base period (name → period, rows, total)."""

    rows: pd.DataFrame
    total: dict[str, Any]
    bases: dict[str, tuple[Period, pd.DataFrame, dict[str, Any]]]


def base_periods(scope: Scope) -> dict[str, Period]:
    """The periods the report's period is compared with (none for all time or an unshiftable period)."""
    if scope.period is None:
        return {}
    try:
        return {name: shift(scope.period) for name, shift in BASES.items()}
    except PeriodError:  # before the first year reports cover
        return {}


def main_table(leads: Leads, scope: Scope, by: str, method: Method) -> Table:
    """The conversion table per ``by`` with its total, and the base periods' tables, from one query."""
    bases = base_periods(scope)
    if scope.period is None or not bases:
        return Table(*conversion_table(scoped(leads, scope), by, method.z), {})
    periods = {CURRENT: scope.period, **bases}
    t, within = scoped_periods(leads, scope, distinct(periods))
    tables = conversion_tables(t, by, within, method.z)
    same = once(periods)
    rows, total = tables[CURRENT]
    return Table(rows, total, {name: (period, *tables[same[name]]) for name, period in bases.items()})
