"""Results as HTML: an escaped report body (notebook display, widgets) and a standalone page.

Every text from data goes through Jinja2's autoescaping, and every value a template writes
loses the characters HTML and XML forbid (``_finalize``); nothing refers to a URL outside
the document (the charts are embedded SVG images, the styles are inline).

The panel shows a report before its charts are drawn: ``live_figures`` puts each chart in
a box of its size ("Drawing chart…" until drawn), ``fill_charts`` swaps a drawn chart in.
Static pages, PDF and notebooks draw every chart inline, as before.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any
from urllib.parse import quote

import jinja2
import pandas as pd
from markupsafe import Markup

from leadkit.model import TOTAL
from leadkit.render import labels as L
from leadkit.render.charts import Planned, charts
from leadkit.render.definitions import printed
from leadkit.render.headline import headline
from leadkit.render.views import Extra, View, view_of
from leadkit.results import Result
from leadkit.results.contract import kind_of
from leadkit.version import __version__

LIST_LIMIT = 300  # rows of each list on screen
PRINT_LIST_ROWS = 50  # of those, rows printed: a long list belongs in Excel, not on 100 pages
# A page (and a notebook's output, which travels through the kernel's display channel) shows at most
# this many groups (managers, lead types, reasons) per table, this many lists and pivot columns; the
# Excel file has them all, and a note under each cut table says so.
MAX_GROUPS = 100
MAX_LIST_GROUPS = 30
MAX_COLUMNS = 30
TEXT_KINDS = ("text", "group", "verdict", "flag", "period")


@dataclass(frozen=True)
class HtmlTable:
    headers: list[str]
    kinds: list[str]
    rows: list[dict[str, Any]]
    title: str = ""
    css: str = ""
    cut: str = ""
    print_cut: str = ""
    note: str = ""
    chart: dict[str, Any] | None = None  # drawn right above the table: alt text and base64 SVG (see live_figures)
    line: str = ""  # a table with nothing to show is this one line instead


def _finalize(value: Any) -> Any:
    """Each value a template writes, without control characters (markup stays markup, then is not escaped again)."""
    if isinstance(value, Markup):
        return Markup(L.clean(str(value)))
    return L.clean(value) if isinstance(value, str) else value


@lru_cache(maxsize=4)
def environment(package: str = "leadkit.render") -> jinja2.Environment:
    """The templates of ``package`` (its ``templates/``), escaped and cleaned of control characters alike."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader(package, "templates"),
        autoescape=True,
        finalize=_finalize,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["zip"] = zip  # a table's cells beside their columns' classes, without a loop index per cell
    return env


def _cells(
    columns: list[str], row: tuple[Any, ...], share: tuple[Any, ...] | None, kinds: dict[str, str], lang: str
) -> list[str]:
    cells = [L.cell(c, v, lang, kinds.get(c)) for c, v in zip(columns, row, strict=True)]
    if share is not None:  # "12" over "(25.0%)": a count and its share of the column, always two lines
        cells = [cell if i == 0 or L.missing(p) else f"{cell}\n({L.percent(p, lang)})"
                 for i, (cell, p) in enumerate(zip(cells, share, strict=True))]  # fmt: skip
    return cells


def html_table(
    frame: pd.DataFrame,
    lang: str,
    key: str | None = None,
    limit: int | None = None,
    kinds: dict[str, str] | None = None,
    total: int | None = None,
    marked: tuple[str, ...] = (),
    shares: pd.DataFrame | None = None,
    days: int | None = None,
    link: str | None = None,
    **kw: Any,
) -> HtmlTable:
    """A frame as header texts, CSS classes and formatted rows; ``kinds`` override column kinds.

    ``total`` is the length of the whole list when ``frame`` is only its first rows;
    ``shares`` (same shape) are shown beside the counts.
    """
    shown = frame if limit is None else frame.head(limit)
    columns = [str(c) for c in shown.columns]
    kinds = kinds or {}
    headers = L.headers(columns, lang, marked, days)
    css = ["text" if c == key or c == "check" or kind_of(c) in TEXT_KINDS else "num" for c in columns]
    share_rows = list(shares.itertuples(index=False)) if shares is not None else [None] * len(shown)
    rows: list[dict[str, Any]] = [
        {"cells": _cells(columns, tuple(row), share, kinds, lang), "total": key is not None and row[0] == TOTAL}
        for row, share in zip(shown.itertuples(index=False), share_rows, strict=False)
    ]
    if link and "lead_id" in columns:
        at = columns.index("lead_id")
        for row in rows:
            text = row["cells"][at]
            row["cells"][at] = {"text": text, "href": link.replace("{lead_id}", quote(text, safe=""))}
    if shares is not None:
        kw["css"] = f"{kw.get('css', '')} shares".strip()  # each count over its share, in every cell alike
    whole = len(frame) if total is None else total
    cut = (
        L.word("more_rows", lang, shown=L.number(len(shown), lang), total=L.number(whole, lang))
        if len(shown) < whole
        else ""
    )
    return HtmlTable(headers, css, rows, cut=cut, **kw)


def headline_html(result: Result, lang: str) -> str:
    """The headline box: what happened, in a few sentences, before anything else."""
    return str(components().headline_box(L.word("headline", lang), headline(result, lang)))


def components() -> Any:
    """The template macros a report page is made of: table, meta_line, definitions_list."""
    return environment().get_template("components.html.j2").module


def table_html(table: HtmlTable) -> str:
    """One table as HTML, with the same macro the report uses."""
    return str(components().table(table))


def meta_html(result: Result, lang: str) -> str:
    """The line under a report's title, as HTML."""
    return str(components().meta_line(meta_lines(result, lang)))


def definitions_html(result: Result, lang: str) -> str:
    """The report's definitions, as HTML."""
    return str(components().definitions_list(L.word("definitions", lang), definition_texts(result, lang)))


def definition_texts(result: Result, lang: str) -> list[str]:
    return [text for _, text in printed(result, lang)]


def meta_lines(result: Result, lang: str) -> list[tuple[str, str]]:
    """The line under a report's title: basis, filters, source, time zone, when it was made."""
    meta = result.meta
    basis = L.word(meta.scope.basis, lang) if meta.scope.period else "—"
    generated = L.stamp(pd.Timestamp(meta.generated_at).tz_convert(None), lang) + " UTC"
    return [
        (L.word("basis", lang), basis),
        (L.word("filters", lang), L.filters_text(meta.scope.filters, lang)),
        (L.word("source", lang), L.source_words(meta.data_quality.source, lang)),
        (L.word("timezone", lang), meta.timezone),
        (L.word("generated", lang), generated),
    ]


def _quality_table(quality: dict[str, Any], lang: str) -> HtmlTable:
    items = L.quality_rows(quality, lang)
    frame = pd.DataFrame({"check": [k for k, _ in items], "leads": [v for _, v in items]})
    return html_table(frame, lang, css="quality", title="")


def _for_print(table: HtmlTable, total: int, lang: str) -> HtmlTable:
    """Mark the rows past ``PRINT_LIST_ROWS`` as screen-only, and say so in a print-only note."""
    if len(table.rows) <= PRINT_LIST_ROWS:
        return table
    rows = [{**row, "screen_only": i >= PRINT_LIST_ROWS} for i, row in enumerate(table.rows)]
    note = L.word("printed_rows", lang, shown=PRINT_LIST_ROWS, total=L.number(total, lang))
    return replace(table, rows=rows, print_cut=note)


def _lists(view: View, lang: str, limit: int) -> list[HtmlTable]:
    details = view.details
    if details is None or details.empty or limit <= 0:
        return []
    if details.group_by is None:
        title = f"{L.word(view.details_title, lang)} ({L.number(len(details), lang)})"
        head = details.head(limit)
        tables = [(html_table(head, lang, title=title, total=len(details), link=details.link), len(details))]
    else:
        counts = details.group_counts
        listed = [name for name, n in counts.items() if n][:MAX_LIST_GROUPS]
        tables = [
            (html_table(frame, lang, title=f"{L.value(name, lang)} — {L.number(counts[name], lang)}",
                        total=counts[name], link=details.link), counts[name])
            for name, frame in details.heads(limit, listed).items()
        ]  # fmt: skip
    return [_for_print(table, total, lang) for table, total in tables]


def _chart(name: str, svg: bytes, lang: str) -> dict[str, Any]:
    return {"alt": L.word(f"chart_{name}", lang), "svg": base64.b64encode(svg).decode("ascii")}


PX_PER_INCH = 96  # CSS pixels: an SVG of 8 in (576 pt) shows 768 px wide


def _boxed(chart: Planned, svg: bytes | None, lang: str) -> dict[str, Any]:
    """A chart in a box of its planned size, or (``svg`` None) the box saying the chart is being drawn."""
    width, height = (round(x * PX_PER_INCH) for x in chart.size)
    figure = _chart(chart.name, svg, lang) if svg else {"alt": L.word(f"chart_{chart.name}", lang), "svg": ""}
    return figure | {"name": chart.name, "box": (width, height), "wait": L.word("drawing_chart", lang)}


def live_figures(plan: Mapping[str, Planned], drawn: Mapping[str, bytes], lang: str) -> dict[str, dict[str, Any]]:
    """The panel's charts: the ``drawn`` ones in their box, the others as "Drawing chart…" boxes of the same size."""
    return {name: _boxed(chart, drawn.get(name), lang) for name, chart in plan.items()}


def fill_charts(body: str, plan: Mapping[str, Planned], drawn: Mapping[str, bytes | None], lang: str) -> str:
    """``body`` (made with ``live_figures``) with each drawn chart in place of its box; a chart drawn as None goes."""
    for name, svg in drawn.items():
        waiting = chart_html(_boxed(plan[name], None, lang))
        body = body.replace(waiting, chart_html(_boxed(plan[name], svg, lang)) if svg else "", 1)
    return body


def chart_html(figure: dict[str, Any]) -> str:
    """One chart (or its box) as HTML, with the same macro the report uses."""
    return str(components().chart(figure))


def extra_table(extra: Extra, lang: str, figures: Mapping[str, dict[str, Any]]) -> HtmlTable | None:
    """One extra table of a view as HTML pieces (None when it has nothing to show)."""
    if extra.line is not None:
        return HtmlTable([], [], [], line=L.note(extra.line, lang))
    if extra.frame.empty:
        return None
    title, note = L.table_title(extra.key, extra.args, lang), L.note(extra.note, lang)
    return html_table(extra.frame, lang, key=str(extra.frame.columns[0]), kinds=extra.kinds, marked=extra.marked,
                      shares=extra.shares, days=extra.args.get("days"), title=title, note=note,
                      chart=figures.get(extra.chart) if extra.chart else None)  # fmt: skip


def shown_groups(view: View) -> list[str] | None:
    """The groups a page shows when there are more than ``MAX_GROUPS`` (the first, i.e. busiest, ones); else None."""
    keys = [k for k in view.summary[view.key] if k != TOTAL]
    return keys[:MAX_GROUPS] if len(keys) > MAX_GROUPS else None


def _rows_of(frame: pd.DataFrame, key: str, shown: list[str] | None) -> pd.DataFrame:
    """Only the shown groups' rows (and the total) of a table whose first column is ``key``."""
    if shown is None or frame.empty or frame.columns[0] != key:
        return frame
    return frame[frame[key].isin([*shown, TOTAL])]


def _cut(extra: Extra, key: str, shown: list[str] | None) -> Extra:
    """An extra table with the shown groups' rows and at most ``MAX_COLUMNS`` pivot columns (with their total)."""
    if extra.frame.empty:
        return extra
    rows = _rows_of(extra.frame, key, shown)
    columns = list(rows.columns)
    if extra.shares is not None and len(columns) > MAX_COLUMNS + 2:  # a pivot: its columns are groups too
        columns = [*columns[: MAX_COLUMNS + 1], *([TOTAL] if TOTAL in columns else [])]
    shares = None if extra.shares is None else extra.shares.loc[rows.index, columns]
    if len(rows) == len(extra.frame) and len(columns) == len(extra.frame.columns):
        return extra
    return replace(extra, frame=rows[columns], shares=shares)


def _cut_extra(table: HtmlTable | None, extra: Extra, key: str, shown: list[str] | None, lang: str) -> HtmlTable | None:
    """The table of ``extra`` with a note saying what the page left out (and that Excel has it)."""
    if table is None or extra.frame.empty:
        return table
    notes = []
    if shown is not None and extra.frame.columns[0] == key:
        kept, total = int(extra.frame[key].isin(shown).sum()), int((extra.frame[key] != TOTAL).sum())
        notes.append(groups_note(key, kept, total, lang))
    if extra.shares is not None and len(extra.frame.columns) > MAX_COLUMNS + 2:
        total = len(extra.frame.columns) - 1 - int(TOTAL in extra.frame.columns)
        notes.append(L.word("cut_columns", lang, shown=L.number(MAX_COLUMNS, lang), total=L.number(total, lang)))
    text = " ".join(n for n in notes if n)
    return replace(table, cut=text) if text else table


def groups_note(key: str, shown: int, total: int, lang: str) -> str:
    """What a page (or the panel) leaves out of ``total`` groups when it shows ``shown``; empty if nothing."""
    if shown >= total:
        return ""
    return L.word(f"cut_{key}", lang, shown=L.number(shown, lang), total=L.number(total, lang))


def _groups_note(view: View, shown: list[str] | None, lang: str) -> str:
    total = int((view.summary[view.key] != TOTAL).sum())
    return groups_note(view.key, len(shown), total, lang) if shown is not None else ""


def _lists_note(view: View, lang: str) -> str:
    details = view.details
    if details is None or details.group_by is None:
        return ""
    listed = sum(1 for n in details.group_counts.values() if n)
    return groups_note(details.group_by, min(listed, MAX_LIST_GROUPS), listed, lang)


def report_body(
    result: Result,
    lang: str = "en",
    list_limit: int = LIST_LIMIT,
    with_chart: bool = True,
    *,
    view: View | None = None,
    figures: Mapping[str, dict[str, Any]] | None = None,
) -> str:
    """The report as an HTML fragment in ``lang``, styled by ``report.css``; ``list_limit=0`` leaves lists out.

    ``view`` is ``view_of(result)`` when the caller has it already; ``figures`` (from ``live_figures``)
    stand in for the charts, which are then not drawn here.
    """
    view = view or view_of(result)
    if figures is None:
        drawn = charts(result, view, lang) if with_chart else {}
        figures = {name: _chart(name, svg, lang) for name, svg in drawn.items()}
    quality = result.meta.data_quality.as_dict()
    notes = L.unmatched_notes(quality, lang)
    template = environment().get_template("report.html.j2")
    shown = shown_groups(view)
    extras = [_cut_extra(extra_table(_cut(e, view.key, shown), lang, figures), e, view.key, shown, lang)
              for e in view.extras]  # fmt: skip
    summary = html_table(_rows_of(view.summary, view.key, shown), lang, key=view.key, css="summary",
                         chart=figures.get(view.chart) if view.chart else None)  # fmt: skip
    return template.render(
        c=components(),
        lang=lang,
        title=L.title(result.meta.report, lang),
        period_text=L.period_title(result.meta.scope.period, lang),
        headline_title=L.word("headline", lang),
        headline=headline(result, lang),
        meta=meta_lines(result, lang),
        empty=quality["leads_in_scope"] == 0,
        no_leads=L.word("no_leads", lang),
        summary=replace(summary, cut=_groups_note(view, shown, lang)),
        extras=[e for e in extras if e is not None],
        lists=_lists(view, lang, list_limit),
        lists_cut=_lists_note(view, lang),
        lists_title=L.word(view.details_title, lang),
        definitions=definition_texts(result, lang),
        definitions_title=L.word("definitions", lang),
        quality=_quality_table(quality, lang),
        quality_title=L.word("data_quality", lang),
        quality_notes=notes,
    )


def stylesheet(lang: str, live: bool = False) -> str:
    """The report's styles; ``live`` adds the panel's chart boxes."""
    return environment().get_template("report.css").render(page_word=L.word("page", lang), live=live)


def page(body: str, title: str, lang: str) -> str:
    """A standalone, printable HTML document around report body HTML (already escaped)."""
    return (
        environment()
        .get_template("page.html.j2")
        .render(body=Markup(body), title=title, lang=lang, css=Markup(stylesheet(lang)), version=__version__)
    )


def notebook_html(
    result: Result,
    lang: str = "en",
    list_limit: int = LIST_LIMIT,
    *,
    view: View | None = None,
    figures: Mapping[str, dict[str, Any]] | None = None,
) -> str:
    """The body with its styles, for display inside a notebook (and so in its HTML export); see ``report_body``."""
    body = report_body(result, lang, list_limit, view=view, figures=figures)
    return f"<style>{stylesheet(lang, live=figures is not None)}</style>\n{body}"
