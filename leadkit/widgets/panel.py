"""The interactive filter panel for JupyterLab and Voilà (ipywidgets): filters on top, the report below.

Every figure still comes from ``leadkit.reports``; the panel turns widget values into a
scope and shows the rendered result. A change dims the report and says "Updating…" at
once; a burst of changes is debounced into one request, computed off the kernel's
thread, and only the newest request is ever shown (``LatestWins``). The report comes on
screen with its tables and headline first, each chart a box of its size saying "Drawing
chart…"; the charts are drawn next, on the same worker, and swapped in together — unless
a newer request came meanwhile: a stale request's charts are never shown. What is
computed is kept per scope, what is drawn per scope and language, and each chart by its
data and language, so a language switch only renders, a chart whose data did not change
is not drawn again, and a return to an earlier choice is immediate. The open manager
section stays open across changes.

A dashboard viewer's allowance (``Workspace.scope.allowance``) is part of every scope the
panel builds, so it holds in the kernel whatever the page sends: option lists show only
allowed values, and a value outside them is dropped by the scope itself.
"""

from __future__ import annotations

import html
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import ipywidgets as w

from leadkit.exceptions import LeadkitError
from leadkit.leads import Leads, visible
from leadkit.notebook import Workspace
from leadkit.periods import Period
from leadkit.render import labels as L
from leadkit.render.access import view_html
from leadkit.render.charts import Planned, planned
from leadkit.render.html import (
    LIST_LIMIT,
    MAX_LIST_GROUPS,
    fill_charts,
    groups_note,
    html_table,
    live_figures,
    notebook_html,
    table_html,
)
from leadkit.render.views import View, view_of
from leadkit.reports import compute
from leadkit.results import Result
from leadkit.scope import Filters, Scope
from leadkit.widgets.export import default_export_dir, export_link, write_export
from leadkit.widgets.latest import LatestWins
from leadkit.widgets.periodpicker import Incomplete, PeriodPicker, data_span
from leadkit.widgets.pickers import MultiPicker, distinct, option_counts
from leadkit.widgets.style import PANEL_CSS, spinner
from leadkit.widgets.words import word

log = logging.getLogger(__name__)
ACCORDION_ROWS = 200
KEPT = 16  # scopes whose results (and languages whose drawings) are kept
KEPT_CHARTS = 64  # drawn charts, by data and language: a few scopes' worth


@dataclass
class Prepared:
    """What one request produced, ready to be put on screen quickly."""

    scope: Scope
    lang: str
    result: Result | None = None
    html: str = ""  # the report, with a "Drawing chart…" box for each chart in ``waiting``
    charts: dict[str, Planned] = field(default_factory=dict)
    waiting: tuple[str, ...] = ()
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    view: View | None = None
    groups: list[tuple[str, int]] = field(default_factory=list)
    cut: str = ""  # what the sections leave out, when there are more groups than a page lists
    open_table: str = ""
    error: BaseException | None = None


class _Kept(OrderedDict[Any, Any]):
    """A small least-recently-used store."""

    def __init__(self, limit: int = KEPT) -> None:
        super().__init__()
        self.limit = limit

    def keep(self, key: Any, value: Any) -> Any:
        self[key] = value
        self.move_to_end(key)
        while len(self) > self.limit:
            self.popitem(last=False)
        return value


class ReportPanel:
    """Filters on top, the report below; ``result`` always holds what is shown.

    ``delay`` is the debounce in seconds (the notebook's panel uses 0.3); ``None`` runs
    each change at once on the caller's thread, as tests and benchmarks want.
    """

    def __init__(
        self,
        name: str,
        workspace: Workspace,
        result: Result,
        lang: str = "en",
        export_dir: str | Path | None = None,
        delay: float | None = None,
    ) -> None:
        self.name, self.workspace, self.result = name, workspace, result
        self.export_dir = Path(export_dir) if export_dir else None
        if workspace.viewer is not None:  # two viewers exporting in the same second never share a file
            self.export_dir = (self.export_dir or default_export_dir()) / workspace.viewer.slug
        self.latest = LatestWins(delay)
        self._queries = threading.RLock()  # the leads' connection runs one query at a time
        self._results: _Kept = _Kept()
        self._drawn: _Kept = _Kept()
        self._charts: _Kept = _Kept(KEPT_CHARTS)
        self._open: str | None = None  # the manager section the reader opened
        self._rebuilding = False  # controls being relabelled: their changes are not a reader's
        self._drawing = False  # the accordion being rebuilt
        self._groups: list[str] = []
        self._view: View | None = None  # the view of the result on screen
        self._last_control = "period"
        leads, scope, allowance = workspace.leads, result.meta.scope, workspace.scope.allowance
        theirs = visible(leads, allowance)  # the period's range and the option lists: a viewer's leads only
        if scope.allowance != allowance:  # a result from outside the viewer's scope is never shown
            scope = replace(scope, allowance=allowance)
            result = self.result = compute(name, leads, scope, workspace.method)
        self.picker = PeriodPicker(data_span(theirs), scope.period, lang, self._period_on_screen)
        self.kind, self.period, self.start, self.end = (
            self.picker.kind,
            self.picker.period,
            self.picker.start,
            self.picker.end,
        )
        self.basis = w.ToggleButtons(value=None, style={"button_width": "auto"})
        self.basis_title = w.HTML()
        self.lead_types, self.managers, self.branches = (
            MultiPicker(key, distinct(theirs, column), getattr(scope.filters, key), lang)
            for key, column in (("lead_types", "lead_type"), ("managers", "manager"), ("branches", "branch"))
        )
        self.lang = w.ToggleButtons(options=[("EN", "en"), ("RU", "ru")], value=lang, style={"button_width": "44px"})
        self.lang_title = w.HTML()
        self.export = w.Button(icon="file-excel-o", layout=w.Layout(width="auto"))
        self.download = w.HTML()
        self.status = w.HTML()
        self.viewer = w.HTML()  # whose view this is, on a dashboard with viewers
        self.report = w.HTML()
        self.accordion = w.Accordion()
        self.cut = w.HTML()
        self._relabel_controls(lang, basis=scope.basis)
        self._results.keep(scope, (result, self._count_all(leads, scope), view_of(result)))
        self._put_counts(self._results[scope][1])
        self.picker.observe(self._changed)
        for picker in (self.lead_types, self.managers, self.branches):
            picker.observe(self._changed)
        self.basis.observe(lambda _: self._changed("basis"), names="value")
        self.lang.observe(self._relabel, names="value")
        self.export.on_click(lambda _: self.export_excel())
        self.accordion.observe(self._expand, names="selected_index")
        self.widget = self._layout()
        first = self._prepare(scope, lang)
        self._show(first)
        self.latest.submit(lambda: first, lambda _: None, (self._draw_charts, self._show_charts))

    # ----- layout and words

    def _layout(self) -> w.VBox:
        lang_box = w.VBox([self.lang_title, self.lang])
        basis_box = w.VBox([self.basis_title, self.basis])
        export_box = w.VBox([w.HTML("<b>&nbsp;</b>"), self.export])
        row = w.Layout(flex_flow="row wrap", align_items="flex-end")
        controls = w.VBox([
            w.HBox([self.picker.widget, basis_box], layout=row),
            w.HBox([self.lead_types.widget, self.managers.widget, self.branches.widget],
                   layout=w.Layout(flex_flow="row wrap")),
            w.HBox([lang_box, export_box, self.download], layout=row),
            self.status,
        ])  # fmt: skip
        panel = w.VBox([w.HTML(PANEL_CSS), self.viewer, controls, self.report, self.accordion, self.cut])
        panel.add_class("leadkit-panel")
        return panel

    def _relabel_controls(self, lang: str, basis: str | None = None) -> None:
        """Put every control's words in ``lang``, keeping every value (and starting no computation)."""
        self._rebuilding = True
        try:
            basis = basis or self.basis.value
            self.basis.options = [(L.word("created", lang), "created"), (L.word("closed", lang), "closed")]
            self.basis.value = basis
        finally:
            self._rebuilding = False
        self.picker.relabel(lang)
        for picker in (self.lead_types, self.managers, self.branches):
            picker.relabel(lang)
        self.basis_title.value = f"<b>{html.escape(word('basis_label', lang))}</b>"
        self.lang_title.value = f"<b>{html.escape(word('language', lang))}</b>"
        self.export.description = word("export", lang)
        viewer = self.workspace.viewer
        self.viewer.value = view_html(viewer.user, viewer.allowance, lang) if viewer is not None else ""

    # ----- what the controls describe

    def _period_on_screen(self) -> Period | None:
        return self.result.meta.scope.period

    def scope(self) -> Scope:
        """The scope the widgets describe now, inside the viewer's allowance; ``Incomplete`` for a half-filled range."""
        filters = Filters(self.lead_types.value, self.managers.value, self.branches.value)
        allowance = self.workspace.scope.allowance
        return Scope(period=self.picker.chosen(), basis=self.basis.value, filters=filters, allowance=allowance)

    def choose_period(self, period: Period | None) -> None:
        """Put ``period`` on the period controls, as a reader choosing it would."""
        self.picker.select(period, notify=True)

    def wait(self, timeout: float = 120.0) -> bool:
        """Until the newest change is on screen (for scripts and tests)."""
        return self.latest.wait(timeout)

    # ----- a change: busy at once, the work off the kernel's thread, only the newest shown

    def _changed(self, control: str = "period") -> None:
        if self._rebuilding:
            return
        self._last_control = control
        try:
            scope = self.scope()
        except Incomplete:
            self.latest.submit(lambda: None, lambda _: None)  # whatever was pending is now stale
            self._say(word("both_dates", self.lang.value))
            return
        except LeadkitError as exc:
            self.latest.submit(lambda: None, lambda _: None)
            self._say(self._error_text(exc, self.lang.value), error=True)
            return
        self._submit(scope, self.lang.value)

    def _relabel(self, _: Any = None) -> None:
        """The language changed: words now, the report redrawn from what was computed (no query)."""
        lang = self.lang.value
        self._relabel_controls(lang)
        try:
            scope = self.scope()
        except (Incomplete, LeadkitError):
            scope = self.result.meta.scope
        self._submit(scope, lang)

    def _submit(self, scope: Scope, lang: str) -> None:
        self._busy(True, lang)
        open_name = self._open
        self.latest.submit(lambda: self._prepare(scope, lang, open_name), self._show,
                           (self._draw_charts, self._show_charts))  # fmt: skip

    def _prepare(self, scope: Scope, lang: str, open_name: str | None = None) -> Prepared:
        """The slow part: compute (unless kept), count the options, render the tables (unless kept)."""
        done = Prepared(scope, lang)
        try:
            with self._queries:
                if scope not in self._results:
                    result = compute(self.name, self.workspace.leads, scope, self.workspace.method)
                    counts = self._count_all(self.workspace.leads, scope)
                    self._results.keep(scope, (result, counts, view_of(result)))
                done.result, done.counts, done.view = self._results[scope]
                assert done.result is not None and done.view is not None
                view = done.view
                details = view.details
                grouped = details is not None and details.group_by is not None
                key = (scope, lang)
                if key not in self._drawn:
                    self._drawn.keep(key, self._render(done.result, view, lang, 0 if grouped else LIST_LIMIT))
                done.html, done.charts, done.waiting = self._drawn[key]
                if details is not None and grouped:
                    listed = [(name, n) for name, n in details.group_counts.items() if n]
                    done.groups = listed[:MAX_LIST_GROUPS]
                    done.cut = groups_note(str(details.group_by), len(done.groups), len(listed), lang)
                    if open_name in dict(done.groups):
                        done.open_table = self._section(details, open_name, lang)
        except LeadkitError as exc:
            done.error = exc
        except Exception as exc:  # a bug: say so in one paragraph, keep the traceback for the log
            log.exception("leadkit panel: computing %s failed", self.name)
            done.error = exc
        return done

    def _render(
        self, result: Result, view: View, lang: str, limit: int
    ) -> tuple[str, dict[str, Planned], tuple[str, ...]]:
        """The report's HTML with the charts already drawn for this data in place, and boxes for the others."""
        charts = planned(result, view)
        drawn = {name: self._charts[c.key(lang)] for name, c in charts.items() if c.key(lang) in self._charts}
        html_text = notebook_html(result, lang, limit, view=view, figures=live_figures(charts, drawn, lang))
        return html_text, charts, tuple(name for name in charts if name not in drawn)

    def _draw_charts(self, done: Prepared) -> Prepared:
        """The second stage: draw the waiting charts (kept by data and language), stopping once a newer request came."""
        if done.result is None or not done.waiting:
            return done
        drawn: dict[str, bytes | None] = {}
        for name in done.waiting:
            if self.latest.stale():
                return done  # a newer request: this one's charts will never be shown
            chart = done.charts[name]
            key = chart.key(done.lang)
            drawn[name] = self._charts[key] if key in self._charts else self._charts.keep(key, chart.draw(done.lang))
        filled = replace(done, html=fill_charts(done.html, done.charts, drawn, done.lang), waiting=())
        self._drawn.keep((done.scope, done.lang), (filled.html, filled.charts, ()))
        return filled

    def _show_charts(self, done: Prepared) -> None:
        """The quick part of the second stage: the report with its charts in place of their boxes."""
        if done.error is None and done.result is not None and not done.waiting:
            self.report.value = done.html

    def _show(self, done: Prepared) -> None:
        """The quick part: put a prepared report on screen (the newest request only)."""
        self._busy(False, done.lang)
        if done.error is not None or done.result is None:
            self._say(self._error_text(done.error, done.lang), error=True)
            return
        self.result, self._view = done.result, done.view
        self._say("")
        self._put_counts(done.counts)
        self.report.value = done.html
        self.cut.value = f'<p class="leadkit-cut">{html.escape(done.cut)}</p>' if done.cut else ""
        self._drawing = True  # the worker's flag: a reader's change on the kernel's thread still counts
        try:
            self.accordion.selected_index = None
            self.accordion.children = [w.HTML() for _ in done.groups]
            for i, (name, n) in enumerate(done.groups):
                self.accordion.set_title(i, f"{L.value(name, done.lang)} — {L.number(n, done.lang)}")
            names = [name for name, _ in done.groups]
            if self._open in names:
                index = names.index(self._open)
                self.accordion.children[index].value = done.open_table
                self.accordion.selected_index = index
        finally:
            self._drawing = False
        self._groups = [name for name, _ in done.groups]

    def _expand(self, change: dict[str, Any]) -> None:
        """A reader opened (or closed) a manager's section: fetch its leads when first opened."""
        if self._drawing:
            return
        index = change["new"]
        groups = self._groups
        if index is None or index >= len(groups):
            self._open = None
            return
        self._open = groups[index]
        child = self.accordion.children[index]
        details = self._view.details if self._view is not None else None
        if not child.value and details is not None:
            with self._queries:
                child.value = self._section(details, self._open, self.lang.value)

    @staticmethod
    def _section(details: Any, name: str, lang: str) -> str:
        frame = details.where(name).head(ACCORDION_ROWS)
        return table_html(html_table(frame, lang, total=details.group_counts[name], link=details.link))

    # ----- counts beside the options

    def _count_all(self, leads: Leads, scope: Scope) -> dict[str, dict[str, int]]:
        with self._queries:
            return option_counts(leads, scope)

    def _put_counts(self, counts: dict[str, dict[str, int]]) -> None:
        for picker in (self.lead_types, self.managers, self.branches):  # each picker stays quiet meanwhile
            picker.set_counts(counts.get(picker.key))

    # ----- status line: busy, errors

    def _busy(self, on: bool, lang: str) -> None:
        for widget in (self.report, self.accordion):
            (widget.add_class if on else widget.remove_class)("leadkit-busy")
        self.export.disabled = on
        if on:
            self._say(f"{spinner()}{html.escape(word('updating', lang))}", raw=True)

    def _say(self, text: str, error: bool = False, raw: bool = False) -> None:
        if not text:
            self.status.value = ""
            return
        css = "leadkit-error" if error else "leadkit-note"
        self.status.value = f"<p class='{css}'>{text if raw else html.escape(text)}</p>"

    def _error_text(self, exc: BaseException | None, lang: str) -> str:
        """One paragraph: what is wrong, and which control to change."""
        if isinstance(exc, LeadkitError):
            control = {"basis": "basis_label", "period": "period_kind", "lang": "language"}.get(
                self._last_control, self._last_control
            )
            return f"{exc} {word('change', lang, control=word(control, lang))}"
        kind = type(exc).__name__ if exc is not None else "?"
        return word("unexpected", lang, kind=kind, message=str(exc)[:300])

    # ----- export

    def export_excel(self) -> Path | None:
        """Write the report on screen to an .xlsx file and offer it as a download link."""
        lang = self.lang.value
        if self.latest.busy:
            self._say(word("export_busy", lang))
            return None
        path = write_export(self.result, self.name, lang, self.export_dir)
        self.download.value = export_link(path, lang)
        return path
