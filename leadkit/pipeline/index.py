"""OUT/index.html: every period's reports, newest period first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from markupsafe import Markup

from leadkit.atomic import write_text
from leadkit.exceptions import PeriodError
from leadkit.periods import parse_period
from leadkit.pipeline import manifest
from leadkit.render import labels as L
from leadkit.render.html import environment, stylesheet

FORMATS = ("html", "pdf", "xlsx")


def _entry(folder: Path, data: dict[str, Any]) -> dict[str, Any]:
    lang = data["params"].get("lang", "en")
    period = data["params"].get("period")
    reports = []
    for report in data["params"].get("reports", []):
        links = [(fmt, f"{folder.name}/{report}.{fmt}") for fmt in FORMATS if f"{report}.{fmt}" in data["files"]]
        reports.append({"title": L.title(report, lang), "links": links})
    return {
        "label": folder.name,
        "period": _period_words(period, lang),
        "start": period["start"] if period else "0000",
        "reports": reports,
        "finished": data.get("finished_at", ""),
        "source": data["params"].get("source", ""),
    }


def _period_words(period: dict[str, Any] | None, lang: str) -> str:
    if period is None:
        return L.word("all_time", lang)
    try:
        return L.period_title(parse_period(period.get("label", "")), lang)
    except PeriodError:  # a manifest from another version: show what it says
        return f"{period.get('start')} – {period.get('end')}"


def write_index(out: Path, lang: str = "en") -> Path:
    entries = []
    for folder in sorted(p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")):
        data = manifest.read(folder)
        if data:
            entries.append(_entry(folder, data))
    entries.sort(key=lambda e: (e["start"], e["label"]), reverse=True)
    html = (
        environment()
        .get_template("index.html.j2")
        .render(
            entries=entries,
            lang=lang,
            css=Markup(stylesheet(lang)),
            heading=L.word("index", lang),
            headers=[L.word(k, lang) for k in ("period", "report", "files", "built")],
        )
    )
    target = out / "index.html"
    write_text(target, html)
    return target
