"""Cached RemOnline rows + reference lists → the source columns the common mapping reads."""

from __future__ import annotations

from typing import Any

import pandas as pd

from leadkit.model import ROW


def _names(items: list[dict[str, Any]], name: str = "name") -> dict[str, str]:
    return {str(i.get("id")): str(i.get(name) or "") for i in items if i.get("id") is not None}


def _employee(item: dict[str, Any]) -> str:
    return " ".join(str(item.get(k) or "").strip() for k in ("first_name", "last_name")).strip() or str(
        item.get("email") or ""
    )


def to_raw(leads: pd.DataFrame, refs: dict[str, list[dict[str, Any]]], lead_id: str = "id") -> pd.DataFrame:
    """Ids replaced by names; timestamps still epoch milliseconds (the mapping converts them)."""
    statuses = {str(s.get("id")): s for s in refs.get("statuses", []) if s.get("id") is not None}
    employees = {str(e.get("id")): _employee(e) for e in refs.get("employees", []) if e.get("id") is not None}
    status_name = leads["status_name"].fillna(
        leads["status_id"].map(lambda i: (statuses.get(str(i)) or {}).get("name"))
    )
    group = leads["status_group"].fillna(leads["status_id"].map(lambda i: (statuses.get(str(i)) or {}).get("group")))
    frame = pd.DataFrame(
        {
            ROW: range(1, len(leads) + 1),
            "lead_id": leads["label"].fillna(leads["id"]) if lead_id == "label" else leads["id"],
            "created_at": leads["created_at"],
            "closed_at": leads["closed_at"],
            "lead_type": leads["lead_type_id"].map(_names(refs.get("lead_types", []))),
            "status": status_name,
            "status_group": group.map(lambda g: None if pd.isna(g) else str(g)),
            "manager": leads["manager_id"].map(employees),
            "branch": leads["branch_id"].map(_names(refs.get("branches", []))),
            "ad_campaign": leads["ad_campaign"],
            "client": leads["client"],
            "order_id": leads["order_id"],
            "sale_id": leads["sale_id"],
        }
    )
    return frame.astype({c: "object" for c in frame.columns if c not in (ROW, "created_at", "closed_at")})
