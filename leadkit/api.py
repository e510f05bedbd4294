"""The Python API: a report from leads, a params file or its path, in one call.

    leads = leadkit.load_leads("params/demo.yaml")
    result = leadkit.lead_conversion(leads, period="2025-Q1", lead_types=["Call", "Website"])

Scope keywords left as None keep what the params file (or the ``scope`` given) says.
"""

from __future__ import annotations

from pathlib import Path

from leadkit.leads import Leads, load_leads
from leadkit.method import DEFAULT, Method
from leadkit.params import Params, load_params
from leadkit.reports import compute as compute_report
from leadkit.results import ConversionResult, EmployeeResult, LostLeadsResult, Result
from leadkit.scope import PeriodLike, Scope

SourceLike = Leads | Params | str | Path
Values = list[str] | tuple[str, ...] | str | None


def compute(
    name: str,
    source: SourceLike,
    scope: Scope | None = None,
    *,
    period: PeriodLike = None,
    start: object = None,
    end: object = None,
    basis: str | None = None,
    lead_types: Values = None,
    managers: Values = None,
    branches: Values = None,
    method: Method | None = None,
) -> Result:
    """Compute report ``name`` over ``source`` (loaded leads, params, or a params path).

    The scope starts from ``scope``, else the params file's period, basis and filters
    (all time, unfiltered for loaded leads); each keyword that is not None replaces its
    part: ``period`` (``2025-W05``, ``2025-11-10..2025-11-30``, ``all``…) or ``start``
    and ``end``, ``basis`` (created/closed), and the filters (lists; ``[]`` keeps all).
    """
    changes = {"period": period, "start": start, "end": end, "basis": basis, "lead_types": lead_types,
               "managers": managers, "branches": branches}  # fmt: skip
    if isinstance(source, Leads):
        return compute_report(name, source, (scope or Scope()).updated(**changes), method or DEFAULT)
    params = source if isinstance(source, Params) else load_params(source)
    final = (scope or params.scope()).updated(**changes)  # a bad period fails before any loading
    return compute_report(name, load_leads(params), final, method or params.method())


def lead_conversion(
    source: SourceLike,
    scope: Scope | None = None,
    *,
    period: PeriodLike = None,
    start: object = None,
    end: object = None,
    basis: str | None = None,
    lead_types: Values = None,
    managers: Values = None,
    branches: Values = None,
    method: Method | None = None,
) -> ConversionResult:
    """Conversion by lead type; the arguments are ``compute``'s."""
    result = compute("lead_conversion", source, scope, period=period, start=start, end=end, basis=basis,
                     lead_types=lead_types, managers=managers, branches=branches, method=method)  # fmt: skip
    assert isinstance(result, ConversionResult)
    return result


def lost_leads(
    source: SourceLike,
    scope: Scope | None = None,
    *,
    period: PeriodLike = None,
    start: object = None,
    end: object = None,
    basis: str | None = None,
    lead_types: Values = None,
    managers: Values = None,
    branches: Values = None,
    method: Method | None = None,
) -> LostLeadsResult:
    """Lost leads by reason, type and manager; the arguments are ``compute``'s."""
    result = compute("lost_leads", source, scope, period=period, start=start, end=end, basis=basis,
                     lead_types=lead_types, managers=managers, branches=branches, method=method)  # fmt: skip
    assert isinstance(result, LostLeadsResult)
    return result


def employee_performance(
    source: SourceLike,
    scope: Scope | None = None,
    *,
    period: PeriodLike = None,
    start: object = None,
    end: object = None,
    basis: str | None = None,
    lead_types: Values = None,
    managers: Values = None,
    branches: Values = None,
    method: Method | None = None,
) -> EmployeeResult:
    """Conversion per manager with each manager's leads; the arguments are ``compute``'s."""
    result = compute("employee_performance", source, scope, period=period, start=start, end=end, basis=basis,
                     lead_types=lead_types, managers=managers, branches=branches, method=method)  # fmt: skip
    assert isinstance(result, EmployeeResult)
    return result
