"""The machine-readable contract of ``leadkit compute``: results as plain dicts and JSON.

Keys are documented in the README and stable; percentages are numbers from 0 to 100,
unrounded, and null where their denominator is 0.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from leadkit.model import TOTAL
from leadkit.reports.measures import COUNTS, RATES, records
from leadkit.reports.results import ConversionResult, EmployeeResult, LostLeadsResult, Result

METRICS = [*COUNTS, *RATES]


def _by_status(result: EmployeeResult) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for rec in records(result.by_status):
        out.setdefault(rec["manager"], {})[rec["status"]] = rec["leads"]
    return out


def _status_totals(result: EmployeeResult) -> dict[str, int]:
    sums = result.by_status.groupby("status")["leads"].sum().sort_values(ascending=False, kind="stable")
    return {str(k): int(v) for k, v in sums.items()}


JUDGEMENT = ["few_leads", "rank_by_lower_bound", "expected_pct", "mix_diff_pp", "limit_low_pct", "limit_high_pct",
             "vs_team"]  # fmt: skip


def _comparisons(result: Result) -> dict[str, Any]:
    out = {}
    for name, comp in result.comparisons.items():
        period = {
            "start": comp.period.start.isoformat(),
            "end": comp.period.end.isoformat(),
            "label": comp.period.label,
        }
        total = records(pd.DataFrame([comp.total]))[0]
        out[name] = {"period": period, "rows": records(comp.rows), "total": total}
    return out


def _analysis(result: Result) -> dict[str, Any]:
    extra: dict[str, Any] = {"comparisons": _comparisons(result), "trend": records(result.trend)}
    if not isinstance(result, LostLeadsResult):
        extra["time_to_convert"] = records(result.timing)
        extra["conversion_curve"] = records(result.curve)
    return extra


def body(result: Result) -> dict[str, Any]:
    """The report-specific part: rows, total and extras."""
    if isinstance(result, ConversionResult):
        rows = records(result.rows[["lead_type", *METRICS]])
        return {"rows": rows, "total": {"lead_type": TOTAL, **result.total}, **_analysis(result)}
    if isinstance(result, LostLeadsResult):
        return {
            "rows": records(result.reasons[["reason", "leads", "share_pct", "cum_share_pct"]]),
            "total": dict(result.total),
            "by_type": records(result.by_type[["lead_type", "reason", "leads"]]),
            "by_manager": records(result.by_manager[["manager", "reason", "leads"]]),
            "days_open": records(result.days_open),
            **_analysis(result),
        }
    statuses = _by_status(result)
    columns = ["manager", *METRICS, *JUDGEMENT]
    rows = [{**rec, "by_status": statuses.get(rec["manager"], {})} for rec in records(result.rows[columns])]
    total = {"manager": TOTAL, **result.total, "by_status": _status_totals(result)}
    return {"rows": rows, "total": total, **_analysis(result)}


def to_dict(result: Result) -> dict[str, Any]:
    meta = result.meta
    scope = meta.scope.as_dict()
    return {
        "report": meta.report,
        "title": meta.title,
        "lang": meta.lang,
        "period": scope["period"],
        "filters": scope["filters"],
        "timezone": meta.timezone,
        **body(result),
        "data_quality": meta.data_quality.as_dict(),
        "definitions": dict(meta.definitions),
        "generated_at": meta.generated_at.isoformat(),
    }


def to_json(result: Result) -> str:
    return json.dumps(to_dict(result), ensure_ascii=False, indent=2, allow_nan=False)


def main_table(result: Result) -> pd.DataFrame:
    """The report's main table with its total as the last row (for CSV and terminal output)."""
    data = body(result)
    rows = [{k: v for k, v in r.items() if k != "by_status"} for r in [*data["rows"], data["total"]]]
    return pd.DataFrame(rows)
