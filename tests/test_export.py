"""The page WeasyPrint prints: what is dropped before it (hidden rows, repeated styles) and that the PDF keeps its text."""

from __future__ import annotations

import re
from datetime import date

import pytest
from conftest import pdf_text

from leadkit.api import compute
from leadkit.leads import from_frame
from leadkit.pipeline.export import html_to_pdf, printable
from leadkit.render.html import PRINT_LIST_ROWS, notebook_html, page
from leadkit.sources.demo import generate

# What the list tables printed as before they were laid out from their header row.
AUTOMATIC = "<style>.leadkit-report:not(#lk) details.leads-list table { table-layout: auto; }</style>\n</head>"


@pytest.fixture(scope="module")
def employees_page():
    """An employee report page (as the batch makes it: the notebook's styles inside the page's) with long lists."""
    leads = from_frame(generate(600, 5, date(2025, 1, 1), date(2025, 3, 31)), no_reason_statuses=("Lost",))
    result = compute("employee_performance", leads, period="2025-Q1", managers=["Olivia Brown", "Liam Carter"])
    return result, page(notebook_html(result), "Employee performance", "en")


def pages(path) -> list[list[str]]:
    """Each page's lines, sorted: the same rows and words on the same page, whatever order poppler reads them in."""
    return [sorted(line for line in text.splitlines() if line.strip()) for text in pdf_text(path).split("\f")]


def test_the_page_is_printed_with_one_copy_of_its_styles_and_no_hidden_rows(employees_page):
    _, html = employees_page
    assert html.count("<style>") == 2 and '<tr class="screen-only">' in html
    printed = printable(html)
    assert printed.count("<style>") == 1 and '<tr class="screen-only">' not in printed
    assert re.sub(r"<style>.*?</style>\n?|<tr class=\"screen-only\">.*?</tr>\n?", "", html, flags=re.S) == re.sub(
        r"<style>.*?</style>\n?", "", printed, flags=re.S
    )  # nothing else is touched


def test_printed_lists_hold_the_rows_and_text_the_automatic_layout_printed(employees_page, tmp_path):
    result, html = employees_page
    html_to_pdf(html, tmp_path / "now.pdf")
    html_to_pdf(html.replace("</head>", AUTOMATIC, 1), tmp_path / "automatic.pdf")
    assert pages(tmp_path / "now.pdf") == pages(tmp_path / "automatic.pdf")
    words = set(pdf_text(tmp_path / "now.pdf").split())
    for manager in ("Olivia Brown", "Liam Carter"):
        listed = result.leads.where(manager).head(PRINT_LIST_ROWS + 1)["lead_id"].tolist()
        assert len(listed) == PRINT_LIST_ROWS + 1  # a list longer than print shows
        assert set(listed[:PRINT_LIST_ROWS]) <= words and listed[-1] not in words
