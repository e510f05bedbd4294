"""Where the report expressions run: DuckDB in-process (default), PostgreSQL or Spark.

The report code is the same Ibis code on all three; only the connection and the way the
canonical table gets there differ.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Collection, Mapping
from pathlib import Path

import duckdb
import ibis
import ibis.expr.datatypes as dt
import ibis.expr.operations as ops
import ibis.expr.schema as sch
import pandas as pd
import pyarrow as pa
import sqlglot as sg

from leadkit.exceptions import LeadkitError
from leadkit.flags import annotate, reason
from leadkit.model import CANONICAL_COLUMNS, DATE_COLUMNS, MISSING_MARKERS, NOT_SET, TEXT_COLUMNS
from leadkit.params import Engine
from leadkit.sqltext import enum_labels, enum_type, identifier, listed_at, literal, position_of

TABLE = "leads"
# Fixed types, so that an empty or all-blank column still has one (DuckDB refuses NULL-typed columns).
ARROW_SCHEMA = pa.schema(
    [
        (name, pa.timestamp("us") if name in DATE_COLUMNS else pa.bool_() if name == "converted" else pa.string())
        for name in CANONICAL_COLUMNS
    ]
)
# Text columns stored as DuckDB ENUMs when they hold at most ENUM_MAX_VALUES distinct values.
ENUM_CANDIDATES = (*TEXT_COLUMNS, "status_group", "status_result", "reason")
ENUM_MAX_VALUES = 10_000
ENUM_SURE_MORE = 1.5  # an estimate of distinct values this many times the limit is surely over it
# What an engine's table must have; every other canonical column may be absent (as in a file source).
REQUIRED_COLUMNS = ("lead_id", "status_group")


def _spark(spec: Engine) -> ibis.BaseBackend:
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # where the hostname does not resolve
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise LeadkitError("engine pyspark needs the spark extra: pip install 'leadkit[spark]'") from None
    session = (
        SparkSession.builder.master(spec.master)
        .appName("leadkit")
        .config("spark.sql.session.timeZone", "UTC")  # canonical timestamps are wall-clock: never shift them
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", str(spec.partitions))
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return ibis.pyspark.connect(session)


def connect(spec: Engine | None = None, base_dir: Path | None = None) -> ibis.BaseBackend:
    """A connection to the engine ``spec`` names (in-memory DuckDB when None)."""
    spec = spec or Engine()
    if spec.backend == "duckdb":
        path = spec.path if spec.path is None or spec.path.is_absolute() else (base_dir or Path(".")) / spec.path
        backend = ibis.duckdb.connect(str(path) if path else ":memory:")
        # In a kernel, a query past DuckDB's 2 s shows a progress widget: a dead script in the notebook and its
        # page, there or not by the machine's speed; on a terminal, a bar over the user's output.
        backend.raw_sql("SET enable_progress_bar = false")
        return backend
    if spec.backend == "postgres":
        try:
            return ibis.connect(spec.url or "postgres://")
        except Exception as exc:  # the driver's own errors name host and port, never a password
            raise LeadkitError(
                f"cannot connect to PostgreSQL: {type(exc).__name__}: {str(exc).splitlines()[0]}"
            ) from None
    return _spark(spec)


def duckdb_table(
    backend: ibis.BaseBackend, name: str, catalog: str | None = None, database: str | None = None
) -> ibis.Table:
    """``backend.table(name)`` on DuckDB, without parsing the value list of every ENUM column.

    Ibis parses each column's type with sqlglot to learn that an ENUM is text: for an ENUM
    of a few thousand ids that alone takes longer than a report's queries.
    """
    where = sg.table(name, db=database, catalog=catalog, quoted=True).sql("duckdb")
    described = backend.con.sql(f"DESCRIBE {where}").fetchall()
    mapper = backend.compiler.type_mapper
    schema = {
        column: dt.String(nullable=null == "YES")
        if kind.startswith("ENUM(")
        else mapper.from_string(kind, nullable=null == "YES")
        for column, kind, null, *_ in described
    }
    namespace = ops.Namespace(catalog=catalog, database=database)
    return ops.DatabaseTable(name, schema=sch.Schema(schema), source=backend, namespace=namespace).to_expr()


def _distinct_values(con: duckdb.DuckDBPyConnection, names: list[str], source: str) -> dict[str, list[str]]:
    """Each column's distinct non-NULL values, in one pass over ``source``."""
    if not names:
        return {}
    listed = ", ".join(f"list(DISTINCT {identifier(n)}) FILTER ({identifier(n)} IS NOT NULL)" for n in names)
    found = con.execute(f"SELECT {listed} FROM {source}").fetchall()[0]
    return {n: list(v or ()) for n, v in zip(names, found, strict=True)}


def _enum_candidates(con: duckdb.DuckDBPyConnection, names: list[str], source: str) -> list[str]:
    """The columns of ``names`` that may hold at most ENUM_MAX_VALUES distinct values (an estimate, one pass).

    HyperLogLog's estimate is off by a few percent: a column estimated at more than
    ENUM_SURE_MORE times the limit has more; the others' values are listed and counted exactly.
    """
    if not names:
        return []
    listed = ", ".join(f"approx_count_distinct({identifier(n)})" for n in names)
    found = con.execute(f"SELECT {listed} FROM {source}").fetchall()[0]
    return [n for n, count in zip(names, found, strict=True) if count <= ENUM_MAX_VALUES * ENUM_SURE_MORE]


# A column that is a function of one other: (that key column, the function as an expression over a table of keys).
Derived = tuple[str, Callable[[ibis.Table], ibis.Value]]


def _key_values(
    backend: ibis.BaseBackend, annotated: ibis.Table, key: str, value_of: Callable[[ibis.Table], ibis.Value],
    known: Mapping[str, Collection[str]],
) -> dict[str | None, str | None]:  # fmt: skip
    """The derived value of each distinct key (None among them where the column holds a NULL).

    From the known keys (a column whose values a source listed holds no NULL), or one pass to find them.
    """
    if key in known:
        keys = ibis.memtable(pa.table({key: pa.array(list(known[key]), pa.string())}))
    else:
        keys = annotated.select(key).distinct()
    pairs = backend.to_pyarrow(keys.select(key, value=value_of(keys)))
    return dict(zip(pairs[key].to_pylist(), pairs["value"].to_pylist(), strict=True))


def _by_position(key: str, per_key: Mapping[str | None, str | None]) -> str:
    """Each row's derived value found by its key's position in a constant list: no text work per row.

    A NULL key that ``per_key`` does not list stops the build (it would otherwise get NULL silently).
    """
    keys = enum_labels(k for k in per_key if k is not None)  # (the stored key's own labels: a cast for free)
    unlisted = literal(f"{key} holds a NULL not listed among its values")
    blank = str(len(keys)) if None in per_key else f"error({unlisted})"
    items = ("NULL" if v is None else literal(v) for v in [*(per_key[k] for k in keys), per_key.get(None)])
    out = enum_type(v for v in per_key.values() if v is not None)
    return listed_at(items, out, f"{position_of(identifier(key), keys, blank)} + 1")


def _duckdb_table(
    backend: ibis.BaseBackend,
    annotated: ibis.Table,
    table: str,
    derived: Mapping[str, Derived] | None = None,
    known: Mapping[str, Collection[str]] | None = None,
) -> ibis.Table:
    """Materialize ``annotated`` in DuckDB, with low-cardinality text as ENUM columns.

    An ENUM stores one byte per lead instead of a 16-byte string: a 10M-lead table
    takes about 0.6 GB instead of 1.4 GB, and grouping on it is faster. Values are
    declared in byte order (``sqltext.enum_type``), so ordering by an ENUM column orders as its text would.
    ``known`` gives, per column, every value it holds (a source that mapped them already):
    no pass over every lead to find them. ``derived`` names columns that are a function of
    one other with few values (a loss reason of its status): that function runs once per
    distinct key, and each lead's value is found by its key's position. The other columns
    take two passes: an estimate of their distinct values, and the values of those that may be few.
    """
    con = backend.con
    derived, known = derived or {}, known or {}
    con.execute(f"CREATE OR REPLACE TEMP VIEW {table}_annotated AS {ibis.to_sql(annotated, dialect='duckdb')}")
    view = f"{table}_annotated"
    candidates = [c for c in ENUM_CANDIDATES if c in annotated.columns]
    values = {c: list(known[c]) for c in candidates if c in known}
    by_position: dict[str, str] = {}  # per derived column, its value found by position
    for c, (key, value_of) in derived.items():
        if c in candidates and c not in values:
            per_key = _key_values(backend, annotated, key, value_of, known)
            values[c] = enum_labels(v for v in per_key.values() if v is not None)
            listed = len(per_key) - (None in per_key)
            if 0 < listed <= ENUM_MAX_VALUES and 0 < len(values[c]) <= ENUM_MAX_VALUES:
                by_position[c] = _by_position(key, per_key)
    values |= _distinct_values(con, _enum_candidates(con, [c for c in candidates if c not in values], view), view)
    columns = []
    for name in annotated.columns:
        labels = values.get(name, ())
        if name in by_position:
            columns.append(f"{by_position[name]} AS {identifier(name)}")
        elif labels and len(labels) <= ENUM_MAX_VALUES:
            columns.append(f"CAST({identifier(name)} AS {enum_type(labels)}) AS {identifier(name)}")
        else:
            columns.append(identifier(name))
    con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT {', '.join(columns)} FROM {view}")
    con.execute(f"DROP VIEW {view}")
    return duckdb_table(backend, table)


def _load(
    raw: ibis.Table,
    backend: ibis.BaseBackend,
    no_reason: tuple[str, ...],
    table: str,
    known: Mapping[str, Collection[str]] | None = None,
) -> ibis.Table:
    annotated = annotate(raw, no_reason)
    if backend.name == "duckdb":
        derived: dict[str, Derived] = {"reason": ("status", lambda keys: reason(keys, no_reason))}
        return _duckdb_table(backend, annotated, table, derived, known)
    if backend.name == "pyspark":
        return annotated  # Spark plans the flags into each query; its data stays where it is
    return backend.create_table(table, annotated, overwrite=True)


def in_place(source_table: str | None, parquet: str | None, backend: ibis.BaseBackend) -> ibis.Table:
    """A canonical table the engine already holds, or a Parquet path it reads: nothing is copied."""
    try:
        if parquet is not None:
            if backend.name == "postgres":
                raise LeadkitError("PostgreSQL cannot read Parquet; give source.table, or use duckdb or pyspark")
            return backend.read_parquet(parquet)
        assert source_table is not None
        *qualifier, name = source_table.split(".")  # name, schema.name or catalog.schema.name
        return backend.table(name, database=".".join(qualifier) or None)
    except LeadkitError:
        raise
    except Exception as exc:  # the engine's own message names the table or path, never a password
        where = parquet or source_table
        raise LeadkitError(
            f"{backend.name} cannot read {where}: {type(exc).__name__}: {str(exc).splitlines()[0]}"
        ) from None


def with_optional_columns(t: ibis.Table) -> ibis.Table:
    """``t`` with each absent optional canonical column added as a file source would fill it.

    A grouping column gets its "(not set)" / "(unassigned)" marker, an absent status is
    named after its group ("In progress"), every other column is a typed NULL.
    """
    added: dict[str, ibis.Value] = {}
    for name in CANONICAL_COLUMNS:
        if name in t.columns or name in REQUIRED_COLUMNS:
            continue
        if name == "status" and "status_group" in t.columns:
            added[name] = t.status_group.fill_null(NOT_SET).replace("_", " ").capitalize()
        elif name in MISSING_MARKERS:
            added[name] = ibis.literal(MISSING_MARKERS[name])
        else:
            added[name] = ibis.null(ARROW_SCHEMA.field(name).type)
    return t.mutate(**added) if added else t


def register(
    frame: pd.DataFrame | duckdb.DuckDBPyRelation,
    backend: ibis.BaseBackend,
    no_reason: tuple[str, ...] = (),
    table: str = TABLE,
    known: Mapping[str, Collection[str]] | None = None,
) -> ibis.Table:
    """Put a canonical frame into ``backend`` as ``table``, with the per-lead flags added.

    A DuckDB relation (rows a source mapped in this very backend's connection) is read where it is.
    ``known`` gives, per column, every distinct non-NULL value it holds where the source knows them
    (a relation mapped in the engine; a frame's values are found in DuckDB).
    """
    raw_name = f"{table}_canonical"
    if isinstance(frame, duckdb.DuckDBPyRelation):
        frame.to_view(raw_name)
        loaded = _load(duckdb_table(backend, raw_name), backend, no_reason, table, known)
        backend.con.execute(f"DROP VIEW {raw_name}")
        return loaded
    arrow = pa.Table.from_pandas(frame, preserve_index=False).cast(ARROW_SCHEMA)
    if backend.name == "pyspark":
        # Spark reads Parquet timestamps in microseconds; a private folder keeps the file for the session.
        import pyarrow.parquet as pq

        folder = Path(tempfile.mkdtemp(prefix="leadkit-spark-"))
        pq.write_table(arrow, folder / "leads.parquet", coerce_timestamps="us")
        raw = backend.read_parquet(str(folder / "leads.parquet"), table_name=raw_name)
    elif backend.name == "duckdb":
        backend.con.register(raw_name, arrow)  # a view on the Arrow data, no copy
        raw = backend.table(raw_name)
    else:
        raw = backend.create_table(raw_name, arrow, overwrite=True)
    loaded = _load(raw, backend, no_reason, table)
    if backend.name == "duckdb":
        backend.con.unregister(raw_name)
    return loaded


def register_parquet(
    path: str | Path, backend: ibis.BaseBackend, no_reason: tuple[str, ...] = (), table: str = TABLE
) -> ibis.Table:
    """Load a canonical Parquet file (a snapshot) into ``backend`` as ``table``, flags added."""
    raw = backend.read_parquet(str(path), table_name=f"{table}_canonical")
    return _load(raw, backend, no_reason, table)
