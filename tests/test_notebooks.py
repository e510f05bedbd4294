"""The notebooks: thin and clean, and their widgets work inside a real kernel."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import nbformat
import papermill as pm
import pytest
import yaml
from conftest import MARCH_SOURCE, params_for

from leadkit.pipeline.execute import notebooks_dir
from leadkit.snapshot import write_snapshot
from leadkit.sources import read_source

NAMES = ("lead_conversion", "lost_leads", "employee_performance")


def imported(tree: ast.AST) -> set[str]:
    """The modules a piece of code imports (``import x.y`` and ``from x.y import z`` both count)."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            found.add(node.module or ".")
    return found


def test_the_import_rule_sees_every_kind_of_import():
    assert imported(ast.parse("import pandas as pd\nfrom leadkit import notebook")) == {"pandas", "leadkit"}
    assert imported(ast.parse("import os.path\nfrom . import x")) == {"os.path", "."}


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
        assert imported(tree) <= {"leadkit"}, "a notebook imports only leadkit"
    assert nb.metadata.kernelspec.name == "python3"


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("snap") / "leads.parquet"
    write_snapshot(read_source(params_for(MARCH_SOURCE)), path, "UTC")
    return path


def run_notebook(name: str, tmp_path: Path, parameters: dict, extra: str = "") -> nbformat.NotebookNode:
    nb = nbformat.read(notebooks_dir() / f"{name}.ipynb", as_version=4)
    if extra:
        nb.cells.append(nbformat.v4.new_code_cell(extra))
    source, out = tmp_path / f"{name}-in.ipynb", tmp_path / f"{name}-out.ipynb"
    nbformat.write(nb, source)
    pm.execute_notebook(str(source), str(out), parameters=parameters, kernel_name="python3",
                        cwd=str(notebooks_dir()), progress_bar=False)  # fmt: skip
    return nbformat.read(out, as_version=4)


SCOPE = """
import json
print(json.dumps({"period": result.meta.scope.period.label if result.meta.scope.period else None,
                  "basis": result.meta.scope.basis, "lang": workspace.lang,
                  "managers": list(result.meta.scope.filters.managers), "leads": result.meta.data_quality.leads_in_scope}))
"""


CLOSED_IN_Q1 = 7  # tests/data/march.csv: L1–L4, L8, L9, L13 closed from January to March 2025


def test_a_notebook_starts_from_its_params_file(tmp_path):
    params = tmp_path / "p.yaml"
    params.write_text(
        f"source: {{kind: file, path: {MARCH_SOURCE['path']}, columns: {json.dumps(MARCH_SOURCE['columns'])}, "
        f"status_groups: {json.dumps(MARCH_SOURCE['status_groups'])}}}\n"
        "period: 2025-03\nbasis: closed\nfilters: {managers: [Bob]}\nlang: ru\n",
        encoding="utf-8",
    )
    done = run_notebook("lead_conversion", tmp_path, {"params_file": str(params), "interactive": False}, SCOPE)
    seen = json.loads(done.cells[-1].outputs[0]["text"])
    assert seen == {"period": "2025-03", "basis": "closed", "lang": "ru", "managers": ["Bob"], "leads": 3}
    html = done.cells[-2].outputs[0]["data"]["text/html"]
    assert "Конверсия обращений" in html and "Март 2025" in html
    override = {"params_file": str(params), "interactive": False, "period": "2025-Q1", "managers": [], "lang": "en"}
    done = run_notebook("lead_conversion", tmp_path, override, SCOPE)
    seen = json.loads(done.cells[-1].outputs[0]["text"])
    assert seen == {"period": "2025-Q1", "basis": "closed", "lang": "ru", "managers": [], "leads": CLOSED_IN_Q1}
    assert "Lead conversion" in done.cells[-2].outputs[0]["data"]["text/html"]  # lang="en" replaced "ru"


def test_run_all_on_an_undated_source_gives_all_time_reports(tmp_path):
    done = run_notebook("lost_leads", tmp_path, {"params_file": "../params/x_education.yaml", "interactive": False},
                        SCOPE)  # fmt: skip
    seen = json.loads(done.cells[-1].outputs[0]["text"])
    assert seen["period"] is None and seen["leads"] == 9237
    assert all(not o.get("ename") for c in done.cells if c.cell_type == "code" for o in c.outputs)


def test_an_expected_problem_in_a_cell_is_one_paragraph(tmp_path):
    with pytest.raises(pm.PapermillExecutionError) as caught:
        run_notebook("lead_conversion", tmp_path, {"period": "2025-13", "interactive": False})
    assert caught.value.ename == "PeriodError" and "2025-13" in caught.value.evalue
    done = nbformat.read(tmp_path / "lead_conversion-out.ipynb", as_version=4)
    errors = [o for c in done.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert len(errors) == 1 and errors[0].ename == "PeriodError"
    shown = "\n".join(errors[0].traceback)
    assert (
        shown.startswith("leadkit: period '2025-13' is not understood")
        and "Change `period` (or `basis`) in the parameters cell" in shown
    )
    assert "Traceback" not in shown and "File " not in shown and len(errors[0].traceback) == 1


DRIVE = """
import json
seen = {"start": panel.result.total["leads"]}
panel.managers.value = ("Bob",)
panel.wait()  # the notebook's panel debounces and computes off the kernel's thread
seen["bob"] = panel.result.total["leads"]
seen["bob_html"] = '<td class="num">4</td>' in panel.report.value
panel.period.value = "2025-02"
panel.wait()
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
    seen = json.loads(executed.cells[-1].outputs[0]["text"])
    assert seen == {"start": 9, "bob": 4, "bob_html": True, "february": 0}


def test_a_params_file_with_a_far_off_period_is_one_paragraph_in_the_notebook(tmp_path):
    params = tmp_path / "far.yaml"
    params.write_text(
        f"source: {{kind: file, path: {MARCH_SOURCE['path']}, columns: {json.dumps(MARCH_SOURCE['columns'])}, "
        f"status_groups: {json.dumps(MARCH_SOURCE['status_groups'])}}}\nperiod: '9999'\n",
        encoding="utf-8",
    )
    with pytest.raises(pm.PapermillExecutionError) as caught:
        run_notebook("employee_performance", tmp_path, {"params_file": str(params), "interactive": False})
    assert caught.value.ename == "ParamsError" and "outside the years 1970–2100" in caught.value.evalue
    done = nbformat.read(tmp_path / "employee_performance-out.ipynb", as_version=4)
    errors = [o for c in done.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert len(errors) == 1 and len(errors[0].traceback) == 1
    shown = errors[0].traceback[0]
    assert shown.startswith("leadkit: ") and str(params) in shown and "outside the years 1970–2100" in shown
    assert "Traceback" not in shown and "File " not in shown


def test_a_page_without_a_listed_viewer_is_the_paragraph_saying_whom_to_ask_and_nothing_else(tmp_path, monkeypatch):
    params = tmp_path / "viewers.yaml"
    viewers = {"contact": "Olga, olga@example.com", "users": {"ava@example.com": {"managers": ["Bob"]}}}
    params.write_text(yaml.safe_dump({"source": MARCH_SOURCE, "dashboard": {"viewers": viewers}}), encoding="utf-8")
    monkeypatch.setenv("HTTP_X_LEADKIT_USER", "mallory@example.com")  # the kernel inherits it, as from Voilà
    with pytest.raises(pm.PapermillExecutionError):  # the cell fails: nothing after it runs
        run_notebook("lead_conversion", tmp_path, {"params_file": str(params), "interactive": False})
    done = nbformat.read(tmp_path / "lead_conversion-out.ipynb", as_version=4)
    outputs = [o for c in done.cells if c.cell_type == "code" for o in c.outputs]
    assert [o.output_type for o in outputs] == ["display_data"]  # no error output, no traceback, no later cell
    shown = outputs[0]["data"]["text/html"]
    assert 'class="leadkit-denied"' in shown and "mallory@example.com" in shown and "Olga, olga@example.com" in shown


def test_a_batch_reports_a_notebooks_expected_problem_in_its_own_words(tmp_path, monkeypatch):
    import shutil

    from leadkit.periods import parse_period
    from leadkit.pipeline.batch import run_batch

    broken = tmp_path / "notebooks"
    shutil.copytree(notebooks_dir(), broken)
    nb = nbformat.read(broken / "lost_leads.ipynb", as_version=4)
    nb.cells.insert(2, nbformat.v4.new_code_cell('period = "2025-13"'))  # as if a parameter were wrong
    nbformat.write(nb, broken / "lost_leads.ipynb")
    monkeypatch.setenv("LEADKIT_NOTEBOOKS", str(broken))
    summary = run_batch(params_for(MARCH_SOURCE), [parse_period("2025-03")], reports=["lost_leads"],
                        out=tmp_path / "out", formats=("xlsx",), show_progress=False)  # fmt: skip
    error = summary.failed["2025-03"]["lost_leads"]
    assert error.startswith("lost_leads: period '2025-13' is not understood; use 2025, 2025-Q1")
    assert "Error:" not in error and "notebook failed" not in error  # no class names, no wrapping
