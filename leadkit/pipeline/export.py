"""Executed notebooks → a standalone printable HTML page → PDF."""

from __future__ import annotations

import re
from pathlib import Path

from leadkit.atomic import atomic_path, write_text
from leadkit.render.html import page


def notebook_to_html(ipynb: Path, title: str, lang: str) -> str:
    """The notebook's outputs only (no code, prompts or markdown), wrapped as a report page."""
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="basic",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_markdown=True,
        exclude_raw=True,
    )
    body, _ = exporter.from_notebook_node(nbformat.read(ipynb, as_version=4))
    return page(body, title, lang)


# The list rows print CSS hides (display: none); written by leadkit's table template, cell text escaped.
SCREEN_ONLY_ROW = re.compile(r'<tr class="screen-only">.*?</tr>\n?', re.S)


def html_to_pdf(html: str, target: Path) -> None:
    """Print the page with WeasyPrint; it may fetch nothing but the data: URIs a report embeds.

    Rows that print CSS hides are dropped first: the PDF is the same, and WeasyPrint,
    which styles every element, hidden or not, has thousands fewer to style.
    """
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"}, timeout=5)
    with atomic_path(target) as tmp:
        HTML(string=SCREEN_ONLY_ROW.sub("", html), url_fetcher=fetcher).write_pdf(tmp)


def write_html(html: str, target: Path) -> None:
    write_text(target, html)
