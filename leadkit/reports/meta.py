"""What every report computes first, and what every result carries besides its figures."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, TypeVar

import ibis.expr.types as ir
import pandas as pd

from leadkit.frames import fetch
from leadkit.leads import Leads
from leadkit.method import Method
from leadkit.reports.maturity import as_of_from, as_of_metrics, horizon_from, horizon_metrics
from leadkit.reports.quality import data_quality, quality_from, quality_metrics
from leadkit.reports.selection import scoped
from leadkit.results import DataQuality, ReportMeta
from leadkit.scope import Scope

T = TypeVar("T")


@dataclass(frozen=True)
class Context:
    """The leads in scope, the data's cut-off, the horizon H of fair comparisons, and the data-quality summary.

    One context serves every report computed for its scope together (``reports.compute_many``):
    what two reports show alike (the conversion trend, the curve) is kept in it, computed once.
    """

    leads: Leads
    scope: Scope
    method: Method
    table: ir.Table
    as_of: datetime | None
    days: int | None
    quality: DataQuality
    latest: dict[str, date | None] = field(default_factory=dict)  # per date column: the whole data's latest day
    # (not an argument: a copy made with dataclasses.replace for another scope starts with nothing kept)
    kept: dict[str, Any] = field(default_factory=dict, init=False, compare=False, repr=False)

    @property
    def curve_as_of(self) -> datetime | None:
        """When open leads are censored in the conversion curve (None: no creation dates, no curve)."""
        return self.as_of if "created_at" in self.leads.dated else None

    def once(self, name: str, make: Callable[[], T]) -> T:
        """``make()``, computed the first time ``name`` is asked for in this scope and kept for the others.

        Every caller of one name must compute the same thing from this context alone; a result
        owns its frames, so frames are handed out as copies.
        """
        if name not in self.kept:
            self.kept[name] = make()
        return _copied(self.kept[name])


def _copied(value: Any) -> Any:
    if isinstance(value, pd.DataFrame):
        return value.copy()
    if isinstance(value, tuple):
        return tuple(_copied(v) for v in value)
    return value


def _latest(row: pd.Series) -> dict[str, date | None]:
    found = {}
    for column in ("created_at", "closed_at"):
        key = f"last_{column}"
        if key in row:
            found[column] = None if pd.isna(row[key]) else pd.Timestamp(row[key]).date()
    return found


def context(leads: Leads, scope: Scope, method: Method) -> Context:
    """What every report needs first, from one query over the whole table.

    A dashboard viewer's data quality counts only their leads (``data_quality``, a query of its
    own); the cut-off and the horizon stay the whole data's, so their figures equal ``compute``'s.
    """
    table = scoped(leads, scope)  # a period on a source without its dates fails here, before any query
    whole = not scope.allowance.active
    base, metrics = leads.table, as_of_metrics(leads) | horizon_metrics(leads, scope, method)
    if whole:
        base, counts = quality_metrics(leads.table, scope)
        metrics |= counts
    row = fetch(base.aggregate(**metrics)).iloc[0]
    days = horizon_from(row, leads, scope, method)
    quality = quality_from(row, leads, scope) if whole else data_quality(leads, scope)
    return Context(leads, scope, method, table, as_of_from(row), days, quality, _latest(row))


def report_meta(report: str, ctx: Context) -> ReportMeta:
    return ReportMeta(
        report=report,
        scope=ctx.scope,
        method=ctx.method,
        timezone=ctx.leads.timezone,
        generated_at=datetime.now(UTC).replace(microsecond=0),
        data_quality=ctx.quality,
        as_of=ctx.as_of,
        horizon_days=ctx.days,
    )
