"""Reports of one scope computed together share their queries, and never another scope's figures."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter

import pandas as pd
import pytest

from leadkit import frames
from leadkit.frames import fetch
from leadkit.method import DEFAULT
from leadkit.periods import parse_period
from leadkit.render.jsonout import to_json
from leadkit.reports import compute, compute_many
from leadkit.reports.maturity import data_as_of
from leadkit.reports.meta import context
from leadkit.reports.quality import data_quality
from leadkit.reports.selection import scoped
from leadkit.reports.shared import shared_trend
from leadkit.reports.timing import conversion_curve
from leadkit.reports.trend import conversion_trend
from leadkit.scope import Filters, Scope

REPORTS = ["lead_conversion", "lost_leads", "employee_performance"]
MARCH = Scope(period=parse_period("2025-03"))
# Scopes that differ from MARCH (or each other) in one part only: a period, the basis, one filter.
SCOPES = [
    MARCH,
    Scope(period=parse_period("2025-03"), filters=Filters(managers=("Bob",))),
    Scope(period=parse_period("2025-03"), filters=Filters(managers=("Ann",))),
    Scope(period=parse_period("2025-03"), filters=Filters(managers=("Ann",), lead_types=("Call",))),
    Scope(period=parse_period("2025-03"), filters=Filters(branches=("North",))),
    Scope(period=parse_period("2025-03"), basis="closed"),
    Scope(period=parse_period("2025-Q1")),
    Scope(),
]


def json_of(result) -> str:
    return re.sub(r'"generated_at": "[^"]*"', '"generated_at": ""', to_json(result, "en"))


@pytest.fixture()
def queries(monkeypatch):
    """Every SQL text leadkit runs on DuckDB, in order."""
    seen: list[str] = []
    run_sql = frames.run_sql

    def recorded(backend, sql):
        seen.append(sql)
        return run_sql(backend, sql)

    monkeypatch.setattr(frames, "run_sql", recorded)
    return seen


def test_three_reports_of_one_scope_ask_no_query_twice(march, queries):
    compute_many(REPORTS, march, MARCH)
    together = Counter(queries)
    queries.clear()
    for name in REPORTS:
        compute(name, march, MARCH)
    alone = Counter(queries)
    assert max(together.values()) == 1
    assert set(together) == set(alone)
    # the context query (cut-off, horizon, data quality) once instead of three times; trend and curve once, not twice
    assert sum(alone.values()) - sum(together.values()) == 4


def test_reports_computed_together_equal_each_alone_in_every_scope(march):
    """In a row of scopes that differ in one filter (or period, or basis) each gets its own figures, never kept ones.

    What is shared is checked against the same figures computed directly, without any context.
    """
    for scope in SCOPES:
        together = compute_many(REPORTS, march, scope)
        for name, result in zip(REPORTS, together, strict=True):
            assert json_of(result) == json_of(compute(name, march, scope)), (name, scope)
        conversion, _, employees = together
        quality = data_quality(march, scope)
        as_of = data_as_of(march)
        trend, grain = conversion_trend(march, scope, DEFAULT, as_of, conversion.meta.horizon_days, latest(march))
        curve = conversion_curve(scoped(march, scope), as_of if "created_at" in march.dated else None)
        for result in (conversion, employees):
            assert result.meta.data_quality == quality, scope
            assert result.trend.equals(trend) and result.trend_grain == grain, scope
            assert result.curve.equals(curve), scope


def latest(leads) -> dict:
    """The whole data's latest day per date column, computed directly."""
    t = leads.table
    days = fetch(t.aggregate(**{c: t[c].max() for c in leads.dated})).iloc[0]
    return {c: None if pd.isna(days[c]) else pd.Timestamp(days[c]).date() for c in leads.dated}


def test_shared_frames_are_each_results_own(march):
    conversion, employees = compute_many(["lead_conversion", "employee_performance"], march, MARCH)
    assert conversion.trend.equals(employees.trend) and conversion.curve.equals(employees.curve)
    assert conversion.trend is not employees.trend and conversion.curve is not employees.curve
    employees.trend.loc[:, "leads"] = -1  # a renderer that changed one result's frame would not change the other
    assert (conversion.trend["leads"] >= 0).all()


def test_a_filter_value_no_lead_has_is_named_even_when_none_matches(march):
    """The unmatched-filter check rides on the data-quality query: all values missing comes back as NULL there."""
    scope = Scope(period=parse_period("2025-03"), filters=Filters(managers=("Bobb",), lead_types=("Call", "Cal")))
    quality = compute("lead_conversion", march, scope).meta.data_quality
    assert quality.unmatched_filters == {"lead_type": ["Cal"], "manager": ["Bobb"]}


def test_a_context_copied_for_another_scope_keeps_none_of_the_first_ones_figures(march):
    ctx = context(march, MARCH, DEFAULT)
    shared_trend(ctx)
    other = dataclasses.replace(ctx, scope=SCOPES[1], table=scoped(march, SCOPES[1]))
    assert other.once("conversion_trend", lambda: "computed anew") == "computed anew"
