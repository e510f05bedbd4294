"""Employee performance with very many managers: compute, charts, the page, Excel — and how big the page is.

A page (and a notebook's output, which travels through the kernel's display channel) shows
the busiest ``MAX_GROUPS`` managers and says so; Excel has all of them. This prints the time
of each step and the page's size for each number of managers (four leads each, one month).

Run: .venv/bin/python benchmarks/many_groups.py [--managers 1000 5000 20000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from leadkit.leads import from_frame
from leadkit.model import CANONICAL_COLUMNS

sys.path.insert(0, str(Path(__file__).parent))
from common import machine, table

LEADS_EACH = 4


def many_managers(managers: int, seed: int = 1) -> pd.DataFrame:
    """``managers`` × ``LEADS_EACH`` leads in March 2025, won, lost or open at random."""
    rng = np.random.default_rng(seed)
    n = managers * LEADS_EACH
    group = rng.choice(["won", "lost", "in_progress"], n)
    created = pd.Timestamp("2025-03-01") + pd.to_timedelta(rng.integers(0, 30 * 24, n), unit="h")
    closed = pd.Series(created + pd.to_timedelta(rng.integers(1, 200, n), unit="h")).where(group != "in_progress")
    nothing = pd.Series([None] * n, dtype="string")
    frame = pd.DataFrame({
        "lead_id": [f"L{i}" for i in range(n)], "created_at": created.astype("datetime64[us]"),
        "closed_at": closed.astype("datetime64[us]"), "lead_type": rng.choice(["Call", "Web", "Walk-in"], n),
        "status": np.where(group == "won", "Won", np.where(group == "lost", "Expensive", "In work")),
        "status_group": group, "manager": [f"Manager {i % managers:05d}" for i in range(n)], "branch": "North",
        "ad_campaign": "(not set)", "client": nothing, "order_id": nothing, "sale_id": nothing,
        "converted": pd.Series([None] * n, dtype="boolean"), "status_result": nothing,
    })  # fmt: skip
    return frame[list(CANONICAL_COLUMNS)]


def measure(managers: int, folder: Path) -> list[object]:
    from leadkit.api import compute
    from leadkit.render.charts import charts
    from leadkit.render.excel import write_workbook
    from leadkit.render.html import notebook_html
    from leadkit.render.views import view_of

    leads = from_frame(many_managers(managers))
    seconds = {}
    start = time.perf_counter()
    result = compute("employee_performance", leads, period="2025-03")
    seconds["compute"] = time.perf_counter() - start
    start = time.perf_counter()
    charts(result, view_of(result), "en")
    seconds["charts"] = time.perf_counter() - start
    start = time.perf_counter()
    page = notebook_html(result, "en")
    seconds["page"] = time.perf_counter() - start
    start = time.perf_counter()
    write_workbook(result, folder / f"many-{managers}.xlsx")
    seconds["excel"] = time.perf_counter() - start
    size = len(page.encode("utf-8")) / 1e6
    return [f"{managers:,}", *seconds.values(), sum(seconds.values()), size]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--managers", type=int, nargs="+", default=[1000, 5000, 20000])
    args = parser.parse_args()
    print(machine())
    with tempfile.TemporaryDirectory() as folder:
        rows = [measure(n, Path(folder)) for n in args.managers]
    headers = ["managers", "compute s", "charts s", "page s", "excel s", "total s", "page MB"]
    print(table(headers, rows))


if __name__ == "__main__":
    main()
