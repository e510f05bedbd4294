"""The headline: sentences generated from the result's figures, true to the statistics, in every format."""

from __future__ import annotations

import json

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadkit.api import compute, employee_performance, lead_conversion
from leadkit.method import Method
from leadkit.render.excel import write_workbook
from leadkit.render.headline import headline, sentence
from leadkit.render.html import notebook_html
from leadkit.render.jsonout import to_json
from leadkit.reports.highlights import best_and_worst
from leadkit.results import Highlight

SCOPE = {"period": "2025-11", "leads": 1734, "conversion_pct": 41.23, "ci_low_pct": 38.9, "ci_high_pct": 43.6,
         "confidence": 0.95, "open": 23, "open_pct": 1.33}  # fmt: skip
CHANGE = {"base_period": "2025-10", "horizon_days": 9, "horizon_pct": 31.5, "base_horizon_pct": 38.0,
          "fair_change_pp": -6.5, "pp_change": -9.0, "followed_pct": 95.0, "verdict": "down"}  # fmt: skip


def test_the_scope_sentence_states_its_figures():
    h = Highlight("scope", SCOPE)
    assert sentence(h, "en") == (
        "November 2025: 1,734 leads, 41.2% converted (95% interval 38.9%–43.6%); 23 (1.3%) still open."
    )
    assert sentence(h, "ru") == (
        "Ноябрь 2025: 1\u202f734 обращения, конверсия 41,2\u00a0% (интервал 95\u00a0%: 38,9\u00a0%–43,6\u00a0%); "
        "ещё открыты 23 (1,3\u00a0%)."
    )


def test_the_change_sentence_says_at_what_age_and_what_the_verdict_is():
    assert sentence(Highlight("change", CHANGE), "en") == (
        "Against the previous period (October 2025), conversion within 9 days of creation fell from 38.0% to "
        "31.5% (−6.5\u00a0pp, significant)."
    )
    assert sentence(Highlight("change", CHANGE), "ru") == (
        "Сравнение с предыдущим периодом (октябрь 2025): конверсия за 9 дней с создания снизилась с 38,0\u00a0% до "
        "31,5\u00a0% (−6,5\u00a0п.п., значимо)."
    )
    early = sentence(Highlight("change", {**CHANGE, "verdict": "too_early", "followed_pct": 30.0}), "en")
    assert early == (
        "Against the previous period (October 2025): too early to tell — only 30.0% of the leads were followed 9 days."
    )
    assert "слишком мало обращений" in sentence(Highlight("change", {**CHANGE, "verdict": "too_few"}), "ru")


@given(
    verdict=st.sampled_from(["up", "down", "no_change"]),
    change=st.floats(-50, 50, allow_nan=False),
    lang=st.sampled_from(["en", "ru"]),
)
def test_no_sentence_claims_what_the_verdict_does_not(verdict, change, lang):
    text = sentence(Highlight("change", {**CHANGE, "verdict": verdict, "fair_change_pp": change}), lang)
    claims = {"en": ("fell", "rose", "significant"), "ru": ("снизилась", "выросла", "значимо")}[lang]
    said = [word for word in claims if word in text]
    if verdict == "no_change":
        assert not said or said == []
        assert ("within chance" in text) if lang == "en" else ("в пределах случайного" in text)
    else:
        assert claims[2] in text and (claims[0] in text) == (verdict == "down")


def test_best_and_worst_are_named_only_when_the_intervals_separate(march):
    result = lead_conversion(march, period="2025-03")
    assert best_and_worst(result.rows, "lead_type", Method(min_leads=2)) is None  # 4 and 4 leads: overlapping
    import pandas as pd

    rows = pd.DataFrame({"lead_type": ["A", "B", "C"], "leads": [400, 400, 10], "conversion_pct": [60.0, 20.0, 90.0],
                         "ci_low_pct": [55.1, 16.4, 59.6], "ci_high_pct": [64.7, 24.2, 98.2]})  # fmt: skip
    found = best_and_worst(rows, "lead_type", Method(min_leads=30))  # C has too few leads to be named
    assert found is not None and found.figures["best_lead_type"] == "A" and found.figures["worst_lead_type"] == "B"
    overlapping = rows.assign(ci_low_pct=[20.0, 16.4, 59.6])
    assert best_and_worst(overlapping, "lead_type", Method(min_leads=30)) is None


def test_the_team_sentence_names_only_managers_outside_the_limits(march):
    result = employee_performance(march, period="2025-03", method=Method(min_leads=2))
    team = next(h for h in result.highlights if h.kind == "team")
    assert team.figures["above"] == [] and team.figures["below"] == []
    assert sentence(team, "en") == (
        "Team conversion: 55.6%. Every manager is within the control limits. 1 manager has too few leads to judge "
        "(fewer than 2)."
    )


@pytest.mark.parametrize("report", ["lead_conversion", "lost_leads", "employee_performance"])
@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_headline_is_in_every_format(march, tmp_path, report, lang):
    result = compute(report, march, period="2025-03")
    sentences = [text for _, text in headline(result, lang)]
    assert len(sentences) >= 3 and result.highlights[-1].kind == "as_of"
    html = notebook_html(result, lang)
    from html import escape

    box = html[
        html.index('<section class="headline"') : html.index("</section>", html.index('<section class="headline"'))
    ]
    assert all(escape(s, quote=True) in box for s in sentences)
    assert html.index('<section class="headline"') < html.index('<section class="summary">')  # before anything else
    data = json.loads(to_json(result, lang))
    assert [h["text"] for h in data["highlights"]] == sentences
    assert [h["kind"] for h in data["highlights"]] == [h.kind for h in result.highlights]
    assert all(set(h.figures) <= set(j) for h, j in zip(result.highlights, data["highlights"], strict=True))
    sheet = openpyxl.load_workbook(write_workbook(result, tmp_path / "r.xlsx", lang)).worksheets[0]
    cells = [row[0] for row in sheet.iter_rows(min_row=3, max_row=2 + len(sentences), values_only=True)]
    assert cells == sentences


@pytest.mark.parametrize(
    ("period", "late"), [("2025-05", True), ("2026", True), ("2025-04", False), ("2025-03", False)]
)
def test_a_period_after_the_data_ends_says_so_instead_of_reporting_nothing_silently(march, period, late):
    result = compute("lead_conversion", march, period=period)
    line = result.highlights[-1]
    assert line.kind == "as_of" and line.figures["after_data"] is late
    assert ("after the data ends" in sentence(line, "en")) is late
    assert ("позже, чем кончаются данные" in sentence(line, "ru")) is late
