"""The conversion counts every table shows, over leads that carry the flags of ``leadkit.flags``."""

from __future__ import annotations

from typing import Any

import ibis.expr.types as ir
import pandas as pd

from leadkit.frames import fetch, records
from leadkit.reports.stats import INT, pct, wilson
from leadkit.results.contract import COUNTS, TOTAL
from leadkit.results.contract import rows as rows_contract


def tally(t: ir.Table, cond: ir.BooleanValue) -> ir.IntegerValue:
    """How many rows of ``t`` ``cond`` is true for (NULL counts as false).

    A sum of 0/1 rather than COUNT(*) FILTER: the same number, and DuckDB computes it
    about twice as fast when a query holds many of them.
    """
    if isinstance(cond, ir.Scalar):  # a constant (no period, no filter): no column to sum
        return t.count(where=cond)
    return cond.cast("int32").sum().fill_null(0)  # PostgreSQL casts a boolean to int4 only


def count_metrics(t: ir.Table, where: ir.BooleanValue | None = None) -> dict[str, ir.Value]:
    """Aggregations of an annotated table (of its rows ``where`` holds): the counts every conversion table shows."""

    def n(flag: ir.BooleanValue) -> ir.Value:
        return tally(t, flag if where is None else where & flag)

    return {
        "leads": t.count() if where is None else tally(t, where),
        "converted": n(t.is_converted),
        "orders": n(t.has_order),
        "sales": n(t.has_sale),
        "won": n(t.is_won),
        "lost": n(t.is_lost),
        "open": n(t.is_open),
    }


def add_rates(frame: pd.DataFrame, z: float) -> pd.DataFrame:
    """Counts as integers, plus conversion %, closed-only % and the Wilson interval at ``z``."""
    counts = {c: frame[c] if frame[c].dtype == INT else frame[c].fillna(0).astype(INT) for c in COUNTS}
    low, high = wilson(counts["converted"], counts["leads"], z)
    rates = {"conversion_pct": pct(counts["converted"], counts["leads"]),
             "closed_conversion_pct": pct(counts["won"], counts["won"] + counts["lost"]),
             "ci_low_pct": low, "ci_high_pct": high}  # fmt: skip
    # One new frame, not a column set at a time: pandas spends far more on each set than on the arithmetic.
    return pd.DataFrame({c: counts.get(c, frame[c]) for c in frame.columns} | rates, index=frame.index)


def with_total(rows: pd.DataFrame, by: str, z: float) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Rows with rates (most leads first) and their total with rates."""
    # Every lead is in exactly one group (a NULL key is a group too), so the total is the groups' sum.
    total = add_rates(pd.DataFrame([{c: int(rows[c].sum()) for c in COUNTS}]), z)
    rows = add_rates(rows, z).sort_values(["leads", by], ascending=[False, True], ignore_index=True)
    return rows_contract(by).conform(rows), records(TOTAL.conform(total))[0]


def conversion_table(t: ir.Table, by: str, z: float) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Rows per value of ``by`` (most leads first) and the total, both with rates."""
    return with_total(fetch(t.group_by(by).aggregate(**count_metrics(t))), by, z)


def conversion_tables(
    t: ir.Table, by: str, periods: dict[str, ir.BooleanValue], z: float
) -> dict[str, tuple[pd.DataFrame, dict[str, Any]]]:
    """``conversion_table`` for each of several periods (name: condition), from one query."""
    metrics = {f"{name}__{k}": v for name, cond in periods.items() for k, v in count_metrics(t, cond).items()}
    wide = fetch(t.group_by(by).aggregate(**metrics))
    out = {}
    for name in periods:
        part = wide[[by, *(f"{name}__{k}" for k in COUNTS)]]
        part = part.rename(columns={f"{name}__{k}": k for k in COUNTS})
        out[name] = with_total(part[part["leads"] > 0], by, z)
    return out
