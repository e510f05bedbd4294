"""A report's list of leads: an ordered query, fetched only when shown or written.

Lists are the one part of a result that grows with the data (a year of a large network
is millions of leads), so a result keeps the query and its counts, not the rows. The
rows come out in pages (``head``, ``heads``) or in batches for a file (``batches``),
always in the report's order, from the table the report was computed on. Pages are
kept once fetched: drawing the same result again (in another language, say) runs no
query.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa

from leadkit.frames import fetch

BATCH_ROWS = 100_000


def _frame(batch: pa.RecordBatch) -> pd.DataFrame:
    """A batch as pandas, DuckDB's ENUM (dictionary) columns as plain text, like every other list."""
    columns = [c.dictionary_decode() if pa.types.is_dictionary(c.type) else c for c in batch.columns]
    return pa.RecordBatch.from_arrays(columns, names=batch.schema.names).to_pandas()


@dataclass(frozen=True, eq=False)
class LeadList:
    """Leads in ``order`` (within ``group_by`` when grouped); ``group_counts`` gives each group's count."""

    base: ir.Table
    order: tuple[str, ...]
    count: int
    group_by: str | None = None
    group_counts: dict[str, int] = field(default_factory=dict)
    link: str | None = None  # a link template to each lead ({lead_id} stands for the id)
    _pages: dict[Any, Any] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return self.count

    @property
    def empty(self) -> bool:
        return self.count == 0

    @property
    def columns(self) -> list[str]:
        return list(self.base.columns)

    @property
    def query(self) -> ir.Table:
        keys = [self.group_by, *self.order] if self.group_by else list(self.order)
        return self.base.order_by(keys)

    def head(self, rows: int) -> pd.DataFrame:
        if ("head", rows) not in self._pages:
            self._pages["head", rows] = fetch(self.query.limit(rows))
        frame: pd.DataFrame = self._pages["head", rows]
        return frame

    def to_pandas(self) -> pd.DataFrame:
        return fetch(self.query)

    def batches(self, rows: int = BATCH_ROWS) -> Iterator[pd.DataFrame]:
        """All rows in order, ``rows`` at a time: memory stays flat however long the list."""
        backend = self.query.get_backend()
        if backend.name != "duckdb":
            for batch in self.query.to_pyarrow_batches(chunk_size=rows):
                if batch.num_rows:
                    yield _frame(batch)
            return
        # DuckDB streams on a cursor of its own, so other queries may run while the list is read.
        cursor = backend.con.cursor()
        try:
            for batch in cursor.sql(ibis.to_sql(self.query, dialect="duckdb")).to_arrow_reader(rows):
                if batch.num_rows:
                    yield _frame(batch)
        finally:
            cursor.close()

    def where(self, value: str) -> LeadList:
        """The leads of one group, without the group column."""
        if self.group_by is None:
            raise ValueError("this list has no groups")
        if ("where", value) not in self._pages:
            part = self.base.filter(self.base[self.group_by] == value).drop(self.group_by)
            self._pages["where", value] = LeadList(part, self.order, self.group_counts.get(value, 0), link=self.link)
        one: LeadList = self._pages["where", value]
        return one

    def heads(self, rows: int, groups: list[str] | None = None) -> dict[str, pd.DataFrame]:
        """The first ``rows`` leads of every group (or of ``groups``, in their order), in one query,
        without the group column."""
        if self.group_by is None:
            raise ValueError("this list has no groups")
        names = tuple(self.group_counts if groups is None else groups)
        if ("heads", rows, names) not in self._pages:
            self._pages["heads", rows, names] = self._fetch_heads(self.group_by, rows, names, groups is not None)
        found: dict[str, pd.DataFrame] = self._pages["heads", rows, names]
        return found

    def _fetch_heads(self, key: str, rows: int, names: tuple[str, ...], only: bool) -> dict[str, pd.DataFrame]:
        base = self.base.filter(self.base[key].isin(names)) if only else self.base
        window = ibis.row_number().over(group_by=key, order_by=list(self.order))
        ranked = base.mutate(_rank=window)
        top = fetch(ranked.filter(ranked._rank < rows).order_by([key, "_rank"]).drop("_rank"))
        parts = {str(k): g.drop(columns=[key]).reset_index(drop=True) for k, g in top.groupby(key, sort=False)}
        empty = top.drop(columns=[key]).iloc[0:0]
        return {name: parts.get(name, empty) for name in names}
