"""What a report covers: a period and its basis, and the filters on lead dimensions."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from leadkit.exceptions import PeriodError
from leadkit.model import Basis
from leadkit.periods import Period, between, parse_period


@dataclass(frozen=True)
class Filters:
    """Keep only leads whose value is listed; an empty tuple keeps all."""

    lead_types: tuple[str, ...] = ()
    managers: tuple[str, ...] = ()
    branches: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, list[str]]:
        return {
            "lead_types": list(self.lead_types),
            "managers": list(self.managers),
            "branches": list(self.branches),
        }

    def items(self) -> list[tuple[str, tuple[str, ...]]]:
        """(canonical column, allowed values) for each active filter."""
        pairs = [("lead_type", self.lead_types), ("manager", self.managers)]
        pairs.append(("branch", self.branches))
        return [(col, vals) for col, vals in pairs if vals]


@dataclass(frozen=True)
class Scope:
    """A report's period (None: all time), the date it is placed by, and its filters."""

    period: Period | None = None
    basis: Basis = "created"
    filters: Filters = field(default_factory=Filters)

    def __post_init__(self) -> None:
        if self.basis not in ("created", "closed"):
            raise PeriodError(f"basis {self.basis!r} is not one of: created, closed")

    @property
    def date_column(self) -> str:
        return "created_at" if self.basis == "created" else "closed_at"

    def as_dict(self) -> dict[str, Any]:
        period = None
        if self.period is not None:
            period = {
                "start": self.period.start.isoformat(),
                "end": self.period.end.isoformat(),
                "basis": self.basis,
                "label": self.period.label,
            }
        return {"period": period, "filters": self.filters.as_dict()}

    def require_dates(self, dated: tuple[str, ...], source: str) -> None:
        """Refuse a period on a source that lacks the date the period is based on."""
        if self.period is not None and self.date_column not in dated:
            raise PeriodError(
                f"{source} has no {self.date_column} dates, so a period ({self.period.label}, basis "
                f"{self.basis}) cannot be applied; run the report for all time (no period) or map a "
                "date column in source.columns"
            )

    def updated(self, **changes: Any) -> Scope:
        """A copy with ``period``/``start``/``end``/``basis``/filter values replaced.

        Accepts what papermill passes: ISO strings for dates, a shorthand for ``period``,
        a list (or a comma-separated string) for filters.
        """
        scope = self
        if changes.get("start") or changes.get("end"):
            if not (changes.get("start") and changes.get("end")):
                raise PeriodError("give both start and end, or a period like 2025-03")
            scope = replace(scope, period=between(changes["start"], changes["end"]))
        elif changes.get("period"):
            period = changes["period"]
            scope = replace(scope, period=period if isinstance(period, Period) else parse_period(period))
        if changes.get("basis"):
            scope = replace(scope, basis=changes["basis"])
        names = ("lead_types", "managers", "branches")
        picked = {n: as_values(changes[n]) for n in names if changes.get(n) is not None}
        if picked:
            scope = replace(scope, filters=replace(scope.filters, **picked))
        return scope


def as_values(value: object) -> tuple[str, ...]:
    """A filter value as a tuple of strings: a list, a tuple or a comma-separated string."""
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(",") if v.strip())
    if isinstance(value, (list, tuple, set, frozenset)):
        return tuple(str(v).strip() for v in value if str(v).strip())
    return (str(value),)
