"""engines.register: text with few values becomes an ENUM of exactly its values, in byte order; the rest stays text."""

from __future__ import annotations

import duckdb
import pandas as pd
import pyarrow as pa
import pytest

from leadkit.engines import ARROW_SCHEMA, ENUM_MAX_VALUES, connect, register
from leadkit.model import CANONICAL_COLUMNS


def _frame(rows: int) -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series([None] * rows, dtype=object) for c in CANONICAL_COLUMNS})
    frame["lead_id"] = [f"L{i}" for i in range(rows)]
    frame["created_at"] = pd.Timestamp("2025-01-01")
    frame["status_group"] = ["won", "lost", "new"] * (rows // 3) + ["won"] * (rows % 3)
    frame["status"] = frame["status_group"].map({"won": "Done", "lost": "Lost", "new": "New"})
    frame["lead_type"] = ["b", "a", "Z", "é"] * (rows // 4) + ["a"] * (rows % 4)
    frame["manager"] = [f"m{i % ENUM_MAX_VALUES}" for i in range(rows)]  # exactly the limit
    frame["client"] = [f"c{i % (ENUM_MAX_VALUES + 1)}" for i in range(rows)]  # one over the limit
    return frame


def _types(backend) -> dict[str, str]:
    return {name: kind for name, kind, *_ in backend.con.execute("DESCRIBE leads").fetchall()}


def _enum(values: list[str]) -> str:
    return "ENUM(" + ", ".join(f"'{v}'" for v in values) + ")"


@pytest.fixture
def frame() -> pd.DataFrame:
    return _frame(3 * ENUM_MAX_VALUES)


def test_few_values_become_an_enum_in_byte_order_and_many_stay_text(frame):
    backend = connect()
    register(frame, backend)
    types = _types(backend)
    assert types["lead_type"] == _enum(["Z", "a", "b", "é"])
    assert types["status_group"] == _enum(["lost", "new", "won"])
    assert types["manager"].startswith("ENUM(") and types["manager"].count("'m") == ENUM_MAX_VALUES
    assert types["client"] == types["lead_id"] == "VARCHAR"  # one value over the limit; every value distinct
    assert types["branch"] == "VARCHAR"  # no value at all
    stored = backend.con.execute("SELECT lead_type::VARCHAR, count(*) FROM leads GROUP BY 1 ORDER BY 1").fetchall()
    assert stored == [(v, len(frame) // 4) for v in ("Z", "a", "b", "é")]


def test_values_a_source_knows_declare_the_enum_without_a_pass(frame):
    backend = connect()
    backend.con.register("given", pa.Table.from_pandas(frame, preserve_index=False).cast(ARROW_SCHEMA))
    register(backend.con.sql("SELECT * FROM given"), backend, known={"lead_type": ("a", "b", "Z", "é", "unused")})
    assert _types(backend)["lead_type"] == _enum(["Z", "a", "b", "unused", "é"])  # the given list, not a count


def test_known_values_that_miss_one_fail_loudly(frame):
    backend = connect()
    backend.con.register("given", pa.Table.from_pandas(frame, preserve_index=False).cast(ARROW_SCHEMA))
    with pytest.raises(duckdb.ConversionException):
        register(backend.con.sql("SELECT * FROM given"), backend, known={"lead_type": ("a", "b", "Z")})
