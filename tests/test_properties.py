"""Invariants on generated leads: parts sum to totals, rates in range, filters never add leads."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import lead_frames

from leadkit.api import employee_performance, lead_conversion, lost_leads
from leadkit.leads import from_frame
from leadkit.periods import parse_period
from leadkit.scope import Filters, Scope

COUNTS = ["leads", "converted", "orders", "sales", "won", "lost", "open"]
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
scopes = st.builds(
    Scope,
    period=st.sampled_from([None, parse_period("2025-03"), parse_period("2025-Q2"), parse_period("2025")]),
    basis=st.sampled_from(["created", "closed"]),
)


@SETTINGS
@given(lead_frames(), scopes)
def test_parts_sum_to_totals_and_rates_are_in_range(frame, scope):
    leads = from_frame(frame, no_reason_statuses=("Lost",))
    for result in (lead_conversion(leads, scope), employee_performance(leads, scope)):
        rows, total = result.rows, result.total
        for col in COUNTS:
            assert rows[col].sum() == total[col]
        assert total["won"] + total["lost"] + total["open"] == total["leads"]
        assert total["won"] <= total["converted"] <= total["leads"]
        assert total["orders"] <= total["converted"] and total["sales"] <= total["converted"]
        for col in ("conversion_pct", "closed_conversion_pct", "ci_low_pct", "ci_high_pct"):
            values = rows[col].dropna()
            assert ((values >= 0) & (values <= 100)).all()
        both = rows.dropna(subset=["conversion_pct"])
        assert (both["ci_low_pct"] <= both["conversion_pct"] + 1e-9).all()
        assert (both["conversion_pct"] <= both["ci_high_pct"] + 1e-9).all()
        quality = result.meta.data_quality
        assert quality.leads_in_scope == total["leads"]
        assert quality.leads_in_scope + sum(quality.excluded.values()) == len(frame)
    lost = lost_leads(leads, scope)
    assert lost.reasons["leads"].sum() == lost.total["leads"] == len(lost.leads)
    assert lost.total["leads"] == lead_conversion(leads, scope).total["lost"]
    if lost.total["leads"]:
        assert lost.reasons["share_pct"].sum() == pytest.approx(100.0)
        assert lost.by_type["leads"].sum() == lost.by_manager["leads"].sum() == lost.total["leads"]


@SETTINGS
@given(
    lead_frames(),
    st.lists(st.sampled_from(["Call", "Website", "(not set)", "Nope"]), max_size=2),
    st.lists(st.sampled_from(["Ann", "Bob", "(unassigned)"]), max_size=2),
)
def test_filters_never_add_leads(frame, types, managers):
    leads = from_frame(frame)
    everything = lead_conversion(leads).total
    narrowed = lead_conversion(leads, Scope(filters=Filters(lead_types=tuple(types), managers=tuple(managers)))).total
    for col in COUNTS:
        assert narrowed[col] <= everything[col]
    expected = frame
    if types:
        expected = expected[expected["lead_type"].isin(types)]
    if managers:
        expected = expected[expected["manager"].isin(managers)]
    assert narrowed["leads"] == len(expected)
