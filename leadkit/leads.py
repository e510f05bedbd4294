"""The canonical leads table as an Ibis table, loaded once and shared by every report."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import ibis
import pandas as pd
import pyarrow as pa

from leadkit.model import CANONICAL_COLUMNS, DATE_COLUMNS
from leadkit.params import Params, load_params
from leadkit.sources import SourceData, read_source
from leadkit.validate import validated

TABLE = "leads"
# Fixed types, so that an empty or all-blank column still has one (DuckDB refuses NULL-typed columns).
ARROW_SCHEMA = pa.schema(
    [
        (name, pa.timestamp("us") if name in DATE_COLUMNS else pa.bool_() if name == "converted" else pa.string())
        for name in CANONICAL_COLUMNS
    ]
)


@dataclass(frozen=True)
class Leads:
    """A validated canonical table on an Ibis backend, with facts about its source."""

    table: ibis.Table
    label: str
    rows_read: int
    no_reason_statuses: tuple[str, ...]
    has_created: bool
    has_closed: bool
    timezone: str = "UTC"


def register(frame: pd.DataFrame, backend: ibis.BaseBackend | None = None) -> ibis.Table:
    """Put a canonical frame into ``backend`` (an in-process DuckDB by default)."""
    con = backend or ibis.duckdb.connect()
    arrow = pa.Table.from_pandas(frame, preserve_index=False).cast(ARROW_SCHEMA)
    return con.create_table(TABLE, arrow, overwrite=True)


def from_source(data: SourceData, timezone: str = "UTC") -> Leads:
    return Leads(
        table=register(data.frame),
        label=data.label,
        rows_read=data.rows_read,
        no_reason_statuses=data.no_reason_statuses,
        has_created="created_at" in data.dated,
        has_closed="closed_at" in data.dated,
        timezone=timezone,
    )


def from_frame(frame: pd.DataFrame, label: str = "data frame", no_reason_statuses: tuple[str, ...] = ()) -> Leads:
    """Leads from a frame that already has the canonical columns; validated like any source."""
    data = SourceData(validated(frame, label), label, len(frame), no_reason_statuses)
    return from_source(data)


def load_leads(params: Params | str | Path) -> Leads:
    """Read, validate and register the source of a params file (or path to one)."""
    if not isinstance(params, Params):
        params = load_params(params)
    return from_source(read_source(params), params.timezone)
