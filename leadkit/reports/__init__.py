"""Report calculations: Ibis expressions over the canonical leads, into frozen results (numbers only)."""

from __future__ import annotations

from collections.abc import Callable

from leadkit.exceptions import ReportError
from leadkit.leads import Leads
from leadkit.method import DEFAULT, Method
from leadkit.reports import conversion, employees, lost
from leadkit.results import Result
from leadkit.scope import Scope

COMPUTERS: dict[str, Callable[[Leads, Scope, Method], Result]] = {
    conversion.NAME: conversion.compute,
    lost.NAME: lost.compute,
    employees.NAME: employees.compute,
}


def compute(name: str, leads: Leads, scope: Scope, method: Method = DEFAULT) -> Result:
    """Report ``name`` over ``leads`` for ``scope``."""
    if name not in COMPUTERS:
        raise ReportError(f"unknown report {name!r}; choose one of {', '.join(COMPUTERS)}")
    return COMPUTERS[name](leads, scope, method)
