"""Results as .xlsx workbooks (xlsxwriter: measured fastest, see benchmarks/excel_engines.py).

Text from data is always written as a string cell — never a formula, URL or number — and
without the characters XML forbids; sheet names are made legal and unique; percentages
are fractions with a % format, and lists longer than a sheet continue on further sheets.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from leadkit.atomic import atomic_path
from leadkit.model import TOTAL
from leadkit.render import labels as L
from leadkit.render.definitions import printed
from leadkit.render.headline import headline
from leadkit.render.views import Extra, View, view_of
from leadkit.results import LeadList, Result

MAX_ROWS = 1_048_576  # an Excel sheet's rows, the header included
MAX_MANAGER_SHEETS = 30
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _cut(text: str, units: int) -> str:
    """``text`` cut to at most ``units`` UTF-16 code units, as Excel counts a sheet name's length.

    A character outside the Basic Multilingual Plane (many emoji, rare CJK) counts twice, and
    is never cut in half.
    """
    kept, count = [], 0
    for char in text:
        count += 2 if ord(char) > 0xFFFF else 1
        if count > units:
            break
        kept.append(char)
    return "".join(kept)


def safe_sheet_name(name: str, used: set[str]) -> str:
    """A valid, unique sheet name: no []:*?/\\ or control characters, at most 31 characters as Excel counts
    them (UTF-16 code units), not starting or ending with an apostrophe, not 'History', unique ignoring case
    (``used`` holds the names taken, casefolded)."""
    text = _BAD_SHEET_CHARS.sub("_", re.sub(r"[\x00-\x1f]", " ", L.clean(str(name))))

    def legal(cut: str) -> str:  # cut first, then strip: a cut may end in an apostrophe or a space
        while (trimmed := cut.strip().strip("'")) != cut:  # ("' '" is an apostrophe again once stripped)
            cut = trimmed
        return cut

    base = legal(_cut(text, 31)) or "Sheet"
    if base.casefold() == "history":  # Excel reserves it
        base = "History_"
    candidate, n = base, 1
    while candidate.casefold() in used:
        n += 1
        suffix = f" ({n})"
        candidate = (legal(_cut(text, 31 - len(suffix))) or "Sheet") + suffix
    used.add(candidate.casefold())
    return candidate


class _Sheet(Worksheet):
    """A worksheet whose every string cell loses the characters XML 1.0 forbids (the file stays valid)."""

    def _write_string(self, row: int, col: int, string: str, cell_format: Any = None) -> Any:
        return super()._write_string(row, col, L.clean(string), cell_format)


class _Workbook(xlsxwriter.Workbook):
    worksheet_class = _Sheet


class _Formats:
    def __init__(self, wb: Workbook, lang: str) -> None:
        self.title = wb.add_format({"bold": True, "font_size": 14})
        self.headline = wb.add_format({"font_color": "#1d2733", "bg_color": "#eef4fb"})
        self.muted = wb.add_format({"font_color": "#5b6b7c"})
        self.header = wb.add_format(
            {"bold": True, "bg_color": "#f3f6f9", "bottom": 2, "text_wrap": True, "valign": "top"}
        )
        self.pct = wb.add_format({"num_format": "0.0%"})
        self.int = wb.add_format({"num_format": "#,##0"})
        self.date = wb.add_format({"num_format": "dd.mm.yyyy hh:mm" if lang == "ru" else "yyyy-mm-dd hh:mm"})
        self.wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        self.total_pct = wb.add_format({"num_format": "0.0%", "bold": True, "top": 2})
        self.total_int = wb.add_format({"num_format": "#,##0", "bold": True, "top": 2})
        self.total_text = wb.add_format({"bold": True, "top": 2})
        unit = "п.п." if lang == "ru" else "pp"
        self.points = wb.add_format({"num_format": f'+0.0" {unit}";-0.0" {unit}";0.0" {unit}"'})
        self.days = wb.add_format({"num_format": "0.0"})
        floor = L.p_value(0, lang)  # "<0.001": the cell keeps its number, shown as the pages show it
        self.p = wb.add_format({"num_format": f'[<{L.P_FLOOR}]"{floor}";0.000'})


def _decide(x: Any, name: str, kind: str, f: _Formats, lang: str, total: bool) -> tuple[str, Any, Any]:
    """How a value goes in a cell: "blank", "number", "datetime" or "string", the value to write, its format.

    Strings come back without the characters XML forbids (``_Sheet`` would remove them anyway).
    """
    x = L.plain(x)
    if L.missing(x):
        return "blank", None, None
    if kind == "pct":
        return "number", float(x) / 100.0, f.total_pct if total else f.pct
    if kind == "points":
        return "number", float(x), f.points
    if kind in ("days", "p"):
        return "number", float(x), f.days if kind == "days" else f.p
    if kind == "date":
        return "datetime", pd.Timestamp(x).to_pydatetime(), f.date
    if kind in ("verdict", "group") or isinstance(x, bool):
        return "string", L.clean(L.cell(name, x, lang, kind)), None  # words, not TRUE/FALSE: да/нет, above/выше
    if isinstance(x, (int, float)):
        return "number", float(x), f.total_int if total else f.int
    return "string", L.value(x, lang), f.total_text if total else None


def _write_cell(
    ws: Worksheet, r: int, c: int, name: str, x: Any, f: _Formats, lang: str, total: bool, kind: str
) -> None:
    how, value, cell_format = _decide(x, name, kind, f, lang, total)
    getattr(ws, f"write_{how}")(r, c, value, cell_format)


def _widths(frame: pd.DataFrame, headers: list[str]) -> list[float]:
    widths = []
    for col, head in zip(frame.columns, headers, strict=True):
        sample = frame[col].head(2000).map(lambda v: len(str(v)) if not L.missing(v) else 0)
        longest = int(sample.max()) if len(sample) else 0
        if L.kind_of(str(col)) == "date":
            longest = 16
        widths.append(min(max(longest, len(head) * 0.9, 6) + 2, 60))
    return widths


def _table(
    ws: Worksheet,
    frame: pd.DataFrame,
    top: int,
    f: _Formats,
    lang: str,
    key: str | None = None,
    kinds: dict[str, str] | None = None,
    headers: list[str] | None = None,
) -> int:
    """Write ``frame`` with its header at row ``top``; return the last row written."""
    column_kinds = _header(ws, frame, top, f, lang, kinds, headers)
    return _rows(ws, frame, top + 1, column_kinds, f, lang, key)


def _header(
    ws: Worksheet,
    frame: pd.DataFrame,
    top: int,
    f: _Formats,
    lang: str,
    kinds: dict[str, str] | None = None,
    headers: list[str] | None = None,
) -> list[str]:
    """Header texts at row ``top`` and column widths (from ``frame``'s rows); return each column's kind."""
    columns = [str(c) for c in frame.columns]
    headers = headers or L.headers(columns, lang)
    for c, head in enumerate(headers):
        ws.write_string(top, c, head, f.header)
    for c, width in enumerate(_widths(frame, headers)):
        ws.set_column(c, c, width)
    return [(kinds or {}).get(c) or L.kind_of(c) for c in columns]


def _rows(
    ws: Worksheet, frame: pd.DataFrame, first: int, kinds: list[str], f: _Formats, lang: str, key: str | None = None
) -> int:
    """Write ``frame``'s rows from row ``first``; return the last row written.

    A list has tens of thousands of rows but few distinct values per column (types, statuses,
    managers): each column decides a value's cell once and remembers it, and the cells go
    straight to xlsxwriter's writers (row and column are already numbers; strings already clean).
    """
    columns = [str(c) for c in frame.columns]
    writers = {"blank": ws._write_blank, "number": ws._write_number, "datetime": ws._write_datetime,
               "string": partial(Worksheet._write_string, ws)}  # fmt: skip
    decided: list[dict[tuple[type, Any, bool], tuple[str, Any, Any]]] = [{} for _ in columns]
    r = first - 1
    for r, row in enumerate(frame.itertuples(index=False, name=None), start=first):
        total = key is not None and row[0] == TOTAL
        for c, x in enumerate(row):
            if kinds[c] == "date":  # nearly every stamp is new: nothing to remember
                how, value, cell_format = _decide(x, columns[c], "date", f, lang, total)
            else:
                seen, remembered = decided[c], (type(x), x, total)  # the type too: 1 and True are equal keys
                if remembered not in seen:
                    seen[remembered] = _decide(x, columns[c], kinds[c], f, lang, total)
                how, value, cell_format = seen[remembered]
            writers[how](r, c, value, cell_format)
    return r


def _print_setup(ws: Worksheet, title: str, period: str, header_row: int) -> None:
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(header_row)
    safe = lambda s: s.replace("&", "&&")  # noqa: E731  (& starts a header control code)
    ws.set_header(f"&L{safe(title)}&R{safe(period)}")
    ws.set_footer("&R&P / &N")


def _chart(wb: Workbook, ws: Worksheet, sheet: str, view: View, n_rows: int, lang: str, top: int) -> None:
    if n_rows == 0:
        return
    is_conv = view.chart != "pareto"
    col = list(view.summary.columns).index("conversion_pct" if is_conv else "leads")
    chart = wb.add_chart({"type": "bar"})
    first, last = top + 1, top + n_rows
    chart.add_series(
        {
            "name": L.column("conversion_pct" if is_conv else "leads", lang),
            "categories": [sheet, first, 0, last, 0],
            "values": [sheet, first, col, last, col],
            "fill": {"color": "#3b6ea8" if is_conv else "#c0504d"},
        }
    )
    chart.set_title({"name": L.word("chart_conversion" if is_conv else "chart_lost", lang)})
    chart.set_y_axis({"reverse": True})
    chart.set_legend({"none": True})
    if is_conv:
        chart.set_x_axis({"min": 0, "max": 1, "num_format": "0%"})
    chart.set_size({"width": 640, "height": max(260, 22 * n_rows + 90)})
    ws.insert_chart(last + 3, 0, chart)


@dataclass(frozen=True)
class Heading:
    """What every sheet repeats: the report's title, its period and its filters, in words."""

    title: str
    period: str
    filters: str

    @classmethod
    def of(cls, result: Result, lang: str) -> Heading:
        filters = f"{L.word('filters', lang)}: {L.filters_text(result.meta.scope.filters, lang)}"
        return cls(L.title(result.meta.report, lang), L.period_title(result.meta.scope.period, lang), filters)


def _summary_sheet(
    wb: Workbook, used: set[str], view: View, head: Heading, lines: list[str], f: _Formats, lang: str
) -> None:
    """Title, period, the headline sentences, the filters, then the main table and its chart."""
    name = safe_sheet_name(L.word("summary", lang), used)
    ws = wb.add_worksheet(name)
    ws.write_string(0, 0, head.title, f.title)
    ws.write_string(1, 0, head.period, f.muted)
    for row, text in enumerate(lines, start=2):
        ws.write_string(row, 0, text, f.headline)
    top = len(lines) + 4
    ws.write_string(top - 2, 0, head.filters, f.muted)
    _table(ws, view.summary, top, f, lang, key=view.key)
    n_rows = len(view.summary) - 1  # without the total
    ws.freeze_panes(top + 1, 1)
    ws.autofilter(top, 0, top + max(n_rows, 0), len(view.summary.columns) - 1)
    _print_setup(ws, head.title, head.period, top)
    _chart(wb, ws, name, view, n_rows, lang, top)


def _extra_sheet(wb: Workbook, used: set[str], extra: Extra, head: Heading, f: _Formats, lang: str) -> None:
    """One table of the view on a sheet of its own: title, table, its note; shares below the counts."""
    title = L.table_title(extra.key, extra.args, lang)
    ws = wb.add_worksheet(safe_sheet_name(L.SHEETS[lang].get(extra.key, title), used))
    ws.write_string(0, 0, title, f.title)
    columns = [str(c) for c in extra.frame.columns]
    headers = L.headers(columns, lang, extra.marked, extra.args.get("days"))
    last = _table(ws, extra.frame, 2, f, lang, str(extra.frame.columns[0]), extra.kinds, headers)
    if extra.note:
        ws.write_string(last + 2, 0, L.note(extra.note, lang), f.muted)
        last += 2
    if extra.shares is not None:
        kinds = {c: "pct" for c in columns[1:]}
        _table(ws, extra.shares, last + 2, f, lang, None, kinds, headers)
    ws.freeze_panes(3, 1)
    _print_setup(ws, title, head.period, 2)


def _list_sheets(
    wb: Workbook, used: set[str], title: str, leads: LeadList, f: _Formats, lang: str, period: str
) -> None:
    """The list on as many sheets as it needs, streamed in batches: memory stays flat."""
    sheets: list[tuple[Worksheet, int, list[str]]] = []  # each sheet, its last row written, its column kinds
    empty = iter([(0, pd.DataFrame(columns=leads.columns))])  # a header-only sheet
    for number, part in _sheet_parts(leads.batches(), MAX_ROWS - 1) if len(leads) else empty:
        if number == len(sheets):
            ws = wb.add_worksheet(safe_sheet_name(title if number == 0 else f"{title} ({number + 1})", used))
            sheets.append((ws, 0, _header(ws, part, 0, f, lang)))
        ws, last, kinds = sheets[number]
        sheets[number] = (ws, _rows(ws, part, last + 1, kinds, f, lang), kinds)
    for ws, last, _ in sheets:
        ws.freeze_panes(1, 1)
        ws.autofilter(0, 0, max(last, 1), max(len(leads.columns) - 1, 0))
        _print_setup(ws, title, period, 0)


def _sheet_parts(batches: Iterable[pd.DataFrame], per_sheet: int) -> Iterator[tuple[int, pd.DataFrame]]:
    """(sheet number, rows): the batches cut where a sheet is full."""
    sheet, room = 0, per_sheet
    for batch in batches:
        while len(batch):
            part, batch = batch.iloc[:room], batch.iloc[room:]
            yield sheet, part
            room -= len(part)
            if room == 0:
                sheet, room = sheet + 1, per_sheet


def _pairs(ws: Worksheet, row: int, head: tuple[str, str], pairs: list[tuple[str, Any]], f: _Formats) -> int:
    """A two-column block with a header; returns the row after it."""
    ws.write_string(row, 0, head[0], f.header)
    ws.write_string(row, 1, head[1], f.header)
    for row, (key, val) in enumerate(pairs, start=row + 1):  # noqa: B020
        ws.write_string(row, 0, key)
        if isinstance(val, int):
            ws.write_number(row, 1, val, f.int)
        else:
            ws.write_string(row, 1, str(val), f.wrap)
    return row + 1


def _definitions_sheet(wb: Workbook, used: set[str], result: Result, head: Heading, f: _Formats, lang: str) -> None:
    meta = result.meta
    ws = wb.add_worksheet(safe_sheet_name(L.word("definitions", lang), used))
    ws.set_column(0, 0, 48)
    ws.set_column(1, 1, 110)
    ws.write_string(0, 0, head.title, f.title)
    rows: list[tuple[str, str | int]] = [
        (L.word("period", lang), head.period),
        (L.word("basis", lang), L.word(meta.scope.basis, lang) if meta.scope.period else "—"),
    ]
    rows += [
        (L.word(k, lang), ", ".join(L.value(v, lang) for v in vs) or L.word("none", lang))
        for k, vs in meta.scope.filters.as_dict().items()
    ]
    rows += [
        (L.word("source", lang), L.source_words(meta.data_quality.source, lang)),
        (L.word("timezone", lang), meta.timezone),
    ]
    rows += [(L.word("generated", lang), meta.generated_at.isoformat())]
    row = _pairs(ws, 2, (L.word("parameters", lang), L.word("value", lang)), rows, f)
    row = _pairs(ws, row + 1, (L.word("definitions", lang), ""), [], f)
    for _, text in printed(result, lang):
        ws.merge_range(row, 0, row, 1, "", f.wrap)
        ws.write_string(row, 0, text, f.wrap)
        ws.set_row(row, 15 * (1 + len(text) // 140))
        row += 1
    quality_rows = L.quality_rows(meta.data_quality.as_dict(), lang)
    _pairs(ws, row + 1, (L.word("data_quality", lang), L.column("leads", lang)), quality_rows, f)
    _print_setup(ws, head.title, head.period, 0)


def write_workbook(result: Result, path: str | Path, lang: str = "en") -> Path:
    """Write ``result`` in ``lang`` to ``path`` atomically; an earlier file survives any failure."""
    view, head = view_of(result), Heading.of(result, lang)
    period = head.period
    with atomic_path(path) as tmp:
        options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
        wb = _Workbook(str(tmp), options)
        wb.set_properties({"title": f"{head.title} — {period}", "comments": "leadkit"})
        f, used = _Formats(wb, lang), set[str]()
        lines = [text for _, text in headline(result, lang)]
        _summary_sheet(wb, used, view, head, lines, f, lang)
        for extra in view.extras:
            if not extra.frame.empty:
                _extra_sheet(wb, used, extra, head, f, lang)
        details = view.details
        if details is not None:
            _list_sheets(wb, used, L.word(view.details_title, lang), details, f, lang, period)
            groups = [name for name, n in details.group_counts.items() if n]
            if 0 < len(groups) <= MAX_MANAGER_SHEETS:
                for name in groups:
                    _list_sheets(wb, used, L.value(name, lang), details.where(name), f, lang, period)
        _definitions_sheet(wb, used, result, head, f, lang)
        wb.close()
    return Path(path)
