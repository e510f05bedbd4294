"""What the report notebooks call: load, compute, show. Keeps notebooks free of logic."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from leadkit.exceptions import ParamsError
from leadkit.leads import Leads, load_leads
from leadkit.render.excel import write_workbook
from leadkit.render.html import notebook_html
from leadkit.reports import compute
from leadkit.reports.results import Result
from leadkit.scope import Scope


def load(data: str | None = None, params_file: str | None = None) -> Leads:
    """Leads from a batch's snapshot (``data``) or, in JupyterLab, from a params file."""
    if data:
        from leadkit.snapshot import read_snapshot

        return read_snapshot(data)
    if params_file:
        return load_leads(params_file)
    raise ParamsError("set either data (a snapshot path) or params_file in the parameters cell")


def report(name: str, leads: Leads, *, lang: str = "en", **scope: Any) -> Result:
    """Compute report ``name``; ``scope`` takes papermill's plain values (None or empty = unset)."""
    given = {k: v for k, v in scope.items() if v not in (None, "", [], ())}
    return compute(name, leads, Scope(), lang=lang, **given)


def show(
    result: Result, leads: Leads | None = None, *, interactive: bool = False, excel_path: str | None = None
) -> Any:
    """Display the report: a widget panel (interactive) or static HTML; write Excel if asked."""
    from IPython.display import HTML, display

    if excel_path:
        write_workbook(result, Path(excel_path))
    if interactive and leads is not None:
        from leadkit.widgets import ReportPanel

        panel = ReportPanel(result.meta.report, leads, result)
        display(panel.widget)
        return panel
    display(HTML(notebook_html(result)))
    return None
