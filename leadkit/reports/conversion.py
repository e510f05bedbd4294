"""Lead conversion by lead type («Конверсия обращений»)."""

from __future__ import annotations

from leadkit.leads import Leads
from leadkit.reports.measures import conversion_table
from leadkit.reports.meta import report_meta
from leadkit.reports.results import ConversionResult
from leadkit.reports.selection import select
from leadkit.scope import Scope

NAME = "lead_conversion"


def compute(leads: Leads, scope: Scope, lang: str = "en") -> ConversionResult:
    t, quality = select(leads, scope)
    rows, total = conversion_table(t, "lead_type")
    return ConversionResult(report_meta(NAME, leads, scope, lang, quality), rows, total)
