"""Rendering pieces: escaping, language, number formats, sheet names, long lists."""

from __future__ import annotations

import re

import openpyxl
import pandas as pd
import pytest
from conftest import HOSTILE_SOURCE, MARCH_SOURCE, params_for, pdf_text

from leadkit.api import compute
from leadkit.leads import load_leads
from leadkit.render import excel
from leadkit.render import labels as L
from leadkit.render.excel import safe_sheet_name, write_workbook
from leadkit.render.html import html_table, notebook_html, page, report_body


@pytest.fixture(scope="module")
def hostile():
    return load_leads(params_for(HOSTILE_SOURCE))


def test_table_snapshot_one_component():
    frame = pd.DataFrame({"lead_type": ["Call", "Total"], "leads": [1234, 1300], "conversion_pct": [12.345, None]})
    table = html_table(frame, "ru", key="lead_type")
    assert table.headers == ["Тип обращения", "Обращения", "Конверсия %"]
    assert table.kinds == ["text", "num", "num"]
    assert table.rows == [
        {"cells": ["Call", "1\u202f234", "12,3\u00a0%"], "total": False},
        {"cells": ["Итого", "1\u202f300", "—"], "total": True},
    ]


def test_markers_and_dates_per_language():
    assert L.value("(not set)", "ru") == "(не указано)" and L.value("(not set)", "en") == "(not set)"
    assert L.stamp(pd.Timestamp("2025-03-01 09:05"), "ru") == "01.03.2025 09:05"
    assert L.stamp(pd.Timestamp("2025-03-01 09:05"), "en") == "2025-03-01 09:05"
    assert L.percent(None, "en") == "—" and L.percent(55.555, "en") == "55.6%"


@pytest.mark.parametrize("report", ["lead_conversion", "lost_leads", "employee_performance"])
def test_data_text_is_escaped_in_html(hostile, report):
    html = page(report_body(compute(report, hostile)), "t", "en")
    assert "<script>window.__xss" not in html and "<img src=x" not in html and "<b>Bob</b>" not in html
    assert "<script" not in html.lower()
    if report == "lead_conversion":
        assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in html
    if report == "employee_performance":
        assert "Ann &amp; &lt;b&gt;Bob&lt;/b&gt;" in html and "=HYPERLINK(&#34;http://evil.example&#34;" in html


def test_russian_report_body():
    result = compute("employee_performance", load_leads(params_for(MARCH_SOURCE)), period="2025-03")
    html = notebook_html(result, "ru")
    for text in ("Эффективность сотрудников", "Менеджер", "Конверсия %", "Определения", "Качество данных",
                 "(не назначен)", "Итого", "Март 2025"):  # fmt: skip
        assert text in html


@pytest.mark.parametrize("report", ["lead_conversion", "lost_leads", "employee_performance"])
def test_no_excel_cell_holds_a_formula(hostile, tmp_path, report):
    path = write_workbook(compute(report, hostile), tmp_path / f"{report}.xlsx")
    values = set()
    for ws in openpyxl.load_workbook(path).worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula: {cell.value!r}"
                values.add(cell.value)
    if report == "employee_performance":
        assert {'=HYPERLINK("http://evil.example","click")', "+1+1", "Ann & <b>Bob</b>", "Ольга Бондаренко"} <= values
    if report == "lost_leads":
        # XML cannot hold control characters: the renderer shows them as U+FFFD (or the sources removed them)
        assert "-2+3" in values
        assert values & {"Client\ufffdwith\ufffdcontrol", "Clientwithcontrol"}


def test_safe_sheet_names():
    used: set[str] = set()
    assert safe_sheet_name("Sales/Service: [North]*?", used) == "Sales_Service_ _North___"
    long = "A manager with a very long name indeed"
    assert safe_sheet_name(long, used) == long[:31]
    assert safe_sheet_name(long, used) == long[:27].strip() + " (2)"  # no space left before the number
    assert safe_sheet_name("history", used) == "History_"
    assert safe_sheet_name("'quoted'", used) == "quoted"
    assert safe_sheet_name("", used) == "Sheet"
    assert all(len(n) <= 31 for n in used)


def test_lists_longer_than_a_sheet_continue_on_further_sheets(tmp_path, monkeypatch):
    monkeypatch.setattr(excel, "MAX_ROWS", 3)  # two leads per sheet
    result = compute("lost_leads", load_leads(params_for(MARCH_SOURCE)), period="2025-03")
    wb = openpyxl.load_workbook(write_workbook(result, tmp_path / "lost.xlsx"))
    assert [n for n in wb.sheetnames if n.startswith("Lost leads")] == ["Lost leads", "Lost leads (2)"]
    ids = [r[0] for name in ("Lost leads", "Lost leads (2)") for r in wb[name].iter_rows(min_row=2, values_only=True)]
    assert ids == ["L7", "L8", "L9"]


def test_a_failed_write_keeps_the_earlier_file(tmp_path, monkeypatch):
    result = compute("lead_conversion", load_leads(params_for(MARCH_SOURCE)))
    path = write_workbook(result, tmp_path / "report.xlsx")
    before = path.read_bytes()

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(excel, "_definitions_sheet", explode)
    with pytest.raises(RuntimeError):
        write_workbook(result, path)
    assert path.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["report.xlsx"]


def test_long_lists_are_cut_with_a_note_pointing_to_excel():
    result = compute("lost_leads", load_leads(params_for(MARCH_SOURCE)), period="2025-03")
    html = report_body(result, list_limit=2)
    assert "2 of 3 leads shown — all of them are in the Excel file." in html
    listing = html[html.index('<details class="leads-list">') : html.index("</details>")]
    assert listing.count("<tr><td") == 2 and "L7" in listing and "L8" in listing and "L9" not in listing


def test_print_keeps_the_first_rows_of_a_long_list_and_says_so(tmp_path):
    from datetime import date

    from leadkit.leads import from_frame
    from leadkit.pipeline.export import html_to_pdf
    from leadkit.render.html import PRINT_LIST_ROWS
    from leadkit.sources.demo import generate

    leads = from_frame(generate(600, 3, date(2025, 1, 1), date(2025, 3, 31)), no_reason_statuses=("Lost",))
    result = compute("lost_leads", leads, period="2025-Q1")
    listing = result.leads.head(PRINT_LIST_ROWS + 1)
    html = page(report_body(result), "Lost leads", "en")
    assert html.count('<tr class="screen-only">') == min(len(result.leads), 300) - PRINT_LIST_ROWS
    last_printed, first_hidden = listing["lead_id"].iloc[PRINT_LIST_ROWS - 1], listing["lead_id"].iloc[PRINT_LIST_ROWS]
    assert first_hidden in html  # on screen, the list goes on
    html_to_pdf(html, tmp_path / "lost.pdf")
    text = pdf_text(tmp_path / "lost.pdf")
    assert last_printed in text and first_hidden not in text
    assert (
        f"{PRINT_LIST_ROWS} of {len(result.leads)} leads printed — all of them are in the Excel file."
        in text.replace("\n", " ")
    )


def test_lead_ids_link_to_the_crm_when_the_source_says_how(march):
    from dataclasses import replace

    linked = replace(march, lead_url="https://crm.example/lead/{lead_id}")
    html = report_body(compute("lost_leads", linked, period="2025-03"))
    assert '<a href="https://crm.example/lead/L7" rel="noopener noreferrer">L7</a>' in html
    assert "<a href" not in report_body(compute("lost_leads", march, period="2025-03"))  # off by default


def test_a_hostile_lead_id_stays_inside_its_link(hostile):
    from dataclasses import replace

    linked = replace(hostile, lead_url="https://crm.example/lead/{lead_id}")
    html = report_body(compute("employee_performance", linked), list_limit=300)
    hrefs = re.findall(r'<a href="([^"]*)"', html)
    assert hrefs and all(h.startswith("https://crm.example/lead/") and "<" not in h and " " not in h for h in hrefs)


@pytest.mark.parametrize(("lang", "items"), [
    ("en", ["Basis creation date", "Time zone UTC"]), ("ru", ["База дата создания", "Часовой пояс UTC"])])  # fmt: skip
def test_the_printed_meta_line_keeps_each_label_with_its_value(march, tmp_path, lang, items):
    from leadkit.pipeline.export import html_to_pdf

    result = compute("employee_performance", march, period="2025-03")
    html_to_pdf(page(report_body(result, lang), "Employees", lang), tmp_path / "employees.pdf")
    lines = [
        " ".join(line.replace("\u00a0", " ").split())
        for line in pdf_text(tmp_path / "employees.pdf", 1, 1).splitlines()
    ]
    assert all(any(item in line for line in lines) for item in items), lines[:12]  # not "Basis creation" / "date"


def test_static_pages_draw_their_charts_inline_and_the_panel_the_same_charts_in_boxes(march):
    from leadkit.render.charts import charts, planned
    from leadkit.render.html import fill_charts, live_figures, stylesheet
    from leadkit.render.views import view_of

    result = compute("employee_performance", march, period="2025-03")
    view = view_of(result)
    static = report_body(result, "en")
    images = re.findall(r'<figure class="chart"><img alt="[^"]+" src="data:image/svg\+xml;base64,([^"]+)"></figure>',
                        static)  # fmt: skip
    assert len(images) == len(charts(result, view, "en")) == 4 and "chart-box" not in static
    assert "chart-box" not in stylesheet("en") and "chart-box" in stylesheet("en", live=True)
    plan = planned(result, view)
    waiting = report_body(result, "en", figures=live_figures(plan, {}, "en"))
    assert waiting.count("Drawing chart…") == 4 and "<img" not in waiting
    assert waiting.replace("\n", "").count("chart-pending") == 4
    filled = fill_charts(waiting, plan, {name: chart.draw("en") for name, chart in plan.items()}, "en")
    assert "Drawing chart…" not in filled and re.findall(r"base64,([^\"]+)", filled) == images  # the same charts
    assert re.sub(r"<figure.*?</figure>", "", filled) == re.sub(r"<figure.*?</figure>", "", static)  # and the rest
