"""Query results as pandas frames and plain values: the one way leadkit fetches from an engine."""

from __future__ import annotations

from typing import Any

import ibis.expr.types as ir
import pandas as pd


def fetch(expr: ir.Table) -> pd.DataFrame:
    """Run ``expr`` and return a pandas frame (through Arrow: many times faster than ibis' own conversion)."""
    return expr.to_pyarrow().to_pandas()


def plain(value: Any) -> Any:
    """A cell as a builtin Python value: None for NA, ISO text for timestamps, int/float/bool/str."""
    if value is None or value is pd.NaT or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value.item() if hasattr(value, "item") else value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts of builtin Python values (None for NA, ISO text for timestamps)."""
    columns = [str(c) for c in frame.columns]
    return [dict(zip(columns, map(plain, row), strict=True)) for row in frame.itertuples(index=False)]
