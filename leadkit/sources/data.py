"""What every source hands on: the validated canonical frame and facts about where it came from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    import duckdb


@dataclass(frozen=True)
class SourceData:
    """A validated canonical frame and what the reports need to know about its source."""

    frame: pd.DataFrame | None  # None: the rows stay in the engine they were mapped in (``rows``)
    label: str
    rows_read: int
    no_reason_statuses: tuple[str, ...]
    dated: tuple[str, ...] = ("created_at", "closed_at")  # date columns the source provides
    cleaned_values: int = 0  # values that lost invisible characters (NUL, zero-width, control) in mapping
    # The rows in the DuckDB engine they were mapped in, when they were (``frame`` is then None); columns of
    # repeated text are ENUMs of ``values`` (``sqltext.enum_type``), the type the ingest cache stores.
    rows: duckdb.DuckDBPyRelation | None = None
    # With ``rows``: per column whose values the mapping listed, every distinct non-NULL value it holds.
    values: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def facts(self) -> dict[str, Any]:
        """What the source said about itself: every field but those that hold the leads (the ingest keeps these)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("frame", "rows", "values")}

    def pandas(self) -> pd.DataFrame:
        """The canonical frame. Rows kept in an engine have none: asking for it is a bug, never an empty report."""
        if self.frame is None:
            raise TypeError(f"{self.label}: the leads are in the engine they were mapped in (SourceData.rows)")
        return self.frame
