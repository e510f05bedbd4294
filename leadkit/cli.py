"""The ``leadkit`` command: a thin shell over the Python API.

Expected problems (bad params, unreadable files, invalid data) print one clear message
and exit 1, without a traceback; usage errors exit 2 (argparse's convention).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from leadkit.exceptions import LeadkitError
from leadkit.model import LANGS, REPORTS
from leadkit.version import __version__

# Nothing heavier than argparse at import time, so `leadkit --help` answers at once: logging,
# the engines and the renderers are imported only once a command runs (tests/test_cli.py checks).
FORMATS = ("html", "pdf", "xlsx")


def _add_period_options(p: argparse.ArgumentParser) -> None:
    when = p.add_mutually_exclusive_group()
    when.add_argument(
        "--period", help="2025, 2025-Q1, 2025-03, 2025-W05, 2025-03-15, A..B, previous-month/-week/-quarter, all"
    )
    when.add_argument("--start", help="first day, YYYY-MM-DD (with --end)")
    p.add_argument("--end", help="last day, YYYY-MM-DD, included (with --start)")


def _add_filter_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--basis", choices=("created", "closed"), help="place leads by creation or close date")
    p.add_argument("--lead-types", help="comma-separated lead types to keep")
    p.add_argument("--managers", help="comma-separated managers to keep")
    p.add_argument("--branches", help="comma-separated branches to keep")
    p.add_argument("--lang", choices=LANGS, help="language of titles, labels and definitions")


def _add_scope_options(p: argparse.ArgumentParser) -> None:
    _add_period_options(p)
    _add_filter_options(p)


def positive_int(text: str) -> int:
    """An argparse type: a whole number above zero."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


def formats(text: str) -> tuple[str, ...]:
    """An argparse type: a comma-separated choice of html, pdf, xlsx (at least one)."""
    chosen = tuple(dict.fromkeys(f.strip().lower() for f in text.split(",") if f.strip()))
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"give one or more of {', '.join(FORMATS)}, comma-separated")
    return chosen


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="leadkit",
        description="Lead conversion, lost leads and employee performance reports.",
    )
    parser.add_argument("--version", action="version", version=f"leadkit {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log lines (-vv: debug)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    compute = sub.add_parser("compute", help="print one report as JSON, CSV or a table")
    compute.add_argument("params", help="params YAML file")
    compute.add_argument("--report", required=True, choices=REPORTS)
    compute.add_argument("--format", choices=("json", "csv", "table"), default="table")
    _add_scope_options(compute)

    check = sub.add_parser("check", help="load and validate the source; print the data-quality summary")
    check.add_argument("params", help="params YAML file")
    check.add_argument("--format", choices=("json", "table"), default="table")
    _add_scope_options(check)

    fetch = sub.add_parser("fetch", help="sync leads from the RemOnline API into the local cache")
    fetch.add_argument("params", help="params YAML file with source.kind: remonline")
    fetch.add_argument("--full", action="store_true", help="fetch everything again instead of what changed")

    run = sub.add_parser("run", help="render reports for one period to HTML, PDF and Excel")
    run.add_argument("params", help="params YAML file")
    _add_scope_options(run)
    _add_output_options(run)

    batch = sub.add_parser("batch", help="render reports for every period in a range")
    batch.add_argument("params", help="params YAML file")
    batch.add_argument("--from", dest="first", required=True, help="first period, e.g. 2025-01")
    batch.add_argument("--to", dest="last", required=True, help="last period, e.g. 2025-12")
    batch.add_argument("--every", choices=("month", "quarter", "week", "year"), default="month")
    _add_filter_options(batch)
    _add_output_options(batch)

    # `leadkit serve`: the live dashboard (issue 12)
    serve = sub.add_parser("serve", help="serve the three reports as a live dashboard (Voilà)")
    serve.add_argument("params", help="params YAML file")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine)")
    serve.add_argument("--port", type=positive_int, default=8866)
    _add_delivery_commands(sub)
    return parser


def _add_delivery_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    deliver = sub.add_parser("deliver", help="mail each recipient their reports for a period, once")
    deliver.add_argument("params", help="params YAML file with a delivery: block")
    deliver.add_argument("--period", required=True, help="2025-11, 2025-Q4, previous-month, previous-week, ...")
    deliver.add_argument("--out", help="where builds and the delivery log go (default: OUTPUT_DIR/delivery)")
    deliver.add_argument("--dry-run", metavar="DIR", help="write each message as DIR/PERIOD/ADDRESS.eml; send nothing")
    deliver.add_argument("--resend", action="store_true", help="send again to recipients already sent these data")
    deliver.add_argument("--workers", type=positive_int, help="reports built in parallel (default: the cores)")
    alert = sub.add_parser("alert", help="mail the owner and recipients only when conversion really changed")
    alert.add_argument("params", help="params YAML file with a delivery: block")
    alert.add_argument("--period", help="the period to judge (default: the last whole month, or week)")
    alert.add_argument("--out", help="where the alert log goes (default: OUTPUT_DIR/delivery)")
    alert.add_argument("--dry-run", metavar="DIR", help="write each alert as an .eml file in DIR; send nothing")


def _add_output_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--report", action="append", choices=REPORTS, help="only this report (repeatable)")
    p.add_argument("--out", help="output folder (default: params output.dir, else outputs/)")
    p.add_argument("--formats", type=formats, help="comma-separated: html,pdf,xlsx (default: params output.formats)")
    p.add_argument("--force", action="store_true", help="rebuild periods whose outputs are up to date")
    p.add_argument("--workers", type=positive_int, help="reports run in parallel (default: the number of cores)")
    p.add_argument("--timeout", type=positive_int, default=600, help="seconds any one notebook cell may take")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from leadkit.log import configure

    configure(args.verbose)
    try:
        from leadkit.commands import run_command

        return run_command(args)
    except LeadkitError as exc:
        print(f"leadkit: error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # the machine, not the data: a full disk, a permission, a path that is a file
        where = f": {exc.filename}; check that path" if exc.filename else "; check the disk and the output folder"
        print(f"leadkit: error: {exc.strerror or exc}{where} and try again", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("leadkit: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
