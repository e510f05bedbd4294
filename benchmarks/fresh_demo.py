"""A fresh machine's first report: `make demo` in a new clone, install and reports timed apart (issue 14, point 6).

The clone gets no `.venv`; pip's download cache is off (``--no-cache``, the default) so
every wheel comes from the package registry as on a new machine. `make demo` is run as
its two parts: the demo install (`make .venv/.installed-demo`) and the reports. Prints
one table; the target is the whole under 150 s on this machine.

Run: .venv/bin/python benchmarks/fresh_demo.py [--keep-cache] [--repeat 1]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from common import machine, table

ROOT = Path(__file__).resolve().parents[1]


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    return time.perf_counter() - started, done.stdout


def one_run(keep_cache: bool) -> tuple[float, float, list[str]]:
    with tempfile.TemporaryDirectory(prefix="leadkit-fresh-") as tmp:
        clone = Path(tmp) / "leadkit"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
        if not keep_cache:
            env["PIP_NO_CACHE_DIR"] = "1"
        install, _ = timed(["make", ".venv/.installed-demo"], clone, env)
        reports, out = timed(["make", "demo"], clone, env)
        freeze = subprocess.run([str(clone / ".venv/bin/python"), "-m", "pip", "list", "--format=freeze"],
                                capture_output=True, text=True, check=True).stdout.splitlines()  # fmt: skip
        if "index.html" not in out:
            raise SystemExit(f"make demo printed no index path:\n{out}")
        return install, reports, freeze


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--keep-cache", action="store_true", help="let pip use its download cache")
    args = parser.parse_args()
    if shutil.which("make") is None:
        raise SystemExit("make is needed")
    runs = [one_run(args.keep_cache) for _ in range(args.repeat)]
    install = statistics.median(r[0] for r in runs)
    reports = statistics.median(r[1] for r in runs)
    heavy = sorted({line.split("==")[0] for line in runs[0][2]} & {"pyspark", "psycopg", "pytest", "jupyterlab",
                                                                   "voila", "playwright", "mypy", "ruff"})  # fmt: skip
    print(machine())
    cache = "pip cache on" if args.keep_cache else "no pip cache"
    print(f"\nmake demo in a fresh clone ({cache}), median of {args.repeat}\n")
    print(table(["step", "seconds"], [["install (.venv with the demo's packages)", install],
                                      ["reports (batch Oct–Dec 2025 + year 2025)", reports],
                                      ["make demo, whole", install + reports]]))  # fmt: skip
    print(f"\npackages installed: {len(runs[0][2])}; of the heavy ones: {', '.join(heavy) or 'none'}")


if __name__ == "__main__":
    main()
