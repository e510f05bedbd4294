"""Export from the panel: the report on screen as .xlsx, written under the notebook's folder and offered as a link.

The link carries the file itself (a ``data:`` URL with ``download``): a widget's HTML is
not rewritten by JupyterLab's URL resolver and Voilà serves no files by default, so a
path link would open the page instead of the file. A copy stays in ``exports/`` next to
the notebook (the folder `make lab` shows), or in $LEADKIT_EXPORT_DIR.
"""

from __future__ import annotations

import base64
import html
import os
from datetime import datetime
from pathlib import Path

from leadkit.render.excel import write_workbook
from leadkit.results import Result
from leadkit.widgets.words import word

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LINK_LIMIT = 25_000_000  # bytes; a larger file is only saved (a data URL that size strains the browser)


def default_export_dir() -> Path:
    """$LEADKIT_EXPORT_DIR, else exports/ beside the notebook (the kernel's working folder)."""
    configured = os.environ.get("LEADKIT_EXPORT_DIR")
    return Path(configured) if configured else Path.cwd() / "exports"


def write_export(result: Result, name: str, lang: str, folder: Path | None = None) -> Path:
    """The result in ``lang`` as ``<report>_<period>_<time>.xlsx`` (written atomically)."""
    period = result.meta.scope.period
    label = period.label if period else "all-time"
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return write_workbook(result, (folder or default_export_dir()) / f"{name}_{label}_{stamp}.xlsx", lang)


def export_link(path: Path, lang: str) -> str:
    """An <a download> with the file's bytes, and where the copy was saved (relative when it can be)."""
    try:
        shown = str(path.relative_to(Path.cwd()))
    except ValueError:
        shown = str(path)
    saved = html.escape(word("saved_in", lang, path=shown))
    if path.stat().st_size > LINK_LIMIT:
        return f"<span>{saved}</span>"
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    name = html.escape(path.name)
    label = html.escape(word("download", lang, file=path.name))
    return (
        f"<a class='leadkit-download' download='{name}' href='data:{XLSX};base64,{data}'>⬇ {label}</a> "
        f"<span class='leadkit-saved'>({saved})</span>"
    )
