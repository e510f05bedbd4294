"""Query results as pandas frames and plain values: the one way leadkit fetches from an engine."""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa

from leadkit.compiled import sql_of

# The Ibis major versions whose internals the compile cache was written against and tested with.
IBIS_INTERNALS = (10, 12)


def run_sql(backend: ibis.BaseBackend, sql: str) -> pa.Table:
    """``sql`` on a DuckDB backend's connection, as Arrow: every compiled report query runs here."""
    return backend.con.sql(sql).to_arrow_table()


def _internals_known() -> bool:
    """Whether the installed Ibis is one whose internals ``arrow`` leans on were read (its major version)."""
    major = int(ibis.__version__.split(".")[0])
    return IBIS_INTERNALS[0] <= major <= IBIS_INTERNALS[1]


def arrow(expr: ir.Table) -> pa.Table:
    """Run ``expr`` into an Arrow table as ``expr.to_pyarrow()`` does; on DuckDB each distinct query compiles once.

    That reuse (``compiled``) leans on Ibis internals (``_find_backend``, ``_run_pre_execute_hooks``,
    ``__pyarrow_result__``, operation trees, the compiler's ``visit_node``); an Ibis outside
    ``IBIS_INTERNALS`` gets its own ``to_pyarrow``: the same rows, compiled on every call.
    """
    backend = expr._find_backend(use_default=True) if _internals_known() else None
    if backend is None or backend.name != "duckdb":
        return expr.to_pyarrow()
    from ibis.backends.duckdb.converter import DuckDBPyArrowData

    # A relation's Arrow output, as ibis' own to_pyarrow reads it: a cursor's (raw_sql) copies the rows once more and
    # warns, and silencing that with warnings.catch_warnings is not safe in the panel's worker thread.
    result = run_sql(backend, sql_of(backend, expr))
    return expr.__pyarrow_result__(result, data_mapper=DuckDBPyArrowData)


def fetch(expr: ir.Table) -> pd.DataFrame:
    """Run ``expr`` and return a pandas frame (through Arrow: many times faster than ibis' own conversion)."""
    return arrow(expr).to_pandas()


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
