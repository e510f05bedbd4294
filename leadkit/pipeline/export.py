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
STYLE = re.compile(r"<style>(.*?)</style>\n?", re.S)


def _styles_once(html: str) -> str:
    """The page without repeats of a style block it already has (the notebook's display carries the page's).

    A rule given twice styles nothing differently; WeasyPrint would match every element against both.
    """
    seen: set[str] = set()

    def first(match: re.Match[str]) -> str:
        css = match.group(1).strip()
        if css in seen:
            return ""
        seen.add(css)
        return match.group(0)

    return STYLE.sub(first, html)


def printable(html: str) -> str:
    """What WeasyPrint is given: the page less what print CSS hides anyway and repeated style blocks."""
    return _styles_once(SCREEN_ONLY_ROW.sub("", html))


def html_to_pdf(html: str, target: Path) -> None:
    """Print the page with WeasyPrint; it may fetch nothing but the data: URIs a report embeds.

    Rows that print CSS hides, and repeated style blocks, are dropped first: the PDF is the
    same, and WeasyPrint, which styles every element, hidden or not, has thousands fewer to
    style, against half the rules.
    """
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"}, timeout=5)
    with atomic_path(target) as tmp:
        HTML(string=printable(html), url_fetcher=fetcher).write_pdf(tmp)


def write_html(html: str, target: Path) -> None:
    write_text(target, html)
