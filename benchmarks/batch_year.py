"""A year of monthly reports (12 months x 3 reports, each to HTML, PDF and Excel) on 1M leads.

Two ways to the same 108 files, side by side in one run:

  leadkit batch   `leadkit batch --from 2025-01 --to 2025-12 --every month --force`:
                  the source is read and validated once into a snapshot, notebooks run
                  in parallel worker processes, HTML and PDF are exported in-process
  naive loop      for each month and report, one after the other, the commands a user
                  would chain by hand: `papermill` (the notebook reads the source
                  itself, shows the static report and writes the Excel file),
                  `jupyter nbconvert --to html
                  --no-input`, then `weasyprint` for the PDF (nbconvert's own PDF needs
                  LaTeX, and its webpdf a downloaded Chromium; neither is on a print server)

Both read the same params file, whose source is the 1M-lead demo Parquet file. Printed:
median seconds, the ratio, and the files each produced (checked: 108 non-empty files).

Target (issue 6): leadkit batch at least 3x faster than the naive loop.

Run: .venv/bin/python benchmarks/batch_year.py [--size 1M] [--months 12] [--repeat 2]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import yaml
from common import machine, table
from data import YEAR, snapshot_path

from leadkit.sources import demo

REPORTS = ("lead_conversion", "lost_leads", "employee_performance")
NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
BIN = Path(sys.executable).parent


def write_params(folder: Path, size: str) -> Path:
    params = {
        "source": {
            "kind": "file",
            "path": str(snapshot_path(size)),
            "status_results": demo.status_results("en"),
            "no_reason_statuses": [demo.NAMES["en"]["lost"][-1]],
        },
        "timezone": "UTC",
        "lang": "en",
    }
    path = folder / "bench.yaml"
    path.write_text(yaml.safe_dump(params), encoding="utf-8")
    return path


def months(count: int) -> list[str]:
    return [f"{YEAR}-{m:02d}" for m in range(1, count + 1)]


def leadkit_batch(params: Path, out: Path, count: int) -> None:
    first, last = months(count)[0], months(count)[-1]
    command = [str(BIN / "leadkit"), "batch", str(params), "--from", first, "--to", last, "--every", "month"]
    subprocess.run([*command, "--out", str(out), "--formats", "html,pdf,xlsx", "--force"], check=True,
                   capture_output=True)  # fmt: skip


def naive_loop(params: Path, out: Path, count: int) -> None:
    for month in months(count):
        folder = out / month
        folder.mkdir(parents=True, exist_ok=True)
        for report in REPORTS:
            ipynb, xlsx = folder / f"{report}.ipynb", folder / f"{report}.xlsx"
            run = [str(BIN / "papermill"), str(NOTEBOOKS / f"{report}.ipynb"), str(ipynb), "-k", "python3",
                   "--cwd", str(NOTEBOOKS), "-p", "params_file", str(params), "-p", "period", month,
                   "-p", "excel_path", str(xlsx), "-p", "interactive", "False"]  # fmt: skip
            subprocess.run(run, check=True, capture_output=True)
            html = [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(ipynb)]
            subprocess.run(html, check=True, capture_output=True)
            pdf = [str(BIN / "weasyprint"), str(folder / f"{report}.html"), str(folder / f"{report}.pdf")]
            subprocess.run(pdf, check=True, capture_output=True)


def produced(out: Path) -> int:
    files = [p for p in out.rglob("*") if p.suffix in (".html", ".pdf", ".xlsx") and p.name != "index.html"]
    empty = [p for p in files if p.stat().st_size == 0]
    if empty:
        raise SystemExit(f"empty outputs: {empty[:5]}")
    return len(files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="1M")
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    print(machine())
    with tempfile.TemporaryDirectory(prefix="leadkit-bench-") as tmp:
        folder = Path(tmp)
        params = write_params(folder, args.size)
        ways = {"leadkit batch": leadkit_batch, "naive papermill + nbconvert loop": naive_loop}
        times: dict[str, list[float]] = {name: [] for name in ways}
        files: dict[str, int] = {}
        for _ in range(args.repeat):
            for name, way in ways.items():  # interleaved, so drift in the machine hits both
                out = folder / name.split()[0]
                shutil.rmtree(out, ignore_errors=True)
                start = time.perf_counter()
                way(params, out, args.months)
                times[name].append(time.perf_counter() - start)
                files[name] = produced(out)
    expected = args.months * len(REPORTS) * 3
    naive = statistics.median(times["naive papermill + nbconvert loop"])
    rows = [[name, files[name], statistics.median(t), naive / statistics.median(t)] for name, t in times.items()]
    print(f"\n{args.months} months x 3 reports x HTML+PDF+Excel on {args.size} leads ({expected} files expected), "
          f"median of {args.repeat}\n")  # fmt: skip
    print(table(["way", "files", "median s", "naive / this"], rows))


if __name__ == "__main__":
    main()
