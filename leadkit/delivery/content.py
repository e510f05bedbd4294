"""A delivery e-mail: valid MIME, in the recipient's language, with nothing from the data interpreted.

    multipart/mixed
    ├── multipart/alternative
    │   ├── text/plain                 the headlines and key tables as text
    │   └── multipart/related
    │       ├── text/html              headlines and key tables (escaped by the render templates)
    │       └── image/png …            each report's main chart, referred to as cid:… (no data: URIs)
    └── the full reports: <report>-<period>.html, and .pdf / .xlsx as chosen

The words come from ``leadkit.render`` (titles, periods, headline sentences, tables); the
few sentences of the mail itself are below. Headers are built by ``email`` with the
default policy, which refuses line breaks in any header (no header injection).
"""

from __future__ import annotations

import mimetypes
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from leadkit.periods import Period
from leadkit.render import labels as L
from leadkit.render.charts import charts
from leadkit.render.headline import headline
from leadkit.render.html import HtmlTable, environment, headline_html, html_table, table_html
from leadkit.render.views import view_of
from leadkit.results import Result
from leadkit.scope import Filters
from leadkit.version import __version__

WORDS = {
    "en": {
        "reports": "Lead reports", "hello": "Hello, {name},", "hello_anon": "Hello,",
        "intro": "Filters: {filters}.",
        "attached": "Attached: each full report as a web page (opens in any browser){more}.",
        "empty": "No leads in {period} for your filters ({filters}).",
        "footer": "Sent by leadkit {version} on {when} (UTC). You get this message once per period and data.",
        "failed": "leadkit: delivery problems", "failed_intro": "These messages were not sent:",
    },
    "ru": {
        "reports": "Отчёты по обращениям", "hello": "Здравствуйте, {name}!", "hello_anon": "Здравствуйте!",
        "intro": "Фильтры: {filters}.",
        "attached": "Во вложении — полные отчёты в виде веб-страниц (открываются в любом браузере){more}.",
        "empty": "За {period} нет обращений по вашим фильтрам ({filters}).",
        "footer": "Отправлено leadkit {version} {when} (UTC). Это письмо приходит один раз за период и данные.",
        "failed": "leadkit: ошибки рассылки", "failed_intro": "Эти письма не отправлены:",
    },
}  # fmt: skip
# The key table of a mail fits a phone's or a mail pane's width; the attached report has every column.
LEFT_FOR_ATTACHMENT = ("won", "lost", "closed_conversion_pct")
FORMAT_WORDS = {"en": {"pdf": "PDF", "xlsx": "Excel"}, "ru": {"pdf": "PDF", "xlsx": "Excel"}}


def word(key: str, lang: str, **values: Any) -> str:
    return WORDS[lang][key].format(**values)


def _environment() -> jinja2.Environment:
    return environment("leadkit.delivery")  # the report's escaping and cleaning, for the mail's template


@dataclass(frozen=True)
class Section:
    """One report in the mail: its HTML pieces, its chart and its text."""

    html: dict[str, Any]
    images: list[tuple[str, bytes]]  # (Content-ID without brackets, PNG)
    text: str


def text_table(table: HtmlTable) -> str:
    """A table as aligned plain text, for the text/plain part."""
    rows = [table.headers] + [[c["text"] if isinstance(c, dict) else str(c) for c in r["cells"]] for r in table.rows]
    widths = [max(len(row[i]) for row in rows) for i in range(len(table.headers))]
    align = [str.ljust if kind == "text" else str.rjust for kind in table.kinds]
    return "\n".join("  ".join(align[i](cell, widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows)


def section(result: Result, lang: str, domain: str) -> Section:
    """A report's headline box, its main chart (PNG, by Content-ID) and its key table."""
    view = view_of(result)
    shown = view.summary.drop(columns=[c for c in LEFT_FOR_ATTACHMENT if c in view.summary.columns])
    table = html_table(shown, lang, key=view.key, css="summary")
    drawn = charts(result, view, lang, image="png") if view.chart else {}
    title = L.title(result.meta.report, lang)
    chart, images = None, []
    if view.chart in drawn:
        cid = f"{view.chart}-{uuid.uuid4().hex[:12]}@{domain}"  # short: a folded Content-ID confuses some clients
        chart = {"cid": cid, "alt": L.word(f"chart_{view.chart}", lang)}
        images.append((cid, drawn[view.chart]))
    html = {"title": title, "headline": Markup(headline_html(result, lang)), "chart": chart,
            "table": Markup(table_html(table))}  # fmt: skip
    sentences = "\n".join(f"  • {text}" for _, text in headline(result, lang))
    return Section(html, images, f"{title}\n{'=' * len(title)}\n{sentences}\n\n{text_table(table)}\n")


def subject(reports: Sequence[str], period: Period | None, lang: str) -> str:
    """ "Lead conversion — November 2025", or "Lead reports — …" for several."""
    what = L.title(reports[0], lang) if len(reports) == 1 else word("reports", lang)
    return f"{what} — {L.period_title(period, lang)}"


def domain_of(sender: str) -> str:
    return parseaddr(sender)[1].rpartition("@")[2] or "leadkit.invalid"


def new_message(sender: str, to: tuple[str, str], title: str) -> EmailMessage:
    """Headers only: From, To (name and address), Subject, Date, a Message-ID on the sender's domain."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = formataddr(to)
    message["Subject"] = title
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=domain_of(sender))
    message["Auto-Submitted"] = "auto-generated"
    return message


def finished(message: EmailMessage) -> EmailMessage:
    """Headers folded only past 998 characters: Python 3.11 drops the space where it folds a
    non-ASCII subject ("конверсия снизилась" arrived as "конверсияснизилась"). Bodies were
    encoded already, in lines of 76."""
    message.policy = message.policy.clone(max_line_length=998)
    return message


def _attach(message: EmailMessage, path: Path) -> None:
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if path.suffix == ".xlsx":
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    main, sub = kind.split("/", 1)
    name = f"{path.stem}-{path.parent.name}{path.suffix}"  # lead_conversion-2025-11.pdf: the folder is the period
    message.add_attachment(path.read_bytes(), maintype=main, subtype=sub, filename=name)


def report_message(
    *,
    sender: str,
    to: tuple[str, str],
    lang: str,
    period: Period | None,
    filters: Filters,
    reports: Sequence[str],
    results: list[Result],
    attachments: list[Path],
    empty_note: bool = False,
) -> EmailMessage:
    """The e-mail of one recipient: headlines and key tables (or the "no leads" note) and the files."""
    title = subject(reports, period, lang)
    message = new_message(sender, to, title)
    sections = [] if empty_note else [section(r, lang, domain_of(sender)) for r in results]
    words = {"period": L.period_words(period, lang), "filters": L.filters_text(filters, lang)}
    formats = sorted({p.suffix[1:] for p in attachments} - {"html"})
    more = "".join(f", {FORMAT_WORDS[lang][f]}" for f in formats)
    note = word("empty", lang, **words) if empty_note else (word("attached", lang, more=more) if attachments else "")
    greeting = word("hello", lang, name=to[0]) if to[0] else word("hello_anon", lang)
    footer = word("footer", lang, version=__version__, when=f"{datetime.now(UTC):%Y-%m-%d %H:%M}")
    intro = word("intro", lang, **words)
    html = _environment().get_template("mail.html.j2").render(
        lang=lang, subject=title, greeting=greeting, intro=intro, reports=[s.html for s in sections], note=note,
        footer=footer,
    )  # fmt: skip
    text = "\n".join([greeting, "", title, intro, "", *(s.text for s in sections), note, "", footer])
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    html_part: EmailMessage = message.get_payload()[1]  # type: ignore[index,assignment]
    for s in sections:
        for cid, png in s.images:
            html_part.add_related(png, maintype="image", subtype="png", cid=f"<{cid}>", disposition="inline")
    for path in attachments:
        _attach(message, path)
    return finished(message)


def notice_message(sender: str, to: str, lang: str, title: str, intro: str, lines: list[str]) -> EmailMessage:
    """A short message (a failure notice, an alert): a title, a sentence and a list, as text and HTML."""
    message = new_message(sender, ("", to), title)
    text = "\n".join([title, "", intro, "", *(f"- {line}" for line in lines)])
    message.set_content(text)
    html = _environment().from_string(NOTICE).render(lang=lang, title=title, intro=intro, lines=lines)
    message.add_alternative(html, subtype="html")
    return finished(message)


NOTICE = """<!DOCTYPE html>
<html lang="{{ lang }}"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body style="font: 14px/1.45 Arial, sans-serif; color: #222222;">
<h1 style="font-size: 18px;">{{ title }}</h1>
<p>{{ intro }}</p>
<ul>{% for line in lines %}<li style="white-space: pre-wrap;">{{ line }}</li>{% endfor %}</ul>
</body></html>
"""
