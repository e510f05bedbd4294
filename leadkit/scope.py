"""What a report covers: a period and its basis, and the filters on lead dimensions.

One ``Scope`` type travels from the params file, the command line, a notebook's
parameters or a widget to the SQL. ``Scope.updated`` is the one way to change it and
refuses keys it does not know, so a typo (``lead_type=``) is an error, not a report
that silently ignores the filter.

A scope may carry an ``allowance``: the leads one dashboard viewer may see (their
managers, branches). It is part of the scope, not of a page: every scope built from it,
by ``updated`` or ``dataclasses.replace``, keeps its filters inside the allowance, so a
filter can narrow what a viewer sees but never widen it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Literal

from leadkit.exceptions import PeriodError, ReportError
from leadkit.model import Basis
from leadkit.periods import ALL_TIME, Period, asked, between, parse_period

FILTER_KEYS = ("lead_types", "managers", "branches")
SCOPE_KEYS = ("period", "start", "end", "basis", *FILTER_KEYS)
FILTER_COLUMNS = {"lead_types": "lead_type", "managers": "manager", "branches": "branch"}
PeriodLike = Period | str | int | None
Asked = Period | Literal["all"] | None  # "all": all time was asked for; None: nothing was asked


@dataclass(frozen=True)
class Filters:
    """Keep only leads whose value is listed; an empty tuple keeps all."""

    lead_types: tuple[str, ...] = ()
    managers: tuple[str, ...] = ()
    branches: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, list[str]]:
        return {name: list(getattr(self, name)) for name in FILTER_KEYS}

    def items(self) -> list[tuple[str, tuple[str, ...]]]:
        """(canonical column, allowed values) for each active filter."""
        return [(FILTER_COLUMNS[name], getattr(self, name)) for name in FILTER_KEYS if getattr(self, name)]

    @property
    def active(self) -> bool:
        return any(getattr(self, name) for name in FILTER_KEYS)

    def within(self, allowance: Filters) -> Filters:
        """These filters kept inside ``allowance``: on each column the allowance lists, only allowed values.

        A value outside the allowance is dropped; a column left with none falls back to the
        allowance itself, never to "all" (an empty filter would mean every lead).
        """
        narrowed = {}
        for name in FILTER_KEYS:
            allowed = getattr(allowance, name)
            if allowed:
                narrowed[name] = tuple(v for v in getattr(self, name) if v in allowed) or allowed
        return replace(self, **narrowed)


@dataclass(frozen=True)
class Scope:
    """A report's period (None: all time), the date it is placed by, its filters, and the viewer's allowance."""

    period: Period | None = None
    basis: Basis = "created"
    filters: Filters = field(default_factory=Filters)
    allowance: Filters = field(default_factory=Filters)  # empty: no viewer restriction

    def __post_init__(self) -> None:
        if self.basis not in ("created", "closed"):
            raise PeriodError(f"basis {self.basis!r} is not one of: created, closed")
        if self.allowance.active:  # enforced here, on every scope built, so no caller can forget it
            object.__setattr__(self, "filters", self.filters.within(self.allowance))

    def allowed(self, allowance: Filters) -> Scope:
        """This scope restricted to a viewer's ``allowance``; set once (two allowances would not add up)."""
        if self.allowance.active and allowance != self.allowance:
            raise ReportError("this scope already belongs to a viewer; it cannot be given another allowance")
        return replace(self, allowance=allowance)

    @property
    def date_column(self) -> str:
        return "created_at" if self.basis == "created" else "closed_at"

    def as_dict(self) -> dict[str, Any]:
        """Plain values, for JSON and manifests: the period as its label, kind and days."""
        period = None
        if self.period is not None:
            period = {
                "label": self.period.label,
                "kind": self.period.kind,
                "start": self.period.start.isoformat(),
                "end": self.period.end.isoformat(),
                "basis": self.basis,
            }
        shown: dict[str, Any] = {"period": period, "basis": self.basis, "filters": self.filters.as_dict()}
        if self.allowance.active:
            shown["allowance"] = self.allowance.as_dict()
        return shown

    def require_dates(self, dated: tuple[str, ...], source: str) -> None:
        """Refuse a period on a source that lacks the date the period is based on."""
        if self.period is not None and self.date_column not in dated:
            raise PeriodError(
                f"{source} has no {self.date_column} dates, so a period ({self.period.label}, basis "
                f"{self.basis}) cannot be applied; run the report for all time (period: all) or map a "
                "date column in source.columns"
            )

    def updated(self, **changes: Any) -> Scope:
        """A copy with the given keys changed; a key given as None keeps its value.

        Keys: ``period`` (a Period, a label such as ``2025-W05``, or ``all`` for all
        time), ``start`` and ``end`` (together, ISO dates), ``basis``, and the filters
        ``lead_types``, ``managers``, ``branches`` (a list, or comma-separated text; an
        empty list keeps all leads). Unknown keys raise a ``ReportError``.
        """
        unknown = sorted(set(changes) - set(SCOPE_KEYS))
        if unknown:
            raise ReportError(f"unknown scope key(s) {', '.join(unknown)}; the keys are: {', '.join(SCOPE_KEYS)}")
        scope = self
        period = period_of(changes.get("period"), changes.get("start"), changes.get("end"))
        if period is not None:
            scope = replace(scope, period=None if period == "all" else period)
        if changes.get("basis") is not None:
            scope = replace(scope, basis=changes["basis"])
        picked = {name: as_values(changes[name]) for name in FILTER_KEYS if changes.get(name) is not None}
        if picked:
            scope = replace(scope, filters=replace(scope.filters, **picked))
        return scope


def period_of(period: PeriodLike, start: object = None, end: object = None, today: date | None = None) -> Asked:
    """The period a caller asked for: a ``Period``, ``"all"`` for all time, or None if not asked.

    ``start``/``end`` (both or neither) stand for a range; they exclude ``period``.
    """
    if start is not None or end is not None:
        if start is None or end is None or period is not None:
            raise PeriodError("give both start and end, or a period like 2025-03 — not both")
        return asked(between(start, end))
    if period is None or (isinstance(period, str) and not period.strip()):
        return None
    if isinstance(period, str) and period.strip().lower() in ALL_TIME:
        return "all"
    return asked(parse_period(period, today))


def as_values(value: object) -> tuple[str, ...]:
    """A filter value as a tuple of strings: a list, a tuple or a comma-separated string."""
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(",") if v.strip())
    if isinstance(value, (list, tuple, set, frozenset)):
        return tuple(str(v).strip() for v in value if str(v).strip())
    return (str(value),)
