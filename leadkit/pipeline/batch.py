"""Run reports for many periods: load once, snapshot, run notebooks in parallel, export.

Each notebook worker keeps one warm kernel for all its notebooks (``leadkit.pipeline.kernel``);
render workers turn an executed notebook into HTML and PDF while its notebook worker runs
the next one. The notebook itself writes the Excel file. Each stage's seconds go into the
period's manifest (``timings``).

Each period is built in a staging folder and moved into ``OUT/<period>/`` only when all
its reports succeeded, file by file with atomic renames, its manifest written last. A
killed batch therefore leaves every earlier output whole, and a re-run rebuilds only
periods whose manifest is missing or no longer matches.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Executor, ProcessPoolExecutor, wait
from dataclasses import dataclass, field, replace
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from leadkit.exceptions import LeadkitError
from leadkit.ingest import source_data
from leadkit.lock import only_one
from leadkit.log import get_logger
from leadkit.model import REPORTS
from leadkit.params import Params
from leadkit.periods import Period, parse_period
from leadkit.pipeline import manifest
from leadkit.pipeline.index import write_index
from leadkit.pipeline.jobs import render_job, run_notebook
from leadkit.scope import Scope
from leadkit.snapshot import fingerprint, write_snapshot
from leadkit.sources import SourceData

log = get_logger("pipeline")
ALL_TIME = "all-time"


@dataclass
class BatchSummary:
    built: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, dict[str, str]] = field(default_factory=dict)
    index: Path | None = None

    @property
    def ok(self) -> bool:
        return not self.failed


def _files(report: str, formats: tuple[str, ...]) -> list[str]:
    return [f"{report}.ipynb", *(f"{report}.{fmt}" for fmt in formats)]


def page_title(report: str, run: dict[str, Any]) -> str:
    """ "Lead conversion — November 2025": the title of a report's page and PDF."""
    from leadkit.render.labels import period_title, title

    period = parse_period(run["period"]["label"]) if run["period"] else None
    return f"{title(report, run['lang'])} — {period_title(period, run['lang'])}"


def _run_params(
    params: Params, scope: Scope, lang: str, data_label: str, reports: list[str], formats: tuple[str, ...]
) -> dict[str, Any]:
    """What a period's outputs were built from: recorded in its manifest, compared on a re-run."""
    info = scope.as_dict()
    return {
        "source": data_label,
        "period": info["period"],
        "filters": info["filters"],
        "basis": scope.basis,
        "lang": lang,
        "timezone": params.timezone,
        "analysis": params.analysis.model_dump(),
        "reports": reports,
        "formats": list(formats),
    }


def _notebook_parameters(run: dict[str, Any], snapshot: Path, staging: Path, report: str) -> dict[str, Any]:
    """Every notebook parameter, set explicitly: the period as one value (its label), never start/end."""
    period = run["period"]
    return {
        "params_file": None,
        "data": str(snapshot),
        "period": period["label"] if period else "all",
        "basis": run["basis"],
        **run["filters"],
        "lang": run["lang"],
        "analysis": run["analysis"],
        "interactive": False,
        "excel_path": str(staging / f"{report}.xlsx") if "xlsx" in run["formats"] else None,
    }


def output_folder(out: Path) -> Path:
    """``out`` if leadkit can make it (or write into it); else a ``LeadkitError`` saying why, before any work."""
    for folder in (out, *out.parents):
        if not folder.exists():
            continue
        if not folder.is_dir():
            where = "is a file" if folder == out else f"lies under {folder}, which is a file"
            raise LeadkitError(
                f"output folder {out} {where}, not a folder; give --out (or output.dir in the params file) a folder"
            )
        if not os.access(folder, os.W_OK | os.X_OK):
            raise LeadkitError(f"output folder {out}: {folder} cannot be written to; choose a folder you can write to")
        break
    return out


def _locked(out: Path) -> contextlib.AbstractContextManager[None]:
    return only_one(out / ".lock", f"another leadkit batch is writing to {out}; wait for it to finish")


def _publish(staging: Path, folder: Path, record: manifest.Manifest) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / manifest.NAME).unlink(missing_ok=True)  # a crash before the end means "rebuild"
    for name in sorted(record.files):
        os.replace(staging / name, folder / name)
    record.write(folder)


def run_batch(
    params: Params,
    periods: list[Period | None],
    *,
    scope: Scope | None = None,
    lang: str | None = None,
    reports: list[str] | None = None,
    out: Path | None = None,
    formats: tuple[str, ...] | None = None,
    force: bool = False,
    workers: int | None = None,
    timeout: int = 600,
    show_progress: bool = True,
    data: SourceData | None = None,
    data_dir: Path | None = None,
    warm: bool = True,
) -> BatchSummary:
    """Build ``reports`` × ``periods`` under ``out``; see the module docstring for guarantees.

    Every period is reported with ``scope``'s basis and filters (default: the params file's).
    ``data``: the source already read (a caller building several scopes reads it once);
    ``data_dir``: where the snapshot goes (default ``out/.data``), so such builds share one.
    ``warm``: each worker runs its notebooks in one kernel it keeps (False: a kernel per notebook).
    """
    reports = list(reports or REPORTS)
    formats = tuple(formats or params.output.formats)
    lang = lang or params.lang
    base = scope or params.scope()
    out = output_folder((out or params.resolve(params.output.dir)).resolve())
    summary = BatchSummary()
    with _locked(out):
        shutil.rmtree(out / ".staging", ignore_errors=True)  # left by a killed run
        data = data or source_data(params, refresh="always")  # an API source syncs first; a file is read once
        print_ = fingerprint(data.pandas())
        snapshot = (data_dir or out / ".data") / f"leads-{print_}.parquet"
        if not snapshot.exists():
            write_snapshot(data, snapshot, params.timezone, print_, getattr(params.source, "lead_url", None))
        todo: dict[str, tuple[Path, dict[str, Any]]] = {}
        for period in periods:
            each = replace(base, period=period)
            each.require_dates(data.dated, data.label)  # fail before any notebook starts
            label = period.label if period else ALL_TIME
            run = _run_params(params, each, lang, data.label, reports, formats)
            expected = [f for r in reports for f in _files(r, formats)]
            if not force and manifest.still_valid(out / label, run, print_, expected):
                summary.skipped.append(label)
                continue
            staging = out / ".staging" / f"{label}-{uuid.uuid4().hex[:8]}"
            staging.mkdir(parents=True)
            todo[label] = (staging, run)
        _execute(todo, snapshot, print_, out, reports, timeout, workers, show_progress, summary, warm)
        shutil.rmtree(out / ".staging", ignore_errors=True)
        summary.index = write_index(out, lang)
    return summary


def _execute(
    todo: dict[str, tuple[Path, dict[str, Any]]],
    snapshot: Path,
    print_: str,
    out: Path,
    reports: list[str],
    timeout: int,
    workers: int | None,
    show_progress: bool,
    summary: BatchSummary,
    warm: bool = True,
) -> None:
    if not todo:
        return
    jobs = [
        {"staging": str(staging), "report": r, "formats": run["formats"], "timeout": timeout, "label": label,
         "title": page_title(r, run), "parameters": _notebook_parameters(run, snapshot, staging, r), "warm": warm,
         "log": str(out / ".logs" / f"{label}-{r}.log")}
        for label, (staging, run) in todo.items() for r in reports
    ]  # fmt: skip
    pending = {label: len(reports) for label in todo}
    errors: dict[str, dict[str, str]] = {label: {} for label in todo}
    timings: dict[str, dict[str, dict[str, float]]] = {label: {} for label in todo}
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    n_workers = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    spawn = get_context("spawn")
    with (
        Progress(*columns, disable=not show_progress, transient=False) as progress,
        ProcessPoolExecutor(n_workers, mp_context=spawn) as notebooks,
        ProcessPoolExecutor(n_workers, mp_context=spawn) as renders,
    ):
        task = progress.add_task("reports", total=len(jobs))

        def done(job: dict[str, Any], outcome: dict[str, Any]) -> None:
            label = job["label"]
            progress.update(task, advance=1, description=f"{label} {job['report']}")
            timings[label][job["report"]] = {k: round(v, 3) for k, v in outcome["timings"].items()}
            if outcome["error"]:
                errors[label][job["report"]] = outcome["error"]
                log.info("%s %s failed: %s", label, job["report"], outcome["error"])
            pending[label] -= 1
            if pending[label] == 0:
                _finish(label, todo[label], print_, out, reports, errors[label], timings[label], summary)

        drive(jobs, notebooks, renders, done)


def drive(
    jobs: list[dict[str, Any]],
    notebooks: Executor,
    renders: Executor,
    done: Callable[[dict[str, Any], dict[str, Any]], None],
    run: Callable[[dict[str, Any]], dict[str, Any]] = run_notebook,
    render: Callable[[dict[str, Any]], dict[str, Any]] = render_job,
) -> None:
    """Run each job's notebook, then render it (HTML, PDF) while its worker runs the next notebook.

    ``done(job, outcome)`` is called once a job is whole or has failed, with the timings of
    both stages; a notebook that failed is not rendered.
    """
    running = {notebooks.submit(run, job): (job, "notebook") for job in jobs}
    timings: dict[tuple[str, str], dict[str, float]] = {}
    while running:
        finished, _ = wait(running, return_when=FIRST_COMPLETED)
        for future in finished:
            job, stage = running.pop(future)
            outcome = future.result()
            key = (job["label"], job["report"])
            timings.setdefault(key, {}).update(outcome["timings"])
            if stage == "notebook" and not outcome["error"] and {"html", "pdf"} & set(job["formats"]):
                running[renders.submit(render, job)] = (job, "render")
                continue
            done(job, {**outcome, "timings": timings.pop(key)})


def _finish(
    label: str,
    staged: tuple[Path, dict[str, Any]],
    print_: str,
    out: Path,
    reports: list[str],
    errors: dict[str, str],
    timings: dict[str, dict[str, float]],
    summary: BatchSummary,
) -> None:
    staging, run = staged
    if errors:
        summary.failed[label] = errors  # earlier outputs of this period stay as they were
        return
    record = manifest.Manifest(period=label, params=run, fingerprint=print_, timings=timings)
    for report in reports:
        for name in _files(report, tuple(run["formats"])):
            record.add(staging / name)
    _publish(staging, out / label, record)
    summary.built.append(label)
