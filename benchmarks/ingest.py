"""Ingest once: cold `leadkit` processes per command against hand-written DuckDB SQL over the same file.

A user runs one command per process, so every figure here is a fresh process, start to
exit: `leadkit compute … --format json` the first time (reading, mapping and validating
the file into the ingest cache) and then again (from the cache), `leadkit check`, and
`leadkit --help`; against a process that runs the hand-written SQL of
``baselines.SqlBaseline`` over the same Parquet file, both loading it into DuckDB first
(as leadkit's ingest must) and in place (the queries over a view of the file, nothing
loaded: issue 14's baseline, what a person runs once). The file is demo leads in
canonical columns, read as a `kind: file` source.

With ``--csv`` the same leads are a CSV export instead, and the first (ingesting) run of
`leadkit check` is set against a fresh process that only reads that CSV into a DuckDB table
(``read_csv``, every column as text): issue 14's target is the ingest within 2× of that read.
A second process reads it as a cache must keep it: with DuckDB's detected types, into a
database file (checkpointed): what any ingest to a file costs before it maps or checks a value.

Run: .venv/bin/python benchmarks/ingest.py --rows 200000 [--repeat 3] [--csv]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from common import machine, table
from data import END, FOLDER, SEED, START, YEAR

from leadkit.model import REPORTS
from leadkit.snapshot import write_snapshot
from leadkit.sources import demo
from leadkit.sources.data import SourceData
from leadkit.sources.validate import validated

NO_REASON = (demo.NAMES["en"]["lost"][-1],)
LEADKIT = [sys.executable, "-m", "leadkit"]


def data_file(rows: int) -> Path:
    """Demo leads in canonical columns as Parquet, built on first use."""
    path = FOLDER / f"ingest-{rows}.parquet"
    if not path.exists():
        frame = validated(demo.generate(rows, SEED, START, END), f"demo {rows}")
        write_snapshot(SourceData(frame, f"demo ({rows} leads)", rows, NO_REASON), path, "UTC")
    return path


def csv_file(rows: int) -> Path:
    """The same leads as a CSV export (dates as text, blanks empty), built on first use."""
    path = FOLDER / f"ingest-{rows}.csv"
    if not path.exists():
        import duckdb

        with duckdb.connect() as con:
            con.execute(f"COPY (SELECT * FROM read_parquet('{data_file(rows)}')) TO '{path}' (HEADER, DELIMITER ',')")
    return path


def read_csv_child(path: str, into_file: bool = False) -> None:
    """The bare read in this (fresh) process: the CSV into an in-memory DuckDB table, every column as text.

    ``into_file``: into a database file instead, with the types DuckDB detects, checkpointed.
    """
    import duckdb

    if not into_file:
        with duckdb.connect() as con:
            con.execute(f"CREATE TABLE leads AS SELECT * FROM read_csv('{path}', all_varchar=true)")
        return
    with tempfile.TemporaryDirectory() as folder, duckdb.connect(f"{folder}/leads.duckdb") as con:
        con.execute(f"CREATE TABLE leads AS SELECT * FROM read_csv('{path}')")
        con.execute("CHECKPOINT")


def cold(command: list[str]) -> tuple[float, float]:
    """Seconds and peak memory (MB) of one fresh process running ``command``.

    GNU time reports the peak: a child forked from this process would count this one's
    memory (pandas already loaded) in its own maximum.
    """
    started = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-f", "%M", *command], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, check=False)  # fmt: skip
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    return seconds, int(done.stderr.strip().splitlines()[-1]) / 1024


def median_of(command: list[str], repeat: int, before: object = None) -> tuple[float, float]:
    runs = []
    for _ in range(repeat):
        if callable(before):
            before()
        runs.append(cold(command))
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs)


def sql_child(report: str, path: str, direct: bool = False) -> None:
    """The baseline in this (fresh) process: load the file into DuckDB (``direct``: query it in place), run a report."""
    from baselines import SqlBaseline, year_window

    getattr(SqlBaseline(path, NO_REASON, direct), report)(year_window(int(YEAR)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=1, help="cold runs per figure (the median is shown)")
    parser.add_argument("--csv", action="store_true", help="read the leads from a CSV export (the ingest only)")
    parser.add_argument("--sql-child", nargs=2, metavar=("REPORT", "PATH"), help=argparse.SUPPRESS)
    parser.add_argument("--direct-sql-child", nargs=2, metavar=("REPORT", "PATH"), help=argparse.SUPPRESS)
    parser.add_argument("--read-csv-child", metavar="PATH", help=argparse.SUPPRESS)
    parser.add_argument("--read-csv-file-child", metavar="PATH", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.sql_child:
        sql_child(*args.sql_child)
        return
    if args.direct_sql_child:
        sql_child(*args.direct_sql_child, direct=True)
        return
    if args.read_csv_child or args.read_csv_file_child:
        read_csv_child(args.read_csv_child or args.read_csv_file_child, into_file=bool(args.read_csv_file_child))
        return
    path = csv_file(args.rows) if args.csv else data_file(args.rows)
    work = Path(tempfile.mkdtemp(prefix="leadkit-bench-ingest-"))
    params = work / "params.yaml"
    source = {"kind": "file", "path": str(path), "no_reason_statuses": list(NO_REASON)}
    params.write_text(yaml.safe_dump({"source": source, "cache": {"dir": str(work / "cache")}}), encoding="utf-8")

    def compute(report: str) -> list[str]:
        return [*LEADKIT, "compute", str(params), "--report", report, "--period", YEAR, "--format", "json"]

    def no_cache() -> None:
        shutil.rmtree(work / "cache", ignore_errors=True)

    rows = []
    if args.csv:
        bare = median_of([sys.executable, __file__, "--read-csv-child", str(path)], args.repeat)
        filed = median_of([sys.executable, __file__, "--read-csv-file-child", str(path)], args.repeat)
        check = [*LEADKIT, "check", str(params), "--period", YEAR, "--format", "json"]
        first = median_of(check, args.repeat, before=no_cache)
        rows.append(["check: first (ingest the CSV)", *first, *bare, first[0] / bare[0], *filed, first[0] / filed[0]])
        shutil.rmtree(work, ignore_errors=True)
        print(f"{args.rows:,} leads (two years), {path.stat().st_size / 1e6:.1f} MB CSV; cold process per command, "
              f"median of {args.repeat}; read_csv: DuckDB's bare read of the same file into memory, all text; "
              f"into a file: typed, into a database file")  # fmt: skip
        print(table(["command", "leadkit s", "peak MB", "read_csv s", "peak MB", "× read_csv", "into a file s",
                     "peak MB", "× into a file"], rows))  # fmt: skip
        print(f"\n{machine()}; load average {os.getloadavg()[0]:.1f}")
        return
    for report in REPORTS:
        sql = median_of([sys.executable, __file__, "--sql-child", report, str(path)], args.repeat)
        direct = median_of([sys.executable, __file__, "--direct-sql-child", report, str(path)], args.repeat)
        first = median_of(compute(report), args.repeat, before=no_cache)
        cached = median_of(compute(report), args.repeat)
        rows.append(
            [f"compute {report}: first (ingest)", *first, *sql, first[0] / sql[0], *direct, first[0] / direct[0]]
        )
        rows.append([f"compute {report}: cached", *cached, *sql, cached[0] / sql[0], *direct, cached[0] / direct[0]])
    check = median_of([*LEADKIT, "check", str(params), "--period", YEAR, "--format", "json"], args.repeat)
    none = ["—"] * 6
    rows.append(["check: cached", *check, *none])
    for extra in ([], ["compute"]):
        helped = median_of([*LEADKIT, *extra, "--help"], max(args.repeat, 5))
        rows.append([f"leadkit {' '.join([*extra, '--help'])}", *helped, *none])
    shutil.rmtree(work, ignore_errors=True)
    print(f"{args.rows:,} leads (two years, reports of {YEAR}), {path.stat().st_size / 1e6:.1f} MB Parquet; "
          f"cold process per command, median of {args.repeat}")  # fmt: skip
    print(
        "SQL: the baseline loads the file into DuckDB (ENUM columns) first, as leadkit's ingest does; "
        "SQL in place: the same queries over a view of the Parquet file, nothing loaded"
    )
    print(table(["command", "leadkit s", "peak MB", "SQL s", "SQL peak MB", "× SQL",
                 "SQL in place s", "peak MB", "× in place"], rows))  # fmt: skip
    print(f"\n{machine()}; load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
