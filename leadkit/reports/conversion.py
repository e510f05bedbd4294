"""Lead conversion by lead type («Конверсия обращений»)."""

from __future__ import annotations

from leadkit.leads import Leads
from leadkit.method import Method
from leadkit.reports.compare import conversion_comparisons, fairness
from leadkit.reports.highlights import conversion_highlights
from leadkit.reports.meta import context, report_meta
from leadkit.reports.table import main_table
from leadkit.reports.timing import conversion_curve, duration_quantiles
from leadkit.reports.trend import conversion_trend
from leadkit.results import ConversionResult
from leadkit.scope import Scope

NAME = "lead_conversion"
KEY = "lead_type"


def compute(leads: Leads, scope: Scope, method: Method) -> ConversionResult:
    ctx = context(leads, scope, method)
    table = main_table(leads, scope, KEY, method)
    fair = fairness(leads, scope, KEY, ctx.as_of, ctx.days)
    trend, grain = conversion_trend(leads, scope, method, ctx.as_of, ctx.days)
    meta = report_meta(NAME, ctx)
    comparisons = conversion_comparisons(table, KEY, fair, scope, method)
    return ConversionResult(
        meta=meta,
        rows=table.rows,
        total=table.total,
        comparisons=comparisons,
        trend=trend,
        trend_grain=grain,
        timing=duration_quantiles(ctx.table, "is_won", KEY),
        curve=conversion_curve(ctx.table, ctx.curve_as_of),
        highlights=conversion_highlights(meta, table.rows, table.total, comparisons, KEY),
    )
