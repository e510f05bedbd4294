"""The interactive panel: widget values become a scope; the table follows; export writes Excel."""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest
from conftest import MARCH_SOURCE, params_for

from leadkit.api import compute
from leadkit.leads import load_leads
from leadkit.method import DEFAULT
from leadkit.notebook import Workspace
from leadkit.scope import Scope
from leadkit.widgets import ALL_TIME, CUSTOM, ReportPanel


@pytest.fixture()
def leads():
    return load_leads(params_for(MARCH_SOURCE))


def panel_for(name, leads, lang="en", **kw):
    workspace = Workspace(leads, Scope(), DEFAULT, lang)
    return ReportPanel(name, workspace, compute(name, leads, period="2025-03"), lang, **kw)


def test_period_choices_cover_the_data(leads):
    panel = panel_for("lead_conversion", leads)
    values = [v for _, v in panel.period.options]
    assert values[0] == ALL_TIME and values[-1] == CUSTOM
    assert {"2025", "2025-Q1", "2025-Q2", "2025-02", "2025-03", "2025-04"} <= set(values)
    assert panel.period.value == "2025-03"
    assert dict(panel.period.options)["March 2025"] == "2025-03" and dict(panel.period.options)["Q1 2025"] == "2025-Q1"
    assert [v for _, v in panel.managers.options] == ["(unassigned)", "Ann", "Bob"]


def test_a_filter_change_recomputes_and_redraws(leads):
    panel = panel_for("lead_conversion", leads)
    assert panel.result.total["leads"] == 9
    panel.managers.value = ("Bob",)
    assert panel.result.total["leads"] == 4
    assert panel.result.meta.scope.filters.managers == ("Bob",)
    assert '<td class="num">4</td>' in panel.report.value
    panel.basis.value = "closed"
    assert panel.result.meta.scope.basis == "closed" and panel.result.total["leads"] == 3
    panel.period.value = ALL_TIME
    assert panel.result.meta.scope.period is None and panel.result.total["leads"] == 5  # basis needs a period


def test_custom_range_and_language(leads):
    panel = panel_for("lost_leads", leads)
    panel.period.value = CUSTOM
    assert panel.start.layout.display is None  # the date pickers appear
    panel.start.value, panel.end.value = date(2025, 3, 20), date(2025, 3, 21)
    assert panel.result.meta.scope.period.label == "2025-03-20_2025-03-21"
    assert panel.result.total["leads"] == 2
    panel.lang.value = "ru"
    assert "Закрытые неуспешно" in panel.report.value and panel.period.description == "Период"
    assert "Причина" in panel.report.value and "20–21 марта 2025" in panel.report.value


@pytest.mark.parametrize("name", ["lead_conversion", "lost_leads", "employee_performance"])
def test_a_language_switch_redraws_without_a_query(leads, name, count_queries):
    panel = panel_for(name, leads)
    panel.accordion.selected_index = 0 if panel.accordion.children else None  # a drill-down is open
    before, queries = panel.result, count_queries()
    panel.lang.value = "ru"
    assert queries() == 0 and panel.result is before
    assert "Итого" in panel.report.value and "Total" not in panel.report.value
    assert dict(panel.period.options)["Март 2025"] == "2025-03" and panel.period.value == "2025-03"
    panel.lang.value = "en"
    assert queries() == 0 and "Total" in panel.report.value
    panel.managers.value = ("Bob",)  # a filter does compute
    assert queries() > 0


def test_employee_accordion_lists_each_managers_leads(leads):
    panel = panel_for("employee_performance", leads)
    titles = [panel.accordion.get_title(i) for i in range(len(panel.accordion.children))]
    assert titles == ["Ann — 4", "Bob — 4", "(unassigned) — 1"]
    assert panel.accordion.children[0].value == ""  # fetched when opened, not before
    panel.accordion.selected_index = 0
    assert "L8" in panel.accordion.children[0].value and "<details" not in panel.report.value
    assert "L8" not in panel.accordion.children[1].value
    panel.lead_types.value = ("Website",)
    assert [panel.accordion.get_title(i) for i in range(len(panel.accordion.children))] == [
        "Bob — 2",
        "(unassigned) — 1",
        "Ann — 1",
    ]


def test_export_button_writes_the_current_view(leads, tmp_path):
    panel = panel_for("lead_conversion", leads, export_dir=tmp_path)
    panel.managers.value = ("Ann",)
    panel.export.click()
    files = list(tmp_path.glob("lead_conversion_2025-03_*.xlsx"))
    assert len(files) == 1 and str(files[0]) in panel.status.value
    ws = openpyxl.load_workbook(files[0])["Summary"]
    total = next(r for r in ws.iter_rows(min_row=6, values_only=True) if r[0] == "Total")
    assert total[1] == 4


def test_an_invalid_choice_shows_a_message_instead_of_failing(leads):
    panel = panel_for("lead_conversion", leads)
    panel.period.value = CUSTOM
    panel.start.value = date(2025, 3, 21)  # valid: March 21 to 31
    assert panel.result.total["leads"] == 3
    panel.end.value = date(2025, 3, 20)
    assert "before it starts" in panel.status.value
    assert panel.result.total["leads"] == 3  # the last good view stays
