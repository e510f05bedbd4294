"""The batch's two stages: a notebook's rendering overlaps the next notebook, and nothing is lost or hidden."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from leadkit.pipeline.batch import drive

WAIT = 10  # seconds a stage waits for the other before the test calls it serial


def jobs(n: int, formats: tuple[str, ...] = ("html", "pdf", "xlsx")) -> list[dict]:
    return [{"label": f"2025-{i + 1:02d}", "report": "lost_leads", "formats": list(formats)} for i in range(n)]


def run_all(batch: list[dict], run, render) -> dict[str, dict]:
    outcomes: dict[str, dict] = {}

    def done(job: dict, outcome: dict) -> None:
        assert job["label"] not in outcomes, "a job was reported twice"
        outcomes[job["label"]] = outcome

    with ThreadPoolExecutor(1) as notebooks, ThreadPoolExecutor(1) as renders:
        drive(batch, notebooks, renders, done, run=run, render=render)
    return outcomes


def test_rendering_a_notebook_overlaps_the_next_notebook():
    second_started = threading.Event()

    def run(job):
        if job["label"] == "2025-02":
            second_started.set()
        return {"error": None, "timings": {"compute": 1.0}}

    def render(job):
        if job["label"] == "2025-01":  # the one notebook worker is free: it must take the next notebook now
            assert second_started.wait(WAIT), "the next notebook waited for this one's PDF"
        return {"error": None, "timings": {"html": 0.5, "pdf": 2.0}}

    outcomes = run_all(jobs(3), run, render)
    assert sorted(outcomes) == ["2025-01", "2025-02", "2025-03"]
    assert all(o["error"] is None for o in outcomes.values())
    assert outcomes["2025-01"]["timings"] == {"compute": 1.0, "html": 0.5, "pdf": 2.0}  # both stages' seconds


def test_a_render_error_surfaces_and_a_failed_notebook_is_not_rendered():
    rendered = []

    def run(job):
        failed = job["label"] == "2025-02"
        return {"error": "lost_leads notebook failed: broken" if failed else None, "timings": {}}

    def render(job):
        rendered.append(job["label"])
        if job["label"] == "2025-03":
            return {"error": "OSError: disk full", "timings": {"html": 0.1}}
        return {"error": None, "timings": {}}

    outcomes = run_all(jobs(3), run, render)
    assert rendered == ["2025-01", "2025-03"]
    assert outcomes["2025-02"]["error"] == "lost_leads notebook failed: broken"
    assert outcomes["2025-03"]["error"] == "OSError: disk full"
    assert outcomes["2025-01"]["error"] is None


def test_excel_only_needs_no_render_stage():
    def render(job):
        raise AssertionError("nothing to render for Excel only")

    outcomes = run_all(jobs(2, ("xlsx",)), lambda job: {"error": None, "timings": {"excel": 1.0}}, render)
    assert [o["timings"] for o in outcomes.values()] == [{"excel": 1.0}, {"excel": 1.0}]


def test_a_crashed_stage_is_not_swallowed():
    def run(job):
        raise MemoryError("the worker died")

    with pytest.raises(MemoryError):
        run_all(jobs(1), run, lambda job: {"error": None, "timings": {}})
