"""One Jupyter kernel kept warm across notebooks: started and primed once per worker.

papermill starts (and stops) a kernel for every notebook, so each pays the kernel's start
and the imports of pandas, Ibis, DuckDB and matplotlib again. A ``WarmKernel`` starts one
kernel, imports those once, and runs each notebook in it through papermill with an
engine that hands nbclient this kernel instead of a new one (nbclient leaves a kernel it
was given running). The executed notebook is written exactly as papermill writes it:
the same injected parameters cell, outputs, metadata and execution counts.

Between notebooks the kernel is reset: IPython's ``reset`` (a new session) empties the
user namespace and the output cache and sets the execution count back to 1, and the
working folder is set back. What stays is what a fresh kernel would build again the same
way: imported modules, and the leads of the batch's snapshot (``leadkit.snapshot`` keeps
the table it opened last and gives it again for the same, unchanged file). A kernel that
dies, or stops answering short requests, is replaced and the notebook run once more; a cell
that runs past the cell timeout is the notebook's own error (slow work runs as long again):
its busy kernel is replaced, the notebook not retried.
"""

from __future__ import annotations

import ast
import contextlib
import json
import time
from pathlib import Path
from typing import Any

from leadkit.exceptions import LeadkitError
from leadkit.log import get_logger
from leadkit.pipeline.execute import CELL_TIMEOUT, KERNEL_STARTS, notebook_errors, notebooks_dir, timed_out

log = get_logger("kernel")
ENGINE = "leadkit-warm"
# What every report notebook imports: paid once per kernel instead of once per notebook.
WARM_UP = "import leadkit.notebook, leadkit.render.html, leadkit.render.excel, leadkit.render.charts, IPython.display"
RESET = (
    "get_ipython().reset(new_session=True)\n"
    "__import__('os').chdir({cwd!r})\n"
    "__import__('leadkit.notebook').notebook.TIMINGS.clear()\n"
    "__import__('gc').collect()\n"  # the previous notebook's results go now, not later
)
READ_TIMINGS = "__import__('json').dumps(__import__('leadkit.notebook').notebook.TIMINGS)"
QUICK = 60  # seconds a readiness check or a reset may take before the kernel counts as hung


def _register_engine() -> None:
    """papermill's nbclient engine, given this kernel; the kernel client is closed after each notebook."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.log import logger

    class WarmEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, **kwargs: Any) -> Any:
            # As NBClientEngine builds its client, with the kernel manager passed on (nbclient then neither
            # starts nor stops the kernel); only the client is ours to close.
            client = PapermillNotebookClient(
                nb_man, km=kwargs["km"], kernel_name=kernel_name, timeout=kwargs.get("execution_timeout"),
                startup_timeout=kwargs.get("start_timeout", 60), log=logger, log_output=False,
            )  # fmt: skip
            try:
                return client.execute()
            finally:
                if client.kc is not None:
                    client.kc.stop_channels()

    papermill_engines.register(ENGINE, WarmEngine)


class KernelHung(RuntimeError):
    """The kernel did not answer a short request in time."""


class WarmKernel:
    """A kernel that runs one notebook after another; ``starts`` counts the kernels it started that answered.

    (One that dies while starting, e.g. when another process took its port first, is not counted.)
    """

    def __init__(self, folder: Path | None = None, warm_up: str = WARM_UP) -> None:
        self.folder = folder or notebooks_dir()
        self.warm_up = warm_up
        self.starts = 0
        self.km: Any = None
        self.paid: dict[str, float] = {}  # kernel start and imports, charged to the next notebook run

    # -- the kernel's life --------------------------------------------------------------------
    def start(self) -> None:
        """Start a kernel (again, if it dies while starting) and import what the notebooks need."""
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        started = time.perf_counter()
        for attempt in range(1, KERNEL_STARTS + 1):
            self.km = AsyncKernelManager(kernel_name="python3")
            # In-memory history, as nbclient gives the kernels it starts: no shared SQLite file.
            run_sync(self.km.start_kernel)(
                cwd=str(self.folder), extra_arguments=["--HistoryManager.hist_file=:memory:"]
            )
            try:
                self._run("pass", QUICK)  # answers once ready
                self.starts += 1
                break
            except (RuntimeError, TimeoutError) as exc:
                self.shutdown()
                if attempt == KERNEL_STARTS:
                    raise RuntimeError(f"Kernel died before replying to kernel_info ({exc})") from None
                log.warning("the kernel died while starting (attempt %d); starting another", attempt)
        ready = time.perf_counter()
        self._run(self.warm_up, CELL_TIMEOUT)
        self.paid = {"kernel_start": ready - started, "imports": time.perf_counter() - ready}

    def alive(self) -> bool:
        from jupyter_core.utils import run_sync

        return self.km is not None and bool(run_sync(self.km.is_alive)())

    def shutdown(self) -> None:
        from jupyter_core.utils import run_sync

        if self.km is None:
            return
        with contextlib.suppress(RuntimeError):  # already gone
            run_sync(self.km.shutdown_kernel)(now=True)
        self.km = None

    def replace(self) -> None:
        self.shutdown()
        self.start()

    # -- notebooks ----------------------------------------------------------------------------
    def run(
        self, report: str, parameters: dict[str, Any], output: Path, timeout: int = CELL_TIMEOUT
    ) -> dict[str, float]:
        """Execute ``<folder>/<report>.ipynb`` into ``output`` as papermill would; return its timings.

        A dead or hung kernel is replaced and the notebook run once more; a failing cell, or
        one past ``timeout``, is the notebook's own error (``LeadkitError``), not retried.
        """
        from nbclient.exceptions import CellTimeoutError, DeadKernelError

        for attempt in (1, 2):
            try:
                return self._notebook(report, parameters, output, timeout)
            except CellTimeoutError:
                self.shutdown()  # still busy with that cell: the next notebook gets a fresh kernel
                raise timed_out(report, timeout) from None
            except (DeadKernelError, KernelHung) as exc:
                what = "died" if isinstance(exc, DeadKernelError) else f"hung (no answer within {QUICK} s)"
                if attempt == 2:
                    self.shutdown()  # the next notebook gets a fresh kernel
                    raise LeadkitError(
                        f"{report} notebook failed: its kernel {what} twice; run the period alone "
                        "(`leadkit run`) to see which cell, and check the memory it needs"
                    ) from None
                log.warning("%s: the kernel %s; starting another and running the notebook again", report, what)
                self.replace()
        raise AssertionError("unreachable")  # pragma: no cover

    def _notebook(self, report: str, parameters: dict[str, Any], output: Path, timeout: int) -> dict[str, float]:
        import papermill as pm

        if not self.alive():
            self.replace()
        self._run(RESET.format(cwd=str(self.folder)), QUICK)
        paid, self.paid = self.paid, {}
        _register_engine()
        with notebook_errors(report):
            nb = pm.execute_notebook(
                str(self.folder / f"{report}.ipynb"), str(output), parameters=parameters, kernel_name="python3",
                engine_name=ENGINE, km=self.km, execution_timeout=timeout, progress_bar=False, log_output=False,
            )  # fmt: skip
        inside = json.loads(self._run("pass", QUICK, READ_TIMINGS) or "{}")
        cells = sum(float(c.metadata.get("papermill", {}).get("duration") or 0) for c in nb.cells)
        excel = float(inside.get("excel", 0.0))
        return {"kernel_start": 0.0, "imports": 0.0, **paid, "compute": max(cells - excel, 0.0), "excel": excel}

    def _run(self, code: str, timeout: float, expression: str | None = None) -> str | None:
        """Run ``code`` silently (no history, no execution count); return ``expression``'s value as text."""
        from jupyter_client import BlockingKernelClient

        # Its manager as parent: "alive" then means the process runs, not that heartbeats already came back.
        kc = BlockingKernelClient(parent=self.km)
        kc.load_connection_info(self.km.get_connection_info())
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=timeout)
            expressions = {"value": expression} if expression else {}
            try:
                reply = kc.execute_interactive(code, silent=True, store_history=False, user_expressions=expressions,
                                               timeout=timeout, output_hook=lambda msg: None)  # fmt: skip
            except TimeoutError:
                raise KernelHung(f"the kernel did not answer within {timeout:.0f} s") from None
        finally:
            kc.stop_channels()
        content = reply["content"]
        if content["status"] != "ok":
            raise RuntimeError(f"the kernel could not run {code.splitlines()[0]!r}: {content.get('evalue')}")
        if expression:
            value = content["user_expressions"]["value"]
            if value.get("status") != "ok":
                raise RuntimeError(f"the kernel could not evaluate {expression!r}: {value.get('evalue')}")
            return str(ast.literal_eval(value["data"]["text/plain"]))
        return None
