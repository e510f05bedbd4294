"""Hostile data through the whole pipeline (in Russian): plain text in HTML, PDF, Excel and notebooks."""

from __future__ import annotations

from html.parser import HTMLParser

import openpyxl
from conftest import pdf_text

REPORTS = ("lead_conversion", "lost_leads", "employee_performance")


class Tags(HTMLParser):
    """Every element and attribute the browser would build from the document."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_html_escapes_everything_from_data(hostile_batch):
    for report in REPORTS:
        html = (hostile_batch / f"{report}.html").read_text(encoding="utf-8")
        parser = Tags()
        parser.feed(html)
        names = {tag for tag, _ in parser.tags}
        assert not names & {"script", "b", "iframe", "object"}, names
        assert not any(k.startswith("on") for _, attrs in parser.tags for k in attrs)
        assert all(attrs.get("src", "data:").startswith("data:") for tag, attrs in parser.tags if tag == "img")
    conversion = (hostile_batch / "lead_conversion.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in conversion and "Звонок" in conversion
    assert "Конверсия обращений" in conversion and "Определения" in conversion


def test_excel_holds_strings_never_formulas(hostile_batch):
    seen = set()
    for report in REPORTS:
        for ws in openpyxl.load_workbook(hostile_batch / f"{report}.xlsx").worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (report, ws.title, cell.coordinate, cell.value)
                    seen.add(cell.value)
    assert {"+1+1", "-2+3", '=HYPERLINK("http://evil.example","click")', "Ann & <b>Bob</b>"} <= seen
    assert "Сводка" in openpyxl.load_workbook(hostile_batch / "lead_conversion.xlsx").sheetnames


def test_pdf_shows_the_text_as_written(hostile_batch):
    text = pdf_text(hostile_batch / "employee_performance.pdf")
    assert "Эффективность сотрудников" in text and "Ольга Бондаренко" in text
    assert "=HYPERLINK" in text and "Стр. 1" in text


def test_notebook_outputs_are_escaped(hostile_batch):
    import nbformat

    nb = nbformat.read(hostile_batch / "lead_conversion.ipynb", as_version=4)
    html = "".join(o.get("data", {}).get("text/html", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "&lt;script&gt;" in html and "<script>window" not in html


def test_analytics_render_in_russian(hostile_batch):
    html = (hostile_batch / "lead_conversion.html").read_text(encoding="utf-8")
    for text in ("Нет обращений за февраль 2025 для сравнения", "Конверсия % по периодам (месяц)", "п.п.",
                 "Дней до конверсии", "Накопленная конверсия", "z-тест"):  # fmt: skip
        assert text in html
    employees = (hostile_batch / "employee_performance.html").read_text(encoding="utf-8")
    assert "Честное сравнение" in employees and "Контрольные границы" in employees and "Воронка" not in employees
