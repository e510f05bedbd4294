"""Per-lead flags: DOMAIN.md's definitions of won, lost, open, into orders / sales, converted and reason."""

from __future__ import annotations

import ibis
import pytest

from leadkit.flags import annotate
from leadkit.frames import fetch
from leadkit.model import NO_REASON

SCHEMA = {"lead_id": "string", "status": "string", "status_group": "string", "order_id": "string",
          "sale_id": "string", "status_result": "string", "converted": "boolean"}  # fmt: skip
FLAGS = ["is_won", "is_lost", "is_open", "has_order", "has_sale", "is_converted"]

# lead, status, group, order, sale, status_result, converted → won, lost, open, order, sale, converted, reason
CASES = [
    ("won with an order", "Successful order", "won", "O1", None, "order", None,
     (True, False, False, True, False, True, "Successful order")),
    ("won with both", "Successful sale", "won", "O2", "S2", "sale", None,
     (True, False, False, True, True, True, "Successful sale")),
    ("won, no ids, mapped to sale", "Successful sale", "won", None, None, "sale", None,
     (True, False, False, False, True, True, "Successful sale")),
    ("won, no ids, mapped to order", "Successful order", "won", None, None, "order", None,
     (True, False, False, True, False, True, "Successful order")),
    ("won, no ids, no mapping", "Won", "won", None, None, None, None,
     (True, False, False, False, False, True, "Won")),
    ("an order id beats a sale mapping", "Successful sale", "won", "O6", None, "sale", None,
     (True, False, False, True, False, True, "Successful sale")),
    ("lost but an order was made", "Canceled", "lost", "O7", None, None, None,
     (False, True, False, True, False, True, "Canceled")),
    ("lost: a mapping places only won leads", " Expensive ", "lost", None, None, "order", None,
     (False, True, False, False, False, False, "Expensive")),
    ("new, marked converted by the source", "New lead", "new", None, None, None, True,
     (False, False, True, False, False, True, "New lead")),
    ("pending, converted false", "Waiting", "pending", None, None, None, False,
     (False, False, True, False, False, False, "Waiting")),
    ("in progress", "In work", "in_progress", None, None, None, None,
     (False, False, True, False, False, False, "In work")),
    ("no group at all", "Odd", None, None, None, None, None,
     (False, False, False, False, False, False, "Odd")),
    ("blank status", "   ", "lost", None, None, None, None,
     (False, True, False, False, False, False, NO_REASON)),
    ("null status", None, "lost", None, None, None, None,
     (False, True, False, False, False, False, NO_REASON)),
    ("the not-set marker", "(NOT SET)", "lost", None, None, None, None,
     (False, True, False, False, False, False, NO_REASON)),
    ("a generic status of this source, any case", " LOST ", "lost", None, None, None, None,
     (False, True, False, False, False, False, NO_REASON)),
]  # fmt: skip


@pytest.fixture(scope="module")
def annotated():
    rows = [dict(zip(SCHEMA, case[:7], strict=True)) for case in CASES]
    table = ibis.memtable(rows, schema=SCHEMA)
    frame = fetch(annotate(table, no_reason=("Lost",)))
    return frame.set_index("lead_id")


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_each_lead_gets_the_flags_the_definitions_give(annotated, case):
    row = annotated.loc[case[0]]
    *flags, reason = case[7]
    assert [bool(row[f]) for f in FLAGS] == flags
    assert row["reason"] == reason


def test_flags_are_never_null(annotated):
    assert not annotated[[*FLAGS, "reason"]].isna().any().any()


def test_without_generic_statuses_a_status_named_lost_is_its_own_reason():
    table = ibis.memtable([dict.fromkeys(SCHEMA) | {"lead_id": "x", "status": "Lost", "status_group": "lost"}],
                          schema=SCHEMA)  # fmt: skip
    assert fetch(annotate(table))["reason"].tolist() == ["Lost"]
