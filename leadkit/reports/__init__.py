"""Report calculations: Ibis expressions over the canonical leads, into frozen results."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from leadkit.exceptions import ReportError
from leadkit.leads import Leads, load_leads
from leadkit.params import Params, load_params
from leadkit.reports import conversion, employees, lost
from leadkit.reports.results import ConversionResult, EmployeeResult, LostLeadsResult, Result
from leadkit.scope import Scope

COMPUTERS: dict[str, Callable[[Leads, Scope, str], Result]] = {
    conversion.NAME: conversion.compute,
    lost.NAME: lost.compute,
    employees.NAME: employees.compute,
}

SourceLike = Leads | Params | str | Path


def _prepare(
    source: SourceLike, scope: Scope | None, lang: str | None, overrides: dict[str, Any]
) -> tuple[Leads, Scope, str]:
    if isinstance(source, Leads):
        return source, (scope or Scope()).updated(**overrides), lang or "en"
    params = source if isinstance(source, Params) else load_params(source)
    final = (scope or params.scope()).updated(**overrides)  # a bad period fails before any loading
    return load_leads(params), final, lang or params.lang


def compute(
    name: str, source: SourceLike, scope: Scope | None = None, *, lang: str | None = None, **overrides: Any
) -> Result:
    """Compute report ``name`` over ``source`` (loaded leads, params, or a params path).

    ``overrides`` are what papermill passes: period, start, end, basis, lead_types,
    managers, branches.
    """
    if name not in COMPUTERS:
        raise ReportError(f"unknown report {name!r}; choose one of {', '.join(COMPUTERS)}")
    if lang not in (None, "en", "ru"):
        raise ReportError(f"lang {lang!r} is not one of en, ru")
    leads, final_scope, final_lang = _prepare(source, scope, lang, overrides)
    return COMPUTERS[name](leads, final_scope, final_lang)


def lead_conversion(source: SourceLike, scope: Scope | None = None, **kw: Any) -> ConversionResult:
    """Conversion by lead type; see ``compute`` for the arguments."""
    result = compute(conversion.NAME, source, scope, **kw)
    assert isinstance(result, ConversionResult)
    return result


def lost_leads(source: SourceLike, scope: Scope | None = None, **kw: Any) -> LostLeadsResult:
    """Lost leads by reason and type; see ``compute`` for the arguments."""
    result = compute(lost.NAME, source, scope, **kw)
    assert isinstance(result, LostLeadsResult)
    return result


def employee_performance(source: SourceLike, scope: Scope | None = None, **kw: Any) -> EmployeeResult:
    """Conversion per manager with each manager's leads; see ``compute`` for the arguments."""
    result = compute(employees.NAME, source, scope, **kw)
    assert isinstance(result, EmployeeResult)
    return result
