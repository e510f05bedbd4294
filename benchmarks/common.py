"""What every benchmark script shares: runs in child processes, medians, peak memory, tables.

Each contender runs in a fresh Python process, so its peak memory (max RSS) is its own
and no contender warms a cache for the next. The child prints one JSON line: the
seconds of each run and its peak memory in MB.
"""

from __future__ import annotations

import json
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent


def peak_mb() -> float:
    """This process's peak resident memory so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed_runs(run: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return times


def report(times: list[float], **extra: Any) -> None:
    """What a child prints for its parent: run times, peak memory, anything else."""
    print(json.dumps({"times": times, "peak_mb": peak_mb(), **extra}))


def in_child(script: str, *args: str) -> dict[str, Any]:
    """Run ``benchmarks/<script> --child args...`` and return what it reported."""
    done = subprocess.run(
        [sys.executable, str(HERE / script), "--child", *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"{script} {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["median"] = statistics.median(result["times"])
    return result


def machine() -> str:
    """One line about this machine and the versions that decide the results."""
    import os

    packages = ["duckdb", "ibis-framework", "pandas", "pyarrow", "papermill", "nbconvert", "weasyprint", "xlsxwriter"]
    found = []
    for name in packages:
        try:
            found.append(f"{name} {version(name)}")
        except Exception:
            continue
    cores = os.cpu_count()
    return f"{platform.machine()}, {cores} cores, Python {platform.python_version()}; " + ", ".join(found)


def table(headers: list[str], rows: list[list[Any]]) -> str:
    """A Markdown table, numbers right-aligned: printed, and pasted into RESULTS.md as it is."""
    text = [[f"{v:,.2f}" if isinstance(v, float) else str(v) for v in row] for row in rows]
    line = "| " + " | ".join(headers) + " |"
    rule = "|" + "|".join("---" if i == 0 else "---:" for i in range(len(headers))) + "|"
    return "\n".join([line, rule, *("| " + " | ".join(r) + " |" for r in text)])
