"""Shared fixtures: the hand-checked March file, params builders and the real datasets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from leadkit.leads import Leads, load_leads
from leadkit.params import Params, parse_params

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
DATASETS = ROOT.parent / "shared" / "datasets"

MARCH_SOURCE: dict[str, Any] = {
    "kind": "file",
    "path": str(DATA / "march.csv"),
    "columns": {
        "lead_id": "id",
        "created_at": "created",
        "closed_at": "closed",
        "lead_type": "type",
        "status": "status",
        "manager": "manager",
        "branch": "branch",
        "order_id": "order",
        "sale_id": "sale",
        "client": "client",
    },
    "status_groups": {
        "New lead": "new",
        "In work": "in_progress",
        "Waiting": "pending",
        "Successful order": "won",
        "Successful sale": "won",
        "Won": "won",
        "Expensive": "lost",
        "Canceled": "lost",
        "Lost": "lost",
    },
    "status_results": {"Successful order": "order", "Successful sale": "sale"},
}


def params_for(source: dict[str, Any], **extra: Any) -> Params:
    return parse_params({"source": source, **extra}, "test params")


@pytest.fixture(scope="session")
def march() -> Leads:
    """Thirteen hand-checked leads around March 2025 (see tests/data/march.csv)."""
    return load_leads(params_for(MARCH_SOURCE))


@pytest.fixture(scope="session")
def datasets() -> Path:
    assert DATASETS.is_dir(), f"the shared datasets are expected at {DATASETS}"
    return DATASETS


@pytest.fixture(scope="session")
def march_batch(tmp_path_factory):
    """The March file through the whole pipeline: February and March 2025, every format."""
    from leadkit.periods import parse_period
    from leadkit.pipeline.batch import run_batch

    out = tmp_path_factory.mktemp("batch")
    periods = [parse_period("2025-02"), parse_period("2025-03")]
    summary = run_batch(params_for(MARCH_SOURCE), periods, out=out, show_progress=False)
    assert summary.ok, summary.failed
    return out, summary


HOSTILE_SOURCE: dict[str, Any] = {**MARCH_SOURCE, "path": str(DATA / "hostile.csv")}


@pytest.fixture(scope="session")
def hostile_batch(tmp_path_factory):
    """Script tags, formulas, control characters and Cyrillic through the pipeline, in Russian."""
    from leadkit.periods import parse_period
    from leadkit.pipeline.batch import run_batch

    out = tmp_path_factory.mktemp("hostile")
    summary = run_batch(params_for(HOSTILE_SOURCE, lang="ru"), [parse_period("2025-03")], out=out, show_progress=False)
    assert summary.ok, summary.failed
    return out / "2025-03"
