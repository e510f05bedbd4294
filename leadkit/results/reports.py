"""Frozen result objects: numbers only, computed once, rendered many ways and in any language.

A result holds no words — no title, language or definition text — only figures, the
scope and the method they were computed with; ``leadkit.render`` turns a result and a
language into text. Each frame is checked against its contract (``results.contract``)
when the result is built. Lead lists are the exception to "small frames": a
``LeadList`` keeps the ordered query and fetches rows when shown.

``eq=False`` because pandas frames have no single truth value; compare results through
their JSON form instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd

from leadkit.method import Method
from leadkit.periods import Period
from leadkit.results import contract as C
from leadkit.results.lists import LeadList
from leadkit.results.quality import DataQuality
from leadkit.scope import Scope

Grain = str  # "month" or "week"


@dataclass(frozen=True, eq=False)
class ReportMeta:
    """What every report is about: which report, scope, method, time zone and data quality."""

    report: str
    scope: Scope
    method: Method
    timezone: str
    generated_at: datetime
    data_quality: DataQuality
    as_of: datetime | None  # the data's cut-off: its latest creation or close time
    horizon_days: int | None  # H: comparisons and trend points judge leads within H days of creation


@dataclass(frozen=True, eq=False)
class Comparison:
    """The current figures beside a base period's (``previous`` or ``year_ago``), per row and in total.

    ``horizon_days``: the verdicts compare outcomes within this many days of creation
    (None: the raw rates were tested — basis closed, or no close dates).
    """

    base: str
    period: Period
    rows: pd.DataFrame
    total: dict[str, Any]
    horizon_days: int | None = None


@dataclass(frozen=True)
class Highlight:
    """One headline sentence: its kind and the figures it states (render puts them in words)."""

    kind: str
    figures: dict[str, Any]


def _check(pairs: list[tuple[C.Contract, pd.DataFrame]]) -> None:
    for contract, frame in pairs:
        contract.check(frame)


@dataclass(frozen=True, eq=False)
class ConversionResult:
    """Lead conversion: one row per lead type, and the total."""

    meta: ReportMeta
    rows: pd.DataFrame
    total: dict[str, Any]
    comparisons: dict[str, Comparison]
    trend: pd.DataFrame
    trend_grain: Grain
    timing: pd.DataFrame
    curve: pd.DataFrame
    highlights: tuple[Highlight, ...] = ()

    def __post_init__(self) -> None:
        key = "lead_type"
        _check([(C.rows(key), self.rows), (C.TREND, self.trend), (C.timing(key), self.timing), (C.CURVE, self.curve)])
        _check([(C.compare_rows(key), c.rows) for c in self.comparisons.values()])


@dataclass(frozen=True, eq=False)
class LostLeadsResult:
    """Lost leads: reasons with shares, reasons by type and manager, and the list of lost leads."""

    meta: ReportMeta
    reasons: pd.DataFrame
    total: dict[str, Any]
    by_type: pd.DataFrame
    by_manager: pd.DataFrame
    leads: LeadList
    days_open: pd.DataFrame
    comparisons: dict[str, Comparison]
    trend: pd.DataFrame
    trend_grain: Grain
    highlights: tuple[Highlight, ...] = ()

    def __post_init__(self) -> None:
        _check([(C.REASONS, self.reasons), (C.reasons_by("lead_type"), self.by_type),
                (C.reasons_by("manager"), self.by_manager), (C.timing("reason"), self.days_open),
                (C.LOST_TREND, self.trend)])  # fmt: skip
        _check([(C.COMPARE_LOST, c.rows) for c in self.comparisons.values()])


@dataclass(frozen=True, eq=False)
class EmployeeResult:
    """Employee performance: one row per manager with the fair-comparison columns, and each manager's leads."""

    meta: ReportMeta
    rows: pd.DataFrame
    total: dict[str, Any]
    team_rate: float | None  # converted ÷ leads of the whole team, 0..1: the funnel's centre line
    funnel: pd.DataFrame  # the funnel limits along the leads axis, for the chart
    by_status: pd.DataFrame
    leads: LeadList
    comparisons: dict[str, Comparison]
    trend: pd.DataFrame
    trend_grain: Grain
    timing: pd.DataFrame
    curve: pd.DataFrame
    highlights: tuple[Highlight, ...] = ()

    def __post_init__(self) -> None:
        key = "manager"
        _check([(C.MANAGERS, self.rows), (C.FUNNEL, self.funnel), (C.BY_STATUS, self.by_status),
                (C.TREND, self.trend), (C.timing(key), self.timing), (C.CURVE, self.curve)])  # fmt: skip
        _check([(C.compare_rows(key), c.rows) for c in self.comparisons.values()])

    def leads_of(self, manager: str) -> pd.DataFrame:
        """The expandable list of one manager's leads, in order (fetched now)."""
        return self.leads.where(manager).to_pandas()


Result = ConversionResult | LostLeadsResult | EmployeeResult
