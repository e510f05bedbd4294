"""Parity: the same Ibis report code gives identical results on DuckDB, PostgreSQL and Spark."""

from __future__ import annotations

import glob
import math
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
from conftest import params_for

from leadkit.api import compute
from leadkit.engines import connect
from leadkit.leads import from_source
from leadkit.params import Engine, load_params
from leadkit.render.jsonout import to_dict
from leadkit.sources import read_source

pytestmark = pytest.mark.xdist_group("engines")  # one Spark and one PostgreSQL per run
ROOT = Path(__file__).resolve().parents[1]
REPORTS = ("lead_conversion", "lost_leads", "employee_performance")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_postgres(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@pytest.fixture(scope="module")
def postgres_url():
    """A private PostgreSQL server on 127.0.0.1, started from Debian's binaries."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    assert found, "PostgreSQL is needed for the parity tests: apt-get install postgresql (.ci/run does)"
    bin_dir = Path(found[-1]).parent
    folder = Path(tempfile.mkdtemp(prefix="leadkit-pg-", dir="/tmp"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    port = _free_port()
    run = lambda *cmd: subprocess.run(_as_postgres([str(bin_dir / cmd[0]), *cmd[1:]]), check=True, capture_output=True)  # noqa: E731
    run("initdb", "-D", str(folder / "data"), "-A", "trust", "-U", "postgres", "--no-sync")
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    run("pg_ctl", "-D", str(folder / "data"), "-o", options, "-l", str(folder / "log"), "-w", "start")
    yield f"postgres://postgres@127.0.0.1:{port}/postgres"
    run("pg_ctl", "-D", str(folder / "data"), "-m", "immediate", "stop")
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def backends(postgres_url):
    spark = connect(Engine(backend="pyspark", master="local[2]", partitions=2))
    return {"duckdb": connect(), "postgres": connect(Engine(backend="postgres", url=postgres_url)), "pyspark": spark}


def normalised(value: Any) -> Any:
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 9)
    if isinstance(value, dict):
        return {k: normalised(v) for k, v in value.items() if k != "generated_at"}
    if isinstance(value, list):
        return [normalised(v) for v in value]
    return value


def results(data, backends, **scope) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name, backend in backends.items():
        leads = from_source(data, backend=backend)
        out[name] = {r: normalised(to_dict(compute(r, leads, **scope))) for r in REPORTS}
    return out


@pytest.mark.parametrize(("dataset", "scope"), [("maven", {"period": "2017-Q2"}), ("maven", {}),
                                                  ("demo", {"period": "2025-06"}),
                                                  ("demo", {"period": "2025-Q3", "basis": "closed", "managers": ["Liam Carter", "Emma Davis"]})])  # fmt: skip
def test_three_engines_give_identical_reports(backends, dataset, scope):
    params = (
        load_params(ROOT / "params" / "maven_crm.yaml")
        if dataset == "maven"
        else params_for({"kind": "demo", "rows": 3000})
    )
    got = results(read_source(params), backends, **scope)
    for report in REPORTS:
        reference = got["duckdb"][report]
        assert reference["total"]["leads"] > 0
        for engine in ("postgres", "pyspark"):
            assert got[engine][report] == reference, f"{report} differs on {engine}"


def test_a_postgres_url_with_a_password_is_refused():
    from leadkit.exceptions import ParamsError
    from leadkit.params import parse_params

    with pytest.raises(ParamsError, match="PGPASSWORD"):
        parse_params({"source": {"kind": "demo"}, "engine": {"backend": "postgres", "url": "postgres://u:secret@h/db"}})


def test_leads_already_in_each_engine_give_the_same_reports(backends, postgres_url, tmp_path):
    """Source kind "table": a PostgreSQL table and a Parquet path read by Spark, reported where they are."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from leadkit.engines import ARROW_SCHEMA
    from leadkit.leads import load_leads
    from leadkit.params import parse_params

    data = read_source(params_for({"kind": "demo", "rows": 3000}))
    reference = {r: normalised(to_dict(compute(r, from_source(data), period="2025-06"))) for r in REPORTS}
    arrow = pa.Table.from_pandas(data.frame, preserve_index=False).cast(ARROW_SCHEMA)
    pq.write_table(arrow, tmp_path / "leads.parquet", coerce_timestamps="us")
    backends["postgres"].create_table("crm_leads", arrow, overwrite=True)
    no_reason = list(data.no_reason_statuses)
    places = {
        "postgres": ({"kind": "table", "table": "public.crm_leads", "no_reason_statuses": no_reason},
                     {"backend": "postgres", "url": postgres_url}),
        "pyspark": ({"kind": "table", "parquet": str(tmp_path / "leads.parquet"), "no_reason_statuses": no_reason},
                    {"backend": "pyspark", "master": "local[2]", "partitions": 2}),
    }  # fmt: skip
    for engine, (source, spec) in places.items():
        leads = load_leads(parse_params({"source": source, "engine": spec}))
        assert leads.label.startswith(engine)
        for report in REPORTS:
            got = normalised(to_dict(compute(report, leads, period="2025-06")))
            unlabelled = [
                {**r, "data_quality": {**r["data_quality"], "source": None}} for r in (got, reference[report])
            ]
            assert unlabelled[0] == unlabelled[1], f"{report} differs on {engine}"


def test_lead_lists_page_and_stream_alike_on_every_engine(backends):
    """A result's lists are queries: pages, per-manager heads and batches must agree across engines."""
    import pandas as pd

    data = read_source(params_for({"kind": "demo", "rows": 3000}))
    got = {}
    for name, backend in backends.items():
        result = compute("employee_performance", from_source(data, backend=backend), period="2025-06")
        lists = result.leads
        streamed = pd.concat(list(lists.batches(rows=97)), ignore_index=True)
        heads = lists.heads(3)
        got[name] = (lists.to_pandas(), streamed, lists.head(10), {k: v["lead_id"].tolist() for k, v in heads.items()})
        assert len(streamed) == len(lists) > 0
    reference = got["duckdb"]
    for name in ("postgres", "pyspark"):
        for mine, theirs in zip(got[name][:3], reference[:3], strict=True):
            assert mine["lead_id"].tolist() == theirs["lead_id"].tolist(), f"list order differs on {name}"
            assert mine["created_at"].astype("datetime64[us]").tolist() == theirs["created_at"].tolist()
        assert got[name][3] == reference[3]
