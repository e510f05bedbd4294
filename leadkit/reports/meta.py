"""What every report computes first, and what every result carries besides its figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import ibis.expr.types as ir

from leadkit.leads import Leads
from leadkit.method import Method
from leadkit.reports.maturity import data_as_of, horizon_days
from leadkit.reports.quality import data_quality
from leadkit.reports.selection import scoped
from leadkit.results import ReportMeta
from leadkit.scope import Scope


@dataclass(frozen=True)
class Context:
    """The leads in scope, the data's cut-off, and the horizon H of fair comparisons."""

    leads: Leads
    scope: Scope
    method: Method
    table: ir.Table
    as_of: datetime | None
    days: int | None

    @property
    def curve_as_of(self) -> datetime | None:
        """When open leads are censored in the conversion curve (None: no creation dates, no curve)."""
        return self.as_of if "created_at" in self.leads.dated else None


def context(leads: Leads, scope: Scope, method: Method) -> Context:
    return Context(leads, scope, method, scoped(leads, scope), data_as_of(leads), horizon_days(leads, scope, method))


def report_meta(report: str, ctx: Context) -> ReportMeta:
    return ReportMeta(
        report=report,
        scope=ctx.scope,
        method=ctx.method,
        timezone=ctx.leads.timezone,
        generated_at=datetime.now(UTC).replace(microsecond=0),
        data_quality=data_quality(ctx.leads, ctx.scope),
        as_of=ctx.as_of,
        horizon_days=ctx.days,
    )
