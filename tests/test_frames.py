"""Fetching query results: each distinct query compiles once per backend, and runs on its own backend."""

from __future__ import annotations

import pandas as pd

from leadkit import compiled, frames
from leadkit.engines import connect, register
from leadkit.frames import fetch
from leadkit.model import CANONICAL_COLUMNS


def _leads(types: list[str]):
    given = {"lead_id": [str(i) for i in range(len(types))], "lead_type": types, "status_group": "new"}
    frame = pd.DataFrame({c: given.get(c) for c in CANONICAL_COLUMNS}, index=range(len(types)))
    return register(frame, connect())


def _per_type(t) -> pd.DataFrame:
    return fetch(t.group_by("lead_type").aggregate(n=t.count()).order_by("lead_type"))


def test_an_equal_query_is_compiled_once(monkeypatch):
    monkeypatch.delenv(compiled.CHECK_VARIABLE)  # (the check compiles every query in full)
    t = _leads(["Call", "Call", "Walk-in"])
    backend = t._find_backend()
    compiles = []
    original = type(backend).compile
    monkeypatch.setattr(type(backend), "compile", lambda self, *a, **k: compiles.append(1) or original(self, *a, **k))
    first, again = _per_type(t), _per_type(t)  # two expressions, built apart, equal
    assert len(compiles) == 1
    pd.testing.assert_frame_equal(first, again)
    assert first.to_dict("list") == {"lead_type": ["Call", "Walk-in"], "n": [2, 1]}


def test_each_backend_runs_its_own_data():
    # Ibis calls two in-memory DuckDB connections equal; a cached query must still run on its own one.
    one, two = _leads(["Call"]), _leads(["Walk-in", "Walk-in"])
    assert _per_type(one).to_dict("list") == {"lead_type": ["Call"], "n": [1]}
    assert _per_type(two).to_dict("list") == {"lead_type": ["Walk-in"], "n": [2]}


def test_the_compiled_queries_go_with_their_backend():
    t = _leads(["Call"])
    _per_type(t)
    assert len(vars(t._find_backend())[compiled.CACHE_ATTRIBUTE]) == 1


def test_the_installed_ibis_is_one_the_cache_was_written_for():
    assert frames._internals_known()  # else every query compiles on every call: read the new internals


def test_an_ibis_without_the_internals_gets_the_same_rows_its_own_way(monkeypatch):
    t = _leads(["Call", "Call", "Walk-in"])
    backend = t._find_backend()
    monkeypatch.setattr("ibis.__version__", "13.0.0")  # internals the cache leans on may have moved
    assert _per_type(t).to_dict("list") == {"lead_type": ["Call", "Walk-in"], "n": [2, 1]}
    assert compiled.CACHE_ATTRIBUTE not in vars(backend)  # its own to_pyarrow, not leadkit's compile cache
