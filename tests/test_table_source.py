"""Leads that already live in the engine (source kind "table"): validated there, never copied out."""

from __future__ import annotations

from dataclasses import replace

import ibis
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import MARCH_SOURCE, params_for

from leadkit.api import compute
from leadkit.engines import ARROW_SCHEMA
from leadkit.exceptions import LeadkitError, ParamsError, ValidationError
from leadkit.leads import load_leads
from leadkit.params import parse_params
from leadkit.render.jsonout import main_table
from leadkit.sources import read_source


def _canonical(frame: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(frame, preserve_index=False).cast(ARROW_SCHEMA)


def _duckdb_file(tmp_path, arrow: pa.Table, name: str = "crm_leads") -> str:
    path = tmp_path / "crm.duckdb"
    con = ibis.duckdb.connect(str(path))
    con.create_table(name, arrow, overwrite=True)
    con.disconnect()
    return str(path)


def test_a_table_and_a_parquet_path_give_the_same_reports_as_the_file(tmp_path):
    data = read_source(params_for(MARCH_SOURCE))
    arrow = _canonical(data.frame)
    pq.write_table(arrow, tmp_path / "leads.parquet")
    reference = compute("lead_conversion", load_leads(params_for(MARCH_SOURCE)), period="2025-03")
    sources = [
        ({"kind": "table", "table": "crm_leads", "no_reason_statuses": ["Lost"]},
         {"backend": "duckdb", "path": _duckdb_file(tmp_path, arrow)}),
        ({"kind": "table", "parquet": str(tmp_path / "leads.parquet"), "no_reason_statuses": ["Lost"]}, {}),
    ]  # fmt: skip
    for source, engine in sources:
        leads = load_leads(parse_params({"source": source, "engine": engine}))
        got = compute("lead_conversion", leads, period="2025-03")
        pd.testing.assert_frame_equal(got.rows, reference.rows)
        assert got.total == reference.total
        assert got.meta.data_quality.rows_loaded == len(data.frame)
        lost = compute("lost_leads", leads, period="2025-03")
        assert list(lost.leads.to_pandas()["lead_id"]) == ["L7", "L8", "L9"]


def test_a_bad_table_gets_one_error_naming_every_problem(tmp_path):
    frame = read_source(params_for(MARCH_SOURCE)).frame.copy()
    frame.loc[1, "lead_id"] = frame.loc[0, "lead_id"]
    frame.loc[2, "lead_id"] = None
    frame.loc[3, "status_group"] = "archived"
    path = _duckdb_file(tmp_path, _canonical(frame))
    params = parse_params({"source": {"kind": "table", "table": "crm_leads"}, "engine": {"path": path}})
    with pytest.raises(ValidationError) as caught:
        load_leads(params)
    text = str(caught.value)
    assert "duckdb: crm_leads" in text and "1 row(s) with an empty lead_id" in text
    assert "1 duplicate lead id(s): 'L1' (2 rows)" in text
    assert "status_group values ['archived']" in text


def test_a_table_without_a_required_column_or_with_wrong_types_is_refused(tmp_path):
    frame = read_source(params_for(MARCH_SOURCE)).frame
    path = _duckdb_file(tmp_path, _canonical(frame).drop_columns(["lead_id", "branch"]), "no_id")
    con = ibis.duckdb.connect(path)
    con.create_table("text_dates", frame.astype({"created_at": "string"}), overwrite=True)
    con.create_table("no_group", frame.drop(columns=["status_group"]), overwrite=True)
    con.disconnect()
    for table, message in (("no_id", r"canonical column\(s\) missing: lead_id; its columns are: created_at, "),
                           ("no_group", r"missing: status_group; its columns are: lead_id, "),
                           ("text_dates", "column created_at is string, not a timestamp")):  # fmt: skip
        params = parse_params({"source": {"kind": "table", "table": table}, "engine": {"path": path}})
        with pytest.raises(ValidationError, match=message):
            load_leads(params)


def test_a_missing_table_or_an_unreadable_parquet_path_says_which(tmp_path):
    path = _duckdb_file(tmp_path, _canonical(read_source(params_for(MARCH_SOURCE)).frame))
    with pytest.raises(LeadkitError, match="duckdb cannot read crm.nope"):
        load_leads(parse_params({"source": {"kind": "table", "table": "crm.nope"}, "engine": {"path": path}}))
    with pytest.raises(LeadkitError, match="cannot read .*missing.parquet"):
        load_leads(parse_params({"source": {"kind": "table", "parquet": str(tmp_path / "missing.parquet")}}))


def test_table_or_parquet_must_be_given_once_and_batches_refuse_a_table_source():
    for bad in (
        {"kind": "table"},
        {"kind": "table", "table": "a", "parquet": "b"},
        {"kind": "table", "table": "a;drop"},
    ):
        with pytest.raises(ParamsError):
            parse_params({"source": bad})
    with pytest.raises(LeadkitError, match="cannot be snapshotted"):
        read_source(parse_params({"source": {"kind": "table", "table": "leads"}}))


# Columns a CRM table may well lack; the March file mapped without them is the known truth.
ABSENT = ["closed_at", "branch", "ad_campaign", "client", "converted", "status_result"]


@pytest.mark.slow
def test_absent_optional_columns_read_as_a_file_source_without_them_reads(tmp_path):
    frame = read_source(params_for(MARCH_SOURCE)).frame
    arrow = _canonical(frame).drop_columns(ABSENT)
    pq.write_table(arrow, tmp_path / "partial.parquet")
    columns = {k: v for k, v in MARCH_SOURCE["columns"].items() if k not in ABSENT}
    pd.read_csv(MARCH_SOURCE["path"], dtype=str).drop(columns=["closed", "branch", "client"]).to_csv(
        tmp_path / "partial.csv", index=False
    )
    file_source = {**MARCH_SOURCE, "path": str(tmp_path / "partial.csv"), "columns": columns, "status_results": {}}
    by_file = load_leads(params_for(file_source))
    assert by_file.dated == ("created_at",)
    sources = [
        ({"kind": "table", "table": "partial"}, {"path": _duckdb_file(tmp_path, arrow, "partial")}),
        ({"kind": "table", "parquet": str(tmp_path / "partial.parquet")}, {}),
    ]
    for source, engine in sources:
        leads = load_leads(parse_params({"source": source, "engine": engine}))
        assert leads.dated == by_file.dated
        schema = leads.table.schema()
        assert schema["closed_at"].is_timestamp() and schema["converted"].is_boolean()
        assert schema["client"].is_string() and schema["status_result"].is_string()
        got = leads.table.select("lead_id", "branch", "ad_campaign", "client", "converted", "closed_at").to_pandas()
        assert set(got["branch"]) == set(got["ad_campaign"]) == {"(not set)"}
        assert got["client"].isna().all() and got["converted"].isna().all() and got["closed_at"].isna().all()
        for report in ("lead_conversion", "lost_leads", "employee_performance"):
            mine, truth = compute(report, leads, period="2025-03"), compute(report, by_file, period="2025-03")
            pd.testing.assert_frame_equal(main_table(mine), main_table(truth))
            assert replace(mine.meta.data_quality, source="") == replace(truth.meta.data_quality, source="")
        won = compute("lead_conversion", leads, period="2025-03").total
        assert (won["converted"], won["orders"], won["sales"]) == (5, 3, 1)  # L3, L4: no ids, no status_result


def test_an_absent_status_is_named_after_its_group_as_in_a_file_source(tmp_path):
    frame = read_source(params_for(MARCH_SOURCE)).frame
    pq.write_table(_canonical(frame).drop_columns(["status"]), tmp_path / "groups.parquet")
    leads = load_leads(parse_params({"source": {"kind": "table", "parquet": str(tmp_path / "groups.parquet")}}))
    got = leads.table.order_by("lead_id").select("lead_id", "status", "status_group").to_pandas()
    expected = {"new": "New", "in_progress": "In progress", "pending": "Pending", "won": "Won", "lost": "Lost"}
    assert got["status"].tolist() == [expected[g] for g in got["status_group"]]
