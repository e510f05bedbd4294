"""A batch killed mid-run leaves whole files only, and a re-run completes it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import yaml
from conftest import REPORT_NAMES, data_fingerprint, expected_run
from pypdf import PdfReader

from leadkit.params import parse_params
from leadkit.periods import parse_period
from leadkit.pipeline import manifest

ROOT = Path(__file__).resolve().parents[1]
PERIODS = ["2025-01", "2025-02", "2025-03"]


def batch(params: Path, out: Path, **popen) -> subprocess.Popen[str]:
    cmd = [sys.executable, "-m", "leadkit", "batch", str(params), "--from", "2025-01", "--to", "2025-03",
           "--every", "month", "--out", str(out), "--workers", "2"]  # fmt: skip
    return subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


def digests(folder: Path) -> dict[str, str]:
    return {p.name: manifest.file_digest(p) for p in sorted(folder.iterdir())}


def test_kill_then_rerun(tmp_path):
    params = tmp_path / "demo.yaml"
    params.write_text(yaml.safe_dump({"source": {"kind": "demo", "rows": 3000}}), encoding="utf-8")
    out = tmp_path / "out"
    victim = batch(params, out, start_new_session=True)
    deadline = time.monotonic() + 300
    while not list(out.glob("*/manifest.json")):
        assert victim.poll() is None, victim.communicate()
        assert time.monotonic() < deadline, "no period finished in time"
        time.sleep(0.2)
    first = next(out.glob("*/manifest.json")).parent
    before = digests(first)
    os.killpg(victim.pid, signal.SIGKILL)
    victim.wait()
    built = [p.parent.name for p in out.glob("*/manifest.json")]
    assert len(built) < len(PERIODS), "the kill came after the batch had finished; nothing was tested"

    done = batch(params, out)
    stdout, stderr = done.communicate(timeout=600)
    assert done.returncode == 0, stderr
    assert stdout.strip().endswith("index.html")
    assert f"skipped {first.name}" in stderr
    assert digests(first) == before  # the earlier output was kept, untouched
    assert not list(out.rglob("*.part")) and not (out / ".staging").exists()
    fingerprint = data_fingerprint(parse_params(yaml.safe_load(params.read_text())))
    files = sorted(f"{r}.{ext}" for r in REPORT_NAMES for ext in ("ipynb", "html", "pdf", "xlsx"))
    for label in PERIODS:
        period = parse_period(label)
        run = expected_run(label, "month", period.start.isoformat(), period.end.isoformat(), "demo (seed 7)")
        assert manifest.still_valid(out / label, run, fingerprint, files)
        for name in manifest.read(out / label)["files"]:
            path = out / label / name
            if name.endswith(".xlsx"):
                openpyxl.load_workbook(path)
            elif name.endswith(".pdf"):
                assert len(PdfReader(path).pages) >= 1
            elif name.endswith(".html"):
                assert path.read_text(encoding="utf-8").rstrip().endswith("</html>")
