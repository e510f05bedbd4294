"""RemOnline end to end through the CLI: resume after a kill, the key found nowhere, reports right."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pandas as pd
import yaml
from fake_remonline import FakeRemonline
from test_remonline import GROUPS, KEY

ROOT = Path(__file__).resolve().parents[1]


def cli(*args: str, **popen) -> subprocess.Popen[str]:
    env = {**os.environ, "LEADKIT_REMONLINE_API_KEY": KEY}
    return subprocess.Popen([sys.executable, "-m", "leadkit", *args], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **popen)  # fmt: skip


def write_params(tmp_path: Path, server: FakeRemonline, cache: str, name: str = "p.yaml") -> Path:
    path = tmp_path / name
    data = {"source": {"kind": "remonline", "base_url": server.url, "cache": cache, "timeout": 1, "backoff": 0.02},
            "output": {"dir": "out"}, "period": "2025-Q2"}  # fmt: skip
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def cached(folder: Path) -> pd.DataFrame:
    return pd.read_parquet(folder / "leads.parquet").drop(columns=["seq"]).sort_values("id").reset_index(drop=True)


def fetch_until_pages(params: Path, journal: Path, pages: int) -> subprocess.Popen[str]:
    """A ``leadkit fetch`` in its own session (to be killed), once its journal holds ``pages`` pages."""
    fetching = cli("fetch", str(params), start_new_session=True)
    deadline = time.monotonic() + 120
    while len(list(journal.glob("*.parquet"))) < pages:
        assert fetching.poll() is None and time.monotonic() < deadline, fetching.communicate()
        time.sleep(0.05)
    return fetching


def test_a_killed_sync_resumes_to_the_same_table(tmp_path):
    with FakeRemonline(KEY, n=1200) as server:
        params = write_params(tmp_path, server, "killed")
        journal = tmp_path / "killed" / "journal"
        victim = fetch_until_pages(params, journal, 4)
        os.killpg(victim.pid, signal.SIGKILL)
        victim.wait()
        assert not (tmp_path / "killed" / "leads.parquet").exists()
        resumed = cli("fetch", str(params))
        out, err = resumed.communicate(timeout=300)
        assert resumed.returncode == 0, err
        assert re.search(r"resumed an interrupted sync\W+yes", out), out
        clean = cli("fetch", str(write_params(tmp_path, server, "clean", "q.yaml")))
        assert clean.wait(timeout=300) == 0
        pd.testing.assert_frame_equal(cached(tmp_path / "killed"), cached(tmp_path / "clean"))
        assert len(cached(tmp_path / "killed")) == 1200
        assert not journal.exists()


def test_run_end_to_end_and_the_key_appears_nowhere(tmp_path):
    with FakeRemonline(KEY, n=500) as server:
        params = write_params(tmp_path, server, "cache")
        done = cli("run", str(params), "--workers", "2")
        out, err = done.communicate(timeout=600)
        assert done.returncode == 0, err
        folder = tmp_path / "out" / "2025-Q2"
        # numbers: the Excel totals equal a direct count of the server's leads created in Q2 2025
        start, end = pd.Timestamp("2025-04-01").value // 10**6, pd.Timestamp("2025-07-01").value // 10**6
        q2 = [lead for lead in server.state.leads.values() if start <= lead["created_at"] < end]
        ws = openpyxl.load_workbook(folder / "lead_conversion.xlsx")["Summary"]
        total = next(r for r in ws.iter_rows(min_row=6, values_only=True) if r[0] == "Total")
        won = sum(1 for lead in q2 if GROUPS[lead["status"]["group"]] == "won")
        lost = sum(1 for lead in q2 if GROUPS[lead["status"]["group"]] == "lost")
        assert (total[1], total[5], total[6]) == (len(q2), won, lost)
        compute = cli("compute", str(params), "--report", "lost_leads", "--format", "json")
        c_out, c_err = compute.communicate(timeout=120)
        lost_json = json.loads(c_out)
        assert lost_json["total"]["leads"] == lost
        # the sentinel key: in no file written, no output printed
        written = [p for p in tmp_path.rglob("*") if p.is_file()]
        assert any(p.suffix == ".pdf" for p in written) and any(p.name == "leads.parquet" for p in written)
        assert any(p.suffix == ".log" for p in written) and any(p.name == "manifest.json" for p in written)
        for path in written:
            assert KEY.encode() not in path.read_bytes(), f"the API key leaked into {path}"
        for text in (out, err, c_out, c_err):
            assert KEY not in text


def test_a_non_ascii_key_ends_in_one_line_of_error_not_a_traceback(tmp_path):
    with FakeRemonline(KEY, n=10) as server:
        params = write_params(tmp_path, server, "cache")
        for command in (["fetch"], ["check"], ["compute", "--report", "lead_conversion"]):
            env = {**os.environ, "LEADKIT_REMONLINE_API_KEY": "SENTINEL-КЕY-7f3a9c"}  # a Cyrillic К and Е
            done = subprocess.run([sys.executable, "-m", "leadkit", *command, str(params)], cwd=ROOT, env=env,
                                  capture_output=True, text=True, timeout=120)  # fmt: skip
            assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
            assert done.stderr.startswith("leadkit: error: the environment variable LEADKIT_REMONLINE_API_KEY")
            assert "character 10 of 19 is U+041A CYRILLIC CAPITAL LETTER KA" in done.stderr
            assert "SENTINEL" not in done.stderr + done.stdout
        assert not server.state.log
