"""The notebooks: thin and clean, and their widgets work inside a real kernel."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import papermill as pm
import pytest
from conftest import MARCH_SOURCE, params_for

from leadkit.pipeline.execute import notebooks_dir
from leadkit.snapshot import write_snapshot
from leadkit.sources import read_source

NAMES = ("lead_conversion", "lost_leads", "employee_performance")


@pytest.mark.parametrize("name", NAMES)
def test_notebooks_are_thin_and_committed_clean(name):
    nb = nbformat.read(notebooks_dir() / f"{name}.ipynb", as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    assert code[0].metadata.get("tags") == ["parameters"]
    params = ast.parse(code[0].source)
    assert all(isinstance(node, ast.Assign) for node in params.body)  # plain values only
    for cell in code:
        tree = ast.parse(cell.source)
        assert not any(isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.Lambda)) for n in ast.walk(tree))
        imports = [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
        assert all(getattr(n, "module", "leadkit") == "leadkit" for n in imports)
    assert nb.metadata.kernelspec.name == "python3"


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("snap") / "leads.parquet"
    write_snapshot(read_source(params_for(MARCH_SOURCE)), path, "UTC")
    return path


DRIVE = """
import json
seen = {"start": panel.result.total["leads"]}
panel.managers.value = ("Bob",)
seen["bob"] = panel.result.total["leads"]
seen["bob_html"] = '<td class="num">4</td>' in panel.report.value
panel.period.value = "2025-02"
seen["february"] = panel.result.total["leads"]
print(json.dumps(seen))
"""


def test_widgets_drive_the_report_inside_a_kernel(snapshot, tmp_path):
    nb = nbformat.read(notebooks_dir() / "lead_conversion.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(DRIVE))
    source = tmp_path / "driven.ipynb"
    nbformat.write(nb, source)
    out = tmp_path / "out.ipynb"
    pm.execute_notebook(str(source), str(out), parameters={"data": str(snapshot), "period": "2025-03",
                        "interactive": True}, kernel_name="python3", cwd=str(notebooks_dir()),
                        progress_bar=False)  # fmt: skip
    executed = nbformat.read(out, as_version=4)
    widget_output = executed.cells[-2].outputs[0]["data"]
    assert "application/vnd.jupyter.widget-view+json" in widget_output
    import json

    seen = json.loads(executed.cells[-1].outputs[0]["text"])
    assert seen == {"start": 9, "bob": 4, "bob_html": True, "february": 0}
