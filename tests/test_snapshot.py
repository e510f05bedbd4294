"""Snapshots: the canonical leads through one Parquet file and back, exactly, with their facts."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from leadkit.engines import ARROW_SCHEMA
from leadkit.exceptions import SourceError
from leadkit.frames import fetch
from leadkit.model import CANONICAL_COLUMNS
from leadkit.snapshot import fingerprint, read_snapshot, snapshot_meta, write_snapshot
from leadkit.sources import SourceData

S, B = "string", "boolean"


def canonical() -> pd.DataFrame:
    """Three leads with what tends to get lost on a round trip: microseconds, NaT, nulls, Cyrillic, a pre-1970 date."""
    stamps = ["2025-03-02 23:59:59.123456", "2025-03-31 23:30:00", "1969-12-31 23:59:59"]
    return pd.DataFrame({
        "lead_id": pd.array(["L1", "L2", "Л3"], dtype=S),
        "created_at": pd.to_datetime(stamps, format="ISO8601").astype("datetime64[us]"),
        "closed_at": pd.to_datetime(["2025-03-05 10:00", None, None]).astype("datetime64[us]"),
        "lead_type": pd.array(["Call", None, "Звонок"], dtype=S),
        "status": pd.array(["Successful order", "New lead", "Отказ"], dtype=S),
        "status_group": pd.array(["won", "new", "lost"], dtype=S),
        "manager": pd.array(["Ольга", "(unassigned)", ""], dtype=S),
        "branch": pd.array(["North", None, None], dtype=S),
        "ad_campaign": pd.array([None, None, "=1+1"], dtype=S),
        "client": pd.array(["Client One", None, "O'Brien; \"x\""], dtype=S),
        "order_id": pd.array(["O1", None, None], dtype=S),
        "sale_id": pd.array([None, None, None], dtype=S),
        "converted": pd.array([True, None, False], dtype=B),
        "status_result": pd.array(["order", None, None], dtype=S),
    })  # fmt: skip


@pytest.fixture()
def written(tmp_path):
    frame = canonical()
    data = SourceData(frame, "march.csv", rows_read=5, no_reason_statuses=("Lost",), dated=("created_at",))
    path = tmp_path / "leads.parquet"
    print_ = write_snapshot(data, path, "Europe/Moscow", lead_url="https://crm.example/{lead_id}")
    return frame, path, print_


def test_the_file_holds_the_canonical_types(written):
    _, path, _ = written
    schema = pq.read_schema(path)
    assert schema.remove_metadata() == ARROW_SCHEMA
    assert schema.field("created_at").type == pa.timestamp("us")  # wall-clock: no zone, never shifted


def test_rows_come_back_exactly(written):
    frame, path, print_ = written
    back = pq.read_table(path).to_pandas()
    assert list(back.columns) == list(CANONICAL_COLUMNS)
    back = back.astype(frame.dtypes.to_dict())
    pd.testing.assert_frame_equal(back, frame)
    assert back["closed_at"].isna().tolist() == [False, True, True]  # NaT stays NaT
    assert back["created_at"][0] == pd.Timestamp("2025-03-02 23:59:59.123456")
    assert back["created_at"][1] == pd.Timestamp("2025-03-31 23:30:00")  # not moved by the Moscow zone
    assert fingerprint(back) == print_ == fingerprint(frame)


def test_read_snapshot_gives_the_leads_and_their_facts(written):
    frame, path, _ = written
    leads = read_snapshot(path)
    assert (leads.label, leads.rows_read, leads.no_reason_statuses, leads.dated) == (
        "march.csv", 5, ("Lost",), ("created_at",))  # fmt: skip
    assert leads.timezone == "Europe/Moscow" and leads.lead_url == "https://crm.example/{lead_id}"
    rows = fetch(leads.table.select(*CANONICAL_COLUMNS).order_by("created_at"))
    rows = rows.astype({c: "string" for c in rows.columns if rows[c].dtype == "category"})
    expected = frame.sort_values("created_at").reset_index(drop=True)
    pd.testing.assert_frame_equal(rows.astype(frame.dtypes.to_dict()), expected)
    assert "is_converted" in leads.table.columns  # the flags are added on loading


def test_meta_records_what_a_notebook_needs_and_nothing_else(written):
    _, path, print_ = written
    assert snapshot_meta(path) == {
        "label": "march.csv", "rows_read": 5, "no_reason_statuses": ["Lost"], "dated": ["created_at"],
        "timezone": "Europe/Moscow", "fingerprint": print_, "lead_url": "https://crm.example/{lead_id}",
    }  # fmt: skip


def test_a_known_fingerprint_is_stored_as_given(tmp_path):
    data = SourceData(canonical(), "x", 3, ())
    assert write_snapshot(data, tmp_path / "a.parquet", "UTC", known_fingerprint="abc") == "abc"
    assert snapshot_meta(tmp_path / "a.parquet")["fingerprint"] == "abc"


def test_fingerprint_tells_apart_what_differs():
    frame = canonical()
    assert fingerprint(frame) == fingerprint(canonical())
    changed = frame.copy()
    changed.loc[2, "manager"] = "Ольга "
    assert fingerprint(changed) != fingerprint(frame)
    later = frame.copy()
    later.loc[0, "created_at"] = pd.Timestamp("2025-03-02 23:59:59.123457")
    assert fingerprint(later) != fingerprint(frame)
    blanks = [pd.DataFrame({"x": pd.array(["a", v], dtype=S)}) for v in (None, "", "<NA>")]
    assert len({fingerprint(f) for f in blanks}) == 3  # a null, an empty string and the text "<NA>"
    assert fingerprint(pd.DataFrame({"x": ["a"]})) != fingerprint(pd.DataFrame({"y": ["a"]}))


def test_a_file_that_is_not_a_snapshot_is_one_clear_error(tmp_path):
    text = tmp_path / "leads.parquet"
    text.write_text("id,created\n")
    with pytest.raises(SourceError, match="leads.parquet: not a leadkit snapshot"):
        read_snapshot(text)
    plain = tmp_path / "plain.parquet"
    pq.write_table(pa.table({"x": [1]}), plain)
    with pytest.raises(SourceError, match="without leadkit metadata; write it with `leadkit run`"):
        snapshot_meta(plain)


def test_a_process_opens_a_snapshot_once_until_the_file_changes(written, tmp_path):
    from leadkit.snapshot import open_snapshot

    _, path, _ = written
    first = open_snapshot(path)
    assert open_snapshot(path) is first  # the next notebook in a warm kernel: no new DuckDB
    other = tmp_path / "other.parquet"
    write_snapshot(SourceData(canonical(), "other.csv", 3, ()), other, "UTC")
    assert open_snapshot(other).label == "other.csv"  # another file: read, and kept instead
    again = open_snapshot(path)
    assert again is not first and again.label == "march.csv"
    write_snapshot(SourceData(canonical(), "rewritten.csv", 3, ()), path, "UTC")  # the same path, new content
    assert open_snapshot(path).label == "rewritten.csv"
    with pytest.raises(SourceError, match="not a leadkit snapshot"):
        open_snapshot(tmp_path / "missing.parquet")


@pytest.mark.slow
def test_a_snapshot_loaded_in_a_kernel_shows_no_progress_widget(written):
    """DuckDB draws a progress widget in a kernel for a load past 2 s: a dead script in the notebook and its page."""
    import nbformat
    from nbclient import NotebookClient

    _, path, _ = written
    code = ("from leadkit.snapshot import read_snapshot\n"
            f"read_snapshot({str(path)!r}).table._find_backend().raw_sql(\"SELECT current_setting('enable_progress_bar')\").fetchone()")  # fmt: skip
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    assert nb.cells[0].outputs[0]["data"]["text/plain"] == "(False,)"
