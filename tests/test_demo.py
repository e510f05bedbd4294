"""The demo company: deterministic, realistic in shape, and valid through the same checks."""

from __future__ import annotations

from datetime import date

import pandas as pd

from leadkit.api import employee_performance, lead_conversion, lost_leads
from leadkit.leads import load_leads
from leadkit.params import parse_params
from leadkit.render.jsonout import to_dict
from leadkit.sources.demo import generate


def test_same_seed_same_table_other_seed_other_table():
    a = generate(2000, 1, date(2025, 1, 1), date(2025, 12, 31))
    b = generate(2000, 1, date(2025, 1, 1), date(2025, 12, 31))
    pd.testing.assert_frame_equal(a, b)
    c = generate(2000, 2, date(2025, 1, 1), date(2025, 12, 31))
    assert not a["status"].equals(c["status"])


def test_shape_of_the_demo_company():
    frame = generate(20000, 7, date(2025, 1, 1), date(2025, 12, 31))
    assert len(frame) == 20000 and frame["lead_id"].is_unique
    managers = frame["manager"].value_counts()
    assert len(managers) == 13  # a dozen managers and the unassigned
    assert 0 < managers.min() < 0.005 * len(frame)  # one manager with very few leads
    assert frame["branch"].nunique() == 3
    assert {"Call", "Walk-in", "Website", "Messenger"} <= set(frame["lead_type"])
    assert (frame["order_id"].notna() & frame["sale_id"].notna()).sum() > 0  # both
    assert set(frame["status_group"]) == {"new", "in_progress", "pending", "won", "lost"}
    assert {"Expensive", "Too long", "Slow reply", "Canceled", "Mishandling"} <= set(frame["status"])
    closed = frame.dropna(subset=["closed_at"])
    assert (closed["closed_at"] >= closed["created_at"]).all()
    months = frame["created_at"].dt.month.value_counts()
    assert months.max() > 1.3 * months.min()  # seasonality


def test_demo_reports_in_russian():
    params = parse_params({"source": {"kind": "demo", "rows": 3000, "names": "ru"}, "lang": "ru"})
    leads = load_leads(params)
    result = lead_conversion(leads, period="2025-06")
    assert to_dict(result, "ru")["title"] == "Конверсия обращений"
    assert "Звонок" in set(result.rows["lead_type"])
    reasons = set(lost_leads(leads).reasons["reason"])
    assert "Дорого" in reasons and "(no reason)" in reasons  # "Закрыто неуспешно" carries no reason
    assert employee_performance(leads).total["leads"] == 3000


def test_won_demo_leads_without_ids_are_placed_by_status():
    params = parse_params({"source": {"kind": "demo", "rows": 5000}})
    result = lead_conversion(load_leads(params))
    quality = result.meta.data_quality.in_scope
    assert quality["won_placed_by_status"] > 0 and quality["won_without_order_or_sale"] == 0
    assert result.total["orders"] + result.total["sales"] >= result.total["converted"]


def test_the_demo_spans_two_years_and_its_last_weeks_are_young():
    from conftest import ROOT

    from leadkit.params import load_params
    from leadkit.sources import read_source

    frame = read_source(load_params(ROOT / "params" / "demo.yaml")).frame
    created = frame["created_at"]
    assert created.min() < pd.Timestamp("2024-01-03") and created.max() > pd.Timestamp("2025-12-30")
    is_open = frame["status_group"].isin(["new", "in_progress", "pending"])
    late = created >= pd.Timestamp("2025-12-20")
    settled = (created >= pd.Timestamp("2025-06-01")) & (created < pd.Timestamp("2025-07-01"))
    assert is_open[late].mean() > 0.3 and is_open[settled].mean() < 0.01  # young leads near the end only
