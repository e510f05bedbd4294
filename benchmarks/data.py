"""Benchmark data: demo leads at 100k, 1M and 10M rows as leadkit Parquet snapshots.

Each size covers two calendar years (2024 and 2025), so "one year" is 2025 and the
comparisons against 2024 do real work. Files are cached in benchmarks/data/ (git-ignored)
and rebuilt only when missing.

Run: .venv/bin/python benchmarks/data.py [--sizes 100k 1M 10M]
"""

from __future__ import annotations

import argparse
import gc
import time
from datetime import date
from pathlib import Path

from leadkit.snapshot import write_snapshot
from leadkit.sources import demo
from leadkit.sources.data import SourceData
from leadkit.sources.validate import validated

FOLDER = Path(__file__).parent / "data"
SIZES = {"100k": 100_000, "1M": 1_000_000, "10M": 10_000_000}
START, END = date(2024, 1, 1), date(2025, 12, 31)
YEAR = "2025"
SEED = 11


def snapshot_path(size: str) -> Path:
    """The Parquet snapshot of ``size`` demo leads, built on first use."""
    path = FOLDER / f"demo-{size}.parquet"
    if not path.exists():
        FOLDER.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        frame = validated(demo.generate(SIZES[size], SEED, START, END), f"demo {size}")
        no_reason = (demo.NAMES["en"]["lost"][-1],)
        write_snapshot(SourceData(frame, f"demo ({size} leads, seed {SEED})", len(frame), no_reason), path, "UTC")
        del frame
        gc.collect()
        print(f"wrote {path} in {time.perf_counter() - started:.1f} s")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=list(SIZES), choices=list(SIZES))
    for size in parser.parse_args().sizes:
        print(size, snapshot_path(size), f"{snapshot_path(size).stat().st_size / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
