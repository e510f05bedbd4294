"""Running one notebook: a kernel that dies while starting is started again, a real failure is not."""

from __future__ import annotations

import papermill as pm
import pytest

from leadkit.pipeline import execute


def test_a_kernel_that_dies_while_starting_is_started_again(monkeypatch, tmp_path):
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) < 3:
            raise RuntimeError("Kernel died before replying to kernel_info")

    monkeypatch.setattr(pm, "execute_notebook", flaky)
    execute.execute("lead_conversion", {}, tmp_path / "out.ipynb")
    assert len(calls) == 3


def test_a_kernel_that_keeps_dying_or_another_error_is_not_retried_forever(monkeypatch, tmp_path):
    calls = []

    def dying(*args, **kwargs):
        calls.append(1)
        raise RuntimeError("Kernel died before replying to kernel_info")

    monkeypatch.setattr(pm, "execute_notebook", dying)
    with pytest.raises(RuntimeError):
        execute.execute("lead_conversion", {}, tmp_path / "out.ipynb")
    assert len(calls) == execute.KERNEL_STARTS

    def broken(*args, **kwargs):
        calls.append(1)
        raise RuntimeError("something else")

    calls.clear()
    monkeypatch.setattr(pm, "execute_notebook", broken)
    with pytest.raises(RuntimeError, match="something else"):
        execute.execute("lead_conversion", {}, tmp_path / "out.ipynb")
    assert len(calls) == 1
