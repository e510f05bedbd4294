"""Lead conversion by lead type («Конверсия обращений»)."""

from __future__ import annotations

from leadkit.reports.compare import conversion_comparisons, fairness
from leadkit.reports.highlights import conversion_highlights
from leadkit.reports.meta import Context, report_meta
from leadkit.reports.shared import shared_curve, shared_trend
from leadkit.reports.table import main_table
from leadkit.reports.timing import duration_quantiles
from leadkit.results import ConversionResult

NAME = "lead_conversion"
KEY = "lead_type"


def compute(ctx: Context) -> ConversionResult:
    leads, scope, method = ctx.leads, ctx.scope, ctx.method
    table = main_table(leads, scope, KEY, method)
    fair = fairness(leads, scope, KEY, ctx.as_of, ctx.days)
    trend, grain = shared_trend(ctx)
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
        curve=shared_curve(ctx),
        highlights=conversion_highlights(meta, table.rows, table.total, comparisons, KEY),
    )
