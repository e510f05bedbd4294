"""The data-quality summary of a scope: what was read, what the scope left out and why, what is odd in it."""

from __future__ import annotations

import ibis.expr.types as ir
import numpy as np
import pandas as pd

from leadkit.frames import fetch
from leadkit.leads import Leads, visible
from leadkit.model import NO_REASON, NOT_SET, UNASSIGNED
from leadkit.reports.measures import tally
from leadkit.reports.selection import conditions
from leadkit.results.quality import DataQuality
from leadkit.scope import Scope

IN_SCOPE = ("no_lead_type", "unassigned", "no_branch", "lost_without_reason", "won_placed_by_status",
            "won_without_order_or_sale", "closed_without_close_date", "closed_before_created")  # fmt: skip
COUNTED = ("rows", "no_date", "no_date_open", "outside_period", "filtered_out", "in_scope", *IN_SCOPE)
PRESENT = "present__"  # + a filter's column: the values of that filter some lead has


def quality_metrics(t: ir.Table, scope: Scope) -> tuple[ir.Table, dict[str, ir.Value]]:
    """The data-quality summary's aggregates over the whole table ``t`` under ``scope``, and the table they run on.

    That table is ``t`` with the scope's period and filter conditions as columns: written into
    each count, DuckDB evaluated them once per count and lead. Besides the counts, per active
    filter, the listed values that some lead has: a value without any is pointed out (usually a
    typo), and asking here saves a query per filter. Other aggregates of ``t`` may join them.
    """
    in_period, passes = conditions(t, scope)
    t = t.mutate(_in_period=in_period, _passes=passes, _keep=in_period & passes)
    in_period, passes, keep = t._in_period, t._passes, t._keep
    n = lambda cond: tally(t, cond)  # noqa: E731
    date = t[scope.date_column]
    no_ids = t.is_won & t.order_id.isnull() & t.sale_id.isnull()
    return t, {
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
    } | {
        PRESENT + column: t[column].collect(where=t[column].isin(list(values)), distinct=True)
        for column, values in scope.filters.items()
    }  # fmt: skip


def data_quality(leads: Leads, scope: Scope) -> DataQuality:
    """Counts of the whole table under ``scope`` (one query), and the filter values that match nothing.

    A viewer's scope counts only the leads their allowance lets them see: "the whole table" is theirs.
    """
    leads = visible(leads, scope.allowance)
    t, metrics = quality_metrics(leads.table, scope)
    return quality_from(fetch(t.aggregate(**metrics)).iloc[0], leads, scope)


def quality_from(row: pd.Series, leads: Leads, scope: Scope) -> DataQuality:
    """The summary from the values of ``quality_metrics`` (``row`` may hold other values too)."""
    got = {k: int(row[k] or 0) for k in COUNTED}
    excluded: dict[str, int] = {}
    if scope.period is not None:
        excluded = {k: got[k] for k in ("no_date", "no_date_open", "outside_period")}
        if scope.basis == "created":
            excluded["no_date"] += excluded.pop("no_date_open")
    excluded["filtered_out"] = got["filtered_out"]
    return DataQuality(
        source=leads.label,
        rows_read=leads.rows_read,
        rows_loaded=got["rows"],
        leads_in_scope=got["in_scope"],
        excluded=excluded,
        in_scope={k: got[k] for k in IN_SCOPE},
        unmatched_filters=_unmatched(row, scope),
        cleaned_values=leads.cleaned_values,
    )


def _unmatched(row: pd.Series, scope: Scope) -> dict[str, list[str]]:
    """Filter values that match no lead at all: usually a typo worth pointing out."""
    found: dict[str, list[str]] = {}
    for column, values in scope.filters.items():
        found_values = row[PRESENT + column]  # NULL, not an empty list, where no lead has any
        present = set(found_values) if isinstance(found_values, list | tuple | np.ndarray) else set()
        missing = [v for v in values if v not in present]
        if missing:
            found[column] = missing
    return found
