"""The two real exports load through their committed params; totals match an independent count.

The independent computations below read the CSVs with plain pandas and apply DOMAIN.md's
definitions directly, without any leadkit code.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from leadkit.api import employee_performance, lead_conversion, lost_leads
from leadkit.leads import load_leads
from leadkit.params import load_params

PARAMS = Path(__file__).resolve().parents[1] / "params"


@pytest.fixture(scope="module")
def maven(datasets):
    return load_leads(load_params(PARAMS / "maven_crm.yaml"))


@pytest.fixture(scope="module")
def maven_raw(datasets) -> pd.DataFrame:
    raw = pd.read_csv(datasets / "maven_crm" / "sales_pipeline.csv")
    raw["engage_date"] = pd.to_datetime(raw["engage_date"], format="%m/%d/%Y")
    raw["close_date"] = pd.to_datetime(raw["close_date"], format="%m/%d/%Y")
    raw["product"] = raw["product"].replace({"GTXPro": "GTX Pro"})
    return raw


def test_maven_all_time_totals(maven, maven_raw):
    total = lead_conversion(maven).total
    stages = maven_raw["deal_stage"].value_counts()
    assert total["leads"] == len(maven_raw) == 8800
    assert total["won"] == total["converted"] == total["sales"] == stages["Won"] == 4238
    assert total["lost"] == stages["Lost"] == 2473
    assert total["open"] == stages["Prospecting"] + stages["Engaging"]
    assert total["orders"] == 0


def test_maven_year_2017_by_product(maven, maven_raw):
    result = lead_conversion(maven, period="2017")
    in_year = maven_raw[maven_raw["engage_date"].dt.year == 2017]
    expected = in_year.groupby("product")["deal_stage"].agg(leads="size", won=lambda s: (s == "Won").sum())
    got = result.rows.set_index("lead_type")[["leads", "won"]]
    pd.testing.assert_frame_equal(got.sort_index(), expected.sort_index(), check_names=False, check_dtype=False)
    quality = result.meta.data_quality
    assert quality.excluded["no_date"] == maven_raw["engage_date"].isna().sum() == 500
    assert quality.excluded["outside_period"] == maven_raw["engage_date"].notna().sum() - len(in_year)


def test_maven_closed_basis_and_branches(maven, maven_raw, datasets):
    closed_q1 = lead_conversion(maven, period="2017-Q1", basis="closed").total
    in_q1 = maven_raw[(maven_raw["close_date"] >= "2017-01-01") & (maven_raw["close_date"] < "2017-04-01")]
    assert closed_q1["leads"] == len(in_q1)
    assert closed_q1["won"] == (in_q1["deal_stage"] == "Won").sum()
    central = lead_conversion(maven, branches=["Central"]).total["leads"]
    teams = pd.read_csv(datasets / "maven_crm" / "sales_teams.csv")
    agents = set(teams.loc[teams["regional_office"] == "Central", "sales_agent"])
    assert central == maven_raw["sales_agent"].isin(agents).sum()


def test_maven_employee_performance_matches_per_agent(maven, maven_raw):
    result = employee_performance(maven)
    won = maven_raw[maven_raw["deal_stage"] == "Won"].groupby("sales_agent").size()
    got = result.rows.set_index("manager")["won"]
    assert got.sort_index().tolist() == won.sort_index().tolist()
    assert result.rows["leads"].sum() == 8800 and len(result.leads) == 8800


def test_maven_lost_leads_have_no_reason(maven, maven_raw):
    result = lost_leads(maven)
    assert result.reasons["reason"].tolist() == ["(no reason)"]
    assert result.total["leads"] == (maven_raw["deal_stage"] == "Lost").sum()
    missing_account = maven_raw.loc[maven_raw["deal_stage"] == "Lost", "account"].isna().sum()
    assert result.leads.to_pandas()["client"].isna().sum() == missing_account


@pytest.fixture(scope="module")
def xed(datasets):
    return load_leads(load_params(PARAMS / "x_education.yaml"))


@pytest.fixture(scope="module")
def xed_raw(datasets) -> pd.DataFrame:
    raw = pd.read_csv(datasets / "x_education" / "leads.csv")
    raw["tag"] = raw["Tags"].str.split().str.join(" ")
    return raw


def test_x_education_conversion_by_origin(xed, xed_raw):
    groups = load_params(PARAMS / "x_education.yaml").source.status_groups
    won_tags = {k.casefold() for k, v in groups.items() if v == "won"}
    converted = (xed_raw["Converted"] == 1) | xed_raw["tag"].str.casefold().isin(won_tags)
    expected = xed_raw.assign(c=converted).groupby("Lead Origin")["c"].agg(["size", "sum"])
    rows = lead_conversion(xed).rows.set_index("lead_type")
    assert rows["leads"].to_dict() == expected["size"].to_dict()
    assert rows["converted"].to_dict() == expected["sum"].to_dict()
    assert rows["leads"].sum() == 9237


def test_x_education_lost_reasons_are_normalised_tags(xed, xed_raw):
    groups = load_params(PARAMS / "x_education.yaml").source.status_groups
    lost_tags = {k.casefold() for k, v in groups.items() if v == "lost"}
    lost = xed_raw[(xed_raw["Converted"] == 0) & xed_raw["tag"].str.casefold().isin(lost_tags)]
    result = lost_leads(xed)
    assert result.total["leads"] == len(lost)
    assert result.reasons.set_index("reason")["leads"].to_dict() == lost["tag"].value_counts().to_dict()
    assert "Interested in full time MBA" in set(result.reasons["reason"])  # the double space is gone


def test_x_education_has_no_dates_so_periods_are_refused(xed):
    from leadkit.exceptions import PeriodError

    with pytest.raises(PeriodError, match="all time"):
        lead_conversion(xed, period="2025-03")
    quality = lead_conversion(xed).meta.data_quality
    assert quality.in_scope["unassigned"] == 9237
