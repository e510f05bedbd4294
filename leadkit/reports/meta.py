"""The frame around every report: title, scope, definitions, data quality."""

from __future__ import annotations

from datetime import UTC, datetime

from leadkit.leads import Leads
from leadkit.reports.definitions import definitions, title
from leadkit.reports.quality import DataQuality
from leadkit.reports.results import ReportMeta
from leadkit.scope import Scope


def report_meta(report: str, leads: Leads, scope: Scope, lang: str, quality: DataQuality) -> ReportMeta:
    return ReportMeta(
        report=report,
        title=title(report, lang),
        lang=lang,
        scope=scope,
        timezone=leads.timezone,
        generated_at=datetime.now(UTC).replace(microsecond=0),
        definitions=definitions(report, lang),
        data_quality=quality,
    )
