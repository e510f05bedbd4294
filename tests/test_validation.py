"""Bad lead data: one error that lists every problem, with rows, values and what to do."""

from __future__ import annotations

import pytest
from conftest import MARCH_SOURCE, params_for

from leadkit.api import lead_conversion
from leadkit.exceptions import ValidationError
from leadkit.leads import load_leads


def load_text(tmp_path, text, **source):
    path = tmp_path / "leads.csv"
    path.write_text(text, encoding="utf-8")
    return load_leads(params_for({**MARCH_SOURCE, "path": str(path), **source}))


HEADER = "id,created,closed,type,status,manager,branch,order,sale,client\n"


def test_duplicate_ids_are_an_error_listing_them(tmp_path):
    text = HEADER + "A,2025-03-01,,Call,Won,Ann,,,,\nB,2025-03-01,,Call,Won,Ann,,,,\nA,2025-03-02,,Call,Lost,Ann,,,,\n"
    with pytest.raises(ValidationError) as err:
        load_text(tmp_path, text)
    assert "1 duplicate lead id(s): 'A' (rows 2, 4)" in str(err.value)
    assert "nothing is double-counted" in str(err.value)


def test_all_problems_are_reported_at_once(tmp_path):
    text = HEADER + (
        "1,2025-03-01,,Call,Won,Ann,,,,\n"
        "2,31/02/2025,,Call,Mystery,Ann,,,,\n"
        ",2025-03-01,,Call,Won,Ann,,,,\n"
        "4,2025-03-01,yesterday,Call,Other thing,Ann,,,,\n"
        "5,2025-03-01,,Call,Mystery,Ann,,,,\n"
    )
    with pytest.raises(ValidationError) as err:
        load_text(tmp_path, text)
    message = str(err.value)
    assert "'created' (created_at): unparseable dates in rows 3" in message
    assert "'closed' (closed_at): unparseable dates in rows 5" in message
    assert "'Mystery' (2 rows), 'Other thing' (1 rows)" in message
    assert "1 row(s) with an empty lead_id (rows 4)" in message
    assert "source.status_groups" in message and "source.date_format" in message
    assert err.value.problems and len(err.value.problems) == 4


def test_missing_columns_list_what_the_file_has(tmp_path):
    with pytest.raises(ValidationError) as err:
        load_text(tmp_path, "id,created,state\n1,2025-03-01,Won\n")
    message = str(err.value)
    assert "column 'status' (mapped to status) is not in" in message and "'state'" in message


def test_status_mapping_ignores_case_and_spacing(tmp_path):
    leads = load_text(
        tmp_path, HEADER + "1,2025-03-01,,Call,  successful   ORDER ,Ann,,,,\n2,2025-03-01,,call,won,ann,,,,\n"
    )
    result = lead_conversion(leads)
    assert result.total["won"] == 2 and result.total["orders"] == 1
    # spellings that differ only by case merge under the most frequent one (ties: first in sort order)
    assert sorted(result.rows["lead_type"]) == ["Call"]


def test_converted_flag_and_status_group_column(tmp_path):
    path = tmp_path / "flags.csv"
    path.write_text("id,stage,conv\n1,6,1\n2,7,0\n3,2,\n4,2,maybe\n", encoding="utf-8")
    source = {"kind": "file", "path": str(path), "columns": {"lead_id": "id", "status_group": "stage", "converted": "conv"},
              "status_group_values": {"6": "won", "7": "lost", "2": "in_progress"}}  # fmt: skip
    with pytest.raises(ValidationError, match="neither true nor false in rows 5"):
        load_leads(params_for(source))
    path.write_text("id,stage,conv\n1,6,1\n2,7,0\n3,2,\n4,2,yes\n", encoding="utf-8")
    total = lead_conversion(load_leads(params_for(source))).total
    assert (total["converted"], total["won"], total["lost"], total["open"]) == (2, 2, 1, 1)


def test_semicolon_tab_delimiters_and_decimal_comma_flags(tmp_path):
    path = tmp_path / "flags.tsv"
    path.write_text("id\tstatus\tconv\n1\tWon\t1,00\n2\tLost\t0,00\n3\tLost\t\n", encoding="utf-8")
    source = {"kind": "file", "path": str(path), "delimiter": "tab", "decimal": ",",
              "columns": {"lead_id": "id", "converted": "conv"}, "status_groups": {"Won": "won", "Lost": "lost"}}  # fmt: skip
    total = lead_conversion(load_leads(params_for(source))).total
    assert (total["leads"], total["converted"], total["lost"]) == (3, 1, 2)


def test_pandas_and_engine_validators_word_each_problem_the_same():
    """One set of messages: the in-engine check says what the pandas one says, minus the rows."""
    import re

    import ibis
    import pandas as pd

    from leadkit.model import CANONICAL_COLUMNS, ROW
    from leadkit.sources.validate import problems_in, table_problems

    frame = pd.DataFrame({c: pd.Series([None] * 4, dtype="string") for c in CANONICAL_COLUMNS})
    frame["created_at"] = pd.Timestamp("2025-03-01")
    frame["closed_at"] = pd.NaT
    frame["converted"] = pd.Series([False] * 4, dtype="boolean")
    frame["lead_id"] = pd.Series(["A", "A", None, "B"], dtype="string")
    frame["status_group"] = pd.Series(["won", "won", "lost", "archived"], dtype="string")
    in_pandas = problems_in(frame.assign(**{ROW: [2, 3, 4, 5]}))
    in_engine = table_problems(ibis.duckdb.connect().create_table("t", frame))

    def plain(problems):  # drop where each validator says the rows are: source rows, or a count
        return [re.sub(r" \((rows [\d, ]+|\d+ rows)\)", "", p) for p in problems]

    assert len(in_pandas) == 3 and plain(in_pandas) == plain(in_engine)
    assert "1 row(s) with an empty lead_id (rows 4)" in in_pandas
    assert any("1 row(s) with status_group values ['archived'] (rows 5)" in p for p in in_pandas)
