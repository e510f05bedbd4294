"""The canonical lead model: column names, status groups and display markers.

This module is a leaf: it imports nothing of leadkit, so every layer can use it.
"""

from collections.abc import Iterable
from typing import Final, Literal

Lang = Literal["en", "ru"]  # the languages every word of the product is written in
LANGS: Final[tuple[str, ...]] = ("en", "ru")

StatusGroup = Literal["new", "in_progress", "pending", "won", "lost"]
STATUS_GROUPS: Final[tuple[str, ...]] = ("new", "in_progress", "pending", "won", "lost")
OPEN_GROUPS: Final[tuple[str, ...]] = ("new", "in_progress", "pending")

# The public contract: every source becomes a table with exactly these columns.
DATE_COLUMNS: Final[tuple[str, ...]] = ("created_at", "closed_at")
CANONICAL_COLUMNS: Final[tuple[str, ...]] = (
    "lead_id",
    "created_at",
    "closed_at",
    "lead_type",
    "status",
    "status_group",
    "manager",
    "branch",
    "ad_campaign",
    "client",
    "order_id",
    "sale_id",
    "converted",
    "status_result",
)
# Free-text columns of the contract (the others are the id, dates, group, flag and derived result).
TEXT_COLUMNS: Final[tuple[str, ...]] = tuple(
    c for c in CANONICAL_COLUMNS if c not in ("lead_id", *DATE_COLUMNS, "status_group", "converted", "status_result")
)
# Columns a source may map (status_result is derived from status_results); status_group may stand in for status.
MAPPABLE_COLUMNS: Final[tuple[str, ...]] = tuple(c for c in CANONICAL_COLUMNS if c != "status_result")

NOT_SET: Final = "(not set)"
UNASSIGNED: Final = "(unassigned)"
NO_REASON: Final = "(no reason)"
TOTAL: Final = "Total"

# Grouping columns whose missing values become a marker group instead of a null.
MISSING_MARKERS: Final[dict[str, str]] = {
    "lead_type": NOT_SET,
    "status": NOT_SET,
    "manager": UNASSIGNED,
    "branch": NOT_SET,
    "ad_campaign": NOT_SET,
}

StatusResult = Literal["order", "sale"]
Basis = Literal["created", "closed"]
REPORTS: Final[tuple[str, ...]] = ("lead_conversion", "lost_leads", "employee_performance")

# The source row number each lead came from (1-based, after the header), for error messages.
ROW: Final = "_row"
# Per row, how many of its values lost invisible characters, and whether its lead id did (for messages and notes).
CLEANED: Final = "_cleaned"
ID_CLEANED: Final = "_id_cleaned"


def rows_text(rows: Iterable[int], limit: int = 10) -> str:
    """Row numbers for a message: the first ``limit`` of them and how many more."""
    rows = list(rows)
    shown = ", ".join(str(r) for r in rows[:limit])
    return shown + (f" and {len(rows) - limit} more" if len(rows) > limit else "")
