"""The SELECT the engine mapping builds: each canonical column's expression, and lookups without joins.

``engine_map`` decides what each column becomes; this module only writes it as DuckDB SQL:
a source column as text, a small table joined on keys, or values found by position in
constant lists (no join, so the rows keep the file's order).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from leadkit.sources.engine_read import text_frame
from leadkit.sources.mapping import MappingSpec
from leadkit.sqltext import enum_type, identifier, listed_at, literal, position_of

MAX_LISTED = 10_000  # combinations of keys a lookup holds in constant lists; more are joined
_INTEGERS = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER"}


class Decline(Exception):
    """The pandas path reads this file: it has something to say about it, or this module cannot be sure."""


class Query:
    """The SELECT that makes the canonical table: expressions per column and the small tables they join."""

    def __init__(self, con: duckdb.DuckDBPyConnection, types: Mapping[str, str], spec: MappingSpec) -> None:
        self.con, self.types, self.spec = con, types, spec
        self.joins: list[str] = []
        self.tables: list[str] = []
        self.values: dict[str, tuple[str, ...]] = {}  # per canonical column, every value it takes, where known

    def text(self, column: str) -> str:
        """A source column as text, as the pandas path sees it (whole numbers of Parquet as digits)."""
        kind = self.types[column]
        if kind == "VARCHAR":
            return f"r.{identifier(column)}"
        if kind in _INTEGERS:
            return f"CAST(r.{identifier(column)} AS VARCHAR)"
        raise Decline

    def join(self, frame: pd.DataFrame, on: list[tuple[str, str]]) -> str:
        """Register ``frame`` as a small table joined on (source expression, its column); return its alias."""
        name = f"_map{len(self.tables)}"
        self.con.register(name, pa.Table.from_pandas(frame, preserve_index=False))
        self.tables.append(name)
        condition = " AND ".join(f"{expr} IS NOT DISTINCT FROM {name}.{identifier(col)}" for expr, col in on)
        self.joins.append(f"LEFT JOIN {name} ON {condition}")
        return name

    def lookup(
        self, table: pd.DataFrame, on: list[tuple[str, str]], outs: list[str], enums: Mapping[str, Collection[str]]
    ) -> dict[str, str]:
        """Per column of ``outs``, its value for each row, found by the row's keys (source expression, column).

        Each key's distinct values become an ENUM, and the keys' codes a position in constant
        lists of the outputs: no join, so the rows keep the file's order. An output named in
        ``enums`` (with every value it takes) is an ENUM of those values, the very type the
        cache stores: no text is made per row. Too many combinations of keys for such lists
        are joined instead (text outputs).
        """
        keys = [table[col].dropna().unique().tolist() for _, col in on]
        sizes = [len(k) + 1 for k in keys]  # (the last code of each key stands for NULL)
        if int(np.prod(sizes, dtype=np.float64)) > MAX_LISTED:
            alias = self.join(table, on)
            return {c: f"{alias}.{identifier(c)}" for c in outs}
        strides = [int(np.prod(sizes[i + 1 :])) for i in range(len(sizes))]
        codes = []
        for (expr, _), values, stride in zip(on, keys, strides, strict=True):
            if values:  # (a key that is always NULL has one code, 0)
                codes.append(f"{position_of(expr, [str(v) for v in values], str(len(values)))} * {stride}")
        position = np.zeros(len(table), dtype=np.int64)
        for (_, col), values, stride in zip(on, keys, strides, strict=True):
            index = {v: i for i, v in enumerate(values)}
            position += np.array([len(values) if pd.isna(v) else index[v] for v in table[col]], dtype=np.int64) * stride
        found = {}
        for c in outs:
            listed: list[object] = [None] * int(np.prod(sizes))
            for at, value in zip(position.tolist(), table[c].tolist(), strict=True):
                listed[at] = None if pd.isna(value) else value
            kind = "BOOLEAN" if pd.api.types.is_bool_dtype(table[c]) else "VARCHAR"
            kind = enum_type(enums[c]) if kind == "VARCHAR" and enums.get(c) else kind
            items = ("NULL" if v is None else str(v).lower() if kind == "BOOLEAN" else literal(str(v)) for v in listed)
            found[c] = listed_at(items, kind, " + ".join([*codes, "1"]))
        return found

    def fetch(self, sql: str) -> pd.DataFrame:
        return text_frame(self.con, sql)
