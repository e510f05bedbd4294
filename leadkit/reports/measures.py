"""The conversion counts every table shows, over leads that carry the flags of ``leadkit.flags``."""

from __future__ import annotations

from typing import Any

import ibis.expr.types as ir
import pandas as pd

from leadkit.reports.stats import pct, wilson

COUNTS = ("leads", "converted", "orders", "sales", "won", "lost", "open")
RATES = ("conversion_pct", "closed_conversion_pct", "ci_low_pct", "ci_high_pct")


def count_metrics(t: ir.Table) -> dict[str, ir.Value]:
    """Aggregations of an annotated table: the counts every conversion table shows."""
    return {
        "leads": t.count(),
        "converted": t.count(where=t.is_converted),
        "orders": t.count(where=t.has_order),
        "sales": t.count(where=t.has_sale),
        "won": t.count(where=t.is_won),
        "lost": t.count(where=t.is_lost),
        "open": t.count(where=t.is_open),
    }


def add_rates(frame: pd.DataFrame) -> pd.DataFrame:
    """Counts as integers, plus conversion %, closed-only % and the Wilson 95% interval."""
    out = frame.copy()
    for col in COUNTS:
        out[col] = out[col].fillna(0).astype("int64")
    out["conversion_pct"] = pct(out["converted"], out["leads"])
    out["closed_conversion_pct"] = pct(out["won"], out["won"] + out["lost"])
    out["ci_low_pct"], out["ci_high_pct"] = wilson(out["converted"], out["leads"])
    return out


def conversion_table(t: ir.Table, by: str) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Rows per value of ``by`` (most leads first) and the total, both with rates."""
    rows = t.group_by(by).aggregate(**count_metrics(t)).to_pandas()
    rows = add_rates(rows).sort_values(["leads", by], ascending=[False, True], ignore_index=True)
    total = add_rates(t.aggregate(**count_metrics(t)).to_pandas())
    return rows, records(total)[0]


def _plain(value: Any) -> Any:
    if value is None or value is pd.NaT or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value.item() if hasattr(value, "item") else value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts of builtin Python values (None for NA, ISO text for timestamps)."""
    columns = [str(c) for c in frame.columns]
    return [dict(zip(columns, map(_plain, row), strict=True)) for row in frame.itertuples(index=False)]
