"""How fast a year of monthly reports could be at best: the rendering floor against the naive loop.

Issue 14, point 5 asks a year of monthly periods x three reports (HTML, PDF and Excel each)
on 1M leads to run at least 6x faster than the naive `papermill` + `nbconvert` + `weasyprint`
loop. Whatever leadkit does with kernels and imports, every notebook's Excel workbook, HTML
page and PDF must still be made, and each of those is one single-threaded library call
(xlsxwriter, nbconvert, WeasyPrint). This script measures, for one month, one after the
other on a quiet machine:

  naive        each step of the naive loop as a user chains them (one process per step):
               papermill (kernel start, imports, the notebook, its Excel file), nbconvert
               to HTML, weasyprint to PDF
  floor        in one warm process (every step run once untimed first), what no way
               of running notebooks avoids: the report's compute (from the ingest cache),
               writing its Excel workbook, nbconvert of the executed notebook into
               leadkit's page, and WeasyPrint printing that page as leadkit prints it

Then the year: 12 x the month, the floor spread perfectly over all cores (no kernel start,
no imports, no waiting). The naive year divided by that floor is the largest ratio any
batch could reach on this machine with these renderers.

Run: .venv/bin/python benchmarks/batch_floor.py [--size 1M] [--month 2025-03]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from batch_year import BIN, NOTEBOOKS, REPORTS, write_params
from common import machine, table

NAIVE = ("papermill", "nbconvert", "weasyprint")
FLOOR = ("compute", "Excel", "HTML", "PDF")


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def naive_steps(params: Path, folder: Path, month: str, report: str) -> list[float]:
    """The naive loop's three steps for one notebook, as `batch_year.naive_loop` runs them."""
    ipynb, xlsx = folder / f"{report}.ipynb", folder / f"{report}.xlsx"
    run = [str(BIN / "papermill"), str(NOTEBOOKS / f"{report}.ipynb"), str(ipynb), "-k", "python3",
           "--cwd", str(NOTEBOOKS), "-p", "params_file", str(params), "-p", "period", month,
           "-p", "excel_path", str(xlsx), "-p", "interactive", "False"]  # fmt: skip
    html = [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(ipynb)]
    pdf = [str(BIN / "weasyprint"), str(folder / f"{report}.html"), str(folder / f"{report}.pdf")]
    return [timed(run), timed(html), timed(pdf)]


def floor_steps(params: Path, folder: Path, month: str, report: str) -> list[float]:
    """What leadkit cannot skip for one notebook, in this warm process."""
    from leadkit.api import compute
    from leadkit.params import load_params
    from leadkit.pipeline.export import html_to_pdf, notebook_to_html
    from leadkit.render.excel import write_workbook

    loaded = load_params(params)
    start = time.perf_counter()
    result = compute(report, loaded, period=month)
    seconds = [time.perf_counter() - start]
    start = time.perf_counter()
    write_workbook(result, folder / f"floor-{report}.xlsx", "en")
    seconds.append(time.perf_counter() - start)
    start = time.perf_counter()
    page = notebook_to_html(folder / f"{report}.ipynb", report, "en")
    seconds.append(time.perf_counter() - start)
    start = time.perf_counter()
    html_to_pdf(page, folder / f"floor-{report}.pdf")
    seconds.append(time.perf_counter() - start)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="1M")
    parser.add_argument("--month", default="2025-03")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    print(machine())
    with tempfile.TemporaryDirectory(prefix="leadkit-bench-floor-") as tmp:
        folder = Path(tmp)
        params = write_params(folder, args.size)
        (folder / "params.yaml").write_text(
            params.read_text(encoding="utf-8") + f"cache:\n  dir: {folder / 'cache'}\n", encoding="utf-8"
        )
        params = folder / "params.yaml"
        subprocess.run([str(BIN / "leadkit"), "check", str(params)], check=True, capture_output=True)  # ingest once
        naive = {report: naive_steps(params, folder, args.month, report) for report in REPORTS}
        for report in REPORTS:  # untimed: imports, fonts, the ingest cache and compiled queries, once
            floor_steps(params, folder, args.month, report)
        floor = {report: floor_steps(params, folder, args.month, report) for report in REPORTS}
    rows = [[report, *naive[report], sum(naive[report]), *floor[report], sum(floor[report])] for report in REPORTS]
    naive_month = sum(sum(s) for s in naive.values())
    floor_month = sum(sum(s) for s in floor.values())
    rows.append(["month", *[""] * 3, naive_month, *[""] * 4, floor_month])
    print(f"\none month ({args.month}) x 3 reports on {args.size} leads, seconds, one step at a time\n")
    print(table(["report", *NAIVE, "naive", *FLOOR, "floor"], rows))
    year_naive, year_floor = 12 * naive_month, 12 * floor_month / cores
    print(f"\na year: naive loop {year_naive:.1f} s; the floor spread over {cores} cores {year_floor:.1f} s; "
          f"the largest ratio any batch could reach: {year_naive / year_floor:.2f}x")  # fmt: skip
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
