"""What each CLI command does, on top of the Python API."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from leadkit.exceptions import LeadkitError
from leadkit.leads import load_leads
from leadkit.params import Params, PeriodSpec, load_params
from leadkit.periods import Period, iter_periods
from leadkit.render.jsonout import main_table, to_dict, to_json
from leadkit.reports import compute
from leadkit.reports.selection import select

if TYPE_CHECKING:
    from leadkit.sources.remonline.sync import SyncReport


def _print_table(title: str, frame_rows: list[dict[str, object]]) -> None:
    table = Table(title=title)
    columns = list(frame_rows[0]) if frame_rows else []
    for col in columns:
        table.add_column(col, justify="left" if col in ("lead_type", "manager", "reason") else "right")
    for row in frame_rows:
        table.add_row(*[_cell(row[c]) for c in columns])
    Console(width=None if sys.stdout.isatty() else 200).print(table)


def _cell(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def cmd_compute(args: argparse.Namespace, overrides: dict[str, object]) -> int:
    result = compute(args.report, load_params(args.params), None, lang=args.lang, **overrides)
    if args.format == "json":
        sys.stdout.write(to_json(result) + "\n")
    elif args.format == "csv":
        sys.stdout.write(main_table(result).to_csv(index=False))
    else:
        data = to_dict(result)
        period = data["period"]["label"] if data["period"] else "all time"
        rows = [{str(k): v for k, v in r.items()} for r in main_table(result).to_dict("records")]
        _print_table(f"{data['title']} — {period}", rows)
        _print_quality(data["data_quality"])
    return 0


def _print_quality(quality: dict[str, object]) -> None:
    rows = [{"check": k, "leads": v} for k, v in _flatten(quality)]
    _print_table("Data quality", rows)


def _flatten(data: dict[str, object], prefix: str = "") -> list[tuple[str, object]]:
    out: list[tuple[str, object]] = []
    for key, value in data.items():
        if isinstance(value, dict):
            out += _flatten(value, f"{prefix}{key}.")
        else:
            out.append((f"{prefix}{key}", value))
    return out


def cmd_check(args: argparse.Namespace, overrides: dict[str, object]) -> int:
    params = load_params(args.params)
    leads = load_leads(params)
    _, quality = select(leads, params.scope().updated(**overrides))
    if args.format == "json":
        sys.stdout.write(json.dumps(quality.as_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        _print_quality(quality.as_dict())
    return 0


def _formats(text: str | None) -> tuple[str, ...] | None:
    if not text:
        return None
    chosen = tuple(f.strip().lower() for f in text.split(",") if f.strip())
    unknown = [f for f in chosen if f not in ("html", "pdf", "xlsx")]
    if unknown:
        raise LeadkitError(f"--formats: unknown format(s) {unknown}; choose from html, pdf, xlsx")
    return chosen


def _batch(args: argparse.Namespace, params: Params, periods: list[Period | None], basis: str | None = None) -> int:
    from leadkit.pipeline.batch import run_batch

    summary = run_batch(
        params,
        periods,
        reports=args.report,
        out=Path(args.out) if args.out else None,
        formats=_formats(args.formats),
        force=args.force,
        workers=args.workers,
        timeout=args.timeout,
        basis=basis,
        show_progress=sys.stderr.isatty(),
    )
    console = Console(stderr=True)
    for label in summary.built:
        console.print(f"built   {label}")
    for label in summary.skipped:
        console.print(f"skipped {label} (up to date; --force rebuilds)")
    for label, errors in summary.failed.items():
        for report, error in errors.items():
            console.print(f"[red]FAILED[/red]  {label} {report}: {error}", markup=True, highlight=False)
    print(summary.index)
    return 0 if summary.ok else 1


def _with_options(params: Params, args: argparse.Namespace, overrides: dict[str, object]) -> Params:
    scope = params.scope().updated(**overrides)
    changes: dict[str, object] = {"filters": scope.filters.as_dict()}
    if args.lang:
        changes["lang"] = args.lang
    if scope.period is not None:
        changes["period"] = PeriodSpec(start=scope.period.start, end=scope.period.end, basis=scope.basis)
    elif args.basis:
        changes["period"] = None
    return params.model_copy(update=changes)


def cmd_run(args: argparse.Namespace, overrides: dict[str, object]) -> int:
    params = _with_options(load_params(args.params), args, overrides)
    scope = params.scope()
    if args.basis and scope.period is None:
        raise LeadkitError("--basis needs a period (--period or --start/--end)")
    return _batch(args, params, [scope.period])


def cmd_batch(args: argparse.Namespace, overrides: dict[str, object]) -> int:
    params = _with_options(load_params(args.params), args, {})
    periods: list[Period | None] = list(iter_periods(args.first, args.last, args.every))
    return _batch(args, params, periods, basis=args.basis)


def cmd_fetch(args: argparse.Namespace, overrides: dict[str, object]) -> int:
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from leadkit.sources.remonline import fetch

    params = load_params(args.params)
    console = Console(stderr=True)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console,
                  disable=not console.is_terminal) as bar:  # fmt: skip
        task = bar.add_task("RemOnline: starting")

        def show(r: SyncReport) -> None:
            elapsed = max(time.monotonic() - started, 1e-9)
            bar.update(
                task, description=f"RemOnline: {r.pages} pages, {r.leads:,} leads, {r.pages / elapsed:.1f} pages/s"
            )

        started = time.monotonic()
        report = fetch(params, full=args.full, progress=show)
    table = Table(title="RemOnline sync", show_header=False)
    for name, value in (
        ("leads fetched", f"{report.leads:,}"), ("pages", report.pages), ("passes", report.passes),
        ("walked again (list changed)", report.rewalks),
        ("resumed an interrupted sync", "yes" if report.resumed else "no"),
        ("requests", report.requests), ("retries", report.retries), ("leads in the cache", f"{report.cached:,}"),
        ("seconds", f"{report.seconds:.1f}"),
    ):  # fmt: skip
        table.add_row(name, str(value))
    Console().print(table)
    return 0


def run_command(args: argparse.Namespace, overrides: dict[str, object]) -> int:
    handlers = {"compute": cmd_compute, "check": cmd_check, "run": cmd_run, "batch": cmd_batch, "fetch": cmd_fetch}
    return handlers[args.command](args, overrides)
