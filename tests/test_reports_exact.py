"""Exact numbers on tests/data/march.csv, each checked by hand against DOMAIN.md's definitions.

March 2025, basis created, holds L1–L9:
  Call      L1 order, L2 order+sale, L3 won 'Successful sale' without ids (→ sale), L7 lost
  Website   L4 won 'Won' without ids (converted only), L5 open (last second of March),
            L8 lost with the generic status 'Lost' (no reason), L9 lost but with order O9
  (not set) L6 open, no type
Outside: L10 (Feb 28 23:59:59), L11 (Apr 1 00:00), L13 (Feb); L12 has no creation date.
"""

from __future__ import annotations

import pytest

from leadkit.api import employee_performance, lead_conversion, lost_leads
from leadkit.exceptions import PeriodError
from leadkit.periods import parse_period
from leadkit.render.jsonout import to_dict
from leadkit.render.views import view_of
from leadkit.scope import Filters, Scope

MARCH = Scope(period=parse_period("2025-03"))
METRICS = ["leads", "converted", "orders", "sales", "won", "lost", "open"]


def table(result, key):
    return {r[key]: [r[m] for m in METRICS] for r in to_dict(result)["rows"]}


def test_conversion_by_type_march(march):
    result = lead_conversion(march, MARCH)
    assert table(result, "lead_type") == {
        "Call": [4, 3, 2, 2, 3, 1, 0],
        "Website": [4, 2, 1, 0, 1, 2, 1],
        "(not set)": [1, 0, 0, 0, 0, 0, 1],
    }
    assert list(result.rows["lead_type"]) == ["Call", "Website", "(not set)"]
    total = result.total
    assert [total[m] for m in METRICS] == [9, 5, 3, 2, 4, 3, 2]
    assert total["conversion_pct"] == pytest.approx(500 / 9)
    assert total["closed_conversion_pct"] == pytest.approx(400 / 7)
    rows = result.rows.set_index("lead_type")
    assert rows.loc["Call", "conversion_pct"] == pytest.approx(75.0)
    assert rows.loc["Website", "closed_conversion_pct"] == pytest.approx(100 / 3)
    assert rows.loc["(not set)", "conversion_pct"] == 0
    assert to_dict(result)["rows"][2]["closed_conversion_pct"] is None  # no closed lead: no rate


def test_wilson_interval_on_the_total(march):
    total = lead_conversion(march, MARCH).total
    # Wilson 95% for 5 of 9, computed by hand: centre 0.5416, half-width 0.2786.
    assert total["ci_low_pct"] == pytest.approx(26.67, abs=0.01)
    assert total["ci_high_pct"] == pytest.approx(81.12, abs=0.01)


def test_data_quality_counts_what_was_left_out(march):
    quality = lead_conversion(march, MARCH).meta.data_quality
    assert quality.rows_read == 13 and quality.rows_loaded == 13 and quality.leads_in_scope == 9
    assert quality.excluded == {"no_date": 1, "outside_period": 3, "filtered_out": 0}
    assert quality.in_scope["no_lead_type"] == 1
    assert quality.in_scope["unassigned"] == 1
    assert quality.in_scope["no_branch"] == 1
    assert quality.in_scope["lost_without_reason"] == 1
    assert quality.in_scope["won_placed_by_status"] == 1
    assert quality.in_scope["won_without_order_or_sale"] == 1


def test_lost_reasons_march(march):
    result = lost_leads(march, MARCH)
    reasons = to_dict(result)["rows"]
    # "(no reason)" is shown apart, after the named reasons, and outside the Pareto line, which reaches
    # 100% of the named reasons it covers
    assert [(r["reason"], r["leads"]) for r in reasons] == [("Canceled", 1), ("Expensive", 1), ("(no reason)", 1)]
    assert [r["cum_share_pct"] for r in reasons] == [pytest.approx(50), pytest.approx(100), None]
    assert all(r["share_pct"] == pytest.approx(100 / 3) for r in reasons)
    assert result.total == {"reason": "Total", "leads": 3, "share_pct": 100.0}
    assert sorted(map(tuple, result.by_type[["lead_type", "reason", "leads"]].values.tolist())) == [
        ("Call", "Expensive", 1),
        ("Website", "(no reason)", 1),
        ("Website", "Canceled", 1),
    ]
    listing = result.leads.to_pandas()
    assert list(listing["lead_id"]) == ["L7", "L8", "L9"]
    assert listing.loc[0, "client"] == "Client Seven"
    matrix = next(e.frame for e in view_of(result).extras if e.key == "reason_by_type").set_index("reason")
    assert matrix.loc["Canceled", "Website"] == 1 and matrix.loc["Canceled", "Call"] == 0
    assert matrix["Total"].sum() == 3


def test_employee_performance_march(march):
    result = employee_performance(march, MARCH)
    assert table(result, "manager") == {
        "Ann": [4, 2, 2, 1, 2, 1, 1],
        "Bob": [4, 3, 1, 1, 2, 2, 0],
        "(unassigned)": [1, 0, 0, 0, 0, 0, 1],
    }
    assert list(result.leads_of("Ann")["lead_id"]) == ["L1", "L2", "L6", "L8"]
    by_status = to_dict(result)["rows"][0]["by_status"]
    assert by_status == {"Successful order": 1, "Successful sale": 1, "In work": 1, "Lost": 1}
    assert to_dict(result)["total"]["by_status"]["Successful sale"] == 2


def test_basis_closed_places_leads_by_close_date(march):
    result = lead_conversion(march, Scope(period=parse_period("2025-03"), basis="closed"))
    assert table(result, "lead_type") == {
        "Call": [4, 4, 3, 2, 4, 0, 0],
        "Website": [3, 2, 1, 0, 1, 2, 0],
    }
    excluded = result.meta.data_quality.excluded
    assert excluded == {"no_date": 0, "no_date_open": 5, "outside_period": 1, "filtered_out": 0}


def test_filters_keep_only_listed_values_and_report_typos(march):
    scope = Scope(period=parse_period("2025-03"), filters=Filters(managers=("Bob", "Bobb")))
    result = lead_conversion(march, scope)
    assert result.total["leads"] == 4
    quality = result.meta.data_quality
    assert quality.excluded["filtered_out"] == 5
    assert quality.unmatched_filters == {"manager": ["Bobb"]}


def test_missing_values_can_be_filtered_as_groups(march):
    result = lead_conversion(march, MARCH.updated(lead_types=["(not set)"]))
    assert result.total["leads"] == 1


def test_empty_period_gives_zeros_and_no_rates(march):
    result = to_dict(lead_conversion(march, Scope(period=parse_period("2030-01"))))
    assert result["rows"] == []
    assert result["total"]["leads"] == 0
    assert result["total"]["conversion_pct"] is None and result["total"]["ci_low_pct"] is None
    lost = to_dict(lost_leads(march, Scope(period=parse_period("2030-01"))))
    assert lost["rows"] == [] and lost["total"]["leads"] == 0 and lost["total"]["share_pct"] is None
    employees = to_dict(employee_performance(march, Scope(period=parse_period("2030-01"))))
    assert employees["rows"] == [] and employees["total"]["by_status"] == {}


def test_all_time_counts_every_lead(march):
    result = lead_conversion(march)
    assert result.total["leads"] == 13
    assert result.meta.data_quality.excluded == {"filtered_out": 0}


def test_period_on_a_source_without_dates_is_a_clear_error(tmp_path):
    from conftest import params_for

    from leadkit.leads import load_leads

    path = tmp_path / "nodates.csv"
    path.write_text("id,status\n1,Won\n2,Lost\n", encoding="utf-8")
    leads = load_leads(params_for({"kind": "file", "path": str(path), "columns": {"lead_id": "id"},
                                   "status_groups": {"Won": "won", "Lost": "lost"}}))  # fmt: skip
    assert lead_conversion(leads).total["converted"] == 1
    with pytest.raises(PeriodError, match="no created_at dates"):
        lead_conversion(leads, Scope(period=parse_period("2025")))


def test_a_row_without_leads_before_has_no_fair_share_change_or_p():
    """Bob had no February leads: his fair columns are null, as the JSON contract promises, not 0.0 and +75 pp."""
    import pandas as pd
    from conftest import MARCH_SOURCE, params_for

    from leadkit.leads import load_leads

    result = employee_performance(load_leads(params_for(MARCH_SOURCE)), period="2025-03")
    rows = result.comparisons["previous"].rows.set_index("manager")
    bob = rows.loc["Bob"]
    assert bob["base_leads"] == 0 and bob["verdict"] == "no_base"
    assert bob["horizon_pct"] == 75.0  # 3 of his 4 March leads converted within the horizon
    assert all(pd.isna(bob[c]) for c in ("base_horizon_pct", "fair_change_pp", "p_value", "base_followed_pct"))
