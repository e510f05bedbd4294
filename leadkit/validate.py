"""Checks on a canonical lead frame; every problem is collected, none raised alone."""

from __future__ import annotations

import ibis.expr.types as ir
import pandas as pd

from leadkit.exceptions import ValidationError
from leadkit.model import CANONICAL_COLUMNS, DATE_COLUMNS, STATUS_GROUPS
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
        return [f"canonical column(s) missing: {', '.join(missing)}; its columns are: {', '.join(t.columns)}"]
    problems = _type_problems(t)
    if problems:
        return problems
    counts = t.aggregate(
        blank=t.count(where=t.lead_id.isnull()),
        bad_group=t.count(where=t.status_group.notnull() & ~t.status_group.isin(list(STATUS_GROUPS))),
    ).to_pandas()
    if int(counts["blank"].iloc[0]):
        problems.append(f"{int(counts['blank'].iloc[0])} row(s) with an empty lead_id")
    ids = t.filter(t.lead_id.notnull())
    repeated = ids.group_by("lead_id").aggregate(n=ids.count())
    repeated = repeated.filter(repeated.n > 1)
    n_repeated = int(repeated.count().to_pandas())
    if n_repeated:
        shown = repeated.order_by("lead_id").limit(MAX_LISTED).to_pandas()
        listed = "; ".join(f"{lead!r} ({int(n)} rows)" for lead, n in zip(shown["lead_id"], shown["n"], strict=True))
        more = f" and {n_repeated - MAX_LISTED} more ids" if n_repeated > MAX_LISTED else ""
        problems.append(
            f"{n_repeated} duplicate lead id(s): {listed}{more}. Each lead must appear once "
            "(nothing is double-counted): remove the duplicates at the source"
        )
    if int(counts["bad_group"].iloc[0]):
        bad = t.filter(t.status_group.notnull() & ~t.status_group.isin(list(STATUS_GROUPS)))
        values = bad.select("status_group").distinct().order_by("status_group").limit(MAX_LISTED).to_pandas()
        problems.append(
            f"{int(counts['bad_group'].iloc[0])} row(s) with status_group values "
            f"{values['status_group'].tolist()}, which are not one of {', '.join(STATUS_GROUPS)}"
        )
    return problems
