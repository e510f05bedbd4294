"""Words and formats: periods in words, plurals, numbers, dates, cells — in English and Russian."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from leadkit.periods import parse_period
from leadkit.render import labels as L
from leadkit.scope import Filters


@pytest.mark.parametrize(
    ("text", "en", "ru"),
    [
        ("2025", "2025", "2025 год"),
        ("2025-Q4", "Q4 2025", "IV квартал 2025"),
        ("2025-Q1", "Q1 2025", "I квартал 2025"),
        ("2025-11", "November 2025", "ноябрь 2025"),
        ("2025-W05", "week 5, 2025", "неделя 5, 2025"),
        ("2025-03-15", "15 March 2025", "15 марта 2025"),
        ("2025-11-10..2025-11-30", "10–30 November 2025", "10–30 ноября 2025"),
        ("2025-10-28..2025-11-03", "28 October – 3 November 2025", "28 октября – 3 ноября 2025"),
        ("2024-12-29..2025-01-04", "29 December 2024 – 4 January 2025", "29 декабря 2024 – 4 января 2025"),
    ],
)
def test_periods_in_words(text, en, ru):
    period = parse_period(text)
    assert L.period_words(period, "en") == en and L.period_words(period, "ru") == ru


def test_period_titles_are_capitalised_and_weeks_show_their_days():
    assert L.period_title(parse_period("2025-11"), "ru") == "Ноябрь 2025"
    assert L.period_title(parse_period("2025-W05"), "en") == "Week 5, 2025 (27 January – 2 February 2025)"
    assert L.period_title(None, "en") == "All time" and L.period_title(None, "ru") == "Всё время"


@pytest.mark.parametrize(("n", "ru"), [(1, "1 месяц"), (2, "2 месяца"), (5, "5 месяцев"), (11, "11 месяцев"),
                                        (21, "21 месяц"), (12, "12 месяцев"), (104, "104 месяца")])  # fmt: skip
def test_russian_plurals(n, ru):
    assert L.count_words(n, "months", "ru") == ru
    assert L.count_words(n, "months", "en") == f"{n} {'month' if n == 1 else 'months'}"


def test_numbers_and_dates_per_language():
    assert L.number(1234567.891, "ru", 1) == "1\u202f234\u202f567,9" and L.number(1234.5, "en", 1) == "1,234.5"
    assert L.percent(45.25, "ru") == "45,2\u00a0%" and L.percent(None, "ru") == "—"
    assert L.points(-3.25, "en") == "−3.2\u00a0pp" and L.points(0, "ru") == "±0,0\u00a0п.п."
    assert L.stamp(pd.Timestamp("2025-03-01 09:05"), "ru") == "01.03.2025 09:05"
    assert L.day_words(date(2025, 5, 1), "ru") == "1 мая 2025"


def test_cells_follow_the_contract_kinds():
    assert L.cell("significant", True, "ru") == "да" and L.cell("few_leads", False, "en") == "no"
    assert L.cell("vs_team", "below", "ru") == "ниже" and L.cell("status_group", "in_progress", "ru") == "В работе"
    assert L.cell("conversion_pct", 12.345, "en") == "12.3%" and L.cell("p_value", 0.01234, "en") == "0.012"
    assert L.cell("manager", "(unassigned)", "ru") == "(не назначен)" and L.cell("leads", 1500, "en") == "1,500"


def test_a_p_value_below_a_thousandth_is_not_shown_as_zero():
    assert L.cell("p_value", 0.00004, "en") == "<0.001" and L.cell("p_value", 0.0, "ru") == "<0,001"
    assert L.cell("p_value", 0.001, "en") == "0.001" and L.cell("p_value", 0.0456, "ru") == "0,046"
    assert L.cell("p_value", None, "en") == "—"


def test_filters_in_one_line():
    assert L.filters_text(Filters(), "ru") == "все" and L.filters_text(Filters(), "en") == "none"
    text = L.filters_text(Filters(lead_types=("Call", "(not set)"), managers=("Ann",)), "ru")
    assert text == "Типы обращений: Call, (не указано); Менеджеры: Ann"


def test_every_word_exists_in_both_languages():
    for table in (L.COLUMNS, L.WORDS, L.QUALITY, L.GROUPS, L.SHEETS, L.TITLES):
        assert set(table["en"]) == set(table["ru"])


def test_headers_mark_columns_and_put_the_horizon_in_words():
    assert L.headers(["lead_type", "Call", "(not set)"], "ru") == ["Тип обращения", "Call", "(не указано)"]
    assert L.headers(["lead_type", "2025-03"], "en", marked=("2025-03",)) == ["Lead type", "2025-03 *"]
    horizon = L.COLUMNS["en"]["horizon_pct"]
    assert "H days" in horizon and L.column("horizon_pct", "en", days=7) == horizon.replace("H days", "7 days")
    assert L.column("horizon_pct", "ru", days=21) == L.COLUMNS["ru"]["horizon_pct"].replace("H дней", "21 день")


def test_missing_values_and_markers():
    assert all(L.missing(x) for x in (None, float("nan"), pd.NA, pd.NaT)) and not L.missing("")
    assert L.value(None, "en") == "" and L.value("", "en") == "" and L.value(3, "en") == "3"
    assert L.value("(unassigned)", "ru") == "(не назначен)" and L.value("Total", "ru") == "Итого"
    assert L.value("=1+1", "ru") == "=1+1"  # data text is never changed
    assert L.cell("conversion_pct", None, "en") == "—" and L.cell("created_at", pd.NaT, "ru") == ""


@pytest.mark.parametrize(("x", "en", "ru"), [(0.5, "+0.5\u00a0pp", "+0,5\u00a0п.п."), (12, "+12.0\u00a0pp", "+12,0\u00a0п.п."),
                                             (None, "—", "—")])  # fmt: skip
def test_points_carry_their_sign(x, en, ru):
    assert L.points(x, "en") == en and L.points(x, "ru") == ru


def test_cells_of_the_declared_nullable_dtypes_are_formatted_like_builtins():
    import numpy as np

    assert L.cell("leads", np.int64(1500), "en") == L.cell("leads", 1500, "en") == "1,500"
    assert L.cell("few_leads", np.bool_(False), "ru") == L.cell("few_leads", False, "ru") == "нет"


def test_the_demo_source_is_named_in_the_report_language_and_paths_stay_as_they_are():
    from leadkit.render.labels import source_words

    assert source_words("demo (seed 7)", "en") == "demo (seed 7)"
    assert source_words("demo (seed 7)", "ru") == "демо-данные (seed 7)"
    assert source_words("demo (40,000 leads, seed 7)", "ru") == "демо-данные (seed 7)"  # an older snapshot's name
    assert source_words("/data/demo (1 leads, seed 3).csv", "ru") == "/data/demo (1 leads, seed 3).csv"
