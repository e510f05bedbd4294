"""The three reports over one year of demo leads: leadkit against hand-written SQL and pandas.

Per size (100k, 1M, 10M leads over 2024-2025; the year is 2025) and per contender, in a
fresh process each, the median seconds of ``--repeat`` runs of all three reports:

  warm  the data is loaded already (leadkit: a snapshot in DuckDB; SQL: an ENUM table;
        pandas: a categorical frame); only the reports are timed
  cold  each run starts from the Parquet file: load, then the three reports

plus the process's peak memory. leadkit computes the three together (``compute_many``: the
data-quality counts, the trend and the curve once for the scope) and both baselines share
the same parts the same way (``Baseline.sharing``). Before any time is printed, each baseline's key figures
(leads per lead type, lost leads per reason, leads per manager) are checked against
leadkit's, so a baseline cannot be fast by doing less.

Targets (issue 6): at 10M, leadkit warm within 1.5x of the SQL baseline and at least 3x
faster than pandas, with peak memory under 1.5 GB.

Run: .venv/bin/python benchmarks/reports.py [--sizes 100k 1M 10M] [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from baselines import PandasBaseline, SqlBaseline, key_figures, year_window
from common import in_child, machine, report, table, timed_runs
from data import SIZES, YEAR, snapshot_path

REPORTS = ("lead_conversion", "lost_leads", "employee_performance")
CONTENDERS = ("leadkit", "sql", "pandas")
NO_REASON = ("Lost",)  # the demo's generic loss status


def leadkit_figures(results: dict[str, Any]) -> dict[str, dict[str, int]]:
    conv, lost, emp = (results[name] for name in REPORTS)
    return {
        "lead_conversion": {str(k): int(v) for k, v in zip(conv.rows["lead_type"], conv.rows["leads"], strict=True)},
        "lost_leads": {str(k): int(v) for k, v in zip(lost.reasons["reason"], lost.reasons["leads"], strict=True)},
        "employee_performance": {str(k): int(v) for k, v in zip(emp.rows["manager"], emp.rows["leads"], strict=True)},
    }


def child(contender: str, mode: str, size: str, repeat: int) -> None:
    path = str(snapshot_path(size))
    if contender == "leadkit":
        from leadkit.periods import parse_period
        from leadkit.reports import compute_many
        from leadkit.scope import Scope
        from leadkit.snapshot import read_snapshot

        scope = Scope(period=parse_period(YEAR))

        def load() -> Any:
            return read_snapshot(path)

        def three(leads: Any) -> dict[str, Any]:
            return leadkit_figures(dict(zip(REPORTS, compute_many(REPORTS, leads, scope), strict=True)))
    else:
        window = year_window(int(YEAR))
        kind = SqlBaseline if contender == "sql" else PandasBaseline

        def load() -> Any:
            return kind(path, NO_REASON)

        def three(base: Any) -> dict[str, Any]:
            with base.sharing():  # as compute_many shares them: each part once per window
                return {name: key_figures(name, getattr(base, name)(window)) for name in REPORTS}

    if mode == "warm":
        loaded = load()
        figures = three(loaded)  # a first run, untimed, as a user's first look would be
        times = timed_runs(lambda: three(loaded), repeat)
    else:
        times = timed_runs(lambda: three(load()), repeat)
        figures = three(load())
    report(times, figures=figures)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", nargs="+", default=list(SIZES), choices=list(SIZES))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", nargs=4, metavar=("CONTENDER", "MODE", "SIZE", "REPEAT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        contender, mode, size, repeat = args.child
        child(contender, mode, size, int(repeat))
        return
    print(machine())
    for size in args.sizes:
        snapshot_path(size)  # built outside any timing
        got = {
            (c, m): in_child("reports.py", c, m, size, str(args.repeat)) for m in ("warm", "cold") for c in CONTENDERS
        }
        truth = got[("leadkit", "warm")]["figures"]
        for key, result in got.items():
            if result["figures"] != truth:
                raise SystemExit(f"{size}: {key} disagrees with leadkit's figures:\n{result['figures']}\n{truth}")
        rows = []
        for mode in ("warm", "cold"):
            sql, pandas_ = got[("sql", mode)]["median"], got[("pandas", mode)]["median"]
            for contender in CONTENDERS:
                r = got[(contender, mode)]
                rows.append([contender, mode, r["median"], r["median"] / sql, pandas_ / r["median"], r["peak_mb"]])
        print(f"\n{size} leads, three reports over {YEAR} (median of {args.repeat}); figures agree\n")
        print(table(["contender", "data", "median s", "x SQL", "pandas / this", "peak MB"], rows))


if __name__ == "__main__":
    main()
