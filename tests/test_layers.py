"""The package's arrows point down: compute never imports render, render never computes.

Layers, bottom up: leaves (model, exceptions, version, method, log, atomic), periods and
scope, params, sources, leads, reports and results, render, and on top pipeline, widgets,
notebook, api and the CLI. Read from the code's own import statements.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "leadkit"


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return {name for name in found if name == "leadkit" or name.startswith("leadkit.")}


def modules(folder: str) -> list[Path]:
    root = PACKAGE / folder
    return sorted(root.rglob("*.py")) if root.is_dir() else [root.with_suffix(".py")]


ABOVE_LEADS = ("leadkit.reports", "leadkit.results", "leadkit.render", "leadkit.pipeline", "leadkit.widgets",
               "leadkit.api", "leadkit.notebook", "leadkit.serve", "leadkit.cli", "leadkit.commands")  # fmt: skip
FORBIDDEN = {
    "results": ("leadkit.reports", "leadkit.render", "leadkit.pipeline", "leadkit.widgets", "leadkit.api"),
    "reports": ("leadkit.render", "leadkit.pipeline", "leadkit.widgets", "leadkit.api", "leadkit.notebook"),
    "render": (
        "leadkit.reports",
        "leadkit.pipeline",
        "leadkit.widgets",
        "leadkit.api",
        "leadkit.leads",
        "leadkit.ingest",
        "leadkit.engines",
        "leadkit.sources",
    ),
    "sources": (*ABOVE_LEADS, "leadkit.leads", "leadkit.ingest", "leadkit.engines"),
    "ingest": (*ABOVE_LEADS, "leadkit.leads"),
    "engines": (*ABOVE_LEADS, "leadkit.leads", "leadkit.ingest", "leadkit.sources"),
    "lock": (*ABOVE_LEADS, "leadkit.leads", "leadkit.ingest", "leadkit.sources", "leadkit.params"),
    "leads": ABOVE_LEADS,
    "widgets": ("leadkit.pipeline", "leadkit.serve", "leadkit.cli", "leadkit.commands", "leadkit.api"),
    "serve": ("leadkit.reports", "leadkit.widgets", "leadkit.cli", "leadkit.commands"),
    "periods": ("leadkit.scope", "leadkit.params", "leadkit.reports", "leadkit.render"),
    "scope": ("leadkit.params", "leadkit.reports", "leadkit.render"),
    "params": ("leadkit.sources", "leadkit.reports", "leadkit.render", "leadkit.leads"),
    "viewers": ("leadkit.sources", "leadkit.reports", "leadkit.render", "leadkit.leads", "leadkit.widgets"),
}
LEAVES = ("model", "exceptions", "version", "method", "log", "atomic", "text", "redact")


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_no_arrow_points_up(layer):
    for path in modules(layer):
        bad = {name for name in imports_of(path) if name.startswith(FORBIDDEN[layer])}
        assert not bad, f"{path.relative_to(PACKAGE.parent)} imports {sorted(bad)}"


@pytest.mark.parametrize("leaf", LEAVES)
def test_leaves_import_nothing_of_leadkit(leaf):
    assert imports_of(PACKAGE / f"{leaf}.py") == set()


def test_the_version_has_one_source():
    from importlib.metadata import version

    from leadkit.version import __version__

    pyproject = (PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8")
    assert 'version = { attr = "leadkit.version.__version__" }' in pyproject and 'dynamic = ["version"]' in pyproject
    assert version("leadkit") == __version__, "reinstall: pip install -e ."
