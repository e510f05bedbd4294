"""An analyst's filter change in JupyterLab on 1M leads: recompute and redraw one report.

For each report, a ``ReportPanel`` is built on the 1M-lead demo snapshot (untimed, as
when the notebook opens), then its widgets are changed the way an analyst does: pick a
manager, add a second, pick a lead type, switch the period to a quarter, clear the
filters. Each change runs what the widget's observer runs (compute the report, render
its tables and charts into the panel). Printed per report: the median and the slowest
change, and the median split into compute and redraw.

Target (issue 6): under 0.5 s per change.

Run: .venv/bin/python benchmarks/filter_change.py [--size 1M] [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from common import machine, table
from data import YEAR, snapshot_path

from leadkit import widgets
from leadkit.api import compute
from leadkit.method import DEFAULT
from leadkit.notebook import Workspace
from leadkit.scope import Scope
from leadkit.snapshot import read_snapshot

REPORTS = ("lead_conversion", "lost_leads", "employee_performance")


def changes(panel: widgets.ReportPanel) -> list[Callable[[], None]]:
    managers = [v for _, v in panel.managers.options][:2]
    lead_type = next(v for _, v in panel.lead_types.options)

    def setter(control: object, value: object) -> Callable[[], None]:
        return lambda: setattr(control, "value", value)

    return [
        setter(panel.managers, (managers[0],)),
        setter(panel.managers, tuple(managers)),
        setter(panel.lead_types, (lead_type,)),
        setter(panel.period, f"{YEAR}-Q4"),
        setter(panel.lead_types, ()),
        setter(panel.managers, ()),
        setter(panel.period, YEAR),
    ]


def measure(name: str, leads: object, rounds: int) -> list[object]:
    first = compute(name, leads, period=YEAR)  # type: ignore[arg-type]
    workspace = Workspace(leads, Scope(), DEFAULT, "en")  # type: ignore[arg-type]
    panel = widgets.ReportPanel(name, workspace, first, "en", export_dir="/tmp")
    spent = {"compute": 0.0, "draw": 0.0}
    real_compute, real_draw = widgets.compute, panel._draw

    def timed_compute(*args: object, **kw: object) -> object:
        start = time.perf_counter()
        try:
            return real_compute(*args, **kw)  # type: ignore[arg-type]
        finally:
            spent["compute"] += time.perf_counter() - start

    def timed_draw() -> None:
        start = time.perf_counter()
        real_draw()
        spent["draw"] += time.perf_counter() - start

    widgets.compute = timed_compute  # type: ignore[assignment]
    panel._draw = timed_draw  # type: ignore[method-assign]
    totals, computes, draws = [], [], []
    try:
        for _ in range(rounds):
            for change in changes(panel):
                spent.update(compute=0.0, draw=0.0)
                start = time.perf_counter()
                change()
                totals.append(time.perf_counter() - start)
                computes.append(spent["compute"])
                draws.append(spent["draw"])
                if panel.status.value:
                    raise SystemExit(f"{name}: the panel reported {panel.status.value}")
    finally:
        widgets.compute = real_compute
    med = statistics.median
    return [name, len(totals), med(totals), max(totals), med(computes), med(draws)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="1M")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(machine())
    leads = read_snapshot(snapshot_path(args.size))
    rows = [measure(name, leads, args.rounds) for name in REPORTS]
    print(f"\nfilter changes on {args.size} leads (seconds per change)\n")
    print(table(["report", "changes", "median s", "slowest s", "compute s", "redraw s"], rows))


if __name__ == "__main__":
    main()
