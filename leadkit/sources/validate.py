"""Checks on a canonical lead table, in pandas or in the engine, with one set of messages.

Every problem is collected, none raised alone; both validators word each problem the same
way, the pandas one adding the source rows it can see.
"""

from __future__ import annotations

import ibis.expr.types as ir
import pandas as pd

from leadkit.exceptions import ValidationError
from leadkit.model import CANONICAL_COLUMNS, DATE_COLUMNS, ID_CLEANED, ROW, STATUS_GROUPS, rows_text

MAX_LISTED = 20


def _in_rows(rows: list[int] | None) -> str:
    return f" (rows {rows_text(rows)})" if rows else ""


def missing_message(missing: list[str], have: list[str] | None = None) -> str:
    its = f"; its columns are: {', '.join(have)}" if have is not None else ""
    return f"canonical column(s) missing: {', '.join(missing)}{its}"


def blank_message(count: int, rows: list[int] | None = None) -> str:
    return f"{count} row(s) with an empty lead_id{_in_rows(rows)}"


def duplicates_message(count: int, listed: list[str], invisible: bool = False) -> str:
    more = f" and {count - MAX_LISTED} more ids" if count > MAX_LISTED else ""
    why = (
        " Some of them differ in the file only by invisible characters (NUL, zero-width space or another "
        "control character), which print as nothing and so are removed: they are the same id."
        if invisible
        else ""
    )
    return (
        f"{count} duplicate lead id(s): {'; '.join(listed)}{more}.{why} Each lead must appear once "
        "(nothing is double-counted): remove the duplicates at the source or map a unique id column"
    )


def bad_group_message(count: int, values: list[str], rows: list[int] | None = None) -> str:
    return (
        f"{count} row(s) with status_group values {values}{_in_rows(rows)}, "
        f"which are not one of {', '.join(STATUS_GROUPS)}"
    )


def _duplicates(frame: pd.DataFrame) -> list[str]:
    dup = frame["lead_id"].notna() & frame["lead_id"].duplicated(keep=False)
    if not dup.any():
        return []
    groups = frame.loc[dup].groupby("lead_id", sort=True)[ROW].apply(list)
    listed = [f"{lead!r} (rows {rows_text(rows, 5)})" for lead, rows in groups.head(MAX_LISTED).items()]
    invisible = ID_CLEANED in frame.columns and bool(frame.loc[dup, ID_CLEANED].any())
    return [duplicates_message(len(groups), listed, invisible)]


def problems_in(frame: pd.DataFrame) -> list[str]:
    """Everything that keeps ``frame`` from being a valid canonical lead table."""
    missing = [c for c in CANONICAL_COLUMNS if c not in frame.columns]
    if missing:
        return [missing_message(missing)]
    problems = []
    blank = frame["lead_id"].isna()
    if blank.any():
        problems.append(blank_message(int(blank.sum()), frame.loc[blank, ROW].tolist()))
    problems += _duplicates(frame)
    groups = frame["status_group"]
    bad = groups.notna() & ~groups.isin(STATUS_GROUPS)
    if bad.any():
        values = sorted(groups[bad].unique().tolist())[:MAX_LISTED]
        problems.append(bad_group_message(int(bad.sum()), values, frame.loc[bad, ROW].tolist()))
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


def _type_problems(t: ir.Table) -> list[str]:
    schema = t.schema()
    problems = []
    for name in CANONICAL_COLUMNS:
        dtype = schema[name]
        if name in DATE_COLUMNS and not (dtype.is_timestamp() or dtype.is_date()):
            problems.append(f"column {name} is {dtype}, not a timestamp")
        elif name == "converted" and not (dtype.is_boolean() or dtype.is_null()):
            problems.append(f"column converted is {dtype}, not a boolean")
        elif name not in DATE_COLUMNS and name != "converted" and not (dtype.is_string() or dtype.is_null()):
            problems.append(f"column {name} is {dtype}, not text")
    return problems


def table_problems(t: ir.Table) -> list[str]:
    """What keeps an engine's table from being a valid canonical lead table, found by queries there."""
    missing = [c for c in CANONICAL_COLUMNS if c not in t.columns]
    if missing:
        return [missing_message(missing, list(t.columns))]
    problems = _type_problems(t)
    if problems:
        return problems
    counts = t.aggregate(
        blank=t.count(where=t.lead_id.isnull()),
        bad_group=t.count(where=t.status_group.notnull() & ~t.status_group.isin(list(STATUS_GROUPS))),
    ).to_pandas()
    if int(counts["blank"].iloc[0]):
        problems.append(blank_message(int(counts["blank"].iloc[0])))
    ids = t.filter(t.lead_id.notnull())
    repeated = ids.group_by("lead_id").aggregate(n=ids.count())
    repeated = repeated.filter(repeated.n > 1)
    n_repeated = int(repeated.count().to_pandas())
    if n_repeated:
        shown = repeated.order_by("lead_id").limit(MAX_LISTED).to_pandas()
        listed = [f"{lead!r} ({int(n)} rows)" for lead, n in zip(shown["lead_id"], shown["n"], strict=True)]
        problems.append(duplicates_message(n_repeated, listed))
    if int(counts["bad_group"].iloc[0]):
        bad = t.filter(t.status_group.notnull() & ~t.status_group.isin(list(STATUS_GROUPS)))
        values = bad.select("status_group").distinct().order_by("status_group").limit(MAX_LISTED).to_pandas()
        problems.append(bad_group_message(int(counts["bad_group"].iloc[0]), values["status_group"].tolist()))
    return problems
