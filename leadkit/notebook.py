"""What the report notebooks call: open the data, compute, show. Keeps notebooks free of logic.

A notebook starts from its params file: the period, basis, filters, analysis settings
and language there are the defaults, and a notebook parameter replaces one only when it
is set (not None). ``leadkit run`` sets every parameter explicitly.

When the params file lists dashboard viewers (``dashboard.viewers``), ``load`` reads the
viewer from the proxy's header (``leadkit.viewers``) and every scope of the workspace
carries their allowance; an unknown or missing viewer is ``AccessDenied``, shown as one
paragraph saying whom to ask, with no data opened and no later cell run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from leadkit.exceptions import AccessDenied, LeadkitError, ParamsError, PeriodError, SourceError, ValidationError
from leadkit.leads import Leads, load_leads
from leadkit.method import DEFAULT, Method
from leadkit.params import Analysis, Params, load_params
from leadkit.reports import compute
from leadkit.results import Result
from leadkit.scope import Scope
from leadkit.viewers import Denied, Viewer, dashboard_lang, in_voila, viewer_of

PANEL_DELAY = 0.3  # seconds of quiet after a filter change before the panel computes (a burst is one request)
# Seconds spent on parts of a notebook, read by a batch's warm kernel after each notebook (and cleared before).
TIMINGS: dict[str, float] = {}


@dataclass(frozen=True)
class Workspace:
    """The leads a notebook reports on, and the defaults its params file gives."""

    leads: Leads
    scope: Scope
    method: Method
    lang: str
    viewer: Viewer | None = None  # a dashboard viewer; their allowance is already in ``scope``


def load(params_file: str | None = None, data: str | None = None) -> Workspace:
    """Leads from a batch's snapshot (``data``) or from ``params_file``, with the params' defaults.

    With dashboard viewers in the params: the viewer's workspace, or ``AccessDenied`` (no leads read).
    """
    _quiet_errors()
    if data:
        from leadkit.snapshot import open_snapshot

        return Workspace(open_snapshot(data), Scope(), DEFAULT, "en")
    if not params_file:
        raise ParamsError("set params_file (a params YAML file) in the parameters cell, e.g. '../params/demo.yaml'")
    params: Params = load_params(params_file)
    viewers = params.dashboard.viewers
    if viewers is None:
        return Workspace(load_leads(params), params.scope(), params.method(), params.lang)
    viewer = viewer_of(viewers, params.lang)
    if isinstance(viewer, Denied):
        raise AccessDenied(viewer.user, viewer.contact, viewer.lang)
    scope = params.scope().allowed(viewer.allowance)
    return Workspace(load_leads(params), scope, params.method(), params.lang, viewer)


def report(
    name: str,
    workspace: Workspace,
    *,
    period: str | None = None,
    basis: str | None = None,
    lead_types: list[str] | None = None,
    managers: list[str] | None = None,
    branches: list[str] | None = None,
    analysis: dict[str, Any] | None = None,
) -> Result:
    """Compute report ``name``; a None parameter keeps the workspace's default.

    ``period`` is one value: ``2025``, ``2025-Q4``, ``2025-11``, ``2025-W05``,
    ``2025-11-10..2025-11-30`` or ``all``. A viewer's filters stay inside their allowance.
    """
    scope = workspace.scope.updated(period=period, basis=basis, lead_types=lead_types, managers=managers,
                                    branches=branches)  # fmt: skip
    method = workspace.method if analysis is None else Method(**Analysis(**analysis).model_dump())
    return compute(name, workspace.leads, scope, method)


def show(
    result: Result,
    workspace: Workspace | None = None,
    *,
    lang: str | None = None,
    interactive: bool = False,
    excel_path: str | None = None,
) -> Any:
    """Display the report in ``lang``: a filter panel (interactive) or static HTML; write Excel if asked.

    A viewer's page says whose view it is.
    """
    from IPython.display import HTML, display

    from leadkit.render.access import view_html
    from leadkit.render.excel import write_workbook
    from leadkit.render.html import notebook_html

    lang = lang or (workspace.lang if workspace else "en")
    if excel_path:
        started = time.perf_counter()
        write_workbook(result, Path(excel_path), lang)
        TIMINGS["excel"] = TIMINGS.get("excel", 0.0) + time.perf_counter() - started
    if interactive and workspace is not None:
        from leadkit.widgets import ReportPanel

        panel = ReportPanel(result.meta.report, workspace, result, lang, delay=PANEL_DELAY)
        display(panel.widget)
        return panel
    viewer = workspace.viewer if workspace is not None else None
    shown = view_html(viewer.user, viewer.allowance, lang) if viewer is not None else ""
    display(HTML(shown + notebook_html(result, lang)))
    return None


def _quiet_errors() -> None:
    """In a kernel, show an expected problem as its one-paragraph message, not a traceback."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipykernel
        return
    shell = get_ipython()
    if shell is None:
        return

    def fix(error: BaseException) -> str:
        """Which kind of setting a reader changes for this kind of problem."""
        if isinstance(error, PeriodError):
            return "period"
        if isinstance(error, (SourceError, ValidationError)):
            return "data"
        return "params"

    where = {"period": "`period` (or `basis`) in the parameters cell",
             "data": "the data (the params file's `source`, or the file it names)",
             "params": "the parameters cell (or the params file)"}  # fmt: skip

    def one_paragraph(shell: Any, etype: type, value: BaseException, tb: Any, tb_offset: Any = None) -> list[str]:
        # The cell still fails as this error (papermill and a batch see it), shown as one paragraph:
        # the pattern set_custom_exc's documentation gives, with our text for the traceback.
        if isinstance(value, AccessDenied):  # the page is this paragraph: whom to ask, nothing of the data
            from IPython.display import HTML, display

            from leadkit.render.access import denied_html

            display(HTML(denied_html(value.user, value.contact, value.lang)))
            return [str(value)]  # no error output; the cells after it do not run
        if in_voila():  # Voilà swaps an error output for "There was an error when executing cell [2]…"
            from IPython.display import HTML, display

            from leadkit.render.access import failed_html

            display(HTML(failed_html(str(value), fix(value), dashboard_lang())))  # the reader sees this instead
            return [str(value)]  # no error output: the cell still fails, so the cells after it do not run
        shown = [f"leadkit: {value}\nChange {where[fix(value)]} and run the cells again."]
        shell._showtraceback(etype, value, shown)
        return shown

    shell.set_custom_exc((LeadkitError,), one_paragraph)
