"""Outputs that any data can reach: text from data is never interpreted, and every file stays valid.

Names come from hypothesis: mathtext (``$x$``, ``\\frac``, ``_``, ``^``), characters XML forbids,
apostrophes and brackets Excel forbids in sheet names, very long names; each goes through
the charts, a whole report in HTML and Excel, and is read back.
"""

from __future__ import annotations

import re
import zipfile

import openpyxl
import pandas as pd
import pytest
from conftest import XML_FORBIDDEN, assert_page_ok, assert_workbook_ok
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadkit.api import compute
from leadkit.leads import from_frame
from leadkit.model import CANONICAL_COLUMNS
from leadkit.render import labels as L
from leadkit.render.charts import charts, conversion_chart
from leadkit.render.excel import safe_sheet_name, write_workbook
from leadkit.render.html import page, report_body
from leadkit.render.views import View, view_of

HOSTILE_CHARS = st.sampled_from(list("$\\_^{}[]:*?/'\"&<>=+-@ \t\n\r\x00\x01\x07\x0b\x1f\u200bОльга€ab"))
HOSTILE_NAMES = st.one_of(
    st.sampled_from(["$x$", "$\\frac{1}{0}$", "a_b^c", "\\", "$", "$$", "${", "'", "History", "=1+2", "x" * 40 + "'"]),
    st.text(HOSTILE_CHARS, min_size=1, max_size=40),
    st.text(min_size=1, max_size=40),
).filter(lambda s: s.strip() != "")
FORBIDDEN = re.compile(XML_FORBIDDEN.pattern + "|[\x7f-\x9f]")  # and the C1 controls HTML refuses
# OOXML writes the control characters XML allows but Excel escapes (e.g. "\r") as _xHHHH_, and a
# literal "_x…_" in text as _x005F_x…_; Excel shows the characters, openpyxl returns the escapes.
OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
FAST = settings(max_examples=25, deadline=None)


def as_excel_shows(text: str) -> str:
    return OOXML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


SLOW = settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                HealthCheck.function_scoped_fixture])  # fmt: skip


@FAST
@given(st.lists(HOSTILE_NAMES, min_size=1, max_size=6, unique=True))
def test_a_chart_draws_any_name_as_written(names):
    summary = pd.DataFrame({"lead_type": [*names, "Total"], "leads": [10] * len(names) + [10 * len(names)],
                            "conversion_pct": 50.0, "ci_low_pct": 20.0, "ci_high_pct": 80.0})  # fmt: skip
    svg = conversion_chart(View("lead_type", summary, "conversion"), "en")
    assert svg is not None and svg.startswith(b"<?xml") and b"</svg>" in svg


def frame_with(names: list[str]) -> pd.DataFrame:
    """Twelve leads in March 2025 whose lead types, managers, branches and loss reasons are ``names``."""
    rows = []
    for i in range(12):
        name = names[i % len(names)]
        group = ("won", "lost", "in_progress")[i % 3]
        rows.append({
            "lead_id": f"L{i}", "created_at": pd.Timestamp("2025-03-01") + pd.Timedelta(days=i),
            "closed_at": None if group == "in_progress" else pd.Timestamp("2025-03-20") + pd.Timedelta(hours=i),
            "lead_type": name, "status": name if group == "lost" else "Won" if group == "won" else "In work",
            "status_group": group, "manager": names[(i + 1) % len(names)], "branch": name, "ad_campaign": name,
            "client": name, "order_id": f"O{i}" if group == "won" else None, "sale_id": None, "converted": None,
            "status_result": None,
        })  # fmt: skip
    frame = pd.DataFrame(rows, columns=list(CANONICAL_COLUMNS))
    for col in ("created_at", "closed_at"):
        frame[col] = pd.to_datetime(frame[col]).astype("datetime64[us]")
    frame["converted"] = frame["converted"].astype("boolean")
    for col in ("order_id", "sale_id", "client", "status_result"):
        frame[col] = frame[col].astype("string")
    return frame


@pytest.mark.slow
@SLOW
@given(st.lists(HOSTILE_NAMES, min_size=1, max_size=4, unique=True), st.sampled_from(["en", "ru"]))
def test_every_report_renders_and_reads_back_with_any_names(tmp_path_factory, names, lang):
    leads = from_frame(frame_with(names))
    folder = tmp_path_factory.mktemp("hostile")
    for report in ("lead_conversion", "lost_leads", "employee_performance"):
        result = compute(report, leads, period="2025-03")
        assert charts(result, view_of(result), lang)  # drawn, not parsed
        html = page(report_body(result, lang), report, lang)
        assert_page_ok(html)
        path = write_workbook(result, folder / f"{report}.xlsx", lang)
        assert_workbook_ok(path)  # (also checked as it is closed: conftest)
        cells = {as_excel_shows(c) for ws in openpyxl.load_workbook(path).worksheets
                 for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)}  # fmt: skip
        assert not any(FORBIDDEN.search(c) for c in cells)
        if report == "lead_conversion":
            assert L.value(names[0], lang) in cells  # written as it is (forbidden characters shown as U+FFFD)


def test_a_carriage_return_or_escape_like_text_is_written_as_excel_shows_it(tmp_path):
    """ "\r" is stored as Excel's _x000D_ and a literal "_x000D_" as _x005F_x000D_, so Excel shows both as written.

    (openpyxl drops the _x005F_ and leaves other escapes as they are, so the literal is
    checked in the sheet's XML.)
    """
    names = ["\r$", "a_x000D_b"]
    result = compute("lead_conversion", from_frame(frame_with(names)), period="2025-03")
    path = write_workbook(result, tmp_path / "cr.xlsx", "en")
    cells = {as_excel_shows(c) for ws in openpyxl.load_workbook(path).worksheets
             for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)}  # fmt: skip
    assert L.value("\r$", "en") in cells
    assert not any(FORBIDDEN.search(c) for c in cells)
    with zipfile.ZipFile(path) as xlsx:
        strings = xlsx.read("xl/sharedStrings.xml").decode("utf-8")
    assert "<t>_x000D_$</t>" in strings and "<t>a_x005F_x000D_b</t>" in strings


def test_mathtext_in_every_data_text_of_a_whole_report(tmp_path):
    names = ["$x$", "$\\frac{1}{0}$", "a_b^c \\d", "$5$ off"]
    leads = from_frame(frame_with(names))
    for report in ("lost_leads", "employee_performance"):  # reasons, managers, and lead types in both trends
        result = compute(report, leads, period="2025-03")
        drawn = charts(result, view_of(result), "en")
        assert {"pareto", "lost_trend"} <= set(drawn) or {"conversion", "funnel", "trend"} <= set(drawn)
        html = report_body(result, "en")
        assert "$\\frac{1}{0}$" in html and "a_b^c \\d" in html
        assert_workbook_ok(write_workbook(result, tmp_path / f"{report}.xlsx"))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("abcdefghijklmnopqrstuvwxyz1234'5678", "abcdefghijklmnopqrstuvwxyz1234"),  # cut, then no apostrophe at the end
        ("'" * 40, "Sheet"),
        ("a\x00b\x1fc", "a\ufffdb\ufffdc"),
        ("line\nbreak\ttab", "line break tab"),
        ("[x]:*?/\\", "_x______"),
        ("HISTORY", "History_"),
        ("' ':", "_"),  # stripped until no apostrophe is left at either end
        ("\U0001f600" * 20, "\U0001f600" * 15),  # Excel counts UTF-16 units: each of these is two
        ("a" + "\U00020016" * 20, "a" + "\U00020016" * 15),  # never half a character
    ],
)
def test_a_sheet_name_is_legal_whatever_the_name(name, expected):
    assert safe_sheet_name(name, set()) == expected


@FAST
@given(st.lists(HOSTILE_NAMES, min_size=1, max_size=40))
def test_sheet_names_are_legal_and_unique_for_any_names(names):  # (as long as Excel counts: UTF-16 units)
    used: set[str] = set()
    made = [safe_sheet_name(n, used) for n in names]
    assert len({m.casefold() for m in made}) == len(made)
    for m in made:
        assert 0 < len(m.encode("utf-16-le")) // 2 <= 31 and not re.search(r"[\[\]:*?/\\\x00-\x1f]", m)
        assert not m.startswith("'") and not m.endswith("'") and m.casefold() != "history"


@FAST
@given(st.text())
def test_display_text_carries_no_character_xml_forbids(text):
    shown = L.value(text, "en")
    assert not FORBIDDEN.search(shown)
    kept = [c for c in text if c != "\ufffd" and not FORBIDDEN.match(c) and not 0xFDD0 <= ord(c) <= 0xFDEF
            and ord(c) & 0xFFFE != 0xFFFE]  # fmt: skip
    assert shown.replace("\ufffd", "") == "".join(kept)  # only the forbidden characters change


def test_names_of_wide_characters_stay_unique_within_excels_length():
    used: set[str] = set()
    made = [safe_sheet_name("\U0001f600" * 20, used) for _ in range(3)]
    assert made == ["\U0001f600" * 15, "\U0001f600" * 13 + " (2)", "\U0001f600" * 13 + " (3)"]
