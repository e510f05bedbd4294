"""Views: the display frames, picked and ordered from a hand-made result by the declared contract."""

from __future__ import annotations

import pandas as pd
import pytest
from handmade import comparison, conversion, employees, frame, lost, rate_row

from leadkit.model import TOTAL
from leadkit.periods import parse_period
from leadkit.render.views import COMPARE_CONVERSION, curve_points, pivot, trend_pivot, view_of
from leadkit.results import contract as C

ROWS = [rate_row("lead_type", "Call", 4, 3, 30.1, 95.4), rate_row("lead_type", "Website", 2, 0, 0.0, 65.8),
        rate_row("lead_type", "(not set)", 1, 0, 0.0, 79.3)]  # fmt: skip


def test_the_summary_has_the_declared_columns_the_rows_in_order_and_the_total_last():
    view = view_of(conversion(ROWS))
    assert list(view.summary.columns) == ["lead_type", "leads", "converted", "orders", "sales", "won", "lost", "open",
                                          "conversion_pct", "closed_conversion_pct", "ci_low_pct", "ci_high_pct"]  # fmt: skip
    assert view.summary["lead_type"].tolist() == ["Call", "Website", "(not set)", TOTAL]
    total = view.summary.iloc[-1]
    assert (total["leads"], total["converted"], total["open"]) == (7, 3, 4)
    assert total["conversion_pct"] == pytest.approx(300 / 7)  # 3 of 7, worked out by hand
    assert view.summary.iloc[0]["conversion_pct"] == 75.0 and view.summary.iloc[1]["ci_high_pct"] == 65.8
    assert (view.key, view.chart, view.details, view.extras, view.charts) == ("lead_type", "conversion", None, (),
                                                                              ("conversion",))  # fmt: skip


def test_no_rows_leave_only_the_total():
    summary = view_of(conversion([])).summary
    assert summary["lead_type"].tolist() == [TOTAL] and summary.iloc[0]["leads"] == 0
    assert pd.isna(summary.iloc[0]["conversion_pct"])


def test_the_lost_view_shows_reasons_and_the_list():
    reasons = [{"reason": "Expensive", "leads": 3, "share_pct": 75.0, "cum_share_pct": 100.0},
               {"reason": "(no reason)", "leads": 1, "share_pct": 25.0, "cum_share_pct": None}]  # fmt: skip
    result = lost(reasons, [{"lead_id": "L7", "reason": "Expensive"}])
    view = view_of(result)
    assert list(view.summary.columns) == ["reason", "leads", "share_pct", "cum_share_pct"]
    assert view.summary["reason"].tolist() == ["Expensive", "(no reason)", TOTAL]
    assert view.summary.iloc[-1]["leads"] == 4 and view.summary.iloc[-1]["share_pct"] == 100.0
    assert pd.isna(view.summary.iloc[-1]["cum_share_pct"])
    assert (view.key, view.chart, view.details, view.details_title) == ("reason", "pareto", result.leads, "lost_list")
    assert [e.key for e in view.extras] == ["reason_by_type", "reason_by_manager"]
    assert all(e.frame.empty for e in view.extras)  # no by-type rows: an empty table, not an error


def test_the_employee_view_judges_and_pivots_statuses():
    rows = [rate_row("manager", "Bob", 4, 1, 4.6, 69.9), rate_row("manager", "Ann", 4, 2, 15.0, 85.0)]
    by_status = [{"manager": "Ann", "status": "Won", "status_group": "won", "leads": 2},
                 {"manager": "Ann", "status": "Lost", "status_group": "lost", "leads": 1},
                 {"manager": "Ann", "status": "New", "status_group": "new", "leads": 1},
                 {"manager": "Bob", "status": "Won", "status_group": "won", "leads": 1},
                 {"manager": "Bob", "status": "Lost", "status_group": "lost", "leads": 3}]  # fmt: skip
    view = view_of(employees(rows, by_status, [], team_rate=3 / 8))
    assert view.summary["manager"].tolist() == ["Bob", "Ann", TOTAL]
    judgement, statuses = view.extras[0], view.extras[1]
    assert judgement.key == "judgement" and judgement.chart == "funnel"
    assert list(judgement.frame.columns) == ["manager", "leads", "conversion_pct", "ci_low_pct", "ci_high_pct",
                                             *C.JUDGEMENT]  # fmt: skip
    assert statuses.key == "by_status"
    assert statuses.frame.to_dict("list") == {"manager": ["Bob", "Ann"], "Lost": [3, 1], "Won": [1, 2], "New": [0, 1]}
    assert view.charts == ("conversion", "funnel") and view.details_title == "list"


def test_pivot_orders_rows_as_asked_columns_by_most_leads_and_adds_the_total():
    long = pd.DataFrame({"reason": ["A", "A", "B", "B", "C"], "lead_type": ["x", "y", "y", "z", "z"],
                         "leads": [1, 2, 4, 1, 1]})  # fmt: skip
    wide = pivot(long, "reason", "lead_type", ["C", "B", "A", "D"], pd.Series({"A": 3, "B": 5, "C": 1}))
    # columns: y has 6 leads, z 2, x 1
    assert list(wide.columns) == ["reason", "y", "z", "x", TOTAL]
    assert wide.values.tolist() == [["C", 0, 1, 0, 1], ["B", 4, 1, 0, 5], ["A", 2, 0, 1, 3]]
    assert str(wide["y"].dtype) == "int64" and pivot(long.iloc[0:0], "reason", "lead_type", []).empty


def test_trend_pivot_puts_the_total_first_and_keeps_the_periods_in_order():
    trend = pd.DataFrame({"period": ["2025-01", "2025-01", "2025-01", "2025-02", "2025-02"],
                          "lead_type": ["Website", TOTAL, "Call", TOTAL, "Call"],
                          "conversion_pct": [10.0, 20.0, 30.0, 40.0, 50.0]})  # fmt: skip
    wide = trend_pivot(trend)
    assert list(wide.columns) == ["lead_type", "2025-01", "2025-02"]
    assert wide["lead_type"].tolist() == [TOTAL, "Call", "Website"]  # lead types sorted after the total
    assert wide[["2025-01", "2025-02"]].values.tolist()[:2] == [[20.0, 40.0], [30.0, 50.0]]
    assert pd.isna(wide.iloc[2]["2025-02"])
    reasons = trend.rename(columns={"lead_type": "reason"})
    assert trend_pivot(reasons, "reason")["reason"].tolist() == [TOTAL, "Website", "Call"]  # reasons as listed


def test_curve_points_read_the_last_step_on_or_before_each_milestone():
    curve = pd.DataFrame({"day": [0, 2, 5, 40], "won_cum_pct": [5.0, 10.0, 20.0, 50.0],
                          "lost_cum_pct": [0.0, 1.0, 2.0, 9.0]})  # fmt: skip
    points = curve_points(curve)
    assert points.to_dict("list") == {"day": [1, 3, 7, 14, 30], "won_cum_pct": [5.0, 10.0, 20.0, 20.0, 20.0],
                                      "lost_cum_pct": [0.0, 1.0, 2.0, 2.0, 2.0]}  # fmt: skip
    assert curve_points(curve.iloc[1:])["day"].tolist()[0] == 3  # nothing on or before day 1


def test_comparisons_one_table_per_base_period_and_a_line_when_it_had_no_leads():
    result = conversion(ROWS)
    result.comparisons.update(previous=comparison("2025-02", "no_change", 2), year_ago=comparison("2024-03",
                              "no_base", 0))  # fmt: skip
    extras = view_of(result).extras
    assert [e.key for e in extras] == ["previous", "year_ago"]
    assert list(extras[0].frame.columns) == ["lead_type", *COMPARE_CONVERSION]
    assert extras[0].frame["lead_type"].tolist() == ["Call", TOTAL] and extras[0].args["period"].label == "2025-02"
    assert extras[1].frame.empty and extras[1].line == ("no_comparison", {"period": parse_period("2024-03")})


def test_a_base_period_named_twice_is_shown_once():
    result = conversion(ROWS)
    result.comparisons.update(previous=comparison("2024", "no_change", 2), year_ago=comparison("2024", "no_change", 2))
    assert [e.key for e in view_of(result).extras] == ["previous"]


def test_the_trend_table_marks_the_periods_still_maturing():
    result = conversion(ROWS)
    trend = [{"period": p, "lead_type": t, "leads": 4, "converted": 2, "conversion_pct": 50.0, "maturing": young}
             for p, young in (("2025-02", False), ("2025-03", True)) for t in (TOTAL, "Call")]  # fmt: skip
    result = type(result)(**{**result.__dict__, "trend": frame(C.TREND, trend)})
    (extra,) = view_of(result).extras
    assert (extra.key, extra.chart, extra.marked) == ("trend_table", "trend", ("2025-03",))
    assert extra.args == {"grain": "month", "n": 2} and extra.note == ("maturing_note", {"days": None})
    assert extra.kinds == {"2025-02": "pct", "2025-03": "pct"}
    assert extra.frame.values.tolist() == [[TOTAL, 50.0, 50.0], ["Call", 50.0, 50.0]]
