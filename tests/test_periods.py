from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadkit.exceptions import PeriodError
from leadkit.periods import FIRST_YEAR, LAST_YEAR, between, iter_periods, parse_period, previous, year_earlier
from leadkit.reports.table import base_periods
from leadkit.scope import Scope, period_of


@pytest.mark.parametrize(
    ("text", "start", "end", "label"),
    [
        ("2025", date(2025, 1, 1), date(2025, 12, 31), "2025"),
        ("2025-Q1", date(2025, 1, 1), date(2025, 3, 31), "2025-Q1"),
        ("2024-q4", date(2024, 10, 1), date(2024, 12, 31), "2024-Q4"),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29), "2024-02"),
        ("2025-W01", date(2024, 12, 30), date(2025, 1, 5), "2025-W01"),
        ("2025-03-15", date(2025, 3, 15), date(2025, 3, 15), "2025-03-15"),
        ("2025-01-10..2025-02-05", date(2025, 1, 10), date(2025, 2, 5), "2025-01-10_2025-02-05"),
    ],
)
def test_parse_period(text, start, end, label):
    period = parse_period(text)
    assert (period.start, period.end, period.label) == (start, end, label)


def test_a_range_that_is_a_whole_month_gets_the_month_label():
    assert between("2025-03-01", "2025-03-31").label == "2025-03"
    assert between("2025-01-01", "2025-12-31").label == "2025"
    assert between("2025-04-01", "2025-06-30").label == "2025-Q2"


def test_bounds_include_the_whole_end_day():
    lo, hi = parse_period("2025-03").bounds()
    assert lo == datetime(2025, 3, 1) and hi == datetime(2025, 4, 1)


@pytest.mark.parametrize("text", ["2025-13", "March", "2025-Q5", "2025-02-30", ""])
def test_bad_period_says_which_forms_work(text):
    with pytest.raises(PeriodError, match="2025-Q1"):
        parse_period(text)


def test_reversed_range_is_refused():
    with pytest.raises(PeriodError, match="before it starts"):
        between("2025-03-31", "2025-03-01")


def test_iter_periods_months_quarters_weeks():
    assert [p.label for p in iter_periods("2025-11", "2026-02", "month")] == [
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
    ]
    assert [p.label for p in iter_periods("2025-02", "2025-08", "quarter")] == ["2025-Q1", "2025-Q2", "2025-Q3"]
    weeks = list(iter_periods("2025-01-01", "2025-01-14", "week"))
    assert [p.label for p in weeks] == ["2025-W01", "2025-W02", "2025-W03"]
    with pytest.raises(PeriodError):
        list(iter_periods("2025-03", "2025-01", "month"))


@pytest.mark.parametrize(
    ("text", "kind"),
    [("2025", "year"), ("2025-Q4", "quarter"), ("2025-11", "month"), ("2025-W05", "week"), ("2025-03-15", "day"),
     ("2025-11-10..2025-11-30", "range")],
)  # fmt: skip
def test_a_period_keeps_its_kind_and_its_label_reads_back(text, kind):
    period = parse_period(text)
    assert period.kind == kind
    assert parse_period(period.label) == period and str(period) == period.label


def test_a_week_given_as_dates_is_the_week():
    week = between("2025-01-27", "2025-02-02")
    assert week == parse_period("2025-W05") and week.label == "2025-W05"
    assert between("2025-03-15", "2025-03-15").kind == "day"


def test_previous_and_year_earlier_keep_the_kind():
    from leadkit.periods import previous, year_earlier

    assert previous(parse_period("2025-W01")).label == "2024-W52"
    assert previous(parse_period("2025-Q1")).label == "2024-Q4"
    assert year_earlier(parse_period("2025-W05")).label == "2024-W05"
    assert year_earlier(parse_period("2024-02")).label == "2023-02"
    assert previous(parse_period("2025-11-10..2025-11-30")).label == "2025-10-20_2025-11-09"


@pytest.mark.parametrize(
    "text",
    ["9999", "0001", "9999-Q4", "1899-12", "3000-W01", "1969-12", "2101", "1969-12-31", "2100-12-31..2101-01-01"],
)
def test_far_off_periods_are_refused_clearly(text):
    with pytest.raises(PeriodError, match="outside the years 1970–2100 that reports cover; check the year"):
        period_of(text)


@pytest.mark.parametrize("text", ["1970-01", "1970-W02", "1970", "2100", "2100-Q4", "2100-W51", "2100-12-31"])
def test_the_first_and_last_years_reports_cover_have_their_comparisons(text):
    period = period_of(text)
    assert base_periods(Scope(period=period))  # the base periods before 1970 are computed, not refused


def test_iteration_stops_at_the_last_year_reports_cover():
    assert [p.label for p in iter_periods("2100-11", "2100-12", "month")] == ["2100-11", "2100-12"]
    for first, last in (("9999-11", "9999-12"), ("2100-12", "2101-01"), ("1969-12", "1970-01")):
        with pytest.raises(PeriodError, match="outside the years 1970–2100"):
            list(iter_periods(first, last, "month"))


PERIOD_TEXTS = st.one_of(
    st.integers(0, 9999).map(lambda y: f"{y:04d}"),
    st.tuples(st.integers(0, 9999), st.integers(1, 4)).map(lambda t: f"{t[0]:04d}-Q{t[1]}"),
    st.tuples(st.integers(0, 9999), st.integers(0, 13)).map(lambda t: f"{t[0]:04d}-{t[1]:02d}"),
    st.tuples(st.integers(0, 9999), st.integers(0, 54)).map(lambda t: f"{t[0]:04d}-W{t[1]:02d}"),
    st.dates().map(date.isoformat),
    st.tuples(st.dates(), st.dates()).map(lambda t: f"{min(t)}..{max(t)}"),
)


@given(PERIOD_TEXTS)
def test_any_period_is_a_report_period_with_its_bases_or_one_clear_error(text):
    """Every year 0–9999 in every form: a period inside the years reports cover, or a PeriodError — never an overflow."""
    try:
        period = period_of(text)
    except PeriodError as exc:
        assert "outside the years 1970–2100" in str(exc) or "not" in str(exc)
        return
    assert period != "all" and period.start.year >= FIRST_YEAR and period.end.year <= LAST_YEAR
    bases = base_periods(Scope(period=period))
    assert set(bases) == {"previous", "year_ago"}
    assert bases["previous"] == previous(period) and bases["year_ago"] == year_earlier(period)
    assert bases["previous"].end < period.start
