"""What every result carries besides its figures: report, scope, method, time zone, data quality."""

from __future__ import annotations

from datetime import UTC, datetime

from leadkit.leads import Leads
from leadkit.method import Method
from leadkit.reports.quality import data_quality
from leadkit.results import ReportMeta
from leadkit.scope import Scope


def report_meta(report: str, leads: Leads, scope: Scope, method: Method) -> ReportMeta:
    return ReportMeta(
        report=report,
        scope=scope,
        method=method,
        timezone=leads.timezone,
        generated_at=datetime.now(UTC).replace(microsecond=0),
        data_quality=data_quality(leads, scope),
    )
