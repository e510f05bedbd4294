"""Per-lead flags: DOMAIN.md's definitions as Ibis, added once when the leads are loaded.

Every report reads these columns instead of re-deriving them, so a definition lives in
one place and no query pays for string work (the loss reason) more than once.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from leadkit.model import NO_REASON, NOT_SET, OPEN_GROUPS


def _true(expr: ir.BooleanValue) -> ir.BooleanValue:
    return expr.fill_null(False)


def reason(t: ir.Table, no_reason: tuple[str, ...]) -> ir.StringValue:
    """The loss reason: the status name, or "(no reason)" for a blank or generic one."""
    generic = [s.lower() for s in (*no_reason, NOT_SET, "")]
    vague = _true(t.status.strip().lower().isin(generic)) | t.status.isnull()
    return ibis.ifelse(vague, NO_REASON, t.status.strip())


def annotate(t: ir.Table, no_reason: tuple[str, ...] = ()) -> ir.Table:
    """Add is_won, is_lost, is_open, has_order, has_sale, is_converted and reason to each lead."""
    is_won = _true(t.status_group == "won")
    placed_by_status = is_won & t.order_id.isnull() & t.sale_id.isnull()
    has_order = t.order_id.notnull() | (placed_by_status & _true(t.status_result == "order"))
    has_sale = t.sale_id.notnull() | (placed_by_status & _true(t.status_result == "sale"))
    return t.mutate(
        is_won=is_won,
        is_lost=_true(t.status_group == "lost"),
        is_open=_true(t.status_group.isin(OPEN_GROUPS)),
        has_order=has_order,
        has_sale=has_sale,
        is_converted=has_order | has_sale | is_won | _true(t.converted),
        reason=reason(t, no_reason),
    )
