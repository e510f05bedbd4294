"""What the batch's worker processes run: a report notebook in the worker's warm kernel, then its HTML and PDF.

Each job is a plain dict (it crosses a process boundary) and returns one: the report, its
error as a message (an expected problem's own words, else the exception's type and text;
the batch goes on with the other reports) and the seconds of each stage.
"""

from __future__ import annotations

import atexit
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from leadkit.exceptions import LeadkitError


def _outcome(report: str, work: Callable[[dict[str, float]], None]) -> dict[str, Any]:
    """Run ``work`` (it fills the timings it measured) and say how it went."""
    timings: dict[str, float] = {}
    try:
        work(timings)
        return {"report": report, "error": None, "timings": timings}
    except LeadkitError as exc:  # an expected problem: its message says it all
        return {"report": report, "error": str(exc), "timings": timings}
    except Exception as exc:  # a report's failure is recorded, the batch goes on
        return {"report": report, "error": f"{type(exc).__name__}: {exc}", "timings": timings}


_KERNEL: Any = None  # a notebook worker's warm kernel, started by its first notebook


def run_notebook(job: dict[str, Any]) -> dict[str, Any]:
    """In a notebook worker: execute one report notebook (it writes the Excel file itself)."""
    report = job["report"]
    ipynb = Path(job["staging"]) / f"{report}.ipynb"
    _log_to(Path(job["log"]))

    def work(timings: dict[str, float]) -> None:
        if job["warm"]:
            timings.update(_warm_kernel().run(report, job["parameters"], ipynb, job["timeout"]))
            return
        from leadkit.pipeline.execute import execute

        started = time.perf_counter()
        execute(report, job["parameters"], ipynb, job["timeout"])
        timings["notebook"] = time.perf_counter() - started  # kernel start, imports, compute, Excel

    return _outcome(report, work)


def _warm_kernel() -> Any:
    global _KERNEL
    if _KERNEL is None:
        from leadkit.pipeline.kernel import WarmKernel

        _KERNEL = WarmKernel()
        atexit.register(_KERNEL.shutdown)
    return _KERNEL


def render_job(job: dict[str, Any]) -> dict[str, Any]:
    """In a render worker: the executed notebook to HTML and PDF, while the next notebook runs."""
    from leadkit.pipeline.export import html_to_pdf, notebook_to_html, write_html

    staging, report, formats = Path(job["staging"]), job["report"], job["formats"]
    _log_to(Path(job["log"]))

    def work(timings: dict[str, float]) -> None:
        started = time.perf_counter()
        html = notebook_to_html(staging / f"{report}.ipynb", job["title"], job["parameters"]["lang"])
        if "html" in formats:
            write_html(html, staging / f"{report}.html")
        timings["html"] = time.perf_counter() - started
        if "pdf" in formats:
            started = time.perf_counter()
            html_to_pdf(html, staging / f"{report}.pdf")
            timings["pdf"] = time.perf_counter() - started

    return _outcome(report, work)


_LOG: Any = None  # this worker's open log file


def _log_to(path: Path) -> None:
    """Send this worker's stderr, and so its kernels' chatter, to a log file (one open file per worker)."""
    global _LOG
    if _LOG is not None and _LOG.name == str(path):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a", encoding="utf-8")  # noqa: SIM115 (lives as long as the worker, or until the next log)
    os.dup2(handle.fileno(), 2)
    if _LOG is not None:
        _LOG.close()  # fd 2 is a copy of the new file now; the old handle only leaked
    _LOG = handle
