"""Ingest once: a file source is read once, reused until it or its mapping changes, built atomically."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest
import yaml
from conftest import MARCH_SOURCE, ROOT, params_for

import leadkit.ingest as ingest
import leadkit.leads as leads_module
from leadkit.api import compute
from leadkit.engines import ARROW_SCHEMA
from leadkit.exceptions import ValidationError
from leadkit.leads import load_leads
from leadkit.render.jsonout import to_json
from leadkit.sources import demo, read_source


def _json(result) -> dict:
    data = json.loads(to_json(result, "en"))
    data.pop("generated_at")
    return data


@pytest.fixture
def reads(monkeypatch):
    """How often the source itself was read (mapped and validated) rather than taken from the cache."""
    count = {"n": 0}
    real = ingest.read_source

    def counted(*args, **kwargs):
        count["n"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(ingest, "read_source", counted)
    monkeypatch.setattr(leads_module, "read_source", counted)
    return count


def _cache_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("leads-*.duckdb"))


def _march_copy(tmp_path: Path) -> Path:
    path = tmp_path / "march.csv"
    path.write_bytes(Path(MARCH_SOURCE["path"]).read_bytes())
    return path


@pytest.mark.slow
def test_the_second_load_reuses_the_cache_and_gives_the_same_reports(tmp_path, reads):
    source = {**MARCH_SOURCE, "path": str(_march_copy(tmp_path))}
    params = params_for(source, cache={"dir": str(tmp_path / "c")})
    first = load_leads(params)
    second = load_leads(params)
    assert reads["n"] == 1
    assert len(_cache_files(tmp_path / "c")) == 1
    uncached = load_leads(params_for(source, cache={"enabled": False}))
    assert reads["n"] == 2 and first.label == second.label == uncached.label
    for report in ("lead_conversion", "lost_leads", "employee_performance"):
        truth = _json(compute(report, uncached, period="2025-03"))
        assert _json(compute(report, first, period="2025-03")) == truth
        assert _json(compute(report, second, period="2025-03")) == truth
    assert (second.rows_read, second.dated, second.no_reason_statuses) == (
        uncached.rows_read,
        uncached.dated,
        uncached.no_reason_statuses,
    )


def test_a_disabled_cache_writes_nothing(tmp_path, reads):
    params = params_for(MARCH_SOURCE, cache={"enabled": False, "dir": str(tmp_path / "c")})
    load_leads(params)
    load_leads(params)
    assert reads["n"] == 2 and not (tmp_path / "c").exists()


def test_a_changed_file_or_mapping_rebuilds_and_drops_the_old_cache(tmp_path, reads):
    path = _march_copy(tmp_path)
    source = {**MARCH_SOURCE, "path": str(path)}
    cache = {"dir": str(tmp_path / "c")}
    load_leads(params_for(source, cache=cache))
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))  # touched: same bytes, new mtime
    load_leads(params_for(source, cache=cache))
    assert reads["n"] == 2
    path.write_text(path.read_text().replace("Successful sale,Bob", "Expensive,Bob"))  # L3 lost now
    changed = load_leads(params_for(source, cache=cache))
    assert reads["n"] == 3
    assert compute("lead_conversion", changed, period="2025-03").total["lost"] == 4
    mapping = {**source, "status_groups": {**MARCH_SOURCE["status_groups"], "Expensive": "pending"}}
    remapped = load_leads(params_for(mapping, cache=cache))
    assert reads["n"] == 4
    assert compute("lead_conversion", remapped, period="2025-03").total["lost"] == 2
    load_leads(params_for(mapping, cache=cache))
    assert reads["n"] == 4
    assert len(_cache_files(tmp_path / "c")) == 1  # one source, one file: the outdated ones are removed


def test_a_crash_while_building_leaves_no_cache(tmp_path, reads, monkeypatch):
    folder = tmp_path / "c"
    params = params_for(MARCH_SOURCE, cache={"dir": str(folder)})

    def crash(frame, backend, no_reason, **_):
        backend.con.execute("CREATE TABLE leads AS SELECT 1 AS half")  # part of the file is written
        raise MemoryError("killed while building")

    monkeypatch.setattr(ingest, "register", crash)
    with pytest.raises(MemoryError):
        load_leads(params)
    assert [p.name for p in folder.iterdir()] == [".ingest.lock"]
    (folder / ".leads-x-y.duckdb.abc.part").write_bytes(b"what a killed build left")
    monkeypatch.undo()
    monkeypatch.setenv("LEADKIT_CACHE_DIR", str(tmp_path / "unused"))
    leads = load_leads(params)
    assert compute("lead_conversion", leads, period="2025-03").total["leads"] == 9
    assert [p.name for p in folder.iterdir() if p.name != ".ingest.lock"] == [_cache_files(folder)[0].name]


def test_table_and_api_sources_are_not_cached(tmp_path):
    assert ingest.source_key(params_for({"kind": "table", "parquet": str(tmp_path / "x.parquet")})) is None
    assert ingest.source_key(params_for({"kind": "remonline", "cache": str(tmp_path)})) is None
    missing = ingest.source_key(params_for({**MARCH_SOURCE, "path": str(tmp_path / "missing.csv")}))
    assert missing is None  # reading it says what is wrong


def _leadkit(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "leadkit", "-v", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        cwd=ROOT,
    )


def _generated_file(tmp_path: Path, rows: int) -> Path:
    """A cp1251 CSV with canonical column names: a note (the encoding) is logged while it is read."""
    frame = demo.generate(rows, 3, date(2025, 1, 1), date(2025, 6, 30), "ru")
    path = tmp_path / "leads.csv"
    frame.to_csv(path, index=False, encoding="cp1251")
    params = {"source": {"kind": "file", "path": str(path)}, "period": "2025-Q2", "cache": {"dir": "cache"}}
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(params), encoding="utf-8")
    return tmp_path / "params.yaml"


@pytest.mark.slow
def test_two_processes_building_at_once_both_succeed_with_one_build(tmp_path):
    params = _generated_file(tmp_path, 30_000)
    command = ("compute", str(params), "--report", "employee_performance", "--format", "json")
    runs = [_leadkit(*command, env={}) for _ in range(2)]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], [err for _, err in outputs]
    results = [json.loads(out) for out, _ in outputs]
    for result in results:
        result.pop("generated_at")
    assert results[0] == results[1] and results[0]["total"]["leads"] > 0
    logs = "".join(err for _, err in outputs)
    assert logs.count("building the ingest cache") == 1 and logs.count("reusing the ingest cache") == 1
    assert len(_cache_files(tmp_path / "cache")) == 1


def test_check_says_the_same_from_the_cache_as_from_the_file(tmp_path):
    params = _generated_file(tmp_path, 300)
    said = []
    for _ in range(2):
        out, err = _leadkit("check", str(params), "--format", "json", env={}).communicate(timeout=300)
        said.append((json.loads(out), [line for line in err.splitlines() if "ingest cache" not in line]))
    assert said[0] == said[1]
    assert any("read as cp1251" in line for line in said[1][1])  # the note is kept with the cache
    assert said[1][0]["rows_read"] == 300


def test_a_batch_or_another_engine_gets_the_cached_rows_back_as_read(tmp_path, reads):
    params = params_for({**MARCH_SOURCE, "path": str(_march_copy(tmp_path))}, cache={"dir": str(tmp_path / "c")})
    truth = read_source(params)  # not counted: the module's own name
    first, second = ingest.source_data(params), ingest.source_data(params)
    assert reads["n"] == 1
    for got in (first, second):
        assert pa.Table.from_pandas(got.frame).cast(ARROW_SCHEMA) == pa.Table.from_pandas(truth.frame).cast(
            ARROW_SCHEMA
        )
        assert replace(got, frame=None) == replace(truth, frame=None)


def test_what_the_source_noticed_is_still_said_when_it_is_refused(tmp_path, caplog):
    path = tmp_path / "bad.csv"
    path.write_bytes("lead_id,status\nL1,Новое\nL1,Новое\n".encode("cp1251"))
    params = params_for({"kind": "file", "path": str(path), "status_groups": {"Новое": "new"}})
    with caplog.at_level(logging.INFO, logger="leadkit"), pytest.raises(ValidationError, match="duplicate lead id"):
        load_leads(params)
    assert "read as cp1251" in caplog.text
    assert not _cache_files(Path(os.environ["LEADKIT_CACHE_DIR"]))


def test_a_damaged_cache_file_is_built_again_and_facts_survive_the_cache(tmp_path, reads, caplog):
    path = tmp_path / "dirty.csv"
    path.write_text(
        "id,created,closed,type,status,manager,branch,order,sale,client\n"
        "1,2025-03-01,,Call,New lead,Ol\u200bga,North,,,\n2,2025-03-02,,Call,New lead,Olga,North,,,\n",
        encoding="utf-8",
    )
    params = params_for({**MARCH_SOURCE, "path": str(path)}, cache={"dir": str(tmp_path / "c")})
    assert load_leads(params).cleaned_values == 1  # counted when read...
    assert load_leads(params).cleaned_values == 1 and reads["n"] == 1  # ...and when reused from the cache
    [cached] = _cache_files(tmp_path / "c")
    cached.write_bytes(b"not a duckdb file")  # a damaged file (or one another DuckDB wrote)
    with caplog.at_level(logging.WARNING, logger="leadkit"):
        again = load_leads(params)
    assert reads["n"] == 2 and again.cleaned_values == 1 and "cannot be read; building it again" in caplog.text
