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
    kinds = [v for _, v in panel.kind.options]
    assert kinds == [ALL_TIME, "year", "quarter", "month", "week", CUSTOM]
    assert panel.kind.value == "month" and panel.period.value == "2025-03"
    assert [v for _, v in panel.period.options] == ["2025-04", "2025-03", "2025-02"]  # newest first
    assert dict(panel.period.options)["March 2025"] == "2025-03"
    assert [v for _, v in panel.managers.options] == ["(unassigned)", "Ann", "Bob"]
    panel.kind.value = "quarter"  # keeps to the period on screen
    assert panel.period.value == "2025-Q1" and dict(panel.period.options)["Q1 2025"] == "2025-Q1"
    assert panel.result.meta.scope.period.label == "2025-Q1"
    panel.kind.value = "week"
    assert panel.period.value == "2025-W14"  # the ISO week holding Monday 31 March
    assert [v for _, v in panel.managers.options] == ["(unassigned)", "Bob"]  # Ann has no lead that week


def test_a_filter_change_recomputes_and_redraws(leads):
    panel = panel_for("lead_conversion", leads)
    assert panel.result.total["leads"] == 9
    panel.managers.value = ("Bob",)
    assert panel.result.total["leads"] == 4
    assert panel.result.meta.scope.filters.managers == ("Bob",)
    assert '<td class="num">4</td>' in panel.report.value
    panel.basis.value = "closed"
    assert panel.result.meta.scope.basis == "closed" and panel.result.total["leads"] == 3
    panel.kind.value = ALL_TIME
    assert panel.result.meta.scope.period is None and panel.result.total["leads"] == 5  # basis needs a period


def test_custom_range_and_language(leads):
    panel = panel_for("lost_leads", leads)
    panel.kind.value = CUSTOM
    assert panel.picker._boxes["start"].layout.display is None  # the date pickers appear
    assert (panel.start.value, panel.end.value) == (date(2025, 3, 1), date(2025, 3, 31))  # from the screen
    panel.start.value, panel.end.value = date(2025, 3, 20), date(2025, 3, 21)
    assert panel.result.meta.scope.period.label == "2025-03-20_2025-03-21"
    assert panel.result.total["leads"] == 2
    panel.lang.value = "ru"
    assert "Закрытые неуспешно" in panel.report.value and "Период" in panel.picker.titles["period_kind"].value
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
    assert dict(panel.kind.options)["Всё время"] == ALL_TIME and dict(panel.kind.options)["Свой диапазон…"] == CUSTOM
    assert next(label for label, _ in panel.managers.options).startswith("(не назначен)")
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


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_a_panel_lists_at_most_a_pages_sections_and_says_what_it_left_out(leads, monkeypatch, lang):
    import leadkit.widgets.panel as panel_module

    monkeypatch.setattr(panel_module, "MAX_LIST_GROUPS", 2)  # as if there were 20,000 managers
    panel = panel_for("employee_performance", leads, lang=lang)
    assert len(panel.accordion.children) == 2  # the two busiest of three; Excel has them all
    assert ("Showing the 2 managers with the most leads, of 3" if lang == "en" else "Показаны 2 из 3 менеджеров") in (
        panel.cut.value
    )
    panel.lead_types.value = ("Call",)
    panel.wait()
    assert len(panel.accordion.children) <= 2


def test_export_button_writes_the_current_view(leads, tmp_path):
    panel = panel_for("lead_conversion", leads, export_dir=tmp_path)
    panel.managers.value = ("Ann",)
    panel.export.click()
    files = list(tmp_path.glob("lead_conversion_2025-03_*.xlsx"))
    assert len(files) == 1 and files[0].name in panel.download.value
    assert "download='lead_conversion_2025-03_" in panel.download.value
    assert (
        "href='data:application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;base64," in panel.download.value
    )
    ws = openpyxl.load_workbook(files[0])["Summary"]
    total = next(r for r in ws.iter_rows(min_row=6, values_only=True) if r[0] == "Total")
    assert total[1] == 4


def test_an_invalid_choice_shows_a_message_instead_of_failing(leads):
    panel = panel_for("lead_conversion", leads)
    panel.kind.value = CUSTOM
    panel.start.value = date(2025, 3, 21)  # valid: March 21 to 31
    assert panel.result.total["leads"] == 3
    panel.end.value = date(2025, 3, 20)
    assert "before it starts" in panel.status.value and "Change “Period”" in panel.status.value
    assert "Traceback" not in panel.status.value and panel.status.value.count("<p") == 1
    assert panel.result.total["leads"] == 3  # the last good view stays
    panel.end.value = None  # one date cleared: ask for it, never fall back to all time
    assert "Pick both dates" in panel.status.value
    assert panel.result.meta.scope.period.label == "2025-03-21_2025-03-31"
    panel.end.value = date(2025, 3, 31)
    assert panel.status.value == "" and panel.result.total["leads"] == 3


def test_the_open_manager_section_stays_open_across_changes(leads):
    panel = panel_for("employee_performance", leads)
    panel.accordion.selected_index = 1  # Bob
    panel.lead_types.value = ("Website",)
    titles = [panel.accordion.get_title(i) for i in range(len(panel.accordion.children))]
    assert titles[panel.accordion.selected_index] == "Bob — 2"
    assert panel.accordion.children[panel.accordion.selected_index].value  # its leads are shown, not an empty box
    panel.lang.value = "ru"
    assert panel.accordion.get_title(panel.accordion.selected_index) == "Bob — 2"


def test_options_carry_counts_narrow_and_search(leads):
    panel = panel_for("lead_conversion", leads)
    assert [label for label, _ in panel.managers.options] == ["(unassigned) (1)", "Ann (4)", "Bob (4)"]
    panel.lead_types.value = ("Website",)
    assert [label for label, _ in panel.managers.options] == ["(unassigned) (1)", "Ann (1)", "Bob (2)"]
    panel.managers.search.value = "bo"
    assert [v for _, v in panel.managers.options] == ["Bob"]
    panel.managers.select.value = ("Bob",)
    assert panel.result.meta.scope.filters.managers == ("Bob",)
    panel.managers.search.value = ""
    assert panel.managers.value == ("Bob",) and panel.managers.select.value == ("Bob",)


def test_busy_at_once_and_only_the_newest_request_is_shown(leads):
    panel = panel_for("lead_conversion", leads)
    panel.latest.delay = 0.2
    calls = []
    real = panel._prepare

    def counted(scope, lang, open_name=None):
        calls.append(scope)
        return real(scope, lang, open_name)

    panel._prepare = counted
    for managers in [("Ann",), ("Ann", "Bob"), ("Bob",)]:  # a burst: one request
        panel.managers.value = managers
        assert "leadkit-busy" in panel.report._dom_classes and "Updating" in panel.status.value
    assert panel.wait(60)
    assert [s.filters.managers for s in calls] == [("Bob",)]
    assert panel.result.meta.scope.filters.managers == ("Bob",) and panel.result.total["leads"] == 4
    assert "leadkit-busy" not in panel.report._dom_classes and panel.status.value == ""


def test_a_stale_computation_is_dropped_never_shown():
    import threading
    import time

    from leadkit.widgets.latest import LatestWins

    latest, shown, started = LatestWins(delay=0.01), [], threading.Event()

    def slow():
        started.set()
        time.sleep(0.3)
        return "old"

    latest.submit(slow, shown.append)
    assert started.wait(5)
    latest.submit(lambda: "new", shown.append)  # arrives while the old one computes
    assert latest.wait(10)
    assert shown == ["new"] and latest.dropped == 1


def test_a_stray_lead_outside_the_years_reports_cover_does_not_stop_the_panel():
    from datetime import date

    from leadkit.widgets.periodpicker import periods_of

    years = periods_of((date(1965, 3, 1), date(2025, 3, 31)), "year")
    assert years[0].label == "2025" and years[-1].label == "1970" and len(years) == 56
    assert periods_of((date(1901, 1, 1), date(1950, 1, 1)), "month") == []
