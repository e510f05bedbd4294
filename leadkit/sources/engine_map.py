"""A CSV or Parquet file mapped to the canonical table inside DuckDB, when pandas would take it without a word.

``mapping.to_canonical`` defines what every value becomes and words every problem; this
module gets the very same table in SQL, without bringing the rows into Python:

- text that repeats (types, statuses, managers, branches, campaigns, flags) is cleaned,
  replaced, unified and grouped by the pandas path's own functions (``cells``, ``mapping``),
  applied to each column's distinct values (a few hundred at most) and put back by position;
- ids and other free text pass row by row where they are printable ASCII with single
  spaces (which ``mapping`` leaves as they are); only their other values go through Python;
- dates pass where every value has one strict form of the declared format (or ISO 8601),
  which DuckDB and pandas read alike.

Anything else — a problem to report, an invisible character cleaned, a type, format or
option this module does not know — makes it step aside (``None``): the pandas path then
reads the file and says what it says, word for word.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import duckdb
import pandas as pd

from leadkit.model import CANONICAL_COLUMNS, DATE_COLUMNS, MISSING_MARKERS, NOT_SET, ROW, STATUS_GROUPS, TEXT_COLUMNS
from leadkit.sources.cells import cleaned_cells, replaced, unify_spelling
from leadkit.sources.dates import EPOCH_UNITS, date_pattern
from leadkit.sources.engine_query import Decline, Query
from leadkit.sources.engine_read import GLOB, TABLE, TEXT, load_utf8
from leadkit.sources.mapping import MappingSpec, effective_columns, parse_flags, statuses
from leadkit.sqltext import identifier, literal

CANONICAL = "canonical_leads"  # a view of the canonical rows, over the file's cells or over SORTED
SORTED = "canonical_sorted"  # the rows put in file order once, where a join may have shuffled them
# Printable ASCII with single spaces inside: what mapping's text cleaning leaves exactly as it is.
PLAIN = "[!-~]+( [!-~]+)*"


@dataclass(frozen=True)
class Mapped:
    """The canonical rows in DuckDB and what the source says about itself."""

    rows: duckdb.DuckDBPyRelation
    rows_read: int
    dated: tuple[str, ...]
    # Per column whose every value went through Python (repeated text, statuses): its distinct non-NULL values.
    values: Mapping[str, tuple[str, ...]]


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[Any, ...]:
    """The one row ``sql`` gives (fetched to the end: DuckDB takes no other query while a result is open)."""
    return tuple(con.execute(sql).fetchall()[0])


def _load(con: duckdb.DuckDBPyConnection, path: Path, kind: str, delimiter: str | None, na: tuple[str, ...]) -> None:
    if any(c in str(path) for c in GLOB) or not path.is_file():
        raise Decline
    if kind == "csv":
        if not load_utf8(con, path, delimiter, na):
            raise Decline
        return
    # (read once, as a CSV is: every later pass sees the same rows, even if the file is written meanwhile)
    con.execute(f"CREATE OR REPLACE TEMP TABLE file_cells AS SELECT file_row_number + 1 AS {ROW}, * EXCLUDE "
                f"(file_row_number) FROM read_parquet({literal(str(path))}, file_row_number = true)")  # fmt: skip
    con.execute(f"CREATE OR REPLACE TEMP VIEW {TABLE} AS SELECT * FROM file_cells")


def _text_values(name: str, values: pd.Series, counts: pd.Series, spec: MappingSpec) -> pd.Series:
    """What ``to_canonical`` makes of each distinct value of text column ``name`` (``counts``: rows per value)."""
    cleaned, changed = cleaned_cells(values)
    if changed.any():  # the pandas path counts and names the rows that lost invisible characters
        raise Decline
    if spec.replace.get(name):
        cleaned = replaced(cleaned, spec.replace[name])
    if name in MISSING_MARKERS:
        per_value = pd.Series(counts.to_numpy(), index=cleaned.index).groupby(cleaned, dropna=True).sum()
        cleaned = unify_spelling(cleaned, per_value).fillna(MISSING_MARKERS[name])
    return cleaned


def _free_text(q: Query, column: str) -> str:
    """A column of mostly distinct text (ids, clients): plain values kept in SQL, only the others through Python."""
    expr = q.text(column)
    odd = q.fetch(f"SELECT DISTINCT {expr} AS raw FROM {TABLE} r WHERE {expr} IS NOT NULL "
                  f"AND NOT regexp_full_match({expr}, {literal(PLAIN)})")  # fmt: skip
    if odd.empty:
        return expr
    cleaned, changed = cleaned_cells(odd["raw"])
    if changed.any():
        raise Decline
    alias = q.join(odd.assign(out=cleaned.astype(TEXT)), [(expr, "raw")])
    return f"CASE WHEN {alias}.raw IS NULL THEN {expr} ELSE {alias}.out END"


def _value_set(values: pd.Series) -> tuple[str, ...]:
    """The distinct non-missing values, as text, in order (a column's every value, for the cache's ENUM)."""
    return tuple(sorted({str(v) for v in values.dropna()}))


def _repeated_text(q: Query, column: str, name: str) -> str:
    """A column of few distinct values: each one mapped in Python, put back by position (an ENUM of them)."""
    expr = q.text(column)
    every = q.fetch(f"SELECT {expr} AS raw, count(*) AS n FROM {TABLE} r GROUP BY ALL")
    found = every[every["raw"].notna()].reset_index(drop=True)
    mapped = _text_values(name, found["raw"], found["n"], q.spec)
    blank = every.loc[every["raw"].isna(), ["raw"]].assign(out=MISSING_MARKERS.get(name))  # (its marker, or NULL)
    table = pd.concat([found[["raw"]].assign(out=mapped), blank], ignore_index=True).astype({"out": TEXT})
    q.values[name] = _value_set(table["out"])
    return q.lookup(table, [(expr, "raw")], ["out"], {"out": q.values[name]})["out"]


def _date(q: Query, column: str) -> tuple[str, str | None]:
    """The timestamp expression of a date column, and the condition that its text is no date in the strict form."""
    kind, expr = q.types[column], f"r.{identifier(column)}"
    if kind == "TIMESTAMP":
        return expr, None
    formats = q.spec.date_formats
    if kind != "VARCHAR" or len(formats) > 1 or any(f in EPOCH_UNITS for f in formats):
        raise Decline
    pattern = date_pattern(formats[0] if formats else None)
    if pattern is None:
        raise Decline
    parsed = f"strptime({expr}, {literal(formats[0])})" if formats else f"CAST({expr} AS TIMESTAMP)"
    tried = f"try_strptime({expr}, {literal(formats[0])})" if formats else f"TRY_CAST({expr} AS TIMESTAMP)"
    # (the form alone lets a day that does not exist through: 2025-02-30, or 29 February of another year)
    return parsed, f"{expr} IS NOT NULL AND (NOT regexp_full_match({expr}, {literal(pattern)}) OR {tried} IS NULL)"


def _statuses_of(q: Query, cols: Mapping[str, str]) -> dict[str, str]:
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
        values = pd.Series(per_status.index, dtype=TEXT)
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
            raise Decline
    given = found[["status_group"]].set_axis([cols["status_group"]], axis=1) if "status_group" in keys else found
    if statuses(given, q.spec, cols, out) or not out["status_group"].isin(STATUS_GROUPS).all():
        raise Decline
    columns = ["status", "status_group", "status_result"]
    q.values |= {c: _value_set(out[c]) for c in columns}  # (every row of ``found`` is a combination the file holds)
    table = found[list(keys)].rename(columns={k: f"key_{k}" for k in keys})
    table = table.assign(**{c: out[c] for c in (*columns, "converted")}).astype({c: TEXT for c in columns})
    return q.lookup(table, [(e, f"key_{k}") for k, e in exprs.items()], [*columns, "converted"], q.values)


def _select(q: Query, cols: Mapping[str, str]) -> tuple[str, list[str]]:
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
        raise Decline
    (rows,) = _one(con, f"SELECT count(*) FROM {TABLE}")
    if not rows:
        raise Decline
    q = Query(con, types, spec)
    try:  # (a decline while the query is built must not leave its small tables in the caller's connection)
        select, checks = _select(q, cols)
        if checks and _one(con, f"SELECT count(*) FROM {TABLE} r WHERE {' OR '.join(checks)}")[0]:
            raise Decline
        if q.joins:  # (a join may shuffle the rows, and its small tables go: the rows are put in order once)
            con.execute(f"CREATE OR REPLACE TEMP TABLE {SORTED} AS {select} ORDER BY r.{ROW}")
            _drop_raw(con)
            select = f"SELECT * FROM {SORTED}"
        # (otherwise read where they are: the cache's one table is the only copy of the rows)
        con.execute(f"CREATE OR REPLACE TEMP VIEW {CANONICAL} AS {select}")
    finally:
        for name in q.tables:
            con.unregister(name)
    blank, repeated = _one(con, f"SELECT count(*) - count(lead_id), count(lead_id) - count(DISTINCT lead_id) "
                                f"FROM {CANONICAL}")  # fmt: skip
    if blank or repeated:
        raise Decline
    rel = con.sql(f"SELECT * EXCLUDE ({ROW}) FROM {CANONICAL}")
    return Mapped(rel, int(rows), tuple(c for c in DATE_COLUMNS if c in cols), MappingProxyType(dict(q.values)))


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
    """The file's canonical rows as ``canonical_leads`` of ``con``; None to leave the file to pandas.

    The rows are read where they are: ``con`` keeps the file's cells (temp table ``file_cells``,
    views ``raw`` and ``canonical_leads``; ``canonical_sorted`` after a join) until the caller has
    stored the rows and closes it,
    as the ingest does. Give it a connection of its own: those names hide the caller's.
    """
    if kind not in ("csv", "parquet"):
        return None
    try:
        return _map(con, path, kind, delimiter, na_values, spec)
    except (Decline, duckdb.Error):
        con.execute(f"DROP VIEW IF EXISTS {CANONICAL}")
        con.execute(f"DROP TABLE IF EXISTS {SORTED}")
        _drop_raw(con)
        return None
