"""Checks on a canonical lead frame; every problem is collected, none raised alone."""

from __future__ import annotations

import pandas as pd

from leadkit.exceptions import ValidationError
from leadkit.model import CANONICAL_COLUMNS, STATUS_GROUPS
from leadkit.sources.files import ROW
from leadkit.sources.mapping import rows_text

MAX_LISTED = 20


def _duplicates(frame: pd.DataFrame) -> list[str]:
    dup = frame["lead_id"].notna() & frame["lead_id"].duplicated(keep=False)
    if not dup.any():
        return []
    groups = frame.loc[dup].groupby("lead_id", sort=True)[ROW].apply(list)
    shown = [f"{lead!r} (rows {rows_text(rows, 5)})" for lead, rows in groups.head(MAX_LISTED).items()]
    more = f" and {len(groups) - MAX_LISTED} more ids" if len(groups) > MAX_LISTED else ""
    return [
        f"{len(groups)} duplicate lead id(s): {'; '.join(shown)}{more}. Each lead must appear "
        "once (nothing is double-counted): remove the duplicates or map a unique id column"
    ]


def problems_in(frame: pd.DataFrame) -> list[str]:
    """Everything that keeps ``frame`` from being a valid canonical lead table."""
    missing = [c for c in CANONICAL_COLUMNS if c not in frame.columns]
    if missing:
        return [f"canonical column(s) missing: {', '.join(missing)}"]
    problems = []
    blank = frame["lead_id"].isna()
    if blank.any():
        problems.append(f"empty lead_id in rows {rows_text(frame.loc[blank, ROW])}")
    problems += _duplicates(frame)
    groups = frame["status_group"]
    bad = groups.notna() & ~groups.isin(STATUS_GROUPS)
    if bad.any():
        problems.append(
            f"status_group values {sorted(groups[bad].unique().tolist())} in rows "
            f"{rows_text(frame.loc[bad, ROW])} are not one of {', '.join(STATUS_GROUPS)}"
        )
    return problems


def validated(frame: pd.DataFrame, where: str, earlier: list[str] | None = None) -> pd.DataFrame:
    """The canonical columns of ``frame``; raise one ``ValidationError`` listing all problems."""
    if ROW not in frame.columns:
        frame = frame.assign(**{ROW: range(1, len(frame) + 1)})
    problems = list(earlier or [])
    if not problems or not frame.empty:
        problems += problems_in(frame)
    if problems:
        raise ValidationError(where, problems)
    return frame.loc[:, list(CANONICAL_COLUMNS)].reset_index(drop=True)
