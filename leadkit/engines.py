"""Where the report expressions run: DuckDB in-process (default), PostgreSQL or Spark.

The report code is the same Ibis code on all three; only the connection and the way the
canonical table gets there differ.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import ibis
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from leadkit.exceptions import LeadkitError
from leadkit.model import CANONICAL_COLUMNS, DATE_COLUMNS
from leadkit.params import Engine

TABLE = "leads"
# Fixed types, so that an empty or all-blank column still has one (DuckDB refuses NULL-typed columns).
ARROW_SCHEMA = pa.schema(
    [
        (name, pa.timestamp("us") if name in DATE_COLUMNS else pa.bool_() if name == "converted" else pa.string())
        for name in CANONICAL_COLUMNS
    ]
)


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
        return ibis.duckdb.connect(str(path) if path else ":memory:")
    if spec.backend == "postgres":
        try:
            return ibis.connect(spec.url or "postgres://")
        except Exception as exc:  # the driver's own errors name host and port, never a password
            raise LeadkitError(
                f"cannot connect to PostgreSQL: {type(exc).__name__}: {str(exc).splitlines()[0]}"
            ) from None
    return _spark(spec)


def register(frame: pd.DataFrame, backend: ibis.BaseBackend, table: str = TABLE) -> ibis.Table:
    """Put a canonical frame into ``backend`` under ``table``."""
    arrow = pa.Table.from_pandas(frame, preserve_index=False).cast(ARROW_SCHEMA)
    if backend.name == "pyspark":
        # Spark reads Parquet timestamps in microseconds; a private folder keeps the file for the session.
        folder = Path(tempfile.mkdtemp(prefix="leadkit-spark-"))
        pq.write_table(arrow, folder / "leads.parquet", coerce_timestamps="us")
        return backend.read_parquet(str(folder / "leads.parquet"), table_name=table)
    return backend.create_table(table, arrow, overwrite=True)
