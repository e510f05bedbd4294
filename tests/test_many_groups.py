"""Thousands of managers: the report finishes, the page shows the busiest and says what it cut, Excel has all."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import openpyxl
import pytest
from conftest import assert_page_ok

from leadkit.api import compute
from leadkit.leads import from_frame
from leadkit.render.html import MAX_GROUPS, MAX_LIST_GROUPS, notebook_html, page, report_body

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from many_groups import LEADS_EACH, many_managers

MANAGERS = 3000


@pytest.mark.slow
def test_three_thousand_managers(tmp_path):
    from leadkit.render.excel import write_workbook

    started = time.perf_counter()
    result = compute("employee_performance", from_frame(many_managers(MANAGERS)), period="2025-03")
    assert len(result.rows) == MANAGERS and result.total["leads"] == MANAGERS * LEADS_EACH
    body = report_body(result, "en")
    note = f"Showing the {MAX_GROUPS} managers with the most leads, of 3,000; the Excel file has all of them."
    assert body.count(note) >= 3  # under the summary, the fair comparison, the statuses…
    assert f"Showing the {MAX_LIST_GROUPS} managers with the most leads, of 3,000" in body  # the lists
    summary = body[body.index('<table class="summary">') : body.index("</table>")]
    assert summary.count("<tr") == 1 + MAX_GROUPS + 1  # header, the busiest, the total
    busiest = result.rows["manager"].iloc[0]
    assert busiest in summary and result.rows["manager"].iloc[MAX_GROUPS] not in summary
    assert "Итого" in report_body(result, "ru") and "с наибольшим числом обращений" in report_body(result, "ru")
    shown = notebook_html(result, "en")
    assert len(shown.encode("utf-8")) < 2_000_000  # what a notebook sends through the kernel's display channel
    assert_page_ok(page(body, "Employee performance", "en"))
    path = write_workbook(result, tmp_path / "many.xlsx")
    sheet = openpyxl.load_workbook(path, read_only=True)["Summary"]
    names = {row[0] for row in sheet.iter_rows(values_only=True)}
    assert set(result.rows["manager"]) <= names  # Excel has every manager
    assert time.perf_counter() - started < 300
