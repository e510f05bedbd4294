"""A warm kernel: one start for many notebooks, nothing of one notebook seen by the next, death and hangs survived,
slow cells reported."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from leadkit.exceptions import LeadkitError
from leadkit.pipeline.kernel import KernelHung, WarmKernel

PARAMETERS = "value = None"
CELLS = {
    # sets a variable, an output to cache, and moves away from the notebooks' folder
    "setter": ["leak = value", "import os\nos.chdir('/')", "leak"],
    # a fresh kernel's view: none of that is here
    "reader": [
        "assert 'leak' not in globals(), 'a variable of the previous notebook leaked'",
        "assert not Out and not any(('leak' + ' = value') in cell for cell in In), (Out, In)",
        "import os\nprint(os.getcwd())",
    ],
    # the kernel dies (or hangs) the first time only: a marker file says it already did
    "dies_once": ["import os, pathlib\nm = pathlib.Path(value)\nif not m.exists():\n    m.touch()\n    os._exit(1)"],
    "hangs_once": [
        "import time, pathlib\nm = pathlib.Path(value)\nif not m.exists():\n    m.touch()\n    time.sleep(60)"
    ],
    "always_dies": ["import os\nos._exit(1)"],
    "fails": ["raise ValueError('broken on purpose')"],
}


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("notebooks")
    for name, cells in CELLS.items():
        first = nbformat.v4.new_code_cell(PARAMETERS, metadata={"tags": ["parameters"]})
        nb = nbformat.v4.new_notebook(cells=[first, *(nbformat.v4.new_code_cell(c) for c in cells)])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, folder / f"{name}.ipynb")
    return folder


@pytest.fixture(scope="module")
def kernel(folder):
    kernel = WarmKernel(folder)
    yield kernel
    kernel.shutdown()


def outputs(path: Path) -> list[tuple[int | None, list[dict]]]:
    nb = nbformat.read(path, as_version=4)
    return [(c.execution_count, c.outputs) for c in nb.cells if c.cell_type == "code"]


def test_one_kernel_start_and_one_import_for_many_notebooks(kernel, tmp_path):
    timings = [kernel.run(name, {"value": 7}, tmp_path / f"{i}.ipynb") for i, name in enumerate(["setter"] * 3)]
    assert kernel.starts == 1
    assert timings[0]["kernel_start"] > 0 and timings[0]["imports"] > 0  # paid by the first notebook only
    assert all(t["kernel_start"] == 0 and t["imports"] == 0 for t in timings[1:])
    assert all(t["compute"] > 0 for t in timings)


def test_nothing_of_one_notebook_is_seen_by_the_next(kernel, folder, tmp_path):
    kernel.run("setter", {"value": 42}, tmp_path / "setter.ipynb")
    kernel.run("reader", {"value": 1}, tmp_path / "reader.ipynb")
    cells = outputs(tmp_path / "reader.ipynb")
    assert [count for count, _ in cells] == [1, 2, 3, 4, 5]  # counted from 1, as in a fresh kernel
    assert cells[-1][1][0]["text"].strip() == str(folder)  # back in the notebooks' folder


def test_the_executed_notebook_is_what_a_cold_kernel_writes(kernel, folder, tmp_path, monkeypatch):
    from leadkit.pipeline.execute import execute

    monkeypatch.setenv("LEADKIT_NOTEBOOKS", str(folder))
    kernel.run("setter", {"value": 42}, tmp_path / "warm.ipynb")
    execute("setter", {"value": 42}, tmp_path / "cold.ipynb")
    warm, cold = (nbformat.read(tmp_path / f"{w}.ipynb", as_version=4) for w in ("warm", "cold"))
    assert outputs(tmp_path / "warm.ipynb") == outputs(tmp_path / "cold.ipynb")
    assert [c.source for c in warm.cells] == [c.source for c in cold.cells]  # the injected parameters cell too
    assert [c.metadata.keys() for c in warm.cells] == [c.metadata.keys() for c in cold.cells]
    assert warm.metadata.keys() == cold.metadata.keys()
    for key in ("parameters", "input_path", "exception"):
        assert warm.metadata.papermill[key] == cold.metadata.papermill[key]
    assert warm.metadata.language_info == cold.metadata.language_info


def test_a_failing_cell_is_the_notebooks_error_and_the_kernel_goes_on(kernel, tmp_path):
    starts = kernel.starts
    with pytest.raises(LeadkitError, match="fails notebook failed: ValueError: broken on purpose"):
        kernel.run("fails", {}, tmp_path / "fails.ipynb")
    kernel.run("reader", {}, tmp_path / "reader.ipynb")
    assert kernel.starts == starts  # not retried, no new kernel


def test_a_kernel_that_dies_while_starting_is_started_again_and_not_counted(folder, monkeypatch):
    """As when another process binds the new kernel's port first: the next attempt starts it, once counted."""
    first = []
    run = WarmKernel._run

    def dies_once_starting(self, code, timeout, expression=None):
        if code == "pass" and not first:
            first.append(code)
            raise RuntimeError("Kernel died before replying to kernel_info")
        return run(self, code, timeout, expression)

    monkeypatch.setattr(WarmKernel, "_run", dies_once_starting)
    kernel = WarmKernel(folder, warm_up="pass")
    try:
        kernel.start()
        assert first and kernel.starts == 1 and kernel.alive()
    finally:
        kernel.shutdown()


def test_a_kernel_that_dies_is_replaced_and_the_notebook_run_again(folder, tmp_path):
    kernel = WarmKernel(folder, warm_up="pass")
    try:
        kernel.run("dies_once", {"value": str(tmp_path / "died")}, tmp_path / "out.ipynb")
        assert kernel.starts == 2 and (tmp_path / "died").exists()
        assert not nbformat.read(tmp_path / "out.ipynb", as_version=4).metadata.papermill.exception
        with pytest.raises(LeadkitError, match="always_dies notebook failed: its kernel died twice"):
            kernel.run("always_dies", {}, tmp_path / "dead.ipynb")
        assert kernel.starts == 3  # the dead kernel of dies_once's retry, then one more: tried twice
        kernel.run("reader", {}, tmp_path / "after.ipynb")  # the next notebook gets a fresh kernel
        assert kernel.starts == 4
    finally:
        kernel.shutdown()


def test_a_kernel_that_stops_answering_is_replaced_and_the_notebook_run_again(folder, tmp_path, monkeypatch):
    kernel = WarmKernel(folder, warm_up="pass")
    real_run, resets = kernel._run, []

    def hangs_at_first_reset(code, timeout, expression=None):
        if "reset(" in code:
            resets.append(code)
            if len(resets) == 1:
                raise KernelHung("no answer")
        return real_run(code, timeout, expression)

    monkeypatch.setattr(kernel, "_run", hangs_at_first_reset)
    try:
        kernel.run("reader", {}, tmp_path / "out.ipynb")
        assert kernel.starts == 2 and len(resets) == 2
        assert not nbformat.read(tmp_path / "out.ipynb", as_version=4).metadata.papermill.exception
    finally:
        kernel.shutdown()


def test_a_cell_past_the_timeout_is_the_notebooks_error_not_retried(folder, tmp_path):
    kernel = WarmKernel(folder, warm_up="pass")
    try:
        with pytest.raises(LeadkitError, match=r"hangs_once notebook failed: a cell ran longer than 3 s .*--timeout"):
            kernel.run("hangs_once", {"value": str(tmp_path / "slow")}, tmp_path / "out.ipynb", timeout=3)
        assert kernel.starts == 1  # not run again: slow work would only take as long again
        kernel.run("hangs_once", {"value": str(tmp_path / "slow")}, tmp_path / "after.ipynb", timeout=3)
        assert kernel.starts == 2  # the busy kernel was let go; the next notebook got a fresh one
    finally:
        kernel.shutdown()


def test_a_cell_past_the_timeout_in_a_kernel_of_its_own_says_the_same(folder, tmp_path, monkeypatch):
    from leadkit.pipeline.execute import execute

    monkeypatch.setenv("LEADKIT_NOTEBOOKS", str(folder))
    with pytest.raises(LeadkitError, match=r"hangs_once notebook failed: a cell ran longer than 3 s .*--timeout"):
        execute("hangs_once", {"value": str(tmp_path / "slow")}, tmp_path / "out.ipynb", timeout=3)
