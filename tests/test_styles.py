"""The report's styles hold inside JupyterLab's output area, as on the static page (real Chromium).

The host rules are JupyterLab's own, read from its installed bundle: the output area's
description-list rules (dt floated at 20% width — the meta line ran together as
"Basiscreation date") and rendered-HTML table rules (right-aligned cells, fixed layout).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from leadkit.api import compute
from leadkit.render.html import notebook_html, page, report_body

LAB_STATIC = Path(sys.executable).parents[1] / "share" / "jupyter" / "lab" / "static"
HOST = ("jp-OutputArea-output", "jp-RenderedHTMLCommon")


def jupyterlab_rules() -> str:
    """Every CSS rule of JupyterLab's core bundle whose selector names the output area or rendered HTML."""
    bundles = sorted(LAB_STATIC.glob("jlab_core.*.js"))
    assert bundles, f"JupyterLab's bundle is expected in {LAB_STATIC} (pip install '.[lab]')"
    text = bundles[0].read_text(encoding="utf-8", errors="replace")
    rules = re.findall(r"(?m)^([.\w][^{}\n`;]*(?:,\n[^{}\n`;]*)*)\s*\{([^{}`]*)\}", text)
    picked = [f"{sel} {{{body}}}" for sel, body in rules if any(h in sel for h in HOST)]
    assert any("dt" in rule and "float: left" in rule for rule in picked), "the host's dt rule was not found"
    return "\n".join(picked)


def meta_boxes(tab) -> list[tuple[float, float]]:
    """(right edge of dt, left edge of its dd) for each item of the meta line."""
    return tab.evaluate(
        """() => [...document.querySelectorAll('.leadkit-report dl.report-meta > div')].map(d => {
            const t = d.querySelector('dt').getBoundingClientRect(), v = d.querySelector('dd').getBoundingClientRect();
            return [t.right, v.left, t.top, v.top];
        })"""
    )


@pytest.mark.slow
def test_report_looks_the_same_in_jupyterlab_and_as_a_page(browser, march, tmp_path):
    result = compute("lost_leads", march, period="2025-03")
    static = tmp_path / "static.html"
    static.write_text(page(report_body(result), "Lost", "en"), encoding="utf-8")
    hosted = tmp_path / "hosted.html"
    hosted.write_text(
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><style>{jupyterlab_rules()}</style></head><body>"
        f"<div class='jp-OutputArea-output jp-RenderedHTMLCommon' style='width:900px'>{notebook_html(result)}</div>"
        "</body></html>",
        encoding="utf-8",
    )
    seen = {}
    for name, path in (("static", static), ("hosted", hosted)):
        tab = browser.new_page(viewport={"width": 1024, "height": 900})
        tab.goto(path.as_uri())
        boxes = meta_boxes(tab)
        assert len(boxes) == 5
        for dt_right, dd_left, dt_top, dd_top in boxes:
            assert dt_right <= dd_left + 0.5 and abs(dt_top - dd_top) < 2, f"{name}: a meta label overlaps its value"
        seen[name] = tab.evaluate(
            """() => ({
                text: getComputedStyle(document.querySelector('.leadkit-report td.text')).textAlign,
                num: getComputedStyle(document.querySelector('.leadkit-report td.num')).textAlign,
                layout: getComputedStyle(document.querySelector('.leadkit-report table')).tableLayout,
                dt: getComputedStyle(document.querySelector('.leadkit-report dt')).cssFloat,
                widths: [...document.querySelectorAll('.leadkit-report dl.report-meta dt')].map(
                    d => Math.round(d.getBoundingClientRect().width)),
            })"""
        )
        tab.screenshot(path=tmp_path / f"{name}.png", full_page=True)
        tab.close()
    assert seen["hosted"] == seen["static"]  # the labels of the meta line as wide as on the page, too
    assert {k: seen["hosted"][k] for k in ("text", "num", "layout", "dt")} == {
        "text": "left",
        "num": "right",
        "layout": "auto",
        "dt": "none",
    }
