"""The machine-readable contract of ``leadkit compute``: results as plain dicts and JSON.

Keys are the result contract's column names (``leadkit.results.contract``), documented in
the README and stable; percentages are numbers from 0 to 100, unrounded, and null where
their denominator is 0. Only ``title``, ``period.name`` and ``definitions`` are words,
in the language asked for.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

import pandas as pd

from leadkit.frames import records
from leadkit.model import TOTAL
from leadkit.periods import Period
from leadkit.render import labels as L
from leadkit.render.definitions import printed
from leadkit.render.headline import sentence
from leadkit.results import ConversionResult, EmployeeResult, LostLeadsResult, Result
from leadkit.results import contract as C

METRICS = (*C.COUNTS, *C.RATES)


def _by_status(result: EmployeeResult) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for rec in records(result.by_status):
        out.setdefault(rec["manager"], {})[rec["status"]] = rec["leads"]
    return out


def _status_totals(result: EmployeeResult) -> dict[str, int]:
    sums = result.by_status.groupby("status")["leads"].sum().sort_values(ascending=False, kind="stable")
    return {str(k): int(v) for k, v in sums.items()}


def period_dict(period: Period, lang: str) -> dict[str, Any]:
    return {"label": period.label, "kind": period.kind, "start": period.start.isoformat(),
            "end": period.end.isoformat(), "name": L.period_words(period, lang)}  # fmt: skip


def _comparisons(result: Result, lang: str) -> dict[str, Any]:
    out = {}
    for name, comp in result.comparisons.items():
        total = records(pd.DataFrame([comp.total]))[0]
        out[name] = {"period": period_dict(comp.period, lang), "horizon_days": comp.horizon_days,
                     "rows": records(comp.rows), "total": total}  # fmt: skip
    return out


def highlights(result: Result, lang: str) -> list[dict[str, Any]]:
    """The headline: each sentence with its kind and the figures it states."""
    return [{"kind": h.kind, "text": sentence(h, lang), **h.figures} for h in result.highlights]


def _analysis(result: Result, lang: str) -> dict[str, Any]:
    extra: dict[str, Any] = {"comparisons": _comparisons(result, lang), "trend": records(result.trend),
                             "trend_grain": result.trend_grain}  # fmt: skip
    if not isinstance(result, LostLeadsResult):
        extra["time_to_convert"] = records(result.timing)
        extra["conversion_curve"] = records(result.curve)
    return extra


def body(result: Result, lang: str = "en") -> dict[str, Any]:
    """The report-specific part: rows, total and extras."""
    if isinstance(result, ConversionResult):
        rows = records(result.rows)
        return {"rows": rows, "total": {"lead_type": TOTAL, **result.total}, **_analysis(result, lang)}
    if isinstance(result, LostLeadsResult):
        return {
            "rows": records(result.reasons),
            "total": dict(result.total),
            "by_type": records(result.by_type),
            "by_manager": records(result.by_manager),
            "days_open": records(result.days_open),
            **_analysis(result, lang),
        }
    statuses = _by_status(result)
    rows = [{**rec, "by_status": statuses.get(rec["manager"], {})} for rec in records(result.rows)]
    total = {"manager": TOTAL, **result.total, "by_status": _status_totals(result)}
    return {"rows": rows, "total": total, "team_rate_pct": _pct(result.team_rate), **_analysis(result, lang)}


def _pct(rate: float | None) -> float | None:
    return None if rate is None else rate * 100


def to_dict(result: Result, lang: str = "en") -> dict[str, Any]:
    meta = result.meta
    scope = meta.scope
    period = None if scope.period is None else {**period_dict(scope.period, lang), "basis": scope.basis}
    return {
        "report": meta.report,
        "title": L.title(meta.report, lang),
        "lang": lang,
        "period": period,
        "filters": scope.filters.as_dict(),
        "timezone": meta.timezone,
        "as_of": meta.as_of.isoformat(timespec="seconds") if meta.as_of else None,
        "horizon_days": meta.horizon_days,
        "highlights": highlights(result, lang),
        **body(result, lang),
        "data_quality": meta.data_quality.as_dict(),
        "definitions": dict(printed(result, lang)),
        "method": {**asdict(meta.method), "z": meta.method.z},
        "generated_at": meta.generated_at.isoformat(),
    }


def to_json(result: Result, lang: str = "en") -> str:
    return json.dumps(to_dict(result, lang), ensure_ascii=False, indent=2, allow_nan=False)


def main_table(result: Result) -> pd.DataFrame:
    """The report's main table with its total as the last row (for CSV and terminal output)."""
    data = body(result)
    rows = [{k: v for k, v in r.items() if k != "by_status"} for r in [*data["rows"], data["total"]]]
    return pd.DataFrame(rows)
