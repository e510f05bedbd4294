"""Lead lists: the report's order, pages kept once fetched, batches for files, groups and their heads."""

from __future__ import annotations

import ibis
import pandas as pd
import pytest

from leadkit.results.lists import LeadList

# Six leads of two managers, given out of order; "C" is a manager the counts know but the rows lack.
ROWS = [
    ("L4", "2025-03-04", "Bob", "Call"),
    ("L1", "2025-03-01", "Ann", "Website"),
    ("L6", "2025-03-02", "Ann", "Call"),
    ("L3", "2025-03-03", "Bob", "Walk-in"),
    ("L2", "2025-03-02", "Ann", "Call"),
    ("L5", "2025-03-05", "Bob", None),
]
COUNTS = {"Ann": 3, "Bob": 3, "C": 0}


@pytest.fixture(scope="module")
def con():
    con = ibis.duckdb.connect()
    frame = pd.DataFrame(ROWS, columns=["lead_id", "created_at", "manager", "lead_type"])
    frame["created_at"] = pd.to_datetime(frame["created_at"])
    con.create_table("leads", frame)
    # the manager column as an ENUM, as leadkit stores low-cardinality text in DuckDB
    con.raw_sql("CREATE TABLE enum_leads AS SELECT lead_id, created_at, CAST(manager AS ENUM('Ann', 'Bob')) AS manager,"
                " lead_type FROM leads")  # fmt: skip
    return con


def plain(con, order=("created_at", "lead_id")) -> LeadList:
    return LeadList(con.table("leads"), order, 6)


def grouped(con, table="leads") -> LeadList:
    return LeadList(con.table(table), ("created_at", "lead_id"), 6, "manager", COUNTS)


def ids(frame: pd.DataFrame) -> list[str]:
    return frame["lead_id"].tolist()


def test_size_and_columns_come_without_a_query(con, count_queries):
    counted = count_queries()
    leads = plain(con)
    assert len(leads) == 6 and not leads.empty and LeadList(con.table("leads"), ("lead_id",), 0).empty
    assert leads.columns == ["lead_id", "created_at", "manager", "lead_type"]
    assert counted() == 0


def test_rows_come_in_the_report_order_ties_broken_by_the_next_key(con):
    assert ids(plain(con).to_pandas()) == ["L1", "L2", "L6", "L3", "L4", "L5"]
    assert ids(plain(con, ("lead_id",)).head(3)) == ["L1", "L2", "L3"]


def test_a_grouped_list_orders_within_each_group(con):
    assert ids(grouped(con).to_pandas()) == ["L1", "L2", "L6", "L3", "L4", "L5"]
    assert grouped(con).to_pandas()["manager"].tolist() == ["Ann"] * 3 + ["Bob"] * 3


def test_a_page_is_fetched_once(con, count_queries):
    leads = plain(con)
    counted = count_queries()
    first = leads.head(2)
    assert ids(first) == ["L1", "L2"] and counted() == 1
    assert leads.head(2) is first and counted() == 1  # drawn again (another language): no query
    assert ids(leads.head(4)) == ["L1", "L2", "L6", "L3"] and counted() == 2


def test_batches_hold_every_row_in_order_and_enums_as_text(con):
    batches = list(grouped(con, "enum_leads").batches(rows=4))
    assert [len(b) for b in batches] == [4, 2]
    whole = pd.concat(batches, ignore_index=True)
    assert ids(whole) == ["L1", "L2", "L6", "L3", "L4", "L5"]
    assert whole["manager"].tolist() == ["Ann"] * 3 + ["Bob"] * 3
    assert not isinstance(whole["manager"].dtype, pd.CategoricalDtype)  # ENUM decoded, like every other list


def test_an_empty_list_yields_no_batch(con):
    none = LeadList(con.table("leads").filter(ibis._.manager == "C"), ("lead_id",), 0)
    assert list(none.batches()) == [] and none.to_pandas().empty


def test_one_group_without_its_column(con, count_queries):
    leads = grouped(con)
    bob = leads.where("Bob")
    assert len(bob) == 3 and bob.columns == ["lead_id", "created_at", "lead_type"]
    assert ids(bob.to_pandas()) == ["L3", "L4", "L5"]
    counted = count_queries()
    assert leads.where("Bob") is bob and counted() == 0
    nobody = leads.where("C")
    assert len(nobody) == 0 and nobody.to_pandas().empty
    assert len(leads.where("not a manager")) == 0


def test_heads_of_every_group_in_one_query(con, count_queries):
    leads = grouped(con)
    counted = count_queries()
    heads = leads.heads(2)
    assert counted() == 1
    assert list(heads) == ["Ann", "Bob", "C"]  # every counted group, in the counts' order
    assert ids(heads["Ann"]) == ["L1", "L2"] and ids(heads["Bob"]) == ["L3", "L4"]
    assert heads["C"].empty and list(heads["C"].columns) == ["lead_id", "created_at", "lead_type"]
    assert list(heads["Ann"].index) == [0, 1]
    assert leads.heads(2) is heads and counted() == 1


def test_groups_of_a_list_without_groups_are_an_error(con):
    with pytest.raises(ValueError, match="no groups"):
        plain(con).where("Ann")
    with pytest.raises(ValueError, match="no groups"):
        plain(con).heads(1)
