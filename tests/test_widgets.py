"""The interactive panel: widget values become a scope; the table follows; export writes Excel."""

from __future__ import annotations

import base64
import re
import threading
from datetime import date

import openpyxl
import pytest
from conftest import MARCH_SOURCE, params_for

from leadkit.api import compute
from leadkit.leads import load_leads
from leadkit.method import DEFAULT
from leadkit.notebook import Workspace
from leadkit.periods import parse_period
from leadkit.render.charts import Planned
from leadkit.scope import Filters, Scope
from leadkit.widgets import ALL_TIME, CUSTOM, ReportPanel
from leadkit.widgets.pickers import CHIPS, SHOWN, MultiPicker, option_counts


@pytest.fixture()
def leads():
    return load_leads(params_for(MARCH_SOURCE))


def click(picker, value):
    """What a reader's click on ``value``'s checkbox does: the browser flips the box's value."""
    box = picker.boxes[[v for _, v in picker.options].index(value)]
    box.value = not box.value


def ticked(picker):
    return [v for box, (_, v) in zip(picker.boxes, picker.options, strict=False) if box.value]


def chips(picker):
    return [chip.description for chip in picker.chips if chip.layout.display != "none"]


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
    assert [v for _, v in panel.managers.options] == ["Ann", "Bob", "(unassigned)"]  # the busiest first
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
    assert any(label.startswith("(не назначен) (") for label, _ in panel.managers.options)
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


def test_the_option_counts_of_every_filter_are_one_query_each_leaving_its_own_filter_open(leads, count_queries):
    scope = Scope(period=parse_period("2025-03"), filters=Filters(lead_types=("Website",), managers=("Bob",)))
    queries = count_queries()
    counts = option_counts(leads, scope)
    assert queries() == 1
    assert counts["managers"] == {"Bob": 2, "(unassigned)": 1, "Ann": 1}  # Website leads of March, any manager
    assert counts["lead_types"] == {"Call": 2, "Website": 2}  # Bob's leads of March, any type
    assert sum(counts["branches"].values()) == 2  # Bob's Website leads


def test_options_carry_counts_narrow_and_search(leads):
    panel = panel_for("lead_conversion", leads)
    assert [label for label, _ in panel.managers.options] == ["Ann (4)", "Bob (4)", "(unassigned) (1)"]
    panel.lead_types.value = ("Website",)
    assert [label for label, _ in panel.managers.options] == ["Bob (2)", "(unassigned) (1)", "Ann (1)"]
    panel.managers.search.value = "bo"
    assert [v for _, v in panel.managers.options] == ["Bob"]
    click(panel.managers, "Bob")
    assert panel.result.meta.scope.filters.managers == ("Bob",)
    panel.managers.search.value = ""
    assert panel.managers.value == ("Bob",) and ticked(panel.managers) == ["Bob"]
    click(panel.managers, "Ann")  # a second click adds a second manager: no modifier key
    assert panel.result.meta.scope.filters.managers == ("Ann", "Bob") and panel.result.total["leads"] == 3  # 1 + 2


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


def picker_of(values, chosen=(), counts=None, lang="en"):
    picker = MultiPicker("managers", list(values), tuple(chosen), lang)
    picker.set_counts(counts)
    heard = []
    picker.observe(heard.append)
    return picker, heard


def test_a_click_picks_or_drops_one_value_and_a_chosen_value_drops_in_one_click():
    picker, heard = picker_of(["(unassigned)", "Ann", "Bob", "Cleo"], counts={"(unassigned)": 1, "Ann": 4, "Bob": 4})
    assert picker.options == [("Ann (4)", "Ann"), ("Bob (4)", "Bob"), ("(unassigned) (1)", "(unassigned)")]
    assert picker.chosen_row.layout.display == "none" and chips(picker) == []
    click(picker, "Bob")
    click(picker, "Ann")
    assert picker.value == ("Ann", "Bob") and heard == ["managers", "managers"]  # once per click
    assert ticked(picker) == ["Ann", "Bob"] and chips(picker) == ["× Ann", "× Bob"]
    assert picker.chosen_row.layout.display is None and picker.clear.description == "Clear"
    picker.chips[0].click()  # "× Ann"
    assert picker.value == ("Bob",) and ticked(picker) == ["Bob"] and len(heard) == 3
    click(picker, "Bob")  # unticking drops it too
    assert picker.value == () and len(heard) == 4
    picker.value = ("Ann", "Bob")
    picker.clear.click()
    assert picker.value == () and ticked(picker) == [] and len(heard) == 6
    picker.value = ()  # nothing changes: nobody is told
    assert len(heard) == 6


def test_a_chosen_value_stays_chosen_when_the_search_or_the_counts_hide_it():
    picker, heard = picker_of(["Ann", "Bob", "Cleo"], chosen=("Cleo",), counts={"Ann": 4, "Bob": 4, "Cleo": 0})
    assert [v for _, v in picker.options] == ["Ann", "Bob", "Cleo"]  # no lead, but chosen: still listed
    assert ticked(picker) == ["Cleo"] and picker.options[2][0] == "Cleo (0)"
    picker.search.value = "BO"
    assert [v for _, v in picker.options] == ["Bob"] and picker.value == ("Cleo",) and chips(picker) == ["× Cleo"]
    click(picker, "Bob")
    assert picker.value == ("Bob", "Cleo") and heard == ["managers"]
    picker.search.value = "zz"
    assert picker.options == [] and "Nothing matches" in picker.more.value and picker.value == ("Bob", "Cleo")
    assert picker.listing.layout.display == "none"  # no empty box left on screen
    picker.search.value = ""
    click(picker, "Cleo")
    assert [v for _, v in picker.options] == ["Ann", "Bob"]  # dropped, and without leads: hidden again


def test_twenty_thousand_managers_make_a_bounded_number_of_widgets_and_typing_finds_any():
    from ipywidgets.widgets.widget import _instances

    def widgets_made(names):
        before = len(_instances)
        picker, heard = picker_of(names, counts=dict.fromkeys(names, 3))
        picker.value = tuple(names[::2])
        picker.search.value = "1234"
        return len(_instances) - before, picker, heard

    few, _, _ = widgets_made(["Manager 01234", "Ann"])
    made, picker, heard = widgets_made([f"Manager {i:05d}" for i in range(20_000)])  # 10,000 of them chosen
    assert made == few < 100  # each widget with its layout and style: as many for 20,000 values as for two
    assert [v for _, v in picker.options][:3] == ["Manager 01234", "Manager 11234", "Manager 12340"]
    assert "2 more — type to narrow" in picker.more.value  # 01234, 11234 and 12340–12349: 12 match
    click(picker, "Manager 12341")  # odd: not chosen yet
    assert len(picker.value) == 10_001 and heard == ["managers", "managers"]
    picker.search.value = ""
    assert len(picker.options) == len(picker.boxes) == SHOWN
    assert "19,990 more — type to narrow" in picker.more.value
    assert len(chips(picker)) == CHIPS and "and 9,989 more" in picker.chips_more.value


def test_a_language_switch_relabels_the_picker_and_keeps_the_choice():
    picker, heard = picker_of(["(unassigned)", "Ann"] + [f"M{i}" for i in range(10)], chosen=("(unassigned)",),
                              counts={"(unassigned)": 1200, "Ann": 4})  # fmt: skip
    picker.relabel("ru")
    assert picker.options[0] == ("(не назначен) (1\u202f200)", "(unassigned)") and ticked(picker) == ["(unassigned)"]
    assert chips(picker) == ["× (не назначен)"] and picker.clear.description == "Сбросить"
    assert picker.search.placeholder == "Поиск…" and "Менеджеры" in picker.title.value
    assert picker.chips[0].tooltip == "Убрать «(не назначен)» из фильтра"
    picker.set_counts(None)
    assert "ещё 2 — уточните поиском" in picker.more.value and heard == []


# ----- charts after the tables: boxes of their size first, the newest request's charts only

BOX = re.compile(r'<figure class="chart chart-box( chart-pending)?" data-chart="(\w+)" style="([^"]+)">')


def boxes(html_text):
    """Each chart's box on screen: name → (waiting?, its size)."""
    return {name: (bool(waiting), style) for waiting, name, style in BOX.findall(html_text)}


def test_a_change_shows_the_tables_first_then_the_charts_in_boxes_of_the_same_size(leads):
    panel = panel_for("employee_performance", leads)
    assert set(boxes(panel.report.value)) == {"conversion", "funnel", "trend", "curve"}
    shown = []
    panel.report.observe(lambda change: shown.append(change["new"]), names="value")
    panel.managers.value = ("Bob",)
    first, complete = shown
    assert '<td class="num">4</td>' in first and "Drawing chart…" in first  # the tables, each chart a waiting box
    assert all(waiting for waiting, _ in boxes(first).values()) and "<img" not in first
    assert not any(waiting for waiting, _ in boxes(complete).values()) and complete.count("<img") == 4
    assert {n: size for n, (_, size) in boxes(first).items()} == {n: size for n, (_, size) in boxes(complete).items()}
    assert complete.replace("<td", "") != first.replace("<td", "") and panel.latest.wait(1)


def test_a_stale_requests_charts_never_appear(leads, monkeypatch):
    panel = panel_for("lead_conversion", leads, delay=0.01)
    assert panel.wait(60)
    started, release, drawn_for_ann = threading.Event(), threading.Event(), []
    real = Planned.draw

    def held(chart, lang):  # the first chart of Ann's request waits until Bob's request has been made
        svg = real(chart, lang)
        if not started.is_set():
            drawn_for_ann.append(base64.b64encode(svg).decode("ascii"))
            started.set()
            assert release.wait(60)
        return svg

    monkeypatch.setattr(Planned, "draw", held)
    shown = []
    panel.report.observe(lambda change: shown.append(change["new"]), names="value")
    panel.managers.value = ("Ann",)
    assert started.wait(60)  # Ann's tables are on screen, her charts being drawn
    assert "Ann" in shown[-1] and all(waiting for waiting, _ in boxes(shown[-1]).values())
    panel.managers.value = ("Bob",)
    release.set()
    assert panel.wait(60)
    assert panel.result.meta.scope.filters.managers == ("Bob",) and panel.latest.dropped >= 1
    assert not any(drawn_for_ann[0] in html_text for html_text in shown)  # never on screen, not even for a moment
    assert not any(waiting for waiting, _ in boxes(panel.report.value).values())
    assert panel.report.value.count("<img") == len(boxes(panel.report.value)) == 3


def test_charts_are_kept_by_their_data_and_redrawn_in_another_language(leads, monkeypatch):
    panel = panel_for("lead_conversion", leads)
    drawn = []
    real = Planned.draw
    monkeypatch.setattr(Planned, "draw", lambda chart, lang: drawn.append((chart.name, lang)) or real(chart, lang))
    panel.managers.value = ("Bob",)
    assert sorted(drawn) == [("conversion", "en"), ("curve", "en"), ("trend", "en")]
    panel._results.clear()
    panel._drawn.clear()  # computed and rendered again: only the charts are kept
    panel.managers.value = ()
    panel.managers.value = ("Bob",)
    assert len(drawn) == 3 and "<img" in panel.report.value  # the same data: no chart drawn again
    panel.lang.value = "ru"  # the same data, other words: every chart drawn again
    assert sorted(drawn[3:]) == [("conversion", "ru"), ("curve", "ru"), ("trend", "ru")]
    assert "Рисуется" not in panel.report.value and panel.report.value.count("<img") == 3
