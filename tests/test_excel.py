"""Excel workbooks read back as data: sheets, headers, number formats, text never a formula, frozen headers."""

from __future__ import annotations

import zipfile
from datetime import datetime

import openpyxl
import pandas as pd
import pytest
import xlsxwriter
from handmade import conversion, employees, lost, rate_row

from leadkit.render.excel import _Formats, write_workbook

HEADERS = ["Lead type", "Leads", "Converted", "Into orders", "Into sales", "Won", "Lost", "Open", "Conversion %",
           "Closed-only %", "95% CI low", "95% CI high"]  # fmt: skip
HOSTILE = ["=1+1", "+1+1", "-2+3", "@SUM(A1)", '=HYPERLINK("http://evil.example","click")', "\tTab"]
ROWS = [rate_row("lead_type", "Call", 4, 3, 30.1, 95.4), rate_row("lead_type", "Website", 2, 0, 0.0, 65.8)]


def book(result, tmp_path, lang: str = "en") -> openpyxl.Workbook:
    return openpyxl.load_workbook(write_workbook(result, tmp_path / "report.xlsx", lang))


def row_values(ws, row: int) -> list:
    return [c.value for c in ws[row]]


def test_sheets_heading_and_header_row(tmp_path):
    wb = book(conversion(ROWS), tmp_path)
    assert wb.sheetnames == ["Summary", "Definitions"]  # no trend, timing or curve: no empty sheets
    ws = wb["Summary"]
    assert (ws["A1"].value, ws["A2"].value, ws["A3"].value) == ("Lead conversion", "March 2025", "Filters: none")
    assert ws["A1"].font.b and row_values(ws, 5) == HEADERS and all(c.font.b for c in ws[5])
    assert [ws.cell(r, 1).value for r in (6, 7, 8)] == ["Call", "Website", "Total"] and ws.max_row == 8


def test_russian_sheets_and_words(tmp_path):
    wb = book(conversion(ROWS), tmp_path, "ru")
    assert wb.sheetnames == ["Сводка", "Определения"]
    ws = wb["Сводка"]
    assert (ws["A1"].value, ws["A2"].value, ws["A5"].value, ws["A8"].value) == (
        "Конверсия обращений", "Март 2025", "Тип обращения", "Итого")  # fmt: skip


def test_percentages_are_fractions_with_a_percent_format(tmp_path):
    ws = book(conversion(ROWS), tmp_path)["Summary"]
    call, website, total = ws[6], ws[7], ws[8]
    assert call[8].value == pytest.approx(0.75) and call[8].number_format == "0.0%"
    assert call[10].value == pytest.approx(0.301) and call[11].value == pytest.approx(0.954)
    assert website[8].value == 0 and website[8].data_type == "n"
    assert website[9].value is None  # no closed lead: a blank cell, not 0 and not "nan"
    assert total[8].value == pytest.approx(0.5) and total[8].number_format == "0.0%" and total[8].font.b
    assert total[0].font.b and not call[0].font.b


def test_counts_ranks_and_flags_of_the_declared_dtypes_are_numbers_and_words(tmp_path):
    """The contract declares counts and ranks Int64 and flags boolean; real results rank managers in Int64."""
    ws = book(conversion(ROWS), tmp_path)["Summary"]
    assert [ws.cell(6, c).value for c in range(2, 9)] == [4, 3, 3, 0, 3, 0, 1]
    assert ws["B6"].data_type == "n" and ws["B6"].number_format == "#,##0"
    rows = [rate_row("manager", "Ann", 40, 30, 60.0, 85.0) | {"few_leads": False, "rank_by_lower_bound": 1}]
    judgement = book(employees(rows, [], [], 0.75), tmp_path)["Fair comparison"]
    assert [c.value for c in judgement[4]][:7] == ["Ann", 40, 0.75, 0.6, 0.85, "no", 1]


@pytest.mark.parametrize(("lang", "floor"), [("en", "<0.001"), ("ru", "<0,001")])
def test_a_p_value_cell_keeps_its_number_and_shows_a_floor_below_a_thousandth(tmp_path, lang, floor):
    wb = xlsxwriter.Workbook(tmp_path / "p.xlsx")
    assert _Formats(wb, lang).p.num_format == f'[<0.001]"{floor}";0.000'  # Excel and LibreOffice read both parts
    wb.close()


def test_text_from_data_is_text_never_a_formula(tmp_path):
    rows = [rate_row("lead_type", name, 1, 0, 0.0, 79.3) for name in HOSTILE]
    path = write_workbook(conversion(rows), tmp_path / "report.xlsx")
    ws = openpyxl.load_workbook(path)["Summary"]
    cells = [ws.cell(r, 1) for r in range(6, 6 + len(HOSTILE))]
    assert [c.value for c in cells] == HOSTILE and {c.data_type for c in cells} == {"s"}
    with zipfile.ZipFile(path) as xlsx:
        sheets = [n for n in xlsx.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets and not any(b"<f>" in xlsx.read(n) or b"<f " in xlsx.read(n) for n in sheets)


def test_the_header_is_frozen_filtered_and_printed_on_every_page(tmp_path):
    ws = book(conversion(ROWS), tmp_path)["Summary"]
    assert ws.freeze_panes == "B6"  # header row 5 and the key column stay in view
    assert ws.auto_filter.ref == "A5:L7"  # the rows, not the total
    assert ws.print_title_rows == "$5:$5" and ws.page_setup.orientation == "landscape"


def test_no_leads_give_a_summary_with_the_total_only(tmp_path):
    ws = book(conversion([]), tmp_path)["Summary"]
    assert row_values(ws, 5) == HEADERS and ws["A6"].value == "Total" and ws.max_row == 6
    assert ws["I6"].value is None


LOST_LEADS = [
    {"lead_id": "L7", "created_at": pd.Timestamp("2025-03-20 10:00"), "closed_at": pd.Timestamp("2025-04-02 10:05"),
     "lead_type": "Call", "reason": "Expensive", "manager": "Bob", "client": "=HYPERLINK(\"http://evil\")"},
    {"lead_id": "L8", "created_at": pd.Timestamp("2025-03-21 10:00"), "closed_at": None, "lead_type": None,
     "reason": "(no reason)", "manager": None, "client": "-2+3"},
]  # fmt: skip
REASONS = [{"reason": "Expensive", "leads": 1, "share_pct": 50.0, "cum_share_pct": 100.0},
           {"reason": "(no reason)", "leads": 1, "share_pct": 50.0, "cum_share_pct": None}]  # fmt: skip


@pytest.mark.parametrize(
    ("lang", "title", "date_format"),
    [("en", "Lost leads", "yyyy-mm-dd hh:mm"), ("ru", "Неуспешные обращения", "dd.mm.yyyy hh:mm")],
)
def test_the_lead_list_has_dates_as_dates_and_text_as_text(tmp_path, lang, title, date_format):
    wb = book(lost(REASONS, LOST_LEADS), tmp_path, lang)
    ws = wb.worksheets[1]
    assert ws.title == title
    if lang == "en":
        assert row_values(ws, 1) == ["Lead", "Created", "Closed", "Lead type", "Reason", "Manager", "Client"]
    assert [ws.cell(r, 1).value for r in (2, 3)] == ["L7", "L8"] and ws.max_row == 3
    assert ws["C2"].value == datetime(2025, 4, 2, 10, 5) and ws["C2"].number_format == date_format
    assert ws["B3"].value == datetime(2025, 3, 21, 10, 0) and ws["C3"].value is None  # NaT: blank
    assert ws["G2"].value == '=HYPERLINK("http://evil")' and ws["G2"].data_type == "s" and ws["G3"].value == "-2+3"
    assert ws.freeze_panes == "B2" and ws.auto_filter.ref == "A1:G3"


def test_an_empty_list_is_a_header_only_sheet(tmp_path):
    ws = book(lost([], []), tmp_path).worksheets[1]
    assert row_values(ws, 1) == ["Lead", "Created", "Closed", "Lead type", "Reason", "Manager", "Client"]
    assert ws.max_row == 1


def test_each_manager_gets_a_safely_named_sheet_of_their_leads(tmp_path):
    leads = [{"manager": "Ann/Sales: [x]", "lead_id": "A1", "created_at": pd.Timestamp("2025-03-02 10:05"),
              "status": "Won", "status_group": "won", "is_converted": True},
             {"manager": "Bob", "lead_id": "B1", "created_at": pd.Timestamp("2025-03-01 08:00"), "status": "Lost",
              "status_group": "lost", "is_converted": False}]  # fmt: skip
    rows = [rate_row("manager", "Ann/Sales: [x]", 1, 1, 20.0, 100.0), rate_row("manager", "Bob", 1, 0, 0.0, 80.0)]
    wb = book(employees(rows, [], leads, 0.5), tmp_path, "ru")
    assert wb.sheetnames[-3:] == ["Ann_Sales_ _x_", "Bob", "Определения"]
    ann = wb["Ann_Sales_ _x_"]
    assert ann["A1"].value == "Обращение"  # the manager column is left out of the manager's own sheet
    assert row_values(ann, 2)[:2] == ["A1", datetime(2025, 3, 2, 10, 5)]
    assert (ann["F2"].value, ann["G2"].value, wb["Bob"]["F2"].value, wb["Bob"]["G2"].value) == (
        "Успешно", "да", "Неуспешно", "нет")  # fmt: skip


def test_list_rows_are_the_cells_written_one_at_a_time(tmp_path):
    """``_rows`` remembers each column's decisions; its cells are those of ``_write_cell``, value by value."""
    import numpy as np

    from leadkit.model import TOTAL
    from leadkit.render.excel import _rows, _write_cell

    stamps = pd.to_datetime(["2025-03-01 09:10", None, "2025-03-01 09:10", "2025-03-02 23:59", None, None, None])
    frame = pd.DataFrame(
        {
            "lead_type": [TOTAL, "Call", "Call", "=1+1", "a\x07b", None, "(not set)"],
            "created_at": stamps,
            "mixed": pd.Series([1, True, 1.0, np.int64(1), float("nan"), None, False], dtype=object),
            "conversion_pct": [55.5, 55.5, None, 0.0, 100.0, 55.5, 1.0],
            "group": ["won", "lost", "won", None, "open", "won", "lost"],
            "converted": [True, False, True, None, False, True, True],
        }
    )
    kinds = ["text", "date", "number", "pct", "group", "flag"]

    def cells(write) -> list:
        wb = xlsxwriter.Workbook(str(tmp_path / "cells.xlsx"))
        ws, f = wb.add_worksheet("Cells"), _Formats(wb, "en")
        write(ws, f)
        wb.close()
        sheet = openpyxl.load_workbook(tmp_path / "cells.xlsx")["Cells"]
        return [[(c.value, c.number_format, c.font.b) for c in row] for row in sheet.iter_rows()]

    def one_at_a_time(ws, f):
        for r, row in enumerate(frame.itertuples(index=False, name=None), start=1):
            for c, (name, x) in enumerate(zip(frame.columns, row, strict=True)):
                _write_cell(ws, r, c, name, x, f, "en", row[0] == TOTAL, kinds[c])

    expected = cells(one_at_a_time)
    assert expected[1][2] == (1, "#,##0", True) and expected[2][2] == ("yes", "General", False)  # 1 and True apart
    assert cells(lambda ws, f: _rows(ws, frame, 1, kinds, f, "en", key="lead_type")) == expected
