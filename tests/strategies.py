"""Hypothesis strategies for canonical lead frames, drawn from the model's own vocabulary."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
from hypothesis import strategies as st

from leadkit.model import CANONICAL_COLUMNS, NOT_SET, UNASSIGNED

GROUP_STATUSES = {
    "new": ["New lead"],
    "in_progress": ["In work"],
    "pending": ["Waiting"],
    "won": ["Successful order", "Successful sale", "Won"],
    "lost": ["Expensive", "Canceled", "Lost", NOT_SET],
}
START = datetime(2025, 1, 1)


@st.composite
def lead_rows(draw: st.DrawFn) -> dict[str, object]:
    group = draw(st.sampled_from(list(GROUP_STATUSES)))
    status = draw(st.sampled_from(GROUP_STATUSES[group]))
    created = START + timedelta(hours=draw(st.integers(0, 24 * 365)))
    has_created = draw(st.booleans() | st.just(True))
    closed = created + timedelta(hours=draw(st.integers(0, 24 * 60))) if group in ("won", "lost") else None
    return {
        "created_at": created if has_created else None,
        "closed_at": closed,
        "lead_type": draw(st.sampled_from(["Call", "Website", "Walk-in", NOT_SET])),
        "status": status,
        "status_group": group,
        "manager": draw(st.sampled_from(["Ann", "Bob", "Chen", UNASSIGNED])),
        "branch": draw(st.sampled_from(["North", "South", NOT_SET])),
        "ad_campaign": NOT_SET,
        "client": None,
        "order_id": draw(st.sampled_from([None, "O"])),
        "sale_id": draw(st.sampled_from([None, "S"])),
        # A source's converted flag places a lead in the Won group (see sources.mapping).
        "converted": draw(st.sampled_from([None, True, False] if group == "won" else [None, False])),
        "status_result": {"Successful order": "order", "Successful sale": "sale"}.get(status),
    }


def lead_frames(max_size: int = 60) -> st.SearchStrategy[pd.DataFrame]:
    def build(rows: list[dict[str, object]]) -> pd.DataFrame:
        frame = pd.DataFrame(rows, columns=[c for c in CANONICAL_COLUMNS if c != "lead_id"])
        frame.insert(0, "lead_id", [f"L{i}" for i in range(len(rows))])
        for col in ("created_at", "closed_at"):
            frame[col] = pd.to_datetime(frame[col]).astype("datetime64[us]")
        frame["converted"] = frame["converted"].astype("boolean")
        for col in ("order_id", "sale_id", "client", "status_result"):
            frame[col] = frame[col].astype("string")
        # ids must be unique: number the order and sale ids
        frame["order_id"] = frame["order_id"].where(frame["order_id"].isna(), "O" + frame.index.astype(str))
        frame["sale_id"] = frame["sale_id"].where(frame["sale_id"].isna(), "S" + frame.index.astype(str))
        return frame

    return st.lists(lead_rows(), min_size=0, max_size=max_size).map(build)
