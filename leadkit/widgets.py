"""The interactive filter panel for JupyterLab (ipywidgets): recompute and redraw on change.

Every figure still comes from ``leadkit.reports``; the panel only turns widget values
into a scope and shows the rendered result.
"""

from __future__ import annotations

import html
import os
from datetime import date, datetime
from pathlib import Path
from typing import Any

import ipywidgets as w
import pandas as pd

from leadkit.exceptions import LeadkitError
from leadkit.frames import fetch
from leadkit.leads import Leads
from leadkit.notebook import Workspace
from leadkit.periods import Period, between, iter_periods, parse_period
from leadkit.render import labels as L
from leadkit.render.excel import write_workbook
from leadkit.render.html import html_table, notebook_html, table_html
from leadkit.render.views import view_of
from leadkit.reports import compute
from leadkit.results import LeadList, Result
from leadkit.scope import Filters, Scope

ALL_TIME = "__all__"
CUSTOM = "__custom__"
ACCORDION_ROWS = 200


def default_export_dir() -> Path:
    """$LEADKIT_EXPORT_DIR, else outputs/interactive of this checkout (git-ignored)."""
    configured = os.environ.get("LEADKIT_EXPORT_DIR")
    return Path(configured) if configured else Path(__file__).resolve().parents[1] / "outputs" / "interactive"


def data_periods(leads: Leads) -> list[Period]:
    """The years, quarters and months the data's creation dates span, newest first within each kind."""
    if "created_at" not in leads.dated:
        return []
    bounds = fetch(leads.table.aggregate(lo=leads.table.created_at.min(), hi=leads.table.created_at.max()))
    lo, hi = bounds.iloc[0]["lo"], bounds.iloc[0]["hi"]
    if pd.isna(lo):
        return []
    first, last = pd.Timestamp(lo).date().isoformat(), pd.Timestamp(hi).date().isoformat()
    return [p for every in ("year", "quarter", "month") for p in reversed(list(iter_periods(first, last, every)))]


def period_choices(periods: list[Period], lang: str) -> list[tuple[str, str]]:
    """(words, label) pairs: all time, the data's periods, and a custom range."""
    shown = [(L.period_title(p, lang), p.label) for p in periods]
    return [(L.word("all_time", lang), ALL_TIME), *shown, (L.word("custom", lang), CUSTOM)]


def distinct(leads: Leads, column: str) -> list[str]:
    t = leads.table
    values = fetch(t.select(column).distinct().order_by(column))[column]
    return [str(v) for v in values if not pd.isna(v)]


class ReportPanel:
    """Filters on top, the report below; ``result`` always holds what is shown."""

    def __init__(
        self, name: str, workspace: Workspace, result: Result, lang: str = "en", export_dir: str | Path | None = None
    ) -> None:
        self.name, self.workspace, self.result = name, workspace, result
        self._relabelling = False
        leads = workspace.leads
        self.export_dir = Path(export_dir) if export_dir else default_export_dir()
        scope = result.meta.scope
        self._periods = data_periods(leads)
        self.period = w.Dropdown(options=period_choices(self._periods, lang), value=self._period_value(scope.period))
        self.start = w.DatePicker(value=scope.period.start if scope.period else None)
        self.end = w.DatePicker(value=scope.period.end if scope.period else None)
        self.basis = w.ToggleButtons(options=[("created", "created"), ("closed", "closed")], value=scope.basis)
        self.lead_types = self._multi(leads, "lead_type", scope.filters.lead_types, lang)
        self.managers = self._multi(leads, "manager", scope.filters.managers, lang)
        self.branches = self._multi(leads, "branch", scope.filters.branches, lang)
        self.lang = w.ToggleButtons(options=[("EN", "en"), ("RU", "ru")], value=lang)
        self.export = w.Button(icon="file-excel-o")
        self.status = w.HTML()
        self.report = w.HTML()
        self.accordion = w.Accordion()
        self._label(lang)
        for control in (self.period, self.start, self.end, self.basis, self.lead_types, self.managers, self.branches):
            control.observe(self._changed, names="value")
        self.lang.observe(self._relabel, names="value")
        self.export.on_click(lambda _: self.export_excel())
        self._details: LeadList | None = None
        self._groups: list[str] = []
        self.accordion.observe(self._expand, names="selected_index")
        controls = w.VBox([
            w.HBox([self.period, self.start, self.end]),
            w.HBox([self.basis, self.lang, self.export]),
            w.HBox([self.lead_types, self.managers, self.branches]),
            self.status,
        ])  # fmt: skip
        self.widget = w.VBox([controls, self.report, self.accordion])
        self._draw()

    def _period_value(self, period: Period | None) -> str:
        if period is None:
            return ALL_TIME
        return period.label if period in self._periods else CUSTOM

    @staticmethod
    def _multi(leads: Leads, column: str, chosen: tuple[str, ...], lang: str) -> w.SelectMultiple:
        values = distinct(leads, column)
        options = [(L.value(v, lang), v) for v in values]
        return w.SelectMultiple(options=options, value=tuple(v for v in chosen if v in values), rows=6)

    def _label(self, lang: str) -> None:
        """Put the controls' words in ``lang``, keeping every value (and triggering no computation)."""
        self._relabelling = True
        try:
            period, basis = self.period.value, self.basis.value
            self.period.options = period_choices(self._periods, lang)
            self.basis.options = [(L.word("created", lang), "created"), (L.word("closed", lang), "closed")]
            self.period.value, self.basis.value = period, basis
        finally:
            self._relabelling = False
        self.period.description = L.word("period", lang)
        self.lead_types.description = L.word("lead_types", lang)
        self.managers.description = L.word("managers", lang)
        self.branches.description = L.word("branches", lang)
        self.lang.description = L.word("language", lang)
        self.export.description = L.word("export", lang)
        custom = self.period.value == CUSTOM
        self.start.layout.display = self.end.layout.display = None if custom else "none"

    def scope(self) -> Scope:
        """The scope the widgets describe now."""
        filters = Filters(tuple(self.lead_types.value), tuple(self.managers.value), tuple(self.branches.value))
        period: Period | None = None
        if self.period.value == CUSTOM:
            if self.start.value and self.end.value:
                period = between(_day(self.start.value), _day(self.end.value))
        elif self.period.value != ALL_TIME:
            period = parse_period(self.period.value)
        return Scope(period=period, basis=self.basis.value, filters=filters)

    def _changed(self, _: Any = None) -> None:
        """A filter changed: compute the report again, then draw it."""
        if self._relabelling:
            return
        self._label(self.lang.value)
        try:
            self.result = compute(self.name, self.workspace.leads, self.scope(), self.workspace.method)
        except LeadkitError as exc:
            self.status.value = f"<span style='color:#c0504d'>{html.escape(str(exc))}</span>"
            return
        self.status.value = ""
        self._draw()

    def _relabel(self, _: Any = None) -> None:
        """The language changed: draw the same result in it (no query runs)."""
        self._label(self.lang.value)
        self._draw()

    def _draw(self) -> None:
        view = view_of(self.result)
        lang = self.lang.value
        details = view.details
        grouped = details is not None and details.group_by is not None
        self.report.value = notebook_html(self.result, lang, list_limit=0 if grouped else 300)
        if details is None or not grouped:
            self.accordion.children = ()
            return
        counts = details.group_counts
        self._details, self._groups = details, [name for name, n in counts.items() if n]
        self.accordion.selected_index = None
        self.accordion.children = [w.HTML() for _ in self._groups]
        for i, name in enumerate(self._groups):
            self.accordion.set_title(i, f"{L.value(name, lang)} — {counts[name]}")

    def _expand(self, change: dict[str, Any]) -> None:
        """Fetch and show a manager's leads when their section opens (not before: a redraw stays quick)."""
        index, details = change["new"], self._details
        if index is None or details is None or index >= len(self._groups):
            return
        child = self.accordion.children[index]
        if not child.value:
            name, lang = self._groups[index], self.lang.value
            frame = details.where(name).head(ACCORDION_ROWS)
            child.value = table_html(html_table(frame, lang, total=details.group_counts[name]))

    def export_excel(self) -> Path:
        """Write the current view to an .xlsx file under ``export_dir``; say where."""
        label = self.result.meta.scope.period.label if self.result.meta.scope.period else "all-time"
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        path = self.export_dir / f"{self.name}_{label}_{stamp}.xlsx"
        write_workbook(self.result, path, self.lang.value)
        self.status.value = html.escape(L.word("exported", self.lang.value, path=str(path)))
        return path


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value
