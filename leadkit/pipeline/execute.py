"""Run one report notebook headlessly with papermill in a kernel of its own, always ``python3``.

The batch keeps kernels warm instead (``leadkit.pipeline.kernel``); both report a failing cell alike.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from leadkit import exceptions
from leadkit.exceptions import LeadkitError
from leadkit.log import get_logger

log = get_logger("execute")
CELL_TIMEOUT = 600  # seconds any one cell may take
KERNEL_STARTS = 3  # a kernel that dies while starting (two taking the same free port at once) is started again
EXPECTED = {n for n, kind in vars(exceptions).items() if isinstance(kind, type) and issubclass(kind, LeadkitError)}


def notebooks_dir() -> Path:
    """The report notebooks: $LEADKIT_NOTEBOOKS, else notebooks/ of this checkout."""
    configured = os.environ.get("LEADKIT_NOTEBOOKS")
    folder = Path(configured) if configured else Path(__file__).resolve().parents[2] / "notebooks"
    if not folder.is_dir():
        raise LeadkitError(f"report notebooks not found in {folder}; set LEADKIT_NOTEBOOKS to their folder")
    return folder


def timed_out(report: str, timeout: float) -> LeadkitError:
    """A cell ran past the cell timeout: slow work, which would run as long again, so it is not retried."""
    return LeadkitError(
        f"{report} notebook failed: a cell ran longer than {timeout:g} s (the cell timeout); "
        "give it more time with --timeout, or run a shorter period or fewer leads"
    )


@contextlib.contextmanager
def notebook_errors(report: str) -> Iterator[None]:
    """A failing cell as one ``LeadkitError``: ours keep their message, others name their kind."""
    from papermill.exceptions import PapermillExecutionError

    try:
        yield
    except PapermillExecutionError as exc:
        if exc.ename in EXPECTED:  # one of ours: its message already says what, where and what to do
            raise LeadkitError(f"{report}: {exc.evalue}") from None
        raise LeadkitError(f"{report} notebook failed: {exc.ename}: {exc.evalue}") from None


def execute(report: str, parameters: dict[str, Any], output: Path, timeout: int = CELL_TIMEOUT) -> None:
    """Execute ``notebooks/<report>.ipynb`` with ``parameters`` into ``output`` in a kernel of its own."""
    import papermill as pm
    from nbclient.exceptions import CellTimeoutError

    source = notebooks_dir() / f"{report}.ipynb"
    with notebook_errors(report):
        for attempt in range(1, KERNEL_STARTS + 1):
            try:
                pm.execute_notebook(
                    str(source),
                    str(output),
                    parameters=parameters,
                    kernel_name="python3",
                    execution_timeout=timeout,
                    cwd=str(source.parent),
                    progress_bar=False,
                    log_output=False,
                )
                break
            except CellTimeoutError:
                raise timed_out(report, timeout) from None
            except RuntimeError as exc:  # nothing of the notebook ran yet: starting again is safe
                if "Kernel died before replying to kernel_info" not in str(exc) or attempt == KERNEL_STARTS:
                    raise
                log.warning("%s: the kernel died while starting (attempt %d); starting another", report, attempt)
