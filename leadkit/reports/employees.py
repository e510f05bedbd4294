"""Employee performance: conversion per manager, with each manager's leads («Эффективность сотрудников»)."""

from __future__ import annotations

from leadkit.leads import Leads
from leadkit.reports.measures import conversion_table
from leadkit.reports.meta import report_meta
from leadkit.reports.results import EmployeeResult
from leadkit.reports.selection import select
from leadkit.scope import Scope

NAME = "employee_performance"
LIST_COLUMNS = ["manager", "lead_id", "created_at", "lead_type", "status", "status_group", "is_converted"]


def compute(leads: Leads, scope: Scope, lang: str = "en") -> EmployeeResult:
    t, quality = select(leads, scope)
    rows, total = conversion_table(t, "manager")
    by_status = t.group_by(["manager", "status", "status_group"]).aggregate(leads=t.count()).to_pandas()
    by_status["leads"] = by_status["leads"].astype("int64")
    by_status = by_status.sort_values(["manager", "leads", "status"], ascending=[True, False, True], ignore_index=True)
    listing = t.select(*LIST_COLUMNS).order_by(["manager", "created_at", "lead_id"]).to_pandas()
    listing = listing.rename(columns={"is_converted": "converted"})
    return EmployeeResult(report_meta(NAME, leads, scope, lang, quality), rows, total, by_status, listing)
