"""Scope: one strict type from params, command line, notebooks and widgets to the SQL."""

from __future__ import annotations

from datetime import date

import pytest

from leadkit.exceptions import PeriodError, ReportError
from leadkit.periods import parse_period
from leadkit.scope import SCOPE_KEYS, Filters, Scope, as_values, period_of

BASE = Scope(parse_period("2025-Q4"), "closed", Filters(lead_types=("Call",), managers=("Ann",)))


def test_unknown_keys_are_refused_with_the_allowed_ones():
    with pytest.raises(ReportError) as caught:
        BASE.updated(lead_type=["Call"])
    message = str(caught.value)
    assert "lead_type" in message and all(key in message for key in SCOPE_KEYS)


def test_none_keeps_and_values_replace():
    assert BASE.updated(period=None, basis=None, lead_types=None, managers=None, branches=None) == BASE
    changed = BASE.updated(period="2025-W05", managers="Bob, Carl", lead_types=[])
    assert changed.period == parse_period("2025-W05") and changed.period.kind == "week"
    assert changed.filters == Filters(lead_types=(), managers=("Bob", "Carl"))
    assert changed.basis == "closed"


def test_all_time_start_end_and_conflicts():
    assert BASE.updated(period="all").period is None
    assert BASE.updated(start="2025-11-10", end="2025-11-30").period.label == "2025-11-10_2025-11-30"
    assert BASE.updated(start=date(2025, 11, 1), end=date(2025, 11, 30)).period.kind == "month"
    with pytest.raises(PeriodError, match="both start and end"):
        BASE.updated(start="2025-11-10")
    with pytest.raises(PeriodError, match="not both"):
        BASE.updated(period="2025-11", start="2025-11-10", end="2025-11-30")
    with pytest.raises(PeriodError, match="created, closed"):
        BASE.updated(basis="modified")


def test_period_of_relative_names_resolve_against_today():
    today = date(2026, 1, 15)
    assert period_of("previous-month", today=today) == parse_period("2025-12")
    assert period_of("previous-quarter", today=today) == parse_period("2025-Q4")
    assert period_of("previous-week", today=today) == parse_period("2026-W02")
    assert period_of("previous-year", today=today) == parse_period("2025")
    assert period_of("", today=today) is None and period_of(None) is None and period_of(" All ") == "all"


def test_filter_values_and_items():
    assert as_values(" a, b ,,") == ("a", "b") and as_values(["x ", 3]) == ("x", "3") and as_values(None) == ()
    assert BASE.filters.items() == [("lead_type", ("Call",)), ("manager", ("Ann",))]
    assert BASE.filters.active and not Filters().active


def test_as_dict_keeps_the_period_kind():
    assert BASE.as_dict() == {
        "period": {"label": "2025-Q4", "kind": "quarter", "start": "2025-10-01", "end": "2025-12-31",
                   "basis": "closed"},
        "basis": "closed",
        "filters": {"lead_types": ["Call"], "managers": ["Ann"], "branches": []},
    }  # fmt: skip


def test_require_dates_names_the_missing_column():
    with pytest.raises(PeriodError, match="no closed_at dates"):
        BASE.require_dates(("created_at",), "file.csv")
    Scope().require_dates((), "file.csv")  # all time needs no dates


def test_the_date_column_follows_the_basis_and_a_bad_basis_is_refused_at_once():
    assert Scope().date_column == "created_at" and Scope(basis="closed").date_column == "closed_at"
    with pytest.raises(PeriodError, match="basis 'modified' is not one of: created, closed"):
        Scope(basis="modified")  # type: ignore[arg-type]


def test_updated_returns_a_new_scope_and_leaves_the_old_one_alone():
    changed = BASE.updated(basis="created", branches="North")
    assert BASE.basis == "closed" and BASE.filters.branches == ()
    assert changed.filters == Filters(lead_types=("Call",), managers=("Ann",), branches=("North",))
    assert changed.period == BASE.period  # a key not given keeps its value


def test_several_unknown_keys_are_all_named():
    with pytest.raises(ReportError, match=r"unknown scope key\(s\) branch, manager; the keys are: period, start"):
        BASE.updated(manager="Ann", branch="North", basis="created")


def test_period_forms_the_scope_accepts():
    assert BASE.updated(period=2024).period == parse_period("2024")
    assert BASE.updated(period=parse_period("2025-11")).period.kind == "month"
    assert BASE.updated(period="2025-11-10..2025-11-30").period.kind == "range"
    assert period_of("yesterday", today=date(2026, 3, 1)) == parse_period("2026-02-28")
    with pytest.raises(PeriodError):
        BASE.updated(period="2025-13")


def test_filter_values_of_other_shapes():
    assert as_values("   ") == () and as_values(7) == ("7",) and as_values(("  ",)) == ()
    assert Filters(branches=("North",)).items() == [("branch", ("North",))] and Filters(branches=("N",)).active
    assert Scope().as_dict()["period"] is None
