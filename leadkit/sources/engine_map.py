"""A CSV or Parquet file mapped to the canonical table inside DuckDB, when pandas would take it without a word.

``mapping.to_canonical`` defines what every value becomes and words every problem; this
module gets the very same table in SQL, without bringing the rows into Python:

- text that repeats (types, statuses, managers, branches, campaigns, flags) is cleaned,
  replaced, unified and grouped by ``mapping``'s own functions, applied to each column's
  distinct values (a few hundred at most) and joined back;
- ids and other free text pass row by row where they are printable ASCII with single
  spaces (which ``mapping`` leaves as they are); only their other values go through Python;
- dates pass where every value has one strict form of the declared format (or ISO 8601),
  which DuckDB and pandas read alike.

Anything else — a problem to report, an invisible character cleaned, a type, format or
option this module does not know — makes it step aside (``None``): the pandas path then
reads the file and says what it says, word for word.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from leadkit.model import CANONICAL_COLUMNS, DATE_COLUMNS, MISSING_MARKERS, NOT_SET, ROW, STATUS_GROUPS, TEXT_COLUMNS
from leadkit.sources.engine_read import GLOB, TABLE, load_utf8
from leadkit.sources.mapping import (
    EPOCH_UNITS,
    MappingSpec,
    _statuses,
    cleaned_cells,
    effective_columns,
    parse_flags,
    replaced,
    unify_spelling,
)
from leadkit.sqltext import identifier, literal

CANONICAL = "canonical_leads"
MAX_LISTED = 10_000  # combinations of keys a lookup holds in constant lists; more are joined
# Printable ASCII with single spaces inside: what mapping's text cleaning leaves exactly as it is.
PLAIN = "[!-~]+( [!-~]+)*"
# Per strptime directive, the strict form both DuckDB and pandas read, and read alike.
_DIRECTIVES = {
    "%Y": "[12][0-9]{3}",
    "%m": "(0[1-9]|1[0-2])",
    "%d": "(0[1-9]|[12][0-9]|3[01])",
    "%H": "([01][0-9]|2[0-3])",
    "%M": "[0-5][0-9]",
    "%S": "[0-5][0-9]",
}
_LITERALS = set(" .-/:T,")
_ISO = (
    "[12][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    "([ T]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\\.[0-9]{1,6})?)?)?"
)
_INTEGERS = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER"}
_TEXT = pd.StringDtype("pyarrow", na_value=np.nan)  # as the readers give text cells


class _Decline(Exception):
    """The pandas path reads this file: it has something to say about it, or this module cannot be sure."""


@dataclass(frozen=True)
class Mapped:
    """The canonical rows in DuckDB and what the source says about itself."""

    rows: duckdb.DuckDBPyRelation
    rows_read: int
    dated: tuple[str, ...]
    # Per column whose every value went through Python (repeated text, statuses): its distinct non-NULL values.
    values: dict[str, tuple[str, ...]]


def date_pattern(fmt: str | None) -> str | None:
    """The strict form of values in format ``fmt`` (None: ISO 8601) as a regular expression; None if unknown."""
    if fmt is None:
        return _ISO
    parts = re.findall(r"%.|.", fmt, flags=re.DOTALL)
    if any(p not in _DIRECTIVES and p not in _LITERALS for p in parts):
        return None
    return "".join(_DIRECTIVES.get(p, re.escape(p)) for p in parts)


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[Any, ...]:
    """The one row ``sql`` gives (fetched to the end: DuckDB takes no other query while a result is open)."""
    return tuple(con.execute(sql).fetchall()[0])


def _load(con: duckdb.DuckDBPyConnection, path: Path, kind: str, delimiter: str | None, na: tuple[str, ...]) -> None:
    if any(c in str(path) for c in GLOB) or not path.is_file():
        raise _Decline
    if kind == "csv":
        if not load_utf8(con, path, delimiter, na):
            raise _Decline
        return
    con.execute(f"CREATE OR REPLACE TEMP VIEW {TABLE} AS SELECT file_row_number + 1 AS {ROW}, * EXCLUDE "
                f"(file_row_number) FROM read_parquet({literal(str(path))}, file_row_number = true)")  # fmt: skip


class _Query:
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
        raise _Decline

    def join(self, frame: pd.DataFrame, on: list[tuple[str, str]]) -> str:
        """Register ``frame`` as a small table joined on (source expression, its column); return its alias."""
        name = f"_map{len(self.tables)}"
        self.con.register(name, pa.Table.from_pandas(frame, preserve_index=False))
        self.tables.append(name)
        condition = " AND ".join(f"{expr} IS NOT DISTINCT FROM {name}.{identifier(col)}" for expr, col in on)
        self.joins.append(f"LEFT JOIN {name} ON {condition}")
        return name

    def lookup(self, table: pd.DataFrame, on: list[tuple[str, str]], outs: list[str]) -> dict[str, str]:
        """Per column of ``outs``, its value for each row, found by the row's keys (source expression, column).

        Each key's distinct values become an ENUM, and the keys' codes a position in constant
        lists of the outputs: no join, so the rows keep the file's order. Too many
        combinations of keys for such lists are joined instead.
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
                enum = f"CAST({expr} AS ENUM({', '.join(literal(str(v)) for v in values)}))"
                codes.append(f"COALESCE(CAST(enum_code({enum}) AS BIGINT), {len(values)}) * {stride}")
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
            array = ", ".join("NULL" if v is None else str(v).lower() if kind == "BOOLEAN" else literal(str(v))
                                for v in listed)  # fmt: skip
            found[c] = f"CAST([{array}] AS {kind}[])[{' + '.join([*codes, '1'])}]"
        return found

    def fetch(self, sql: str) -> pd.DataFrame:
        arrow = self.con.sql(sql).to_arrow_table()
        text = lambda t: _TEXT if pa.types.is_string(t) or pa.types.is_large_string(t) else None  # noqa: E731
        return arrow.to_pandas(types_mapper=text)


def _text_values(name: str, values: pd.Series, counts: pd.Series, spec: MappingSpec) -> pd.Series:
    """What ``to_canonical`` makes of each distinct value of text column ``name`` (``counts``: rows per value)."""
    cleaned, changed = cleaned_cells(values)
    if changed.any():  # the pandas path counts and names the rows that lost invisible characters
        raise _Decline
    if spec.replace.get(name):
        cleaned = replaced(cleaned, spec.replace[name])
    if name in MISSING_MARKERS:
        per_value = pd.Series(counts.to_numpy(), index=cleaned.index).groupby(cleaned, dropna=True).sum()
        cleaned = unify_spelling(cleaned, per_value).fillna(MISSING_MARKERS[name])
    return cleaned


def _free_text(q: _Query, column: str) -> str:
    """A column of mostly distinct text (ids, clients): plain values kept in SQL, only the others through Python."""
    expr = q.text(column)
    odd = q.fetch(f"SELECT DISTINCT {expr} AS raw FROM {TABLE} r WHERE {expr} IS NOT NULL "
                  f"AND NOT regexp_full_match({expr}, {literal(PLAIN)})")  # fmt: skip
    if odd.empty:
        return expr
    cleaned, changed = cleaned_cells(odd["raw"])
    if changed.any():
        raise _Decline
    alias = q.join(odd.assign(out=cleaned.astype(_TEXT)), [(expr, "raw")])
    return f"CASE WHEN {alias}.raw IS NULL THEN {expr} ELSE {alias}.out END"


def _known(values: pd.Series) -> tuple[str, ...]:
    return tuple(sorted({str(v) for v in values.dropna()}))


def _repeated_text(q: _Query, column: str, name: str) -> str:
    """A column of few distinct values: each one mapped in Python, put back by position."""
    expr = q.text(column)
    every = q.fetch(f"SELECT {expr} AS raw, count(*) AS n FROM {TABLE} r GROUP BY ALL")
    found = every[every["raw"].notna()].reset_index(drop=True)
    mapped = _text_values(name, found["raw"], found["n"], q.spec).astype(_TEXT)
    out = q.lookup(found[["raw"]].assign(out=mapped), [(expr, "raw")], ["out"])["out"]
    marker = MISSING_MARKERS.get(name)
    blank = len(found) < len(every)  # (rows whose cell is blank: the marker, or NULL without one)
    q.values[name] = _known(pd.concat([mapped, pd.Series([marker] if marker and blank else [], dtype=_TEXT)]))
    return f"COALESCE({out}, {literal(marker)})" if marker else out


def _date(q: _Query, column: str) -> tuple[str, str | None]:
    """The timestamp expression of a date column, and the condition that its text is not in the strict form."""
    kind, expr = q.types[column], f"r.{identifier(column)}"
    if kind == "TIMESTAMP":
        return expr, None
    formats = q.spec.date_formats
    if kind != "VARCHAR" or len(formats) > 1 or any(f in EPOCH_UNITS for f in formats):
        raise _Decline
    pattern = date_pattern(formats[0] if formats else None)
    if pattern is None:
        raise _Decline
    parsed = f"strptime({expr}, {literal(formats[0])})" if formats else f"CAST({expr} AS TIMESTAMP)"
    return parsed, f"{expr} IS NOT NULL AND NOT regexp_full_match({expr}, {literal(pattern)})"


def _statuses_of(q: _Query, cols: Mapping[str, str]) -> dict[str, str]:
    """status, status_group, status_result and converted, from the distinct (group, status, flag) triples."""
    keys = {k: cols[k] for k in ("status_group", "status", "converted") if k in cols}
    typed = "converted" in keys and q.types[keys["converted"]] == "BOOLEAN"
    exprs = {
        k: (f"CAST(r.{identifier(c)} AS VARCHAR)" if k == "converted" and typed else q.text(c)) for k, c in keys.items()
    }
    listed = ", ".join(f"{e} AS {identifier(k)}" for k, e in exprs.items())
    found = q.fetch(f"SELECT {listed}, count(*) AS n FROM {TABLE} r GROUP BY ALL")
    out = pd.DataFrame(index=found.index)
    if "status" in keys:
        per_status = found.groupby("status", dropna=True)["n"].sum()
        values = pd.Series(per_status.index, dtype=_TEXT)
        spelled = dict(zip(values, _text_values("status", values, per_status, q.spec), strict=True))
        out["status"] = found["status"].map(spelled).fillna(NOT_SET).astype("string")
    else:
        out["status"] = pd.Series(NOT_SET, index=found.index, dtype="string")
    if "converted" not in keys:
        out["converted"] = pd.Series(pd.NA, index=found.index, dtype="boolean")
    elif typed:
        out["converted"] = found["converted"].map({"true": True, "false": False}).astype("boolean")
    else:
        out["converted"], bad = parse_flags(found["converted"], q.spec.true_values, q.spec.false_values, q.spec.decimal)
        if bad.any():
            raise _Decline
    given = found[["status_group"]].set_axis([cols["status_group"]], axis=1) if "status_group" in keys else found
    if _statuses(given, q.spec, cols, out) or not out["status_group"].isin(STATUS_GROUPS).all():
        raise _Decline
    columns = ["status", "status_group", "status_result"]
    q.values |= {c: _known(out[c]) for c in columns}  # (every row of ``found`` is a combination the file holds)
    table = found[list(keys)].rename(columns={k: f"key_{k}" for k in keys})
    table = table.assign(**{c: out[c] for c in (*columns, "converted")}).astype({c: _TEXT for c in columns})
    return q.lookup(table, [(e, f"key_{k}") for k, e in exprs.items()], [*columns, "converted"])


def _select(q: _Query, cols: Mapping[str, str]) -> tuple[str, list[str]]:
    """The canonical columns as SQL, and conditions any of which sends the file to pandas."""
    exprs: dict[str, str] = {"lead_id": _free_text(q, cols["lead_id"])}
    checks: list[str] = []
    for name in DATE_COLUMNS:
        if name not in cols:
            exprs[name] = "CAST(NULL AS TIMESTAMP)"
            continue
        exprs[name], odd = _date(q, cols[name])
        if odd:
            checks.append(odd)
    for name in TEXT_COLUMNS:
        if name == "status":
            continue
        if name not in cols:
            exprs[name] = literal(MISSING_MARKERS[name]) if name in MISSING_MARKERS else "CAST(NULL AS VARCHAR)"
            q.values[name] = (MISSING_MARKERS[name],) if name in MISSING_MARKERS else ()
        elif name in MISSING_MARKERS or q.spec.replace.get(name):
            exprs[name] = _repeated_text(q, cols[name], name)
        else:
            exprs[name] = _free_text(q, cols[name])
    exprs |= _statuses_of(q, cols)
    listed = ", ".join(f"{exprs[c]} AS {identifier(c)}" for c in CANONICAL_COLUMNS)
    return f"SELECT r.{ROW}, {listed} FROM {TABLE} r {' '.join(q.joins)}", checks


def _map(con: duckdb.DuckDBPyConnection, path: Path, kind: str, delimiter: str | None, na: tuple[str, ...],
         spec: MappingSpec) -> Mapped:  # fmt: skip
    _load(con, path, kind, delimiter, na)
    types = {name: kind for name, kind, *_ in con.execute(f"DESCRIBE {TABLE}").fetchall() if name != ROW}
    cols = effective_columns(types, spec.columns)
    if (
        any(c not in types for c in cols.values())
        or "lead_id" not in cols
        or not {"status", "status_group"} & set(cols)
    ):
        raise _Decline
    (rows,) = _one(con, f"SELECT count(*) FROM {TABLE}")
    if not rows:
        raise _Decline
    q = _Query(con, types, spec)
    try:  # (a decline while the query is built must not leave its small tables in the caller's connection)
        select, checks = _select(q, cols)
        if checks and _one(con, f"SELECT count(*) FROM {TABLE} r WHERE {' OR '.join(checks)}")[0]:
            raise _Decline
        if q.joins:  # (a join may shuffle the rows, and its small tables go: the rows are put in order once)
            con.execute(f"CREATE OR REPLACE TEMP TABLE {CANONICAL} AS {select} ORDER BY r.{ROW}")
            _drop_raw(con)
        else:  # (read where they are: the cache's one table is the only copy of the rows)
            con.execute(f"CREATE OR REPLACE TEMP VIEW {CANONICAL} AS {select}")
    finally:
        for name in q.tables:
            con.unregister(name)
    blank, repeated = _one(con, f"SELECT count(*) - count(lead_id), count(lead_id) - count(DISTINCT lead_id) "
                                f"FROM {CANONICAL}")  # fmt: skip
    if blank or repeated:
        raise _Decline
    rel = con.sql(f"SELECT * EXCLUDE ({ROW}) FROM {CANONICAL}")
    return Mapped(rel, int(rows), tuple(c for c in DATE_COLUMNS if c in cols), q.values)


def _drop_raw(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"DROP VIEW IF EXISTS {TABLE}")
    con.execute("DROP TABLE IF EXISTS file_cells")


def map_in_engine(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    kind: str,
    spec: MappingSpec,
    *,
    delimiter: str | None = None,
    na_values: tuple[str, ...] = (),
) -> Mapped | None:
    """The file's canonical table as temp table ``canonical_leads`` of ``con``; None to leave the file to pandas."""
    if kind not in ("csv", "parquet"):
        return None
    try:
        return _map(con, path, kind, delimiter, na_values, spec)
    except (_Decline, duckdb.Error):
        kind = con.execute(f"SELECT any_value(table_type) FROM information_schema.tables "
                           f"WHERE table_name = {literal(CANONICAL)}").fetchall()[0][0]  # fmt: skip
        if kind is not None:
            con.execute(f"DROP {'VIEW' if kind == 'VIEW' else 'TABLE'} {CANONICAL}")
        _drop_raw(con)
        return None
