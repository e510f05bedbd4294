"""The batch pipeline end to end: notebooks executed headlessly, every output checked against the API."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import nbformat
import openpyxl
import pytest
from conftest import MARCH_SOURCE, data_fingerprint, expected_run, params_for, pdf_text
from pypdf import PdfReader

from leadkit.api import compute
from leadkit.leads import load_leads
from leadkit.periods import parse_period
from leadkit.pipeline import manifest
from leadkit.pipeline.batch import run_batch
from leadkit.version import __version__

REPORTS = ("lead_conversion", "lost_leads", "employee_performance")


class Cells(HTMLParser):
    """Collect the text of every table row of an HTML report."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def rows_of(html: str) -> list[list[str]]:
    parser = Cells()
    parser.feed(html)
    return parser.rows


def summary_rows(html: str) -> list[list[str]]:
    """The rows of the report's main table only."""
    start = html.index('<section class="summary">')
    return rows_of(html[start : html.index("</section>", start)])


def test_layout_manifest_and_index(march_batch):
    out, summary = march_batch
    assert sorted(summary.built) == ["2025-02", "2025-03"]
    for label in ("2025-02", "2025-03"):
        names = sorted(p.name for p in (out / label).iterdir())
        expected = sorted(
            [f"{r}.{ext}" for r in REPORTS for ext in ("html", "ipynb", "pdf", "xlsx")] + ["manifest.json"]
        )
        assert names == expected
        period = parse_period(label)
        run = expected_run(label, "month", period.start.isoformat(), period.end.isoformat(), MARCH_SOURCE["path"])
        files = sorted(f"{r}.{ext}" for r in REPORTS for ext in ("html", "ipynb", "pdf", "xlsx"))
        assert manifest.still_valid(out / label, run, data_fingerprint(params_for(MARCH_SOURCE)), files)
        record = json.loads((out / label / "manifest.json").read_text())
        assert record["versions"]["leadkit"] == __version__
    index = (out / "index.html").read_text()
    assert index.index("2025-03") < index.index("2025-02")  # newest period first
    assert 'href="2025-03/lost_leads.pdf"' in index
    assert not list(out.glob("**/*.part")) and not (out / ".staging").exists()


def test_html_numbers_match_the_api(march_batch):
    out, _ = march_batch
    api = compute("lead_conversion", load_leads(params_for(MARCH_SOURCE)), period="2025-03")
    rows = summary_rows((out / "2025-03" / "lead_conversion.html").read_text())
    by_name = {r[0]: r for r in rows if r}
    assert by_name["Lead type"][:8] == [
        "Lead type",
        "Leads",
        "Converted",
        "Into orders",
        "Into sales",
        "Won",
        "Lost",
        "Open",
    ]
    for record in api.rows.itertuples():
        assert by_name[record.lead_type][1:8] == [
            str(getattr(record, c)) for c in ("leads", "converted", "orders", "sales", "won", "lost", "open")
        ]
    assert by_name["Total"][1:9] == ["9", "5", "3", "2", "4", "3", "2", "55.6%"]
    assert by_name["Call"][8] == "75.0%"


def test_html_is_self_contained_without_code(march_batch):
    out, _ = march_batch
    for report in REPORTS:
        html = (out / "2025-03" / f"{report}.html").read_text()
        assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
        assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html), "no external resource"
        assert not re.search(r"@import|url\((?!data:)", html)
        assert "<script" not in html.lower()
        assert "lk.load" not in html and "jp-InputArea" not in html and "params_file" not in html
        assert "Definitions" in html and "Data quality" in html


def test_drilldowns_are_details_elements(march_batch):
    out, _ = march_batch
    html = (out / "2025-03" / "employee_performance.html").read_text()
    summaries = re.findall(r"<summary>(.*?)</summary>", html)
    assert summaries == ["Ann — 4", "Bob — 4", "(unassigned) — 1"]
    lost = (out / "2025-03" / "lost_leads.html").read_text()
    assert re.findall(r"<summary>(.*?)</summary>", lost) == ["Lost leads (3)"]


def test_notebook_outputs_hold_the_same_numbers(march_batch):
    out, _ = march_batch
    nb = nbformat.read(out / "2025-02" / "lead_conversion.ipynb", as_version=4)
    injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert "interactive = False" in injected.source and 'period = "2025-02"' in injected.source
    assert "start" not in injected.source and "end =" not in injected.source  # the period is one value
    html = "".join(o.get("data", {}).get("text/html", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    total = next(r for r in summary_rows(html) if r and r[0] == "Total")
    api = compute("lead_conversion", load_leads(params_for(MARCH_SOURCE)), period="2025-02").total
    assert total[1:3] == [str(api["leads"]), str(api["converted"])] == ["2", "1"]


def test_excel_read_back_as_data(march_batch):
    out, _ = march_batch
    wb = openpyxl.load_workbook(out / "2025-03" / "lead_conversion.xlsx")
    # no sheet for March 2024: without leads then, that comparison is one line in the HTML, not a table
    assert wb.sheetnames == ["Summary", "vs previous", "Trend", "Days to convert", "Curve", "Definitions"]
    ws = wb["Summary"]
    at = next(r for r in range(1, 20) if ws.cell(row=r, column=1).value == "Lead type")  # below the headline
    assert ws.cell(row=3, column=1).value.startswith("March 2025: 9 leads, 55.6% converted")
    header = [c.value for c in ws[at]]
    assert header[:3] == ["Lead type", "Leads", "Converted"]
    rows = {r[0]: r for r in ws.iter_rows(min_row=at + 1, values_only=True) if r[0]}
    assert rows["Call"][1:8] == (4, 3, 2, 2, 3, 1, 0)
    assert rows["Total"][1] == 9 and rows["Total"][8] == pytest.approx(5 / 9)
    assert ws.cell(row=at + 1, column=9).number_format == "0.0%"
    assert ws.freeze_panes == f"B{at + 1}" and ws.auto_filter.ref == f"A{at}:L{at + 3}"
    assert len(ws._charts) == 1
    assert ws.print_options is not None and ws.page_setup.orientation == "landscape"
    assert ws.print_title_rows == f"${at}:${at}" and ws.sheet_properties.pageSetUpPr.fitToPage
    definitions = [c.value for c in wb["Definitions"]["A"] if c.value]
    assert any(str(v).startswith("Conversion % = converted") for v in definitions)
    employees = openpyxl.load_workbook(out / "2025-03" / "employee_performance.xlsx")
    assert {"Summary", "Leads by status", "Leads", "Ann", "Bob", "(unassigned)", "Definitions"} <= set(
        employees.sheetnames
    )
    assert [r[0] for r in employees["Ann"].iter_rows(min_row=2, values_only=True)] == ["L1", "L2", "L6", "L8"]


def test_pdf_pages_and_text(march_batch):
    out, _ = march_batch
    reader = PdfReader(out / "2025-03" / "lead_conversion.pdf")
    assert 3 <= len(reader.pages) <= 8
    first = pdf_text(out / "2025-03" / "lead_conversion.pdf", 1, 1)
    assert "Lead conversion" in first and "March 2025" in first and f"Page 1 / {len(reader.pages)}" in first
    text = pdf_text(out / "2025-03" / "lead_conversion.pdf")
    assert "Total" in text and "55.6%" in text and "Closed-only conversion %" in text
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert width > height  # A4 landscape


def test_rerun_skips_what_is_up_to_date_and_force_rebuilds(march_batch, tmp_path):
    out, _ = march_batch
    params = params_for(MARCH_SOURCE)
    again = run_batch(params, [parse_period("2025-02"), parse_period("2025-03")], out=out, show_progress=False)
    assert sorted(again.skipped) == ["2025-02", "2025-03"] and not again.built
    (out / "2025-02" / "lost_leads.xlsx").write_bytes(b"damaged")
    repaired = run_batch(
        params, [parse_period("2025-02")], out=out, show_progress=False, formats=("html", "pdf", "xlsx")
    )
    assert repaired.built == ["2025-02"]
    files = [f"{r}.{ext}" for r in REPORTS for ext in ("ipynb", "html", "pdf", "xlsx")]
    run = expected_run("2025-02", "month", "2025-02-01", "2025-02-28", MARCH_SOURCE["path"])
    assert manifest.still_valid(out / "2025-02", run, data_fingerprint(params), files)
    assert not manifest.still_valid(out / "2025-02", {**run, "lang": "ru"}, data_fingerprint(params), files)


def test_a_failing_period_is_reported_and_the_others_complete(tmp_path, monkeypatch):
    import shutil

    from leadkit.pipeline.execute import notebooks_dir

    broken = tmp_path / "notebooks"
    shutil.copytree(notebooks_dir(), broken)
    nb = nbformat.read(broken / "lost_leads.ipynb", as_version=4)
    nb.cells.insert(3, nbformat.v4.new_code_cell('assert period != "2025-02", "February is broken on purpose"'))
    nbformat.write(nb, broken / "lost_leads.ipynb")
    monkeypatch.setenv("LEADKIT_NOTEBOOKS", str(broken))
    out = tmp_path / "out"
    summary = run_batch(params_for(MARCH_SOURCE), [parse_period("2025-02"), parse_period("2025-03")],
                        out=out, formats=("xlsx",), show_progress=False)  # fmt: skip
    assert summary.built == ["2025-03"]
    assert list(summary.failed) == ["2025-02"] and "broken on purpose" in summary.failed["2025-02"]["lost_leads"]
    assert not (out / "2025-02").exists()
    assert 'href="2025-03/lead_conversion.xlsx"' in (out / "index.html").read_text()


@pytest.mark.parametrize(("report", "key"), [("lost_leads", "reason"), ("employee_performance", "manager")])
def test_every_report_total_matches_the_api_in_html_and_excel(march_batch, report, key):
    out, _ = march_batch
    api = compute(report, load_leads(params_for(MARCH_SOURCE)), period="2025-03")
    html_total = next(
        r for r in summary_rows((out / "2025-03" / f"{report}.html").read_text()) if r and r[0] == "Total"
    )
    ws = openpyxl.load_workbook(out / "2025-03" / f"{report}.xlsx")["Summary"]
    xlsx_total = next(r for r in ws.iter_rows(min_row=6, values_only=True) if r[0] == "Total")
    assert html_total[1] == str(api.total["leads"]) and xlsx_total[1] == api.total["leads"]
    first = api.rows.iloc[0] if report == "employee_performance" else api.reasons.iloc[0]
    xlsx_rows = {r[0]: r for r in ws.iter_rows(min_row=6, values_only=True) if r[0]}
    assert xlsx_rows[first[key]][1] == first["leads"]


def test_index_styles_are_not_escaped(march_batch):
    out, _ = march_batch
    index = (out / "index.html").read_text()
    assert '"DejaVu Sans"' in index and "&#34;" not in index.split("</style>")[0]
    assert "<th>Period</th><th>Report</th><th>Files</th>" in index


def test_analytics_show_the_same_numbers_everywhere(march_batch):
    """March vs February at the same age: 60% within 6 days against 0%, too few leads to tell (see test_analytics)."""
    out, _ = march_batch
    folder = out / "2025-03"
    api = compute("lead_conversion", load_leads(params_for(MARCH_SOURCE)), period="2025-03")
    prev = api.comparisons["previous"].total
    assert prev["horizon_pct"] == pytest.approx(60) and prev["verdict"] == "too_few"
    html = (folder / "lead_conversion.html").read_text()
    title = "Compared with the previous period: February 2025 — leads of the same age, within 6 days of creation"
    assert title in html and "No leads in March 2024 to compare with." in html
    total = next(r for r in rows_of(html[html.index(title) :]) if r and r[0] == "Total")
    assert total[1:] == ["9", "55.6%", "2", "50.0%", "60.0%", "0.0%", "+60.0\u00a0pp", "<0.001", "too few leads"]
    ws = openpyxl.load_workbook(folder / "lead_conversion.xlsx")["vs previous"]
    assert [c.value for c in ws[3]][5:8] == ["Within 6 days %", "Before, within 6 days %", "Change within 6 days, pp"]
    xl_total = next(r for r in ws.iter_rows(min_row=4, values_only=True) if r[0] == "Total")
    assert xl_total[1] == 9 and xl_total[3] == 2 and xl_total[5] == pytest.approx(0.6)
    assert xl_total[7] == pytest.approx(60) and xl_total[8] == pytest.approx(prev["p_value"])
    assert xl_total[9] == "too few leads"
    pdf = pdf_text(folder / "lead_conversion.pdf").replace("\u00a0", " ")
    assert "+60.0 pp" in pdf and "too few leads" in pdf and "Cumulative conversion" in pdf and "In short" in pdf
    nb = nbformat.read(folder / "lead_conversion.ipynb", as_version=4)
    shown = "".join(
        o.get("data", {}).get("text/html", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs
    )
    assert "+60.0\u00a0pp" in shown and "too few leads" in shown and '<section class="headline"' in shown
    fair = openpyxl.load_workbook(folder / "employee_performance.xlsx")["Fair comparison"]
    header = [c.value for c in fair[3]]
    bob = next(r for r in fair.iter_rows(min_row=4, values_only=True) if r[0] == "Bob")
    assert bob[header.index("vs mix, pp")] == pytest.approx(12.5)
    assert bob[header.index("Expected on mix %")] == pytest.approx(0.625)
    curve = openpyxl.load_workbook(folder / "lead_conversion.xlsx")["Curve"]
    day7 = next(r for r in curve.iter_rows(min_row=4, values_only=True) if r[0] == 7)
    # Aalen-Johansen by hand, March's 9 leads, open ones censored at the data's end (2 Apr 10:00):
    # day 1.0 L2 won, L9 lost (9 at risk): 1/9, still open 7/9; day 1.42 L1 won (7): +7/9*1/7 = 2/9, open 6/9;
    # L5 censored at 1.43; day 2 L3 won (5): +6/9*1/5 -> 16/45, open 24/45; day 4 L4 won, L8 lost (4):
    # +24/45*1/4 -> 22/45 converted within 7 days.
    assert day7[1] == pytest.approx(22 / 45)


def test_a_week_and_a_range_keep_their_kind_from_run_and_batch(tmp_path):
    from leadkit.cli import main

    params = tmp_path / "p.yaml"
    params.write_text(json.dumps({"source": MARCH_SOURCE}), encoding="utf-8")
    common = ["--report", "lead_conversion", "--formats", "html", "--workers", "1"]
    assert main(["run", str(params), "--period", "2025-W10", "--out", str(tmp_path / "run"), *common]) == 0
    batch = ["batch", str(params), "--from", "2025-03-03", "--to", "2025-03-09", "--every", "week"]
    assert main([*batch, "--out", str(tmp_path / "batch"), *common]) == 0
    assert (
        main(["run", str(params), "--period", "2025-03-10..2025-03-20", "--out", str(tmp_path / "run"), *common]) == 0
    )
    assert sorted(p.name for p in (tmp_path / "run").iterdir() if not p.name.startswith(".")) == [
        "2025-03-10_2025-03-20", "2025-W10", "index.html"]  # fmt: skip
    week = (tmp_path / "run" / "2025-W10" / "lead_conversion.html").read_text(encoding="utf-8")
    assert (
        week
        == (tmp_path / "batch" / "2025-W10" / "lead_conversion.html")
        .read_text(encoding="utf-8")
        .replace(str(tmp_path / "batch"), str(tmp_path / "run"))
        or "Week 10, 2025 (3–9 March 2025)" in week
    )
    assert "<title>Lead conversion — Week 10, 2025 (3–9 March 2025)</title>" in week
    custom = (tmp_path / "run" / "2025-03-10_2025-03-20" / "lead_conversion.html").read_text(encoding="utf-8")
    assert "<title>Lead conversion — 10–20 March 2025</title>" in custom
    index = (tmp_path / "run" / "index.html").read_text(encoding="utf-8")
    assert "Week 10, 2025" in index and "10–20 March 2025" in index


# What differs between any two runs: when a report was made (a PDF may break the date over two lines),
# and the random id papermill gives the cell it injects.
PER_RUN = re.compile(r"\d{4}-\s*\d{2}-\d{2}[\sT]+\d{2}:\d{2}(:\d{2}\+00:00)?|cell-id=[0-9a-f-]+")


def same_apart_from_run(value):
    return PER_RUN.sub("(per run)", value) if isinstance(value, str) else value


@pytest.mark.slow
def test_warm_kernels_build_what_a_kernel_per_notebook_builds(march_batch, tmp_path):
    """The same period with a kernel per notebook (papermill's way): the same notebooks, pages, workbooks, PDFs."""
    warm, _ = march_batch
    cold = tmp_path / "cold"
    summary = run_batch(params_for(MARCH_SOURCE), [parse_period("2025-03")], out=cold, show_progress=False, warm=False)
    assert summary.built == ["2025-03"]
    for report in REPORTS:
        a, b = (nbformat.read(out / "2025-03" / f"{report}.ipynb", as_version=4) for out in (warm, cold))
        shown = [same_apart_from_run(json.dumps([(c.execution_count, c.outputs) for c in nb.cells if c.cell_type == "code"]))
                 for nb in (a, b)]  # fmt: skip
        assert shown[0] == shown[1]
        assert [c.metadata.keys() for c in a.cells] == [c.metadata.keys() for c in b.cells]
        assert a.metadata.keys() == b.metadata.keys() and a.metadata.language_info == b.metadata.language_info
        pages = [same_apart_from_run((out / "2025-03" / f"{report}.html").read_text("utf-8")) for out in (warm, cold)]
        assert pages[0] == pages[1]
        texts = [same_apart_from_run(pdf_text(out / "2025-03" / f"{report}.pdf")) for out in (warm, cold)]
        assert texts[0] == texts[1]
        books = [openpyxl.load_workbook(out / "2025-03" / f"{report}.xlsx") for out in (warm, cold)]
        assert books[0].sheetnames == books[1].sheetnames
        for name in books[0].sheetnames:
            rows = [
                [tuple(map(same_apart_from_run, r)) for r in book[name].iter_rows(values_only=True)] for book in books
            ]
            assert rows[0] == rows[1], (report, name)
    timings = manifest.read(warm / "2025-03")["timings"]
    assert sorted(timings) == sorted(REPORTS)
    assert all({"compute", "excel", "html", "pdf"} <= set(t) and t["compute"] > 0 for t in timings.values())
