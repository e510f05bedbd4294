"""JSON output: the declared contract's keys and types, null where a rate has no denominator, never NaN."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from handmade import comparison, conversion, employees, frame, lost, rate_row

from leadkit.render.jsonout import main_table, to_dict, to_json
from leadkit.results import contract as C

PYTHON_TYPES = {"count": (int,), "rank": (int,), "pct": (float,), "points": (float,), "days": (float,),
                "p": (float,), "flag": (bool,), "text": (str,), "group": (str,), "verdict": (str,),
                "period": (str,), "date": (str,)}  # fmt: skip
ROWS = [rate_row("lead_type", "Call", 4, 3, 30.1, 95.4), rate_row("lead_type", "=cmd|' /C calc'!A0", 2, 0, 0.0, 65.8)]


def assert_declared(record: dict, contract: C.Contract, extra: tuple[str, ...] = ()) -> None:
    """Keys in the contract's order; each value None or of its kind's Python type (never a bool for a count)."""
    assert tuple(k for k in record if k not in extra) == contract.names
    for key in contract.names:
        value, kind = record[key], C.COLUMNS[key].kind
        assert value is None or (isinstance(value, PYTHON_TYPES[kind]) and not (
            kind != "flag" and isinstance(value, bool))), (key, value)  # fmt: skip
        assert not (isinstance(value, float) and math.isnan(value)), key


def strict_json(text: str) -> dict:
    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} in JSON")

    data: dict = json.loads(text, parse_constant=refuse)
    return data


def test_conversion_rows_and_total_follow_the_contract():
    data = to_dict(conversion(ROWS))
    assert [r["lead_type"] for r in data["rows"]] == ["Call", "=cmd|' /C calc'!A0"]  # data text as written
    for row in data["rows"]:
        assert_declared(row, C.rows("lead_type"))
    assert data["rows"][0] == {"lead_type": "Call", "leads": 4, "converted": 3, "orders": 3, "sales": 0,
                                    "won": 3, "lost": 0, "open": 1, "conversion_pct": 75.0,
                                    "closed_conversion_pct": 100.0, "ci_low_pct": 30.1, "ci_high_pct": 95.4}  # fmt: skip
    assert data["rows"][1]["closed_conversion_pct"] is None  # no closed lead: no denominator, null
    assert_declared(data["total"], C.rows("lead_type"))
    assert data["total"]["lead_type"] == "Total" and data["total"]["conversion_pct"] == pytest.approx(50.0)


def test_the_head_of_the_document():
    data = to_dict(conversion(ROWS), "ru")
    assert data["report"] == "lead_conversion" and data["lang"] == "ru" and data["title"] == "Конверсия обращений"
    assert data["period"] == {"label": "2025-03", "kind": "month", "start": "2025-03-01", "end": "2025-03-31",
                              "name": "март 2025", "basis": "created"}  # fmt: skip
    assert data["filters"] == {"lead_types": [], "managers": [], "branches": []}
    assert (data["timezone"], data["as_of"], data["horizon_days"]) == ("UTC", None, None)
    assert data["generated_at"] == "2025-04-01T09:30:00" and data["highlights"] == []
    assert data["method"]["min_leads"] == 30 and data["method"]["z"] == pytest.approx(1.959964, abs=1e-6)
    assert data["data_quality"]["leads_in_scope"] == 6
    assert (data["trend"], data["trend_grain"], data["comparisons"]) == ([], "month", {})
    assert data["time_to_convert"] == [] and data["conversion_curve"] == []
    all_time = to_dict(conversion(ROWS, period=None))
    assert all_time["period"] is None


def test_no_leads_give_nulls_and_valid_json():
    text = to_json(conversion([]))
    data = strict_json(text)
    assert data["rows"] == [] and data["total"]["leads"] == 0 and data["total"]["conversion_pct"] is None
    assert "NaN" not in text and "Infinity" not in text


def test_missing_values_in_frames_become_null_never_nan():
    rows = [rate_row("lead_type", "Call", 4, 3, None, None)]
    result = conversion(rows)
    with_nan = result.rows.astype({"ci_low_pct": "float64", "ci_high_pct": "float64"})
    with_nan.loc[0, ["ci_low_pct", "ci_high_pct"]] = [np.nan, float("nan")]  # plain float NaNs, not pd.NA
    trend = [{"period": "2025-03", "lead_type": "Total", "leads": 0, "converted": 0, "conversion_pct": None,
              "maturing": True}]  # fmt: skip
    result = type(result)(**{**result.__dict__, "rows": with_nan, "trend": frame(C.TREND, trend)})
    assert math.isnan(result.rows["ci_low_pct"].iloc[0])
    data = strict_json(to_json(result))
    assert data["rows"][0]["ci_low_pct"] is None and data["rows"][0]["ci_high_pct"] is None
    (point,) = data["trend"]
    assert_declared(point, C.TREND)
    assert point["conversion_pct"] is None and point["maturing"] is True and point["open"] is None


def test_lost_leads_follow_their_contracts():
    reasons = [{"reason": "Expensive", "leads": 3, "share_pct": 75.0, "cum_share_pct": 100.0},
               {"reason": "(no reason)", "leads": 1, "share_pct": 25.0, "cum_share_pct": None}]  # fmt: skip
    data = strict_json(to_json(lost(reasons, [{"lead_id": "L7", "reason": "Expensive"}])))
    for row in data["rows"]:
        assert_declared(row, C.REASONS)
    assert [r["leads"] for r in data["rows"]] == [3, 1] and data["rows"][1]["cum_share_pct"] is None
    assert data["total"] == {"reason": "Total", "leads": 4, "share_pct": 100.0}
    assert data["by_type"] == [] and data["by_manager"] == [] and data["days_open"] == []
    assert "time_to_convert" not in data and "leads" not in data  # the list is not part of the JSON


def test_employees_carry_statuses_and_the_team_rate():
    rows = [rate_row("manager", "Bob", 4, 1, 4.6, 69.9), rate_row("manager", "Ann", 4, 2, 15.0, 85.0)]
    rows[0] |= {"few_leads": True, "rank_by_lower_bound": None, "vs_team": ""}
    rows[1] |= {"few_leads": False, "rank_by_lower_bound": 1, "vs_team": "above"}
    by_status = [{"manager": "Ann", "status": "Won", "status_group": "won", "leads": 2},
                 {"manager": "Ann", "status": "Lost", "status_group": "lost", "leads": 2},
                 {"manager": "Bob", "status": "Lost", "status_group": "lost", "leads": 3},
                 {"manager": "Bob", "status": "Won", "status_group": "won", "leads": 1}]  # fmt: skip
    data = strict_json(to_json(employees(rows, by_status, [], team_rate=3 / 8)))
    for row in data["rows"]:
        assert_declared(row, C.MANAGERS, extra=("by_status",))
    assert data["rows"][0]["by_status"] == {"Lost": 3, "Won": 1} and data["rows"][1]["rank_by_lower_bound"] == 1
    assert data["rows"][0]["few_leads"] is True and data["rows"][0]["rank_by_lower_bound"] is None
    assert data["total"]["by_status"] == {"Lost": 5, "Won": 3} and list(data["total"]["by_status"]) == ["Lost", "Won"]
    assert data["team_rate_pct"] == 37.5
    assert strict_json(to_json(employees([], [], [], team_rate=None)))["team_rate_pct"] is None


def test_main_table_is_the_rows_then_the_total():
    table = main_table(conversion(ROWS))
    assert list(table.columns) == list(C.rows("lead_type").names)
    assert table["lead_type"].tolist() == ["Call", "=cmd|' /C calc'!A0", "Total"]
    assert table["leads"].tolist() == [4, 2, 6]
    employees_table = main_table(employees([rate_row("manager", "Ann", 1, 1, 20.0, 100.0)], [], [], 1.0))
    assert "by_status" not in employees_table.columns and employees_table["manager"].tolist() == ["Ann", "Total"]
    assert isinstance(employees_table, pd.DataFrame)


def test_comparisons_follow_their_contract_and_keep_the_period_kind():
    result = conversion(ROWS, period="2025-W05")
    result.comparisons.update(previous=comparison("2025-W04", "no_change", 2))
    data = strict_json(to_json(result))
    assert data["period"] == {"label": "2025-W05", "kind": "week", "start": "2025-01-27", "end": "2025-02-02",
                              "name": "week 5, 2025", "basis": "created"}  # fmt: skip
    previous = data["comparisons"]["previous"]
    assert previous["period"] == {"label": "2025-W04", "kind": "week", "start": "2025-01-20", "end": "2025-01-26",
                                  "name": "week 4, 2025"}  # fmt: skip
    (row,) = previous["rows"]
    assert_declared(row, C.compare_rows("lead_type"))
    assert (row["base_leads"], row["pp_change"], row["verdict"], row["p_value"]) == (2, 25.0, "no_change", None)
    assert previous["total"]["verdict"] == "no_change" and previous["horizon_days"] is None
