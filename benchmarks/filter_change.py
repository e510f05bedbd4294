"""An analyst's filter changes in the panel: compute + redraw per change, and a burst of changes.

For each report, a ``ReportPanel`` is built (untimed, as when the notebook opens), then its
widgets are changed the way an analyst does: pick a manager, add a second, pick a lead
type, switch the period to a quarter, clear the filters, back to the year. Each change
runs what the panel runs off the kernel's thread (compute the report and the option
counts, render tables and charts) with the panel's stores emptied first, so every change
pays in full. Printed per report: median and slowest change, split into compute and redraw.

Then the same panel with the notebook's debounce (0.3 s) and worker thread: one change
from the click to the report on screen, and five changes fired back to back (a burst),
from the first click until the newest is on screen; only the newest may be computed.

Targets (issue 12): per change ≤ 0.25 s on the demo, ≤ 0.4 s on 1M leads; a burst of 5
settles in ≤ 1.5× one change.

Run: .venv/bin/python benchmarks/filter_change.py --size demo [--rounds 3]
     (--size 100k / 1M / 10M use benchmarks/data.py's snapshots)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from common import machine, table
from data import YEAR, snapshot_path

from leadkit.api import compute
from leadkit.leads import Leads, load_leads
from leadkit.method import DEFAULT
from leadkit.notebook import PANEL_DELAY, Workspace
from leadkit.params import load_params
from leadkit.periods import parse_period
from leadkit.scope import Scope
from leadkit.widgets import ReportPanel
from leadkit.widgets import panel as panel_module

REPORTS = ("lead_conversion", "lost_leads", "employee_performance")
ROOT = Path(__file__).resolve().parents[1]


def changes(panel: ReportPanel) -> list[Callable[[], None]]:
    managers = [v for _, v in panel.managers.options][:2]
    lead_type = next(v for _, v in panel.lead_types.options)

    def setter(control: Any, value: object) -> Callable[[], None]:
        return lambda: setattr(control, "value", value)

    return [
        setter(panel.managers, (managers[0],)),
        setter(panel.managers, tuple(managers)),
        setter(panel.lead_types, (lead_type,)),
        lambda: panel.choose_period(parse_period(f"{YEAR}-Q4")),
        setter(panel.lead_types, ()),
        setter(panel.managers, ()),
        lambda: panel.choose_period(parse_period(YEAR)),
    ]


class Timer:
    """Time spent in the panel's compute and its drawing, by patching the names the panel calls."""

    def __init__(self) -> None:
        self.spent = {"compute": 0.0, "draw": 0.0}
        self.real = {"compute": panel_module.compute, "draw": panel_module.notebook_html}

    def timed(self, what: str) -> Callable[..., Any]:
        def run(*args: Any, **kw: Any) -> Any:
            start = time.perf_counter()
            try:
                return self.real[what](*args, **kw)
            finally:
                self.spent[what] += time.perf_counter() - start

        return run

    def __enter__(self) -> Timer:
        panel_module.compute = self.timed("compute")  # type: ignore[attr-defined]
        panel_module.notebook_html = self.timed("draw")  # type: ignore[attr-defined]
        return self

    def __exit__(self, *_: object) -> None:
        panel_module.compute = self.real["compute"]  # type: ignore[attr-defined]
        panel_module.notebook_html = self.real["draw"]  # type: ignore[attr-defined]


def forget(panel: ReportPanel) -> None:
    panel._results.clear()
    panel._drawn.clear()


def per_change(panel: ReportPanel, name: str, rounds: int) -> list[object]:
    totals, computes, draws = [], [], []
    with Timer() as timer:
        for _ in range(rounds):
            for change in changes(panel):
                forget(panel)
                timer.spent.update(compute=0.0, draw=0.0)
                start = time.perf_counter()
                change()
                totals.append(time.perf_counter() - start)
                computes.append(timer.spent["compute"])
                draws.append(timer.spent["draw"])
                if "leadkit-error" in panel.status.value:
                    raise SystemExit(f"{name}: the panel reported {panel.status.value}")
    med = statistics.median
    return [name, len(totals), med(totals), max(totals), med(computes), med(draws)]


def burst(panel: ReportPanel, name: str, rounds: int) -> list[object]:
    """One change vs five back to back, with the notebook's debounce and worker thread."""
    panel.latest.delay = PANEL_DELAY
    ones, bursts, computed = [], [], []
    steps = changes(panel)
    for _ in range(rounds):
        forget(panel)
        start = time.perf_counter()
        steps[0]()
        panel.wait()
        ones.append(time.perf_counter() - start)
        forget(panel)
        before = panel.latest.generation
        with Timer() as timer:
            start = time.perf_counter()
            for step in steps[1:6]:
                step()
            panel.wait()
            bursts.append(time.perf_counter() - start)
            computed.append(timer.spent["compute"] > 0)
        assert panel.latest.generation - before >= 5
        steps[-1]()  # back to the year, then the managers cleared, for the next round
        steps[5]()
        panel.wait()
    panel.latest.delay = None
    one, five = statistics.median(ones), statistics.median(bursts)
    return [name, one, five, five / one, "yes" if five <= 1.5 * one else "NO"]


def leads_of(size: str) -> Leads:
    if size == "demo":
        return load_leads(load_params(ROOT / "params" / "demo.yaml"))
    from leadkit.snapshot import read_snapshot

    return read_snapshot(snapshot_path(size))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="demo", help="demo (params/demo.yaml), 100k, 1M or 10M")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--reports", nargs="+", default=list(REPORTS), choices=REPORTS)
    args = parser.parse_args()
    print(machine())
    leads = leads_of(args.size)
    rows, bursts = [], []
    for name in args.reports:
        first = compute(name, leads, period=YEAR)
        panel = ReportPanel(name, Workspace(leads, Scope(), DEFAULT, "en"), first, "en", export_dir="/tmp")
        rows.append(per_change(panel, name, args.rounds))
        bursts.append(burst(panel, name, args.rounds))
    print(f"\nfilter changes on {args.size} leads: compute + redraw per change, seconds\n")
    print(table(["report", "changes", "median s", "slowest s", "compute s", "redraw s"], rows))
    print(f"\nclick to screen with the {PANEL_DELAY} s debounce: one change vs 5 rapid changes, seconds\n")
    print(table(["report", "one change s", "5 rapid s", "ratio", "≤ 1.5×"], bursts))


if __name__ == "__main__":
    main()
