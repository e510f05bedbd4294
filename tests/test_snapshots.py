"""Small rendered-HTML snapshots, one component each, in both languages (as great_tables does).

A snapshot changes only on purpose: run with LEADKIT_UPDATE_SNAPSHOTS=1 to rewrite them,
then read the diff. A missing snapshot fails (it is never written silently).
"""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from leadkit.api import compute
from leadkit.render.html import definitions_html, html_table, meta_html, table_html
from leadkit.scope import Filters

SNAPSHOTS = Path(__file__).resolve().parent / "__snapshots__"


def matches_snapshot(name: str, html: str) -> None:
    path = SNAPSHOTS / f"{name}.html"
    if os.environ.get("LEADKIT_UPDATE_SNAPSHOTS") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(html, encoding="utf-8")
    assert path.exists(), f"no snapshot {path.name}; run with LEADKIT_UPDATE_SNAPSHOTS=1 and review it"
    assert html == path.read_text(encoding="utf-8"), f"{path.name} changed"


@pytest.fixture(scope="module")
def result(march):
    """The March employee report, with the moment and the source path fixed so that the HTML is stable."""
    found = compute("employee_performance", march, period="2025-03", lead_types=["Call", "Website"])
    quality = replace(found.meta.data_quality, source="march.csv")
    meta = replace(found.meta, generated_at=datetime(2025, 4, 1, 8, 30, tzinfo=UTC), data_quality=quality)
    return replace(found, meta=meta)


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_a_table(lang):
    frame = pd.DataFrame({"manager": ["Ann & <b>Bob</b>", "(unassigned)", "Total"], "leads": [1234, 5, 1239],
                          "conversion_pct": [41.25, None, 41.1], "significant": [True, False, False],
                          "vs_team": ["above", "", ""]})  # fmt: skip
    matches_snapshot(f"table.{lang}", table_html(html_table(frame, lang, key="manager", css="summary")))


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_meta_line(result, lang):
    matches_snapshot(f"meta_line.{lang}", meta_html(result, lang))


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_meta_line_without_filters(result, lang):
    bare = replace(result, meta=replace(result.meta, scope=replace(result.meta.scope, filters=Filters())))
    matches_snapshot(f"meta_line_all.{lang}", meta_html(bare, lang))


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_definitions_list(result, lang):
    matches_snapshot(f"definitions.{lang}", definitions_html(result, lang))
