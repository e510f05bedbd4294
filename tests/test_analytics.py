"""The statistics beyond bare ratios, each against values computed by hand (see the comments)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadkit.api import employee_performance, lead_conversion, lost_leads
from leadkit.method import DEFAULT, Method
from leadkit.periods import parse_period, previous, year_earlier
from leadkit.reports.compare import compare_rates
from leadkit.reports.stats import control_limits, cumulative_incidence, two_proportion_p
from leadkit.scope import Scope

MARCH = Scope(period=parse_period("2025-03"))


def test_two_proportion_test_by_hand():
    # pooled p = 75/200 = .375; se = √(.375·.625·(1/100+1/100)) = .068465; z = .15/.068465 = 2.1909
    assert two_proportion_p(45, 100, 30, 100) == pytest.approx(0.02846, abs=1e-4)
    assert two_proportion_p(5, 10, 5, 10) == pytest.approx(1.0)
    assert two_proportion_p(0, 10, 0, 20) == 1.0  # no variation at all
    assert two_proportion_p(3, 10, 0, 0) is None


def test_previous_and_year_earlier_periods():
    assert previous(parse_period("2025-03")).label == "2025-02"
    assert previous(parse_period("2025-Q1")).label == "2024-Q4"
    assert previous(parse_period("2025-W01")).label == "2024-W52"
    custom = previous(parse_period("2025-03-10..2025-03-16"))
    assert (custom.start, custom.end) == (date(2025, 3, 3), date(2025, 3, 9))
    assert year_earlier(parse_period("2024-02")).label == "2023-02"
    leap = year_earlier(parse_period("2024-02-29"))
    assert leap.start == date(2023, 2, 28)


def test_cumulative_incidence_tiny_example_by_hand():
    # Five leads: won day 1; lost day 2 and one censored day 2; won day 3; lost day 4.
    events = pd.DataFrame({"day": [1, 2, 3, 4], "won": [1, 0, 1, 0], "lost": [0, 1, 0, 1], "censored": [0, 1, 0, 0]})
    curve = cumulative_incidence(events)
    # day 1: 1·1/5 = .2 won; day 2: S=.8, lost .8·1/4 = .2; day 3: S=.6, won += .6·1/2 = .3; day 4: S=.3, lost += .3
    assert curve["won_cum"].tolist() == pytest.approx([0.2, 0.2, 0.5, 0.5])
    assert curve["lost_cum"].tolist() == pytest.approx([0.0, 0.2, 0.2, 0.5])
    assert curve["at_risk"].tolist() == [5, 4, 2, 1]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 60), st.sampled_from(["won", "lost", "censored"])), min_size=1, max_size=80))
def test_curves_are_monotone_and_within_0_1(leads):
    frame = pd.DataFrame(leads, columns=["day", "outcome"])
    events = frame.pivot_table(index="day", columns="outcome", aggfunc="size", fill_value=0)
    events = events.reindex(columns=["won", "lost", "censored"], fill_value=0).reset_index()
    curve = cumulative_incidence(events)
    for col in ("won_cum", "lost_cum"):
        assert (curve[col].diff().dropna() >= -1e-12).all()
        assert ((curve[col] >= 0) & (curve[col] <= 1 + 1e-12)).all()
    assert (curve["won_cum"] + curve["lost_cum"] <= 1 + 1e-9).all()
    if not frame["outcome"].eq("censored").any():
        assert curve["won_cum"].iloc[-1] == pytest.approx((frame["outcome"] == "won").mean())


def test_control_limits():
    low, high = control_limits(0.5, pd.Series([4, 100]), DEFAULT.z)
    # 1.96·√(.25/100) = .098
    assert low.tolist() == pytest.approx([1.0, 40.2], abs=0.05) and high.tolist() == pytest.approx(
        [99.0, 59.8], abs=0.05
    )


def test_march_against_february_and_a_year_earlier(march):
    result = lead_conversion(march, MARCH)
    prev = result.comparisons["previous"]
    assert prev.period.label == "2025-02"
    # Feb: L10 (open) and L13 (won) → 1 of 2; March 5 of 9. p from the pooled test: .8865
    assert (prev.total["leads"], prev.total["converted"], prev.total["base_leads"], prev.total["base_converted"]) == (
        9,
        5,
        2,
        1,
    )
    assert prev.total["pp_change"] == pytest.approx(500 / 9 - 50)
    # at the same age: H = 6 days (75% of closes by then: the 6th of L9 1.0, L2 1.0, L1 1.42, L3 2.0, L4 4.0,
    # L8 4.0, L13 11.0, L7 13.0 days is 5.75 days, rounded up). March by the hour: L2, L9 (order) converted at
    # 24 h of 9 → 2/9; L1 at 34 h of 7, L5 censored then → + 7/9·1/7; L3 at 48 h of 5 → + 6/9·1/5; L4 at 96 h of
    # 4 → + 24/45·1/4: 60 %. February: L13 converted after 11 days, L10 still open — 0 % within 6 days.
    assert result.meta.horizon_days == prev.horizon_days == 6
    assert prev.total["horizon_pct"] == pytest.approx(60) and prev.total["base_horizon_pct"] == 0
    assert prev.total["followed_pct"] == pytest.approx(800 / 9)  # L5 was censored young
    assert prev.total["verdict"] == "too_few" and not prev.total["significant"]  # 2 leads in February
    call = prev.rows.set_index("lead_type").loc["Call"]
    assert (call["leads"], call["base_leads"], call["base_converted"]) == (4, 2, 1)
    ago = result.comparisons["year_ago"]
    assert ago.period.label == "2024-03" and ago.total["base_leads"] == 0 and ago.total["verdict"] == "no_base"


def test_all_time_has_no_comparisons(march):
    assert lead_conversion(march).comparisons == {}


def test_time_to_convert_by_hand(march):
    timing = lead_conversion(march, MARCH).timing.set_index("lead_type")
    # won in March with dates: L2 1.0 d, L1 1.4167 d, L3 2.0 d (Call); L4 4.0 d (Website)
    assert timing.loc["Total", "leads"] == 4
    assert timing.loc["Total", "median_days"] == pytest.approx((17 / 12 + 2.0) / 2)
    assert timing.loc["Total", "p75_days"] == pytest.approx(2.5)
    assert timing.loc["Total", "p90_days"] == pytest.approx(3.4)
    assert timing.loc["Call", "median_days"] == pytest.approx(17 / 12)
    assert timing.loc["Website", "leads"] == 1


def test_conversion_curve_by_hand(march):
    curve = lead_conversion(march, MARCH).curve.set_index("day")
    # read at the data's cut-off (L7 lost on Apr 2 10:00): day 1 L1, L2 won, L9 lost, L5 censored (9 at risk);
    # day 2 L3 won (5); day 4 L4 won, L8 lost (4); day 13 L7 lost (2); day 18 L6 still open (1)
    assert curve.index.tolist() == [1, 2, 4, 13, 18]
    assert curve.loc[1, ["at_risk", "won", "lost", "censored"]].tolist() == [9, 2, 1, 1]
    # won: 2/9; + 6/9 · 1/5; + 24/45 · 1/4 — lost: 1/9; + 24/45 · 1/4; + 12/45 · 1/2
    assert curve["won_cum_pct"].tolist() == pytest.approx([200 / 9, 1600 / 45, 2200 / 45, 2200 / 45, 2200 / 45])
    assert curve["lost_cum_pct"].iloc[-1] == pytest.approx(1700 / 45)


def test_mix_adjusted_expectation_by_hand(march):
    rows = employee_performance(march, MARCH).rows.set_index("manager")
    # team: Call 3/4, Website 2/4, (not set) 0/1. Ann: 2 Call, 1 Website, 1 (not set) → .5·.75+.25·.5+.25·0 = 50 %
    assert rows.loc["Ann", "expected_pct"] == pytest.approx(50.0) and rows.loc["Ann", "mix_diff_pp"] == pytest.approx(0)
    # Bob: 2 Call, 2 Website → 62.5 % expected, 75 % achieved
    assert rows.loc["Bob", "expected_pct"] == pytest.approx(62.5) and rows.loc["Bob", "mix_diff_pp"] == pytest.approx(
        12.5
    )
    assert rows.loc["(unassigned)", "mix_diff_pp"] == pytest.approx(-50.0)


def test_few_leads_are_flagged_not_ranked(march):
    rows = employee_performance(march, MARCH).rows.set_index("manager")
    assert rows["few_leads"].all() and rows["rank_by_lower_bound"].isna().all()
    rows = employee_performance(march, MARCH, method=Method(min_leads=2)).rows.set_index("manager")
    assert rows.loc["Bob", "rank_by_lower_bound"] == 1 and rows.loc["Ann", "rank_by_lower_bound"] == 2
    assert pd.isna(rows.loc["(unassigned)", "rank_by_lower_bound"])
    # funnel: team 5/9; at n=4 the 95 % limits are 55.6 ± 48.7 → both managers inside
    assert rows.loc["Ann", "limit_low_pct"] == pytest.approx(6.86, abs=0.01) and rows.loc["Ann", "vs_team"] == ""


def test_lost_extras_by_hand(march):
    result = lost_leads(march, MARCH)
    days = result.days_open.set_index("reason")
    # L9 Canceled 1 d, L8 (no reason) 4 d, L7 Expensive 13 d (Mar 20 10:00 to Apr 2 10:00)
    assert days.loc["Canceled", "median_days"] == pytest.approx(1.0)
    assert days.loc["Total", "median_days"] == pytest.approx(4.0)
    assert days.loc["Total", "p90_days"] == pytest.approx(4 + 0.8 * (13 - 4))
    assert result.by_manager.set_index(["reason", "manager"]).loc[("Canceled", "Bob"), "leads"] == 1
    prev = result.comparisons["previous"]
    assert prev.total["leads"] == 3 and prev.total["base_leads"] == 0


def test_monthly_trend_over_twelve_months(march):
    trend = lead_conversion(march, MARCH).trend
    total = trend[trend["lead_type"] == "Total"]
    assert total["period"].tolist()[0] == "2024-04" and total["period"].tolist()[-1] == "2025-03" and len(total) == 12
    assert total.set_index("period").loc["2025-03", "leads"] == 9
    assert total.set_index("period").loc["2025-02", "converted"] == 1
    assert total["leads"].sum() == 11  # every dated lead created up to March 31
    assert trend.set_index(["period", "lead_type"]).loc[("2025-03", "Call"), "conversion_pct"] == pytest.approx(75.0)


def test_weekly_trend_for_short_periods(march):
    trend = lead_conversion(march, Scope(period=parse_period("2025-W13"))).trend
    total = trend[trend["lead_type"] == "Total"]
    assert total["period"].tolist()[-1] == "2025-W13" and len(total) == 12


def test_a_year_is_compared_with_the_year_before_once(march, monkeypatch):
    # A year's previous period is also the year earlier: its figures are computed once and shared.
    from leadkit import frames

    ran: list[str] = []
    original = frames.run_sql  # every compiled report query runs here
    monkeypatch.setattr(frames, "run_sql", lambda backend, sql: ran.append(str(sql)) or original(backend, sql))
    year = Scope(period=parse_period("2025"))
    for report in (lead_conversion, lost_leads, employee_performance):
        result = report(march, year)
        prev, ago = result.comparisons["previous"], result.comparisons["year_ago"]
        assert (prev.base, ago.base) == ("previous", "year_ago") and prev.period == ago.period
        pd.testing.assert_frame_equal(prev.rows, ago.rows)
        assert prev.total == ago.total
    assert ran and not any("year_ago" in sql for sql in ran)


def test_compare_rates_keeps_the_current_order_and_adds_base_only_rows_busiest_first():
    current = pd.DataFrame({"k": ["b", "a"], "x": [1, 2], "n": [4, 0]})
    base = pd.DataFrame({"k": ["c", "a", "d", "e"], "x": [1, 1, 0, 3], "n": [2, 5, 2, 6]})
    got = compare_rates(current, base, "k", "x", "n")
    assert got["k"].tolist() == ["b", "a", "e", "c", "d"]  # e has most base leads; c before d on a tie
    assert got[["x", "n", "base_x", "base_n"]].to_numpy().tolist() == [[1, 4, 0, 0], [2, 0, 1, 5], [0, 0, 3, 6],
                                                                       [0, 0, 1, 2], [0, 0, 0, 2]]  # fmt: skip
    assert got["pct"].tolist()[0] == 25.0 and pd.isna(got["pct"].iloc[1]) and pd.isna(got["pp_change"].iloc[1])
    assert got["pp_change"].iloc[0] is pd.NA and got["base_pct"].iloc[1] == 20.0
