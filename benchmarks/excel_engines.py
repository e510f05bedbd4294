"""Which Excel writer to use: xlsxwriter vs openpyxl on a 150,000-row lost-lead list.

Prints a table of median seconds over several runs, measured side by side in one run:
  leadkit (xlsxwriter)   the whole lost-leads workbook leadkit writes, all formatting
  xlsxwriter, plain      the same list rows, no formats (the floor)
  openpyxl, write-only   the same list rows with the same date/header formats

Run: .venv/bin/python benchmarks/excel_engines.py [--rows 150000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pandas as pd
import xlsxwriter
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from leadkit.api import lost_leads
from leadkit.leads import from_frame
from leadkit.render.excel import write_workbook
from leadkit.sources.demo import generate


def lost_result(rows: int):
    frame = generate(rows, 7, pd.Timestamp("2025-01-01").date(), pd.Timestamp("2025-12-31").date())
    return lost_leads(from_frame(frame, no_reason_statuses=("Lost",)))


def plain_xlsxwriter(frame: pd.DataFrame, path: Path) -> None:
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    ws = wb.add_worksheet("Lost leads")
    ws.write_row(0, 0, list(frame.columns))
    for r, row in enumerate(frame.itertuples(index=False, name=None), start=1):
        for c, value in enumerate(row):
            if isinstance(value, pd.Timestamp):
                ws.write_datetime(r, c, value.to_pydatetime())
            elif value is None or value != value:
                continue
            else:
                ws.write_string(r, c, str(value))
    wb.close()


def formatted_openpyxl(frame: pd.DataFrame, path: Path) -> None:
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Lost leads")
    bold = Font(bold=True)
    header = []
    for name in frame.columns:
        cell = WriteOnlyCell(ws, value=str(name))
        cell.font = bold
        header.append(cell)
    ws.append(header)
    for row in frame.itertuples(index=False, name=None):
        cells = []
        for value in row:
            if isinstance(value, pd.Timestamp):
                cell = WriteOnlyCell(ws, value=value.to_pydatetime())
                cell.number_format = "yyyy-mm-dd hh:mm"
            else:
                cell = WriteOnlyCell(ws, value=None if value is None or value != value else str(value))
                cell.data_type = "s"
            cells.append(cell)
        ws.append(cells)
    wb.save(path)


def median_seconds(task: Callable[[Path], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as folder:
            start = time.perf_counter()
            task(Path(folder) / "out.xlsx")
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=150_000, help="lost leads in the list")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    result = lost_result(int(args.rows / 0.56))  # about 56% of demo leads are lost
    frame = result.leads.to_pandas()
    print(f"lost-lead list: {len(frame):,} rows × {len(frame.columns)} columns")
    runs = {
        "xlsxwriter, plain (floor)": lambda p: plain_xlsxwriter(frame, p),
        "leadkit (xlsxwriter, formatted)": lambda p: write_workbook(result, p),
        "openpyxl write-only, formatted": lambda p: formatted_openpyxl(frame, p),
    }
    measured = {name: median_seconds(task, args.repeat) for name, task in runs.items()}
    floor = measured["xlsxwriter, plain (floor)"]
    print(f"\n{'writer':34} {'median s':>9} {'× floor':>8}")
    for name, seconds in measured.items():
        print(f"{name:34} {seconds:9.2f} {seconds / floor:8.2f}")


if __name__ == "__main__":
    main()
