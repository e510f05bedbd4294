"""An analyst's filter changes in the panel: compute + redraw per change, and a burst of changes.

For each report, a ``ReportPanel`` is built (untimed, as when the notebook opens), then its
widgets are changed the way an analyst does: pick a manager, add a second, pick a lead
type, switch the period to a quarter, clear the filters, back to the year. Each change
runs what the panel runs off the kernel's thread (compute the report and the option
counts, render the tables, then draw the charts) with the panel's stores emptied first
(results, tables and charts), so every change pays in full. Printed per report: median
and slowest time to the *first paint* (headline and tables on screen, each chart a box
saying "Drawing chart…") and to *complete* (the charts swapped in), and the medians of
compute, tables and charts.

Then the same panel with the notebook's debounce (0.3 s) and worker thread: one change
from the click to the report on screen, and five changes fired back to back (a burst),
from the first click until the newest is on screen; only the newest may be computed.
The ratio is of complete times.

Targets (issue 12): per change (compute + redraw) ≤ 0.25 s on the demo, ≤ 0.4 s on 1M
leads; a burst of 5 settles in ≤ 1.5× one change.

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
from leadkit.render.charts import Planned
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
    """Time spent in the panel's compute, its tables and its charts, by patching what the panel calls."""

    def __init__(self) -> None:
        self.spent = {"compute": 0.0, "tables": 0.0, "charts": 0.0}
        self.patched = {"compute": (panel_module, "compute"), "tables": (panel_module, "notebook_html"),
                        "charts": (Planned, "draw")}  # fmt: skip
        self.real = {what: getattr(owner, name) for what, (owner, name) in self.patched.items()}

    def timed(self, what: str) -> Callable[..., Any]:
        def run(*args: Any, **kw: Any) -> Any:
            start = time.perf_counter()
            try:
                return self.real[what](*args, **kw)
            finally:
                self.spent[what] += time.perf_counter() - start

        return run

    def __enter__(self) -> Timer:
        for what, (owner, name) in self.patched.items():
            setattr(owner, name, self.timed(what))
        return self

    def __exit__(self, *_: object) -> None:
        for what, (owner, name) in self.patched.items():
            setattr(owner, name, self.real[what])


class FirstPaint:
    """When the panel last put a report's tables on screen (its first stage), on whichever thread."""

    def __init__(self, panel: ReportPanel) -> None:
        self.at = 0.0
        real = panel._show

        def shown(done: Any) -> None:
            real(done)
            self.at = time.perf_counter()

        panel._show = shown  # type: ignore[method-assign]


def forget(panel: ReportPanel) -> None:
    panel._results.clear()
    panel._drawn.clear()
    panel._charts.clear()


def per_change(panel: ReportPanel, name: str, rounds: int) -> list[object]:
    firsts, totals = [], []
    spent: dict[str, list[float]] = {"compute": [], "tables": [], "charts": []}
    painted = FirstPaint(panel)
    with Timer() as timer:
        for _ in range(rounds):
            for change in changes(panel):
                forget(panel)
                timer.spent.update(compute=0.0, tables=0.0, charts=0.0)
                start = time.perf_counter()
                change()
                totals.append(time.perf_counter() - start)
                firsts.append(painted.at - start)
                for what, times in spent.items():
                    times.append(timer.spent[what])
                if "leadkit-error" in panel.status.value or 'chart-pending"' in panel.report.value:
                    raise SystemExit(f"{name}: the panel shows {panel.status.value or 'a chart not drawn'}")
    med = statistics.median
    return [name, len(totals), med(firsts), max(firsts), med(totals), max(totals),
            *(med(times) for times in spent.values())]  # fmt: skip


def burst(panel: ReportPanel, name: str, rounds: int) -> list[object]:
    """One change vs five back to back, with the notebook's debounce and worker thread."""
    panel.latest.delay = PANEL_DELAY
    painted = FirstPaint(panel)
    ones, one_firsts, bursts, burst_firsts = [], [], [], []
    steps = changes(panel)
    for _ in range(rounds):
        forget(panel)
        start = time.perf_counter()
        steps[0]()
        panel.wait()
        ones.append(time.perf_counter() - start)
        one_firsts.append(painted.at - start)
        forget(panel)
        before = panel.latest.generation
        start = time.perf_counter()
        for step in steps[1:6]:
            step()
        panel.wait()
        bursts.append(time.perf_counter() - start)
        burst_firsts.append(painted.at - start)
        assert panel.latest.generation - before >= 5 and 'chart-pending"' not in panel.report.value
        steps[-1]()  # back to the year, then the managers cleared, for the next round
        steps[5]()
        panel.wait()
    panel.latest.delay = None
    med = statistics.median
    one, five = med(ones), med(bursts)
    return [name, med(one_firsts), one, med(burst_firsts), five, five / one, "yes" if five <= 1.5 * one else "NO"]


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
    print(f"\nfilter changes on {args.size} leads: compute + redraw per change, seconds (medians, slowest)\n")
    print(table(["report", "changes", "first paint", "slowest", "complete", "slowest", "compute", "tables",
                 "charts"], rows))  # fmt: skip
    print(f"\nclick to screen with the {PANEL_DELAY} s debounce: one change vs 5 rapid changes, seconds\n")
    print(table(["report", "one: first paint", "one: complete", "5 rapid: first paint", "5 rapid: complete",
                 "ratio", "≤ 1.5×"], bursts))  # fmt: skip


if __name__ == "__main__":
    main()
