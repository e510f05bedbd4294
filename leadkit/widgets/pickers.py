"""A searchable multi-select whose options carry lead counts and narrow to the other filters.

The counts come from one query per filter column: the leads in the scope's period that
pass every *other* filter, grouped by the column. An option with no such lead is hidden
(a manager without a Website lead disappears when Website is picked) unless it is chosen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as w
import pandas as pd

from leadkit.frames import fetch
from leadkit.leads import Leads
from leadkit.render import labels as L
from leadkit.reports.selection import raw_conditions
from leadkit.scope import FILTER_COLUMNS, Scope
from leadkit.widgets.words import word


def distinct(leads: Leads, column: str) -> list[str]:
    values = fetch(leads.table.select(column).distinct().order_by(column))[column]
    return [str(v) for v in values if not pd.isna(v)]


def option_counts(leads: Leads, scope: Scope, key: str) -> dict[str, int]:
    """Leads per value of filter ``key``'s column, in ``scope`` with that filter itself left open."""
    column = FILTER_COLUMNS[key]
    others = scope.updated(**{key: []})
    if others.period is not None and others.date_column not in leads.dated:
        others = Scope(filters=others.filters, allowance=others.allowance)
    t = leads.table
    in_period, passes = raw_conditions(t, others)
    kept = t.filter(in_period, passes)
    counted = fetch(kept.group_by(column).aggregate(n=kept.count()))
    return {str(v): int(n) for v, n in zip(counted[column], counted["n"], strict=True) if not pd.isna(v)}


class MultiPicker:
    """A label, a search box and a multi-select list; ``value`` is the chosen data values."""

    def __init__(self, key: str, values: list[str], chosen: tuple[str, ...], lang: str) -> None:
        self.key, self._values, self._lang = key, values, lang
        self._counts: dict[str, int] | None = None
        self._quiet = False
        self._listeners: list[Callable[[Any], None]] = []
        self.title = w.HTML()
        self.search = w.Text(continuous_update=True)
        self.select = w.SelectMultiple(rows=7)
        self.select.add_class("leadkit-multi")
        self._chosen = tuple(v for v in chosen if v in values)
        self.search.observe(lambda _: self._refresh(), names="value")
        self.select.observe(self._picked, names="value")
        self.widget = w.VBox([self.title, self.search, self.select])
        self.widget.add_class("leadkit-multi-box")
        self.relabel(lang)

    @property
    def value(self) -> tuple[str, ...]:
        return self._chosen

    @value.setter
    def value(self, chosen: tuple[str, ...]) -> None:
        self._chosen = tuple(v for v in self._values if v in set(chosen))
        self._refresh()
        self._notify()

    @property
    def options(self) -> Any:
        return self.select.options

    def observe(self, listener: Callable[[Any], None]) -> None:
        self._listeners.append(listener)

    def set_counts(self, counts: dict[str, int] | None) -> None:
        """Show ``counts`` beside the options and hide the options without leads (never a chosen one)."""
        self._counts = counts
        self._refresh()

    def relabel(self, lang: str) -> None:
        self._lang = lang
        self.title.value = f"<b>{word(self.key, lang)}</b>"
        self.search.placeholder = word("search", lang)
        self.select.tooltip = word("multi_hint", lang)
        self._refresh()

    def _label(self, value: str) -> str:
        shown = L.value(value, self._lang)
        if self._counts is None:
            return shown
        return f"{shown} ({L.number(self._counts.get(value, 0), self._lang)})"

    def _refresh(self) -> None:
        needle = self.search.value.strip().casefold()
        counts, chosen = self._counts, set(self._chosen)
        options = [
            (self._label(v), v)
            for v in self._values
            if v in chosen or ((counts is None or counts.get(v, 0) > 0) and needle in L.value(v, self._lang).casefold())
        ]
        self._quiet = True
        try:
            self.select.options = options
            self.select.value = tuple(v for _, v in options if v in chosen)
        finally:
            self._quiet = False

    def _picked(self, change: dict[str, Any]) -> None:
        if self._quiet:
            return
        shown = {v for _, v in self.select.options}
        kept = [v for v in self._chosen if v not in shown]  # chosen but hidden by the search: still chosen
        self._chosen = tuple(v for v in self._values if v in set(kept) | set(change["new"]))
        self._notify()

    def _notify(self) -> None:
        for listener in self._listeners:
            listener(self.key)
