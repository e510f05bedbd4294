"""DuckDB reads a CSV export into the very cells and row numbers the pandas reader gives, or leaves it to pandas."""

from __future__ import annotations

import pandas as pd
import pytest

from leadkit.sources.engine_read import read_csv_engine
from leadkit.sources.files import read_csv

SAME = {
    "quoted delimiter and line break": 'id;name;note\n1;"a;b";"two\nlines"\n2;c;\n',
    "crlf, BOM and a blank line": '\ufeffid,name,x\r\n1, spaced ,""\r\n\r\n2,b,c\r\n',
    "empty last field on every row": "id,status,order\n1,Won,\n2,Lost,\n",
    "tab-separated": "id\tstatus\n1\tWon\n2\tN/A\n",
    "doubled quotes": 'id,name\n1,"say ""hi"""\n2,x\n',
}


@pytest.mark.parametrize("text", SAME.values(), ids=SAME.keys())
def test_duckdb_reads_the_cells_pandas_reads(tmp_path, text):
    path = tmp_path / "leads.csv"
    path.write_text(text, encoding="utf-8")
    engine = read_csv_engine(path, na_values=("N/A",))
    assert engine is not None  # read by DuckDB, not handed back
    pd.testing.assert_frame_equal(engine, read_csv(path, na_values=("N/A",)))


def test_a_cp1251_file_is_read_by_duckdb_from_a_utf8_copy(tmp_path):
    path = tmp_path / "leads.csv"
    path.write_bytes("Номер;Статус\n1;Дорого\n2;Успешный заказ\n".encode("cp1251"))
    engine = read_csv_engine(path)
    assert engine is not None
    assert engine["Статус"].tolist() == ["Дорого", "Успешный заказ"]
    pd.testing.assert_frame_equal(engine, read_csv(path))


UNEVEN = {
    "one row with a trailing delimiter": "id;status\n1;Won;\n2;Lost\n",
    "a short row": "id;status;manager\n1;Won;A\n2;Lost\n",
    "an empty header name": "id;;status\n1;x;Won\n",
    "a repeated header name": "id;id;status\n1;2;Won\n",
}


@pytest.mark.parametrize("text", UNEVEN.values(), ids=UNEVEN.keys())
def test_rows_duckdb_would_read_unlike_pandas_are_left_to_pandas(tmp_path, text):
    """DuckDB drops a trailing empty field and pads nothing silently here: pandas' checks name such rows."""
    path = tmp_path / "leads.csv"
    path.write_text(text, encoding="utf-8")
    try:
        found = read_csv_engine(path)
    except Exception as exc:  # the pandas checks ran on the way (the message is theirs)
        found = exc
    assert not isinstance(found, pd.DataFrame)


def test_a_large_file_is_read_in_a_database_of_its_own(tmp_path, monkeypatch):
    """(its memory goes back when the read ends; the cells are the same)"""
    from leadkit.sources import engine_read

    monkeypatch.setattr(engine_read, "OWN_DATABASE_BYTES", 0)
    path = tmp_path / "leads.csv"
    path.write_text(SAME["quoted delimiter and line break"], encoding="utf-8")
    pd.testing.assert_frame_equal(read_csv_engine(path), read_csv(path))


@pytest.mark.parametrize("name", ["x?.csv", "leads [2025].csv", "x*.csv", "x{1,2}.csv"])
def test_a_file_name_duckdb_would_take_as_a_pattern_reads_that_file_only(tmp_path, name):
    from leadkit.sources.files import read_file

    for other in ("x1.csv", "x2.csv", "leads 2.csv"):
        (tmp_path / other).write_text("id,status\nOTHER,Won\n", encoding="utf-8")
    path = tmp_path / name
    path.write_text("id,status\nMINE,Lost\n", encoding="utf-8")
    assert read_csv_engine(path) is None  # left to pandas, which reads exactly this file
    assert read_file(path)["id"].tolist() == ["MINE"]
