"""engines.register: text with few values becomes an ENUM of exactly its values, in byte order; the rest stays text."""

from __future__ import annotations

import duckdb
import pandas as pd
import pyarrow as pa
import pytest

from leadkit.engines import ARROW_SCHEMA, ENUM_MAX_VALUES, connect, register
from leadkit.flags import reason
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


def _reasons_row_by_row(backend, no_reason: tuple[str, ...]) -> list[dict]:
    """Each stored lead's reason, and flags.reason of its status worked out row by row (the definition)."""
    t = backend.table("leads")
    stored = t.select("lead_id", status=t.status.cast("string"), reason=t.reason.cast("string"))
    expected = stored.mutate(expected=reason(stored, no_reason))
    return backend.to_pyarrow(expected.order_by("lead_id").select("reason", "expected")).to_pylist()


@pytest.mark.parametrize("known", [False, True])
def test_each_lead_s_reason_is_its_status_s_reason(frame, known):
    """The reason is worked out once per distinct status and found by position: the same as row by row."""
    statuses = ["Lost", " lost ", "Too long", "Too long ", "No reason", "", "(not set)", "Ошибка"]
    frame["status"] = [statuses[i % len(statuses)] for i in range(len(frame))]
    no_reason = ("No reason",)
    backend = connect()
    if known:  # (the engine mapping's path: the statuses are listed, the rows are a relation in the backend)
        backend.con.register("given", pa.Table.from_pandas(frame, preserve_index=False).cast(ARROW_SCHEMA))
        register(backend.con.sql("SELECT * FROM given"), backend, no_reason, known={"status": tuple(set(statuses))})
    else:
        register(frame, backend, no_reason)
    pairs = _reasons_row_by_row(backend, no_reason)
    assert [p["reason"] for p in pairs] == [p["expected"] for p in pairs]
    assert {p["reason"] for p in pairs} == {"(no reason)", "Lost", "lost", "Too long", "Ошибка"}
    assert _types(backend)["reason"].startswith("ENUM(")


def test_a_blank_status_has_no_reason(frame):
    frame["status"] = [None if i % 2 else "Lost" for i in range(len(frame))]
    backend = connect()
    register(frame, backend)
    stored = backend.con.execute("SELECT status IS NULL, reason::VARCHAR, count(*) FROM leads GROUP BY ALL ORDER BY 1")
    assert stored.fetchall() == [(False, "Lost", len(frame) // 2), (True, "(no reason)", len(frame) // 2)]


@pytest.mark.parametrize("known", [False, True])
def test_the_reason_enum_holds_exactly_the_reasons_the_leads_have(frame, known):
    """No label for a reason no lead has: "(no reason)" only where a status is blank or vague."""
    backend = connect()
    if known:
        backend.con.register("given", pa.Table.from_pandas(frame, preserve_index=False).cast(ARROW_SCHEMA))
        register(backend.con.sql("SELECT * FROM given"), backend, known={"status": ("Done", "Lost", "New")})
    else:
        register(frame, backend)
    assert _types(backend)["reason"] == _enum(["Done", "Lost", "New"])


def test_a_blank_status_the_known_values_do_not_list_stops_the_build(frame):
    frame.loc[0, "status"] = None
    backend = connect()
    backend.con.register("given", pa.Table.from_pandas(frame, preserve_index=False).cast(ARROW_SCHEMA))
    with pytest.raises(duckdb.InvalidInputException, match="status holds a NULL not listed"):
        register(backend.con.sql("SELECT * FROM given"), backend, known={"status": ("Done", "Lost", "New")})
