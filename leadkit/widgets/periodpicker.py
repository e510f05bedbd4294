"""The period picker: a kind (all time, year, quarter, month, week, custom range) and a period of it.

Switching the kind keeps to the period on screen: from March 2025 to "Quarter" is Q1
2025, to "Custom range…" is 1–31 March 2025 (the dates fill in from what is shown, never
from when the notebook started). A custom range with one date cleared is incomplete: the
panel asks for both dates and does not fall back to all time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import ipywidgets as w
import pandas as pd

from leadkit.frames import fetch
from leadkit.leads import Leads
from leadkit.periods import FIRST_YEAR, LAST_YEAR, Period, between, containing, iter_periods, parse_period
from leadkit.render import labels as L
from leadkit.widgets.words import word

ALL_TIME = "__all__"
CUSTOM = "__custom__"
KINDS = ("year", "quarter", "month", "week")


class Incomplete(Exception):
    """A custom range with a date missing: nothing to compute yet."""


def data_span(leads: Leads) -> tuple[date, date] | None:
    """The first and last creation day of the data (None without creation dates)."""
    if "created_at" not in leads.dated:
        return None
    bounds = fetch(leads.table.aggregate(lo=leads.table.created_at.min(), hi=leads.table.created_at.max()))
    lo, hi = bounds.iloc[0]["lo"], bounds.iloc[0]["hi"]
    if pd.isna(lo):
        return None
    return pd.Timestamp(lo).date(), pd.Timestamp(hi).date()


def periods_of(span: tuple[date, date] | None, kind: str) -> list[Period]:
    """The data's periods of one kind, newest first."""
    if span is None:
        return []
    lo, hi = max(span[0], date(FIRST_YEAR, 1, 1)), min(span[1], date(LAST_YEAR, 12, 31))  # a stray 1965 lead
    if hi < lo:  # is no reason to refuse the panel: the years reports cover are offered
        return []
    return list(reversed(list(iter_periods(lo.isoformat(), hi.isoformat(), kind))))  # type: ignore[arg-type]


class PeriodPicker:
    """Kind, period and (for a custom range) two dates; ``chosen()`` is the Period they describe."""

    def __init__(self, span: tuple[date, date] | None, period: Period | None, lang: str, on_screen: Callable[[], Any]):
        self.span, self._lang, self._on_screen = span, lang, on_screen
        self._lists = {kind: periods_of(span, kind) for kind in KINDS}
        self._quiet = False
        self._listeners: list[Callable[[Any], None]] = []
        narrow = w.Layout(width="150px")
        self.kind = w.Dropdown(layout=w.Layout(width="190px"))
        self.period = w.Dropdown(layout=w.Layout(width="230px"))
        self.start, self.end = w.DatePicker(layout=narrow), w.DatePicker(layout=narrow)
        self.titles = {name: w.HTML() for name in ("period_kind", "shown", "from", "to")}
        self._boxes = {
            "kind": w.VBox([self.titles["period_kind"], self.kind]),
            "period": w.VBox([self.titles["shown"], self.period]),
            "start": w.VBox([self.titles["from"], self.start]),
            "end": w.VBox([self.titles["to"], self.end]),
        }
        self.widget = w.HBox(list(self._boxes.values()), layout=w.Layout(flex_flow="row wrap"))
        self.relabel(lang)
        self.select(period)
        self.kind.observe(self._kind_changed, names="value")
        for control in (self.period, self.start, self.end):
            control.observe(self._changed, names="value")

    def observe(self, listener: Callable[[Any], None]) -> None:
        self._listeners.append(listener)

    def chosen(self) -> Period | None:
        """The period on the controls; raises Incomplete for a custom range missing a date."""
        kind = self.kind.value
        if kind == ALL_TIME:
            return None
        if kind == CUSTOM:
            if not (self.start.value and self.end.value):
                raise Incomplete
            return between(_day(self.start.value), _day(self.end.value))
        return parse_period(self.period.value)

    def select(self, period: Period | None, notify: bool = False) -> None:
        """Put ``period`` on the controls (a whole year/quarter/month/week of the data, else a custom range)."""
        self._quiet = True
        try:
            if period is None:
                self.kind.value = ALL_TIME
            elif period.kind in KINDS and period in self._lists[period.kind]:
                self.kind.value = period.kind
                self.period.options = self._options(period.kind)
                self.period.value = period.label
            else:
                self.kind.value = CUSTOM
                self.start.value, self.end.value = period.start, period.end
        finally:
            self._quiet = False
        self._show_controls()
        if notify:
            self._notify()

    def relabel(self, lang: str) -> None:
        self._lang = lang
        self._quiet = True
        try:
            kind, shown = self.kind.value, self.period.value
            kinds = [(L.word("all_time", lang), ALL_TIME), *((word(k, lang), k) for k in KINDS)]
            self.kind.options = [*kinds, (L.word("custom", lang), CUSTOM)]
            self.kind.value = kind if kind is not None else ALL_TIME
            if self.kind.value in KINDS:
                self.period.options = self._options(self.kind.value)
                self.period.value = shown
        finally:
            self._quiet = False
        for name, box in self.titles.items():
            box.value = "<b>&nbsp;</b>" if name == "shown" else f"<b>{word(name, lang)}</b>"

    def _options(self, kind: str) -> list[tuple[str, str]]:
        return [(L.period_title(p, self._lang), p.label) for p in self._lists[kind]]

    def _anchor(self) -> tuple[date, date] | None:
        shown: Period | None = self._on_screen()
        if shown is not None:
            return shown.start, shown.end
        return self.span

    def _kind_changed(self, change: dict[str, Any]) -> None:
        if self._quiet:
            return
        kind, anchor = change["new"], self._anchor()
        self._quiet = True
        try:
            if kind == CUSTOM and anchor is not None:
                self.start.value, self.end.value = anchor
            elif kind in KINDS and self._lists[kind]:
                self.period.options = self._options(kind)
                labels = [label for _, label in self.period.options]
                target = containing(min(anchor[1], self.span[1]), kind).label if anchor and self.span else labels[0]
                self.period.value = target if target in labels else labels[0]
        finally:
            self._quiet = False
        self._show_controls()
        self._notify()

    def _changed(self, _: Any) -> None:
        if not self._quiet:
            self._notify()

    def _show_controls(self) -> None:
        kind = self.kind.value
        self._boxes["period"].layout.display = None if kind in KINDS else "none"
        self._boxes["start"].layout.display = self._boxes["end"].layout.display = None if kind == CUSTOM else "none"

    def _notify(self) -> None:
        for listener in self._listeners:
            listener("period")


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value
