"""A filter's values as a short list of checkboxes with lead counts, narrowed by typing and by the other filters.

A click on a checkbox picks or drops one value (no modifier key); the chosen values stay
listed below as buttons ("× Ann") that drop a value in one click, with "Clear" for all.
The list never draws more than ``SHOWN`` checkboxes, the busiest first: with 20,000
managers it says how many more match and the search narrows them, so the number of
widgets stays bounded.

The counts come from one query for all filter columns: per column, the leads in the scope's
period that pass every *other* filter, grouped by the column. An option with no such lead is hidden
(a manager without a Website lead disappears when Website is picked) unless it is chosen.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from itertools import zip_longest
from typing import Any

import ibis
import ipywidgets as w
import pandas as pd

from leadkit.frames import fetch
from leadkit.leads import Leads
from leadkit.render import labels as L
from leadkit.reports.selection import raw_conditions
from leadkit.scope import FILTER_COLUMNS, FILTER_KEYS, Scope
from leadkit.widgets.words import word

SHOWN = 10  # checkboxes in a list; typing narrows a longer one
CHIPS = 12  # chosen values shown as buttons; the others are counted


def distinct(leads: Leads, column: str) -> list[str]:
    values = fetch(leads.table.select(column).distinct().order_by(column))[column]
    return [str(v) for v in values if not pd.isna(v)]


def option_counts(leads: Leads, scope: Scope) -> dict[str, dict[str, int]]:
    """Per filter key: leads per value of its column, in ``scope`` with that filter itself left open.

    One query for every filter (their counts one under the other), not one each: a change
    of the panel pays one round trip for its option counts.
    """
    t = leads.table
    parts = []
    for key in FILTER_KEYS:
        column = FILTER_COLUMNS[key]
        others = scope.updated(**{key: []})
        if others.period is not None and others.date_column not in leads.dated:
            others = Scope(filters=others.filters, allowance=others.allowance)
        kept = t.filter(*raw_conditions(t, others))
        counted = kept.group_by(column).aggregate(n=kept.count())
        parts.append(counted.select(key=ibis.literal(key), value=counted[column].cast("string"), n=counted.n))
    counted = fetch(ibis.union(*parts, distinct=False))
    found: dict[str, dict[str, int]] = {key: {} for key in FILTER_KEYS}
    for key, value, n in zip(counted["key"], counted["value"], counted["n"], strict=True):
        if not pd.isna(value):
            found[str(key)][str(value)] = int(n)
    return found


class MultiPicker:
    """A label, a search box, checkboxes and the chosen values as buttons; ``value`` is the chosen data values."""

    def __init__(self, key: str, values: list[str], chosen: tuple[str, ...], lang: str) -> None:
        self.key, self._values, self._lang = key, values, lang
        self._counts: dict[str, int] | None = None
        self._quiet = False  # the picker itself is redrawing: checkbox changes are not a reader's
        self._listeners: list[Callable[[Any], None]] = []
        self._slots: list[str] = []  # the value each shown checkbox stands for
        self._chip_values: list[str] = []
        self._chosen = tuple(v for v in values if v in set(chosen))
        self.title = w.HTML()
        self.search = w.Text(continuous_update=True)
        self.boxes = [w.Checkbox(indent=False, layout=w.Layout(display="none")) for _ in range(SHOWN)]
        self.more = w.HTML()
        self.chips = [w.Button(layout=w.Layout(display="none", width="auto")) for _ in range(CHIPS)]
        self.chips_more = w.HTML()
        self.clear = w.Button(layout=w.Layout(width="auto"))
        for i, box in enumerate(self.boxes):
            box.observe(lambda change, i=i: self._ticked(i, change["new"]), names="value")
        for i, chip in enumerate(self.chips):
            chip.on_click(lambda _, i=i: self._drop(self._chip_values[i]))
        self.clear.on_click(lambda _: self._set(()))
        for chip in (*self.chips, self.clear):
            chip.add_class("leadkit-chip")
        self.clear.add_class("leadkit-clear")
        self.listing = w.VBox(self.boxes)
        self.listing.add_class("leadkit-options")
        self.chosen_row = w.HBox([*self.chips, self.chips_more, self.clear])
        self.chosen_row.add_class("leadkit-chosen")
        self.widget = w.VBox([self.title, self.search, self.listing, self.more, self.chosen_row])
        self.widget.add_class("leadkit-multi-box")
        self.search.observe(lambda _: self._refresh(), names="value")
        self.relabel(lang)

    @property
    def value(self) -> tuple[str, ...]:
        return self._chosen

    @value.setter
    def value(self, chosen: tuple[str, ...]) -> None:
        self._set(chosen)

    @property
    def options(self) -> list[tuple[str, str]]:
        """The (label, value) of each checkbox on screen."""
        return [(box.description, value) for box, value in zip(self.boxes, self._slots, strict=False)]

    def observe(self, listener: Callable[[Any], None]) -> None:
        self._listeners.append(listener)

    def set_counts(self, counts: dict[str, int] | None) -> None:
        """Show ``counts`` beside the options and hide the options without leads (never a chosen one)."""
        self._counts = counts
        self._refresh()

    def relabel(self, lang: str) -> None:
        self._lang = lang
        self.title.value = f"<b>{html.escape(word(self.key, lang))}</b>"
        self.search.placeholder = word("search", lang)
        self.clear.description = word("clear", lang)
        self._refresh()

    def matches(self) -> list[str]:
        """Every value the list offers now: those with leads (or chosen) that the search finds, busiest first.

        The list shows only the first ``SHOWN``, so with counts the busiest come first (as facets do);
        equal counts keep the values' own order. A reader's own clicks never reorder it: a
        filter's counts leave that filter open.
        """
        needle = self.search.value.strip().casefold()
        counts, chosen = self._counts, set(self._chosen)
        found = [
            v
            for v in self._values
            if (v in chosen or counts is None or counts.get(v, 0) > 0) and needle in L.value(v, self._lang).casefold()
        ]
        return found if counts is None else sorted(found, key=lambda v: -counts.get(v, 0))

    def _label(self, value: str) -> str:
        shown = L.value(value, self._lang)
        if self._counts is None:
            return shown
        return f"{shown} ({L.number(self._counts.get(value, 0), self._lang)})"

    def _refresh(self) -> None:
        matches = self.matches()
        self._slots = matches[:SHOWN]
        self._chip_values = list(self._chosen[:CHIPS])
        chosen = set(self._chosen)
        self._quiet = True
        try:
            for box, value in zip_longest(self.boxes, self._slots):
                if value is not None:
                    box.description = box.tooltip = self._label(value)
                    box.value = value in chosen
                box.layout.display = None if value is not None else "none"
            for chip, value in zip_longest(self.chips, self._chip_values):
                if value is not None:
                    chip.description = f"× {L.value(value, self._lang)}"
                    chip.tooltip = word("remove", self._lang, value=L.value(value, self._lang))
                chip.layout.display = None if value is not None else "none"
        finally:
            self._quiet = False
        self._say_how_many(len(matches))
        self.listing.layout.display = None if self._slots else "none"
        self.chosen_row.layout.display = None if self._chosen else "none"

    def _say_how_many(self, matches: int) -> None:
        """How many matching values the list leaves out (or that none match), and how many chosen the buttons do."""
        lang, hidden, left = self._lang, matches - len(self._slots), len(self._chosen) - len(self._chip_values)
        if hidden:
            more = word("more_options", lang, n=L.number(hidden, lang))
        else:
            more = "" if matches else word("no_match" if self.search.value.strip() else "no_options", lang)
        self.more.value = _note(more)
        self.chips_more.value = _note(word("chosen_more", lang, n=L.number(left, lang)) if left else "")

    def _ticked(self, slot: int, on: bool) -> None:
        if self._quiet or slot >= len(self._slots):
            return
        value = self._slots[slot]
        self._set((*self._chosen, value) if on else tuple(v for v in self._chosen if v != value))

    def _drop(self, value: str) -> None:
        self._set(tuple(v for v in self._chosen if v != value))

    def _set(self, chosen: tuple[str, ...]) -> None:
        """Choose ``chosen`` (in the list's order), redraw, and tell the listeners once if anything changed."""
        wanted = set(chosen)
        new = tuple(v for v in self._values if v in wanted)
        changed = new != self._chosen
        self._chosen = new
        self._refresh()
        if changed:
            self._notify()

    def _notify(self) -> None:
        for listener in self._listeners:
            listener(self.key)


def _note(text: str) -> str:
    return f"<span class='leadkit-more'>{html.escape(text)}</span>" if text else ""
