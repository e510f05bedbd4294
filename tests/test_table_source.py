"""Leads that already live in the engine (source kind "table"): validated there, never copied out."""

from __future__ import annotations

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


def test_a_table_with_the_wrong_columns_or_types_is_refused(tmp_path):
    frame = read_source(params_for(MARCH_SOURCE)).frame
    path = _duckdb_file(tmp_path, _canonical(frame).drop_columns(["branch"]), "no_branch")
    con = ibis.duckdb.connect(path)
    con.create_table("text_dates", frame.astype({"created_at": "string"}), overwrite=True)
    con.disconnect()
    for table, message in (("no_branch", r"canonical column\(s\) missing: branch"),
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
