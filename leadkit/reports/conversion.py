"""Lead conversion by lead type («Конверсия обращений»)."""

from __future__ import annotations

from leadkit.leads import Leads
from leadkit.method import Method
from leadkit.reports.compare import conversion_comparisons
from leadkit.reports.meta import report_meta
from leadkit.reports.selection import scoped
from leadkit.reports.table import main_table
from leadkit.reports.timing import conversion_curve, duration_quantiles, report_date
from leadkit.reports.trend import conversion_trend
from leadkit.results import ConversionResult
from leadkit.scope import Scope

NAME = "lead_conversion"
KEY = "lead_type"


def compute(leads: Leads, scope: Scope, method: Method) -> ConversionResult:
    t = scoped(leads, scope)
    table = main_table(leads, scope, KEY, method)
    trend, grain = conversion_trend(leads, scope, method)
    return ConversionResult(
        meta=report_meta(NAME, leads, scope, method),
        rows=table.rows,
        total=table.total,
        comparisons=conversion_comparisons(table, KEY, method),
        trend=trend,
        trend_grain=grain,
        timing=duration_quantiles(t, "is_won", KEY),
        curve=conversion_curve(t, report_date(leads, scope)),
    )
