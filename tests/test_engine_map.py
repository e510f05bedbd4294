"""A file mapped in DuckDB gives the very table the pandas mapping gives, or leaves the file to pandas.

``sources.engine_map`` is a fast path: wherever it answers, its canonical table must equal
the pandas path's in types, values, NULLs and row order; wherever the pandas path has a
problem to report, it must step aside so that the message is the pandas path's own.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pytest
from conftest import HOSTILE_SOURCE, MARCH_SOURCE, ROOT, params_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadkit.engines import ARROW_SCHEMA
from leadkit.exceptions import LeadkitError
from leadkit.model import MISSING_MARKERS
from leadkit.params import Params, load_params
from leadkit.sources import demo, engine_query, read_source
from leadkit.sources.data import SourceData
from leadkit.sources.engine_map import map_in_engine
from leadkit.sources.mapping import MappingSpec
from leadkit.sources.validate import validated
from leadkit.sqltext import enum_type

FACTS = ("label", "rows_read", "no_reason_statuses", "dated", "cleaned_values")
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def both_paths(params: Params) -> tuple[SourceData | None, SourceData | Exception]:
    """The engine's result (None where it stepped aside) and the pandas path's (or its error)."""
    try:
        slow: SourceData | Exception = read_source(params)
    except LeadkitError as exc:
        slow = exc
    with duckdb.connect() as con:
        try:
            fast = read_source(params, engine=con)
        except LeadkitError as exc:  # (the engine stepped aside, and the pandas path refused the file)
            assert isinstance(slow, LeadkitError) and str(exc) == str(slow)
            return None, slow
        if fast.rows is None:
            return None, slow
        rows = _decoded(fast.rows.to_arrow_table())
    return SourceData(rows, *(getattr(fast, f) for f in FACTS), values=fast.values), slow  # type: ignore[arg-type]


def _decoded(rows: pa.Table) -> pa.Table:
    """The mapped rows with their ENUM columns (repeated text, as the cache stores it) as plain text.

    Only those: any other type must already be the canonical one.
    """
    for i, name in enumerate(rows.column_names):
        if pa.types.is_dictionary(rows.schema.field(name).type):
            rows = rows.set_column(i, name, rows[name].cast(pa.string()))
    return rows


def assert_same(params: Params) -> bool:
    """The engine's table equals the pandas path's wherever the engine answers; True when it did."""
    fast, slow = both_paths(params)
    if fast is None:
        return False
    assert not isinstance(slow, Exception), f"the engine mapped a file pandas refuses: {slow}"
    expected = pa.Table.from_pandas(slow.frame, preserve_index=False).cast(ARROW_SCHEMA)
    assert fast.frame.schema == expected.schema
    assert fast.frame.to_pandas().equals(expected.to_pandas()), _first_difference(fast.frame, expected)
    assert fast.frame.equals(expected)
    assert [getattr(fast, f) for f in FACTS] == [getattr(slow, f) for f in FACTS]
    for name, values in fast.values.items():  # (the cache's ENUMs are declared from them: exactly the column's)
        assert set(values) == set(expected[name].drop_null().unique().to_pylist()), name
        assert len(values) == len(set(values)), name
    assert {"lead_type", "manager", "status", "status_group"} <= set(fast.values)
    return True


def _first_difference(got: pa.Table, expected: pa.Table) -> str:
    for name in expected.column_names:
        if not got[name].equals(expected[name]):
            a, b = got[name].to_pylist(), expected[name].to_pylist()
            i = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
            return f"column {name}, row {i}: {a[i : i + 3]} vs {b[i : i + 3]}"
    return "equal columns"


def _file_params() -> list[Path]:
    found = []
    for path in sorted((ROOT / "params").glob("*.yaml")):
        if load_params(path).source.kind == "file":
            found.append(path)
    return found


@pytest.mark.parametrize("path", _file_params(), ids=lambda p: p.stem)
def test_every_shipped_file_source_maps_alike(path):
    assert_same(load_params(path))


def test_the_fixture_files_map_alike_in_the_engine():
    assert assert_same(params_for(MARCH_SOURCE))  # the clean hand-checked file is mapped in the engine
    assert not assert_same(params_for(HOSTILE_SOURCE))  # a control character cleaned: the pandas path says so


def _demo(rows: int) -> pd.DataFrame:
    frame = validated(demo.generate(rows, 7, pd.Timestamp("2024-01-01").date(), pd.Timestamp("2025-06-30").date()), "d")
    return frame.astype({c: "string" for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)})


def test_canonical_csv_and_parquet_map_in_the_engine(tmp_path):
    frame = _demo(3000)
    frame.to_parquet(tmp_path / "leads.parquet", index=False)
    frame.to_csv(tmp_path / "leads.csv", index=False)
    for name in ("leads.parquet", "leads.csv"):
        assert assert_same(params_for({"kind": "file", "path": str(tmp_path / name)})), name


def test_a_russian_export_with_its_own_date_format_maps_in_the_engine(tmp_path):
    frame = _demo(2000)
    russian = pd.DataFrame({
        "Номер": frame["lead_id"],
        "Создано": frame["created_at"].dt.strftime("%d.%m.%Y %H:%M"),
        "Закрыто": frame["closed_at"].dt.strftime("%d.%m.%Y %H:%M"),
        "Тип": frame["lead_type"].str.upper().where(frame.index % 7 == 0, frame["lead_type"]),  # spellings to unify
        "Статус": frame["status"] + "  ",  # white space to clean
        "Менеджер": frame["manager"],
        "Оплачено": frame["converted"].map({True: "да", False: "нет"}),
    })  # fmt: skip
    path = tmp_path / "leads.csv"
    russian.to_csv(path, sep=";", index=False)
    groups = {"New lead": "new", "In work": "in_progress", "Successful order": "won", "Successful sale": "won",
              "Expensive": "lost", "Canceled": "lost", "Mishandling": "lost", "Waiting": "pending", "Too long": "lost",
              "Slow reply": "lost", "Lost": "lost", "Waiting for client": "pending"}  # fmt: skip
    source = {
        "kind": "file", "path": str(path), "date_format": "%d.%m.%Y %H:%M", "true_values": ["да"],
        "false_values": ["нет"], "status_groups": groups, "status_results": {"Successful order": "order"},
        "columns": {"lead_id": "Номер", "created_at": "Создано", "closed_at": "Закрыто", "lead_type": "Тип",
                    "status": "Статус", "manager": "Менеджер", "converted": "Оплачено"},
    }  # fmt: skip
    assert assert_same(params_for(source))


# Per column: values pandas maps without a word (white space, case, Cyrillic, blanks), and values
# it has a word about (invisible characters cleaned, unknown statuses, bad flags, impossible dates).
TYPES = (["Call", "call", " Call", "Website", "Walk-in", "", "Звонок", "ЗВОНОК", "N/A", "Web  site"],
         ["Call\u200b", "Cafe\u0301"])  # fmt: skip
STATUSES = (
    ["New lead", "new lead", "In work", "Won", "WON", "Lost", "Canceled", "Expensive ", ""],
    ["Unknown", "Won\x00"],
)
GROUPS = (["", "won", "Lost", "in progress", "IN_PROGRESS", "7"], ["maybe"])
FLAGS = (["", "1", "0", "yes", "no", "1,0", "0.00", "true", "TRUE "], ["perhaps"])
CLIENTS = (["Ann", "Ann ", "Анна", "", "x\ty", "A  B"], ["Ann\u200b"])
IDS = (["{i}", "L{i}", " {i}", "{i} ", "L {i}", "L  {i}", "Л{i}"], ["{i}\u200b", "", "L0"])
# A date format (None: ISO 8601), how its dates are written, and forms only pandas reads.
DATE_FORMS = {
    None: (["%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S.%f"], ["%Y-%m-%d %H:%M:%S+03:00"]),
    "%Y-%m-%d %H:%M:%S": (["%Y-%m-%d %H:%M:%S"], ["%Y-%m-%d %H:%M"]),
    "%d.%m.%Y %H:%M": (["%d.%m.%Y %H:%M"], ["%-d.%-m.%Y %H:%M"]),
    "%Y-%m-%d": (["%Y-%m-%d"], ["%Y%m%d"]),
}
BAD_DATES = ["2025-02-30", "31.02.2025 10:00", "2025-03-01 24:00:00", "1740823200", " 2025-03-01", "soon"]


@st.composite
def export_files(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """A small CSV export (text) and the source settings that read it; most map without a word."""
    n = draw(st.integers(1, 25))
    dirty, bad = draw(st.booleans()), draw(st.integers(0, 3)) == 0

    def pick(values: tuple[list[str], list[str]], plain: str) -> str:
        if bad and draw(st.integers(0, 9)) == 0:
            return draw(st.sampled_from(values[1]))
        return draw(st.sampled_from(values[0])) if dirty and draw(st.booleans()) else plain

    date_format = draw(st.sampled_from(list(DATE_FORMS)))
    forms = DATE_FORMS[date_format]

    def date() -> str:
        if bad and draw(st.integers(0, 9)) == 0:
            return draw(st.sampled_from(BAD_DATES + forms[1]))
        when = pd.Timestamp("2025-01-01") + pd.Timedelta(seconds=draw(st.integers(0, 10**8)))
        return when.strftime(draw(st.sampled_from(forms[0])))

    kinds = {name: draw(st.booleans()) for name in ("group", "flag", "closed", "client")}
    rows = []
    for i in range(n):
        row = {"id": pick(IDS, "L{i}").format(i=i), "created": date(), "type": pick(TYPES, "Call"),
               "status": pick(STATUSES, "Won")}  # fmt: skip
        if kinds["group"]:
            row["group"] = pick(GROUPS, "won")
        if kinds["flag"]:
            row["paid"] = pick(FLAGS, "1")
        if kinds["closed"]:
            row["closed"] = date() if draw(st.booleans()) else ""
        if kinds["client"]:
            row["client"] = pick(CLIENTS, f"C{i}")
        rows.append(row)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    columns = {"lead_id": "id", "created_at": "created", "lead_type": "type", "status": "status"}
    columns |= {canon: col for canon, col in (("status_group", "group"), ("converted", "paid"), ("closed_at", "closed"),
                                              ("client", "client")) if col in rows[0]}  # fmt: skip
    source: dict[str, Any] = {
        "kind": "file", "columns": columns, "na_values": ["N/A"], "true_values": ["yes", "true"], "false_values": ["no"],
        "status_groups": {"New lead": "new", "In work": "in_progress", "Won": "won", "Lost": "lost", "Canceled": "lost",
                          "Expensive": "lost", "(not set)": "pending"},
        "status_group_values": {"7": "lost"}, "status_results": {"Won": "sale"},
        "replace": draw(st.sampled_from([{}, {"lead_type": {"Website": "Web"}}, {"client": {"Ann": "Anna"}}])),
    }  # fmt: skip
    if date_format:
        source["date_format"] = date_format
    return out.getvalue(), source


@SETTINGS
@given(export_files())
def test_generated_exports_map_alike_or_go_to_pandas(tmp_path_factory, export):
    text, source = export
    path = tmp_path_factory.mktemp("export") / "leads.csv"
    path.write_text(text, encoding="utf-8")
    assert_same(params_for({**source, "path": str(path)}))


@SETTINGS
@given(st.data())
def test_generated_parquet_maps_alike_or_goes_to_pandas(tmp_path_factory, data):
    text, source = data.draw(export_files())
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_values=[""])
    if data.draw(st.booleans()):  # typed columns, as a database export writes them
        frame["created"] = pd.to_datetime(frame["created"], format="ISO8601", errors="coerce").astype("datetime64[us]")
    path = tmp_path_factory.mktemp("export") / "leads.parquet"
    frame.to_parquet(path, index=False)
    assert_same(params_for({**source, "path": str(path)}))


def test_blank_and_duplicate_ids_and_bad_dates_are_left_to_pandas(tmp_path):
    for body in ("L1,2025-03-01,Won\nL1,2025-03-02,Won\n", ",2025-03-01,Won\n", "L1,2025-13-01,Won\n",
                 "L1,2025-03-01,Maybe\n", "L1,2025-02-30,Won\n", "L1,2025-02-29 10:00,Won\n"):  # fmt: skip
        path = tmp_path / "leads.csv"
        path.write_text("id,created,status\n" + body, encoding="utf-8")
        source = {"kind": "file", "path": str(path), "status_groups": {"Won": "won"},
                  "columns": {"lead_id": "id", "created_at": "created", "status": "status"}}  # fmt: skip
        fast, slow = both_paths(params_for(source))
        assert fast is None and isinstance(slow, LeadkitError), body


def test_a_day_that_does_not_exist_in_the_declared_format_is_left_to_pandas(tmp_path):
    path = tmp_path / "leads.csv"
    path.write_text("id;created;status\nL1;28.02.2025 10:00;Won\nL2;30.02.2025 10:00;Won\n", encoding="utf-8")
    source = {"kind": "file", "path": str(path), "status_groups": {"Won": "won"}, "date_format": "%d.%m.%Y %H:%M",
              "columns": {"lead_id": "id", "created_at": "created", "status": "status"}}  # fmt: skip
    fast, slow = both_paths(params_for(source))
    assert fast is None and isinstance(slow, LeadkitError) and "rows 3" in str(slow), slow


def test_a_large_file_whose_values_are_joined_keeps_the_file_order(tmp_path):
    n = 250_000  # (more than one DuckDB row group, so the join runs in parallel and may shuffle rows)
    ids = pd.Series([f"L{i}" for i in range(n)])
    frame = pd.DataFrame({
        "id": ids.where(ids.index % 3 > 0, " " + ids),  # values outside the plain form go through Python...
        "created": "2025-03-01 10:00:00",
        "status": "Won",
        "client": [f"Клиент {i % 5000}" for i in range(n)],  # ...and are joined back
    })  # fmt: skip
    frame.to_csv(tmp_path / "leads.csv", index=False)
    source = {"kind": "file", "path": str(tmp_path / "leads.csv"), "status_groups": {"Won": "won"},
              "columns": {"lead_id": "id", "created_at": "created", "status": "status", "client": "client"}}  # fmt: skip
    assert assert_same(params_for(source))


def test_a_file_left_to_pandas_leaves_no_lookup_table_in_the_connection(tmp_path):
    path = tmp_path / "leads.csv"  # an id outside the plain form is joined, then an unmapped status declines
    path.write_text("id,status\nЛид 1,Won\nЛид 2,Maybe\n", encoding="utf-8")
    spec = MappingSpec(columns={"lead_id": "id", "status": "status"}, status_groups={"Won": "won"})
    with duckdb.connect() as con:
        assert map_in_engine(con, path, "csv", spec) is None
        assert con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall() == []


def test_a_file_declared_in_another_encoding_is_left_to_pandas(tmp_path):
    path = tmp_path / "leads.csv"  # valid UTF-8 declared cp1251: files.decode refuses it, DuckDB would not
    path.write_text("id,status\nL1,Выиграна\n", encoding="utf-8")
    source = {"kind": "file", "path": str(path), "encoding": "cp1251", "status_groups": {"Выиграна": "won"},
              "columns": {"lead_id": "id", "status": "status"}}  # fmt: skip
    fast, slow = both_paths(params_for(source))
    assert fast is None and isinstance(slow, LeadkitError) and "source.encoding says 'cp1251'" in str(slow)


def test_values_joined_instead_of_listed_map_alike(tmp_path, monkeypatch):
    monkeypatch.setattr(engine_query, "MAX_LISTED", 0)  # (more combinations of keys than constant lists hold)
    path = tmp_path / "leads.csv"
    path.write_text("id,status,group,manager,paid\nL1,Won,won,Ann,yes\nL2,,lost,ann,\nL3,Lost,,,no\n"
                    "L4,won,won,Bob,yes\nL5,,new,ANN,\n", encoding="utf-8")  # fmt: skip
    source = {"kind": "file", "path": str(path), "status_groups": {"Lost": "lost"}, "true_values": ["yes"],
              "false_values": ["no"], "columns": {"lead_id": "id", "status": "status", "status_group": "group",
                                                  "manager": "manager", "converted": "paid"}}  # fmt: skip
    assert assert_same(params_for(source))


def test_rows_kept_in_the_engine_have_no_pandas_frame_to_mistake_for_an_empty_one(tmp_path):
    _demo(300).to_csv(tmp_path / "leads.csv", index=False)
    with duckdb.connect() as con:
        data = read_source(params_for({"kind": "file", "path": str(tmp_path / "leads.csv")}), engine=con)
        assert data.rows is not None and data.frame is None
        with pytest.raises(TypeError, match="in the engine"):
            data.pandas()


def test_repeated_text_is_mapped_to_an_enum_of_exactly_its_values(tmp_path):
    """The cache stores such columns as ENUMs: the mapping makes them so, without a text per row."""
    frame = _demo(3000)
    frame.loc[::7, "manager"] = None  # (blank cells get the marker, one of the ENUM's values)
    frame.to_csv(tmp_path / "leads.csv", index=False)
    with duckdb.connect() as con:
        found = read_source(params_for({"kind": "file", "path": str(tmp_path / "leads.csv")}), engine=con)
        assert found.rows is not None
        types = dict(zip(found.rows.columns, (str(t) for t in found.rows.types), strict=True))
        for name in ("lead_type", "manager", "branch", "status", "status_group"):
            assert types[name] == enum_type(found.values[name]), name
            (held,) = found.rows.aggregate(f"list(DISTINCT {name}::VARCHAR) FILTER ({name} IS NOT NULL)").fetchall()
            assert set(held[0]) == set(found.values[name]), name  # the values the rows hold, not one label more
        assert MISSING_MARKERS["manager"] in found.values["manager"]
        assert types["lead_id"] == "VARCHAR" and types["created_at"] == "TIMESTAMP"
