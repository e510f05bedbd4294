"""A query of a known shape is filled in with its values, never compiled again, and is the query Ibis compiles."""

from __future__ import annotations

from datetime import datetime

import ibis
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadkit import compiled
from leadkit.engines import connect, register
from leadkit.frames import fetch
from leadkit.model import CANONICAL_COLUMNS

NAMES = ["Ann", "O'Brien", 'say "hi"', "back\\slash", "Ёлка", "__leadkit_parameter_0__", "a\nb", "%_"]


@pytest.fixture(scope="module")
def leads():
    rows = 64
    given_ = {
        "lead_id": [str(i) for i in range(rows)],
        "created_at": pd.date_range("2025-01-01", periods=rows, freq="5D"),
        "manager": [NAMES[i % len(NAMES)] for i in range(rows)],
        "lead_type": ["Call", "Walk-in"] * (rows // 2),
        "status_group": "new",
    }
    frame = pd.DataFrame({c: given_.get(c) for c in CANONICAL_COLUMNS}, index=range(rows))
    return register(frame, connect())


def _query(t, lo: datetime, hi: datetime, managers: list[str]):
    kept = t.filter((t.created_at >= lo) & (t.created_at < hi) & t.manager.isin(managers))
    return kept.group_by("manager").aggregate(n=kept.count()).order_by("manager")


def _expected(t, lo, hi, managers) -> dict[str, int]:
    rows = t.execute()
    rows = rows[(rows.created_at >= lo) & (rows.created_at < hi) & rows.manager.isin(managers)]
    return rows.groupby("manager")["lead_id"].count().to_dict()


def _counting(monkeypatch, backend) -> list[int]:
    compiles: list[int] = []
    original = type(backend).compile
    monkeypatch.setattr(type(backend), "compile", lambda self, *a, **k: compiles.append(1) or original(self, *a, **k))
    return compiles


def test_another_period_and_managers_of_the_same_shape_are_filled_in_not_compiled(leads, monkeypatch):
    monkeypatch.delenv(compiled.CHECK_VARIABLE)  # (the check compiles every query in full)
    backend = leads._find_backend()
    asked = [
        (datetime(2025, 1, 1), datetime(2025, 7, 1), ["Ann", "%_"]),
        (datetime(2025, 3, 1), datetime(2025, 4, 1), ["O'Brien", "__leadkit_parameter_0__"]),
        (datetime(2025, 2, 1, 12, 30, 15), datetime(2026, 1, 1), ["Ёлка", "a\nb"]),
    ]
    expected = [_expected(leads, *a) for a in asked]
    compiles = _counting(monkeypatch, backend)
    for (lo, hi, managers), counts in zip(asked, expected, strict=True):
        got = fetch(_query(leads, lo, hi, managers))
        assert dict(zip(got.manager, got.n, strict=True)) == counts
    assert len(compiles) == 1  # the shape, once (as many managers each time: the list's length is in the shape)


def test_a_query_filled_in_is_the_text_a_full_compile_gives(leads):
    backend = leads._find_backend()
    for lo, hi, managers in [
        (datetime(2025, 1, 1), datetime(2025, 2, 1), ["a\nb", "%_"]),
        (datetime(2024, 12, 31, 23, 59, 59, 999999), datetime(2025, 12, 1), ['say "hi"', "back\\slash"]),
    ]:
        query = _query(leads, lo, hi, managers)
        assert compiled.sql_of(backend, query) == backend.compile(query)


@settings(max_examples=40, deadline=None)
@given(
    managers=st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=5),
    day=st.integers(min_value=0, max_value=400),
    seconds=st.integers(min_value=0, max_value=86_399),
)
def test_any_values_fill_in_as_ibis_compiles_them(leads, managers, day, seconds):
    backend = leads._find_backend()
    lo = datetime(2025, 1, 1) + pd.Timedelta(days=day, seconds=seconds)
    query = _query(leads, lo, datetime(2026, 6, 1), managers)
    assert compiled.sql_of(backend, query) == backend.compile(query)


def test_a_shape_whose_marks_do_not_all_show_compiles_in_full(leads):
    backend = leads._find_backend()
    shape, _, marks = compiled._shape(backend, _query(leads, datetime(2025, 1, 1), datetime(2025, 2, 1), ["Ann"]).op())
    assert len(marks) == 3 and compiled._template(backend, shape, marks).sql is not None
    assert compiled._template(backend, shape, [*marks, "'not in the query'"]).sql is None
    assert compiled._template(backend, shape, [*marks, marks[0][:-2]]).sql is None  # one mark inside another


def test_a_query_without_dates_or_texts_compiles_in_full(leads):
    backend = leads._find_backend()
    query = leads.aggregate(n=leads.count(), first=leads.created_at.min())
    assert compiled.sql_of(backend, query) == backend.compile(query)
    assert not any(t.sql for t in vars(backend)[compiled.SHAPES_ATTRIBUTE].values() if not t.marks)


def test_the_check_catches_a_fill_that_differs(leads, monkeypatch):
    backend = leads._find_backend()
    monkeypatch.setattr(compiled._Template, "fill", lambda self, texts: "SELECT 1")
    with pytest.raises(AssertionError, match="differs from its full compile"):
        compiled.sql_of(backend, _query(leads, datetime(2025, 5, 1), datetime(2025, 6, 1), ["Ann", "Bob"]))


def test_two_conditions_that_read_alike_are_written_once_as_ibis_writes_them(leads):
    # (a viewer allowed the very managers they picked: Ibis writes the two equal conditions once)
    backend = leads._find_backend()
    for picked, allowed in [(["Ann", "Ёлка"], ["Ann", "Ёлка"]), (["Ann"], ["Ann", "Ёлка"]), (["Ёлка"], ["Ёлка"])]:
        first = leads.filter(leads.manager.isin(picked))  # (two filters, merged into one WHERE as Ibis compiles)
        query = first.filter(first.manager.isin(allowed), first.lead_type == "Call")
        assert compiled.sql_of(backend, query) == backend.compile(query), (picked, allowed)
        assert len(fetch(query)) == sum(1 for i in range(64) if NAMES[i % len(NAMES)] in picked and i % 2 == 0)


def test_a_long_list_is_no_short_one_to_ibis(leads):
    # (Ibis merges two SELECTs only while the result stays simple, and an IN's length counts)
    backend = leads._find_backend()
    for n in (1, 10, 30):
        flagged = leads.mutate(f=leads.manager.isin([f"m{k}" for k in range(n)]))
        query = flagged.select(a=flagged.f, b=flagged.f & (flagged.lead_type == "Call"))
        assert compiled.sql_of(backend, query) == backend.compile(query), n


def test_no_text_of_the_data_passes_for_a_mark(leads):
    backend = leads._find_backend()
    made = compiled._shape(backend, _query(leads, datetime(2025, 1, 1), datetime(2025, 2, 1), ["x"]).op())[2]
    text_mark = next(m for m in made if m.startswith("'"))
    for value in ("__leadkit_parameter_0__", text_mark.strip("'"), "x"):
        queries = [
            leads.filter(leads.manager.isin([value, "x"]) | (leads.lead_type == value)),
            leads.filter(ibis.literal([value]).contains(leads.lead_type)),  # (an array's texts are no parameter)
            leads.filter(leads.created_at.date() == ibis.date(1001, 1, 1)),  # (nor a date made of whole numbers)
        ]
        for query in queries:
            assert compiled.sql_of(backend, query) == backend.compile(query), value
