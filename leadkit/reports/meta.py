"""What every report computes first, and what every result carries besides its figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import ibis.expr.types as ir

from leadkit.frames import fetch
from leadkit.leads import Leads
from leadkit.method import Method
from leadkit.reports.maturity import as_of_from, as_of_metrics, horizon_from, horizon_metrics
from leadkit.reports.quality import data_quality, quality_from, quality_metrics
from leadkit.reports.selection import scoped
from leadkit.results import DataQuality, ReportMeta
from leadkit.scope import Scope


@dataclass(frozen=True)
class Context:
    """The leads in scope, the data's cut-off, the horizon H of fair comparisons, and the data-quality summary."""

    leads: Leads
    scope: Scope
    method: Method
    table: ir.Table
    as_of: datetime | None
    days: int | None
    quality: DataQuality

    @property
    def curve_as_of(self) -> datetime | None:
        """When open leads are censored in the conversion curve (None: no creation dates, no curve)."""
        return self.as_of if "created_at" in self.leads.dated else None


def context(leads: Leads, scope: Scope, method: Method) -> Context:
    """What every report needs first, from one query over the whole table.

    A dashboard viewer's data quality counts only their leads (``data_quality``, a query of its
    own); the cut-off and the horizon stay the whole data's, so their figures equal ``compute``'s.
    """
    table = scoped(leads, scope)  # a period on a source without its dates fails here, before any query
    whole = not scope.allowance.active
    metrics = as_of_metrics(leads) | horizon_metrics(leads, scope, method)
    if whole:
        metrics |= quality_metrics(leads.table, scope)
    row = fetch(leads.table.aggregate(**metrics)).iloc[0]
    days = horizon_from(row, leads, scope, method)
    quality = quality_from(row, leads, scope) if whole else data_quality(leads, scope)
    return Context(leads, scope, method, table, as_of_from(row), days, quality)


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
