"""Report calculations: Ibis expressions over the canonical leads, into frozen results (numbers only)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from leadkit.exceptions import ReportError
from leadkit.leads import Leads
from leadkit.method import DEFAULT, Method
from leadkit.reports import conversion, employees, lost
from leadkit.reports.meta import Context, context
from leadkit.results import Result
from leadkit.scope import Scope

COMPUTERS: dict[str, Callable[[Context], Result]] = {
    conversion.NAME: conversion.compute,
    lost.NAME: lost.compute,
    employees.NAME: employees.compute,
}


def compute(name: str, leads: Leads, scope: Scope, method: Method = DEFAULT) -> Result:
    """Report ``name`` over ``leads`` for ``scope``."""
    return compute_many([name], leads, scope, method)[0]


def compute_many(names: Sequence[str], leads: Leads, scope: Scope, method: Method = DEFAULT) -> list[Result]:
    """Reports ``names`` over ``leads`` for one ``scope``, in that order.

    What they share is computed once: the cut-off, the horizon and the data quality (one query),
    and the conversion trend and curve that lead conversion and employee performance both show.
    Nothing is kept once they are returned, so no later call can see an earlier call's figures.
    """
    unknown = [name for name in names if name not in COMPUTERS]
    if unknown:
        raise ReportError(f"unknown report {unknown[0]!r}; choose one of {', '.join(COMPUTERS)}")
    ctx = context(leads, scope, method)
    return [COMPUTERS[name](ctx) for name in names]
