"""What each CLI command does, on top of the Python API."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from leadkit.exceptions import LeadkitError
from leadkit.leads import load_leads
from leadkit.params import Params, load_params
from leadkit.periods import Period, iter_periods
from leadkit.render import labels as L
from leadkit.render.headline import headline
from leadkit.render.jsonout import main_table, to_json
from leadkit.reports import compute
from leadkit.reports.quality import data_quality
from leadkit.scope import SCOPE_KEYS, Scope

if TYPE_CHECKING:
    from rich.console import Console

    from leadkit.sources.remonline.sync import SyncReport

# rich is imported where a table is printed: `compute --format json` needs none of it.


def _print_table(title: str, frame_rows: list[dict[str, Any]], lang: str) -> None:
    """Headers and cells in the report's language; every text is a rich ``Text``, so "[red]" in data stays text."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(title))
    columns = list(frame_rows[0]) if frame_rows else []
    cells = [[L.cell(c, row[c], lang) for c in columns] for row in frame_rows]
    for i, col in enumerate(columns):
        words = any(isinstance(row[col], str) for row in frame_rows)  # names and verdicts left, figures right
        widest = min(40, max((len(line[i]) for line in cells), default=0)) if i == 0 else None  # names uncut
        table.add_column(Text(L.column(col, lang)), justify="left" if words else "right", min_width=widest)
    for line in cells:
        table.add_row(*[Text(text) for text in line])
    _console().print(table)


def _console(stderr: bool = False) -> Console:
    """A console that prints text as written: no markup, emoji codes or highlighting from data."""
    from rich.console import Console

    width = None if (sys.stderr if stderr else sys.stdout).isatty() else 200
    return Console(stderr=stderr, width=width, markup=False, highlight=False, emoji=False)


def _failed(console: Console, text: str) -> None:
    from rich.text import Text

    console.print(Text.assemble(("FAILED", "red"), f"  {text}"))


def scope_of(args: argparse.Namespace, params: Params) -> Scope:
    """The params file's scope with the command line's period, basis and filters on top."""
    given = {key: getattr(args, key, None) for key in SCOPE_KEYS}
    return params.scope().updated(**given)


def cmd_compute(args: argparse.Namespace) -> int:
    params = load_params(args.params)
    scope = scope_of(args, params)  # a bad period fails before any loading
    result = compute(args.report, load_leads(params), scope, params.method())
    lang = args.lang or params.lang
    if args.format == "json":
        sys.stdout.write(to_json(result, lang) + "\n")
    elif args.format == "csv":
        sys.stdout.write(main_table(result).to_csv(index=False))
    else:
        from rich.text import Text

        title = f"{L.title(args.report, lang)} — {L.period_title(scope.period, lang)}"
        _console().print(Text(title, style="bold"), *[Text(text) for _, text in headline(result, lang)], sep="\n")
        rows = [{str(k): v for k, v in r.items()} for r in main_table(result).to_dict("records")]
        _print_table(title, rows, lang)
        _print_quality(result.meta.data_quality.as_dict(), lang)
    return 0


def _print_quality(quality: dict[str, Any], lang: str) -> None:
    rows: list[dict[str, Any]] = [{"check": k, "leads": v} for k, v in L.quality_rows(quality, lang)]
    _print_table(L.word("data_quality", lang), rows, lang)
    for note in L.unmatched_notes(quality, lang):
        sys.stderr.write(f"leadkit: note: {note}\n")


def cmd_check(args: argparse.Namespace) -> int:
    params = load_params(args.params)
    scope = scope_of(args, params)
    quality = data_quality(load_leads(params), scope).as_dict()
    if args.format == "json":
        sys.stdout.write(json.dumps(quality, ensure_ascii=False, indent=2) + "\n")
    else:
        _print_quality(quality, args.lang or params.lang)
    return 0


def _batch(args: argparse.Namespace, params: Params, periods: list[Period | None], scope: Scope) -> int:
    from leadkit.pipeline.batch import run_batch

    summary = run_batch(
        params,
        periods,
        scope=scope,
        lang=args.lang,
        reports=args.report,
        out=Path(args.out) if args.out else None,
        formats=args.formats,
        force=args.force,
        workers=args.workers,
        timeout=args.timeout,
        show_progress=sys.stderr.isatty(),
    )
    console = _console(stderr=True)
    for label in summary.built:
        console.print(f"built   {label}")
    for label in summary.skipped:
        console.print(f"skipped {label} (up to date; --force rebuilds)")
    for label, errors in summary.failed.items():
        for report, error in errors.items():
            _failed(console, f"{label} {report}: {error}")
    print(summary.index)
    return 0 if summary.ok else 1


def cmd_run(args: argparse.Namespace) -> int:
    params = load_params(args.params)
    scope = scope_of(args, params)
    if args.basis and scope.period is None:
        raise LeadkitError("--basis needs a period (--period or --start/--end)")
    return _batch(args, params, [scope.period], scope)


def cmd_batch(args: argparse.Namespace) -> int:
    params = load_params(args.params)
    scope = scope_of(args, params)
    periods: list[Period | None] = list(iter_periods(args.first, args.last, args.every))
    return _batch(args, params, periods, scope)


def cmd_fetch(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
    from rich.table import Table

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


def cmd_serve(args: argparse.Namespace) -> int:
    from leadkit.serve import serve

    return serve(args.params, host=args.host, port=args.port)


def _delivery_summary(outcome: Any) -> int:
    console = _console(stderr=True)
    for path in outcome.written:
        console.print(f"written {path}")
    for address in outcome.sent:
        console.print(f"sent    {address}")
    for address, why in outcome.skipped:
        console.print(f"skipped {address}: {why}")
    for address, why in outcome.failed:
        _failed(console, f"{address}: {why}")
    if outcome.failed and outcome.owner_notified:
        console.print("the owner was sent the list of failures")
    return 0 if outcome.ok else 1


def cmd_deliver(args: argparse.Namespace) -> int:
    from leadkit.delivery.run import deliver

    params = load_params(args.params)
    period = scope_of(args, params).period
    outcome = deliver(params, period, out=Path(args.out) if args.out else None,
                      dry_run=Path(args.dry_run) if args.dry_run else None, resend=args.resend,
                      workers=args.workers)  # fmt: skip
    return _delivery_summary(outcome)


def cmd_alert(args: argparse.Namespace) -> int:
    from leadkit.delivery.alerts import run_alerts

    params = load_params(args.params)
    period = scope_of(args, params).period if args.period else None
    outcome = run_alerts(params, period, out=Path(args.out) if args.out else None,
                         dry_run=Path(args.dry_run) if args.dry_run else None)  # fmt: skip
    return _delivery_summary(outcome)


def run_command(args: argparse.Namespace) -> int:
    handlers = {"compute": cmd_compute, "check": cmd_check, "run": cmd_run, "batch": cmd_batch, "fetch": cmd_fetch,
                "serve": cmd_serve, "deliver": cmd_deliver, "alert": cmd_alert}  # fmt: skip
    return handlers[args.command](args)
