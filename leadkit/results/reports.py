"""Frozen result objects: computed once, rendered many ways; they hold only small frames.

Lead lists are the exception: a ``LeadList`` keeps the ordered query and fetches rows when shown.

``eq=False`` because pandas frames have no single truth value; compare results through
their ``to_dict`` (render.json) form instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd

from leadkit.reports.compare import Comparison
from leadkit.reports.lists import LeadList
from leadkit.reports.quality import DataQuality
from leadkit.scope import Scope


@dataclass(frozen=True, eq=False)
class ReportMeta:
    """What every report prints around its tables."""

    report: str
    title: str
    lang: str
    scope: Scope
    timezone: str
    generated_at: datetime
    definitions: tuple[tuple[str, str], ...]
    data_quality: DataQuality


@dataclass(frozen=True, eq=False)
class ConversionResult:
    """Lead conversion: one row per lead type, and the total."""

    meta: ReportMeta
    rows: pd.DataFrame
    total: dict[str, Any]
    comparisons: dict[str, Comparison] = field(default_factory=dict)
    trend: pd.DataFrame = field(default_factory=pd.DataFrame)
    timing: pd.DataFrame = field(default_factory=pd.DataFrame)
    curve: pd.DataFrame = field(default_factory=pd.DataFrame)


@dataclass(frozen=True, eq=False)
class LostLeadsResult:
    """Lost leads: reasons with shares, reason × type, and the list of lost leads."""

    meta: ReportMeta
    reasons: pd.DataFrame
    total: dict[str, Any]
    by_type: pd.DataFrame
    matrix: pd.DataFrame
    leads: LeadList
    by_manager: pd.DataFrame = field(default_factory=pd.DataFrame)
    manager_matrix: pd.DataFrame = field(default_factory=pd.DataFrame)
    days_open: pd.DataFrame = field(default_factory=pd.DataFrame)
    comparisons: dict[str, Comparison] = field(default_factory=dict)
    trend: pd.DataFrame = field(default_factory=pd.DataFrame)


@dataclass(frozen=True, eq=False)
class EmployeeResult:
    """Employee performance: one row per manager, the total, and each manager's leads."""

    meta: ReportMeta
    rows: pd.DataFrame
    total: dict[str, Any]
    by_status: pd.DataFrame
    leads: LeadList
    comparisons: dict[str, Comparison] = field(default_factory=dict)
    trend: pd.DataFrame = field(default_factory=pd.DataFrame)
    timing: pd.DataFrame = field(default_factory=pd.DataFrame)
    curve: pd.DataFrame = field(default_factory=pd.DataFrame)

    def leads_of(self, manager: str) -> pd.DataFrame:
        """The expandable list of one manager's leads, in order (fetched now)."""
        return self.leads.where(manager).to_pandas()


Result = ConversionResult | LostLeadsResult | EmployeeResult
