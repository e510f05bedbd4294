"""Lead conversion by lead type («Конверсия обращений»)."""

from __future__ import annotations

from leadkit.leads import Leads
from leadkit.reports.compare import conversion_with_comparisons
from leadkit.reports.meta import report_meta
from leadkit.reports.results import ConversionResult
from leadkit.reports.selection import select
from leadkit.reports.timing import conversion_curve, duration_quantiles, report_date
from leadkit.reports.trend import conversion_trend
from leadkit.scope import Scope

NAME = "lead_conversion"


def compute(leads: Leads, scope: Scope, lang: str = "en") -> ConversionResult:
    t, quality = select(leads, scope)
    rows, total, comparisons = conversion_with_comparisons(leads, scope, "lead_type")
    return ConversionResult(
        meta=report_meta(NAME, leads, scope, lang, quality),
        rows=rows,
        total=total,
        comparisons=comparisons,
        trend=conversion_trend(leads, scope),
        timing=duration_quantiles(t, "is_won", "lead_type"),
        curve=conversion_curve(t, report_date(leads, scope)),
    )
