"""A year of monthly reports (12 months x 3 reports, each to HTML, PDF and Excel) on 1M leads.

Two ways to the same 108 files, side by side in one run:

  leadkit batch   `leadkit batch --from 2025-01 --to 2025-12 --every month --force`:
                  the source is read and validated once into a snapshot; each of the
                  worker processes keeps one warm kernel for all its notebooks, and
                  render workers make the HTML and PDF of a notebook while the next runs
  naive loop      for each month and report, one after the other, the commands a user
                  would chain by hand: `papermill` (the notebook reads the source
                  itself, shows the static report and writes the Excel file),
                  `jupyter nbconvert --to html
                  --no-input`, then `weasyprint` for the PDF (nbconvert's own PDF needs
                  LaTeX, and its webpdf a downloaded Chromium; neither is on a print server)

Both read the same params file, whose source is the 1M-lead demo Parquet file. Printed:
median seconds, the ratio, and the files each produced (checked: 108 non-empty files);
then, from the timings the batch records in each period's manifest.json (last repeat),
where leadkit batch's time goes per report:

  kernel start  starting a kernel until it answers (once per worker, and per replaced kernel)
  imports       the warm-up import of leadkit's notebook and render modules (pandas, Ibis,
                DuckDB, matplotlib, xlsxwriter): once per kernel
  compute       the notebook's cells as papermill times them, less the Excel file: opening
                the snapshot, the report's queries, the notebook's own HTML display
  Excel         writing the .xlsx (inside the notebook, `lk.show(excel_path=...)`)
  HTML          nbconvert of the executed notebook into the standalone page (render worker)
  PDF           WeasyPrint printing that page (render worker)

Kernel start and imports are paid once per kernel, not per report: their row shows the
totals and the notebooks they are spread over. The stages' seconds add up to more than
the wall time, because notebooks, rendering and the two workers run at the same time.

Targets: issue 6, leadkit batch at least 3x faster than the naive loop; issue 14 point 5,
at least 6x.

Run: .venv/bin/python benchmarks/batch_year.py [--size 1M] [--months 12] [--repeat 2]
"""

from __future__ import annotations

import argparse
import json
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


STAGES = ("kernel_start", "imports", "compute", "excel", "html", "pdf")
HEADERS = ["kernel start", "imports", "compute", "Excel", "HTML", "PDF"]


def stage_seconds(out: Path) -> dict[str, list[dict[str, float]]]:
    """Each report's recorded timings, one dict per period, from the batch's manifests."""
    found: dict[str, list[dict[str, float]]] = {}
    for path in sorted(out.glob("*/manifest.json")):
        for report, timings in json.loads(path.read_text(encoding="utf-8")).get("timings", {}).items():
            found.setdefault(report, []).append(timings)
    return found


def breakdown(found: dict[str, list[dict[str, float]]]) -> str:
    """Mean seconds per notebook of each stage, per report; once-per-kernel costs as each notebook's share."""
    every = [t for runs in found.values() for t in runs]
    if not every:
        return "(no timings recorded in the manifests)"
    shares = [sum(t.get(stage, 0.0) for t in every) / len(every) for stage in STAGES[:2]]
    rows: list[list[object]] = []
    for report, runs in found.items():
        means = [statistics.mean(t.get(stage, 0.0) for t in runs) for stage in STAGES[2:]]
        rows.append([report, len(runs), *shares, *means, sum(shares) + sum(means)])
    kernels = sum(1 for t in every if t.get("kernel_start", 0.0) > 0)
    totals = {stage: sum(t.get(stage, 0.0) for t in every) for stage in STAGES}
    note = (f"{kernels} kernels started for {len(every)} notebooks: {totals['kernel_start']:.2f} s starting and "
            f"{totals['imports']:.2f} s importing in all, shown as each notebook's share; all stages together "
            f"{sum(totals.values()):.2f} s")  # fmt: skip
    return table(["report", "notebooks", "kernel start (share)", "imports (share)", *HEADERS[2:], "sum"], rows) + (
        "\n\n" + note
    )


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
        stages: dict[str, list[dict[str, float]]] = {}
        for _ in range(args.repeat):
            for name, way in ways.items():  # interleaved, so drift in the machine hits both
                out = folder / name.split()[0]
                shutil.rmtree(out, ignore_errors=True)
                start = time.perf_counter()
                way(params, out, args.months)
                times[name].append(time.perf_counter() - start)
                files[name] = produced(out)
                if way is leadkit_batch:
                    stages = stage_seconds(out)
    expected = args.months * len(REPORTS) * 3
    naive = statistics.median(times["naive papermill + nbconvert loop"])
    rows = [[name, files[name], statistics.median(t), naive / statistics.median(t)] for name, t in times.items()]
    print(f"\n{args.months} months x 3 reports x HTML+PDF+Excel on {args.size} leads ({expected} files expected), "
          f"median of {args.repeat}\n")  # fmt: skip
    print(table(["way", "files", "median s", "naive / this"], rows))
    print("\nWhere leadkit batch's time goes, mean seconds per notebook of each stage (last repeat):\n")
    print(breakdown(stages))


if __name__ == "__main__":
    main()
