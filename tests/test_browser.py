"""The HTML reports in a real browser (Debian's Chromium, driven by Playwright)."""

from __future__ import annotations

import re

import pytest
from conftest import params_for
from pypdf import PdfReader

from leadkit.api import compute
from leadkit.leads import load_leads
from leadkit.render.html import page, report_body


def test_a_drilldown_expands(browser, march_batch, tmp_path):
    out, _ = march_batch
    tab = browser.new_page(viewport={"width": 1300, "height": 900})
    tab.goto((out / "2025-03" / "employee_performance.html").as_uri())
    first = tab.locator("details.leads-list").first
    assert first.get_attribute("open") is None
    assert not first.locator("table").is_visible()
    tab.screenshot(path=tmp_path / "closed.png", full_page=True)
    first.locator("summary").click()
    assert first.get_attribute("open") == ""
    assert first.locator("table").is_visible()
    assert "L8" in first.locator("table").inner_text()
    tab.screenshot(path=tmp_path / "open.png", full_page=True)
    assert (tmp_path / "open.png").stat().st_size > 10_000


def test_print_media_repeats_table_headers_on_every_page(browser, tmp_path, monkeypatch):
    import leadkit.render.html

    monkeypatch.setattr(leadkit.render.html, "PRINT_LIST_ROWS", 2000)  # print the whole list: many pages
    params = params_for({"kind": "demo", "rows": 8000})  # two years: about 330 leads in June 2025
    result = compute("lost_leads", load_leads(params), period="2025-06")
    html_path = tmp_path / "lost.html"
    html_path.write_text(page(report_body(result, list_limit=2000), "Lost leads", "en"), encoding="utf-8")
    tab = browser.new_page()
    tab.goto(html_path.as_uri())
    tab.emulate_media(media="print")
    tab.screenshot(path=tmp_path / "print.png", full_page=True)
    pdf = tmp_path / "printed.pdf"
    tab.pdf(path=pdf, prefer_css_page_size=True)
    reader = PdfReader(pdf)
    n_lost = result.total["leads"]
    assert n_lost > 150 and len(reader.pages) >= 5
    assert reader.pages[0].mediabox.width > reader.pages[0].mediabox.height  # A4 landscape from @page
    list_pages = [p.extract_text() for p in reader.pages if re.search(r"\b1\d{5}\b", p.extract_text())]
    assert len(list_pages) >= 3, "the lost-lead list (ids 100001…) spans several pages"
    for text in list_pages:
        assert "Lead Created Closed Lead type Reason" in " ".join(text.split()), "header row repeated on each page"


def test_hostile_text_stays_text_and_no_script_runs(browser, hostile_batch, tmp_path):
    dialogs: list[str] = []
    tab = browser.new_page()
    tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    for report in ("lead_conversion", "lost_leads", "employee_performance"):
        tab.goto((hostile_batch / f"{report}.html").as_uri())
        tab.wait_for_load_state("load")
        assert tab.evaluate("typeof window.__xss") == "undefined"
        assert tab.locator("script").count() == 0
        assert tab.locator("img[src='x']").count() == 0
        tab.screenshot(path=tmp_path / f"{report}.png", full_page=True)
    text = tab.locator("body").inner_text()
    assert '=HYPERLINK("http://evil.example","click")' in text and "Ann & <b>Bob</b>" in text
    tab.goto((hostile_batch / "lead_conversion.html").as_uri())
    assert "<script>window.__xss=1</script>" in tab.locator("body").inner_text()
    assert dialogs == []


OVERFLOW = """() => {
  const cut = [];
  document.querySelectorAll('.table-wrap').forEach((wrap) => {
    const table = wrap.querySelector('table');
    if (table.scrollWidth > wrap.clientWidth + 1) cut.push([table.className, table.scrollWidth, wrap.clientWidth]);
  });
  return {page: document.documentElement.scrollWidth, cut: cut};
}"""


@pytest.fixture(scope="module")
def demo_pages(tmp_path_factory):
    """The demo's December 2025 reports (two years of data, open leads near the end), in both languages."""
    from conftest import ROOT

    leads = load_leads(ROOT / "params" / "demo.yaml")
    folder = tmp_path_factory.mktemp("demo-pages")
    for report in ("lead_conversion", "lost_leads", "employee_performance"):
        result = compute(report, leads, period="2025-12")
        for lang in ("en", "ru"):
            (folder / f"{report}.{lang}.html").write_text(page(report_body(result, lang), report, lang), "utf-8")
    return folder


@pytest.mark.parametrize("width", [1024, 1440])
def test_no_table_is_cut_off_at_1024_px_or_wider(browser, demo_pages, width):
    tab = browser.new_page(viewport={"width": width, "height": 900})
    for path in sorted(demo_pages.iterdir()):
        tab.goto(path.as_uri())
        found = tab.evaluate(OVERFLOW)
        assert found["page"] <= width, f"{path.name} is {found['page']} px wide"
        assert not found["cut"], f"{path.name}: tables wider than their box: {found['cut']}"
        headline = tab.locator("section.headline")
        assert headline.is_visible() and headline.bounding_box()["y"] < 250  # the first thing after the title


def test_each_chart_sits_right_above_its_table(browser, demo_pages):
    tab = browser.new_page(viewport={"width": 1024, "height": 900})
    tab.goto((demo_pages / "lead_conversion.en.html").as_uri())
    sections = tab.locator("section.extra:has(figure.chart)")
    assert sections.count() >= 2  # the trend and the curve
    for i in range(sections.count()):
        figure = sections.nth(i).locator("figure.chart").bounding_box()
        table = sections.nth(i).locator("table").first.bounding_box()
        assert figure["y"] + figure["height"] <= table["y"] + 1 and table["y"] - (figure["y"] + figure["height"]) < 80
