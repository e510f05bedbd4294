"""Turn a frame of text cells into the canonical lead columns, collecting every problem.

Nothing here raises for bad data: each step returns the problems it found (with row
numbers or values), so that one error can list them all.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from leadkit.model import (
    CLEANED,
    ID_CLEANED,
    MAPPABLE_COLUMNS,
    MISSING_MARKERS,
    ROW,
    STATUS_GROUPS,
    TEXT_COLUMNS,
    rows_text,
)
from leadkit.sources.cells import clean_text, cleaned_cells, map_values, replaced, unify_spelling
from leadkit.sources.dates import PLAUSIBLE_YEARS, epoch_formats, integer_values, parse_dates
from leadkit.text import key


@dataclass(frozen=True)
class MappingSpec:
    """How a source's columns and values become canonical ones."""

    columns: Mapping[str, str] = field(default_factory=dict)
    status_groups: Mapping[str, str] = field(default_factory=dict)
    status_group_values: Mapping[str, str] = field(default_factory=dict)
    status_results: Mapping[str, str] = field(default_factory=dict)
    date_formats: tuple[str, ...] = ()
    true_values: tuple[str, ...] = ()
    false_values: tuple[str, ...] = ()
    decimal: str = "."
    replace: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


def parse_flags(
    series: pd.Series, true_values: tuple[str, ...], false_values: tuple[str, ...], decimal: str = "."
) -> tuple[pd.Series, pd.Series]:
    """Booleans from flag text; a mask of cells that are neither true nor false values.

    Numbers such as ``1,0`` or ``0.00`` (Excel exports) count as true when non-zero.
    """
    if pd.api.types.is_bool_dtype(series):
        return series.astype("boolean"), pd.Series(False, index=series.index)
    text = series.astype("string").str.strip().str.casefold()
    number = pd.to_numeric(text.str.replace(decimal, ".", regex=False), errors="coerce")
    yes = text.isin([v.casefold() for v in true_values]) | (number.notna() & (number != 0))
    no = text.isin([v.casefold() for v in false_values]) | (number == 0)
    flags = pd.Series(pd.NA, index=series.index, dtype="boolean")
    flags[yes.fillna(False).astype(bool)] = True
    flags[no.fillna(False).astype(bool)] = False
    bad = text.notna() & ~yes.fillna(False) & ~no.fillna(False)
    return flags, bad.astype(bool)


def group_of(value: object) -> str | None:
    """A status-group name written loosely ("In progress", "WON") as its canonical form."""
    name = key(value).replace(" ", "_").replace("-", "_")
    return name if name in STATUS_GROUPS else None


def _missing_columns(raw: pd.DataFrame, columns: Mapping[str, str], where: str) -> list[str]:
    problems = []
    for canon, source_col in columns.items():
        if source_col not in raw.columns:
            have = ", ".join(repr(c) for c in raw.columns if c != ROW)
            problems.append(f"column {source_col!r} (mapped to {canon}) is not in {where}; its columns are: {have}")
    if "lead_id" not in columns:
        problems.append("no lead_id column: map one under source.columns.lead_id")
    if "status" not in columns and "status_group" not in columns:
        problems.append("no status or status_group column: map one under source.columns")
    return problems


def statuses(raw: pd.DataFrame, spec: MappingSpec, cols: Mapping[str, str], out: pd.DataFrame) -> list[str]:
    problems: list[str] = []
    group = pd.Series(pd.NA, index=raw.index, dtype="string")
    if "status_group" in cols:
        given = clean_text(raw[cols["status_group"]])
        codes = {key(k): v for k, v in spec.status_group_values.items()}
        mapped = map_values(given, lambda v: codes.get(key(v)) or group_of(v))
        bad = given.notna() & mapped.isna()
        if bad.any():
            vals = sorted(given[bad].unique().tolist())
            problems.append(
                f"status_group values not understood: {vals}; map them under "
                "source.status_group_values to one of " + ", ".join(STATUS_GROUPS)
            )
        group = mapped.astype("string")
        if "status" not in cols:
            out["status"] = group.fillna("(not set)").str.replace("_", " ").str.capitalize()
    groups = {key(k): v for k, v in spec.status_groups.items()}
    by_status = map_values(out["status"], lambda v: groups.get(key(v)))
    group = group.fillna(by_status)
    if "converted" in out:
        group = group.mask(out["converted"].fillna(False).astype(bool), "won")
    unmapped = group.isna()
    if unmapped.any():
        counts = out.loc[unmapped, "status"].value_counts()
        listed = ", ".join(f"{name!r} ({n} rows)" for name, n in counts.items())
        problems.append(
            f"status(es) with no group mapping: {listed}; add each under "
            "source.status_groups as one of " + ", ".join(STATUS_GROUPS)
        )
    out["status_group"] = group
    results = {key(k): v for k, v in spec.status_results.items()}
    out["status_result"] = map_values(out["status"], lambda v: results.get(key(v)))
    return problems


def _unparseable(bad: pd.DataFrame, column: str, name: str) -> str:
    sample = bad[column].astype(str).head(3).tolist()
    numbers = integer_values(bad[column])
    hint = (
        f"; they are whole numbers but no Unix time between {PLAUSIBLE_YEARS[0]} and {PLAUSIBLE_YEARS[1]} in any "
        "unit (Excel day numbers? format the column as dates before exporting)"
        if numbers is not None
        else ""
    )
    return (
        f"column {column!r} ({name}): unparseable dates in rows {rows_text(bad[ROW])}, e.g. {sample}{hint}; "
        "set source.date_format (e.g. '%d.%m.%Y' or '%m/%d/%Y')"
    )


def nested_columns(raw: pd.DataFrame, cols: Mapping[str, str]) -> list[str]:
    """Mapped columns holding lists or records (Parquet list/struct/map types) instead of single values."""
    problems = []
    for canon, column in cols.items():
        if raw[column].dtype != object:  # (text columns of a CSV cannot hold lists: spare them the scan)
            continue
        values = raw[column].dropna()
        # (a Parquet column has one type: its first value tells; text and Excel cells are never lists)
        if len(values) and isinstance(values.iloc[0], (list, tuple, dict, np.ndarray)):
            problems.append(
                f"column {column!r} (mapped to {canon}) holds lists or records, not one value per lead; "
                "map a column of plain values, or flatten this one before exporting"
            )
    return problems


def effective_columns(present: Collection[object], columns: Mapping[str, str]) -> dict[str, str]:
    """The mapping, plus every canonical name the file already uses as a column name (of those ``present``)."""
    return {c: c for c in MAPPABLE_COLUMNS if c in present} | dict(columns)


def to_canonical(raw: pd.DataFrame, spec: MappingSpec, timezone: str, where: str) -> tuple[pd.DataFrame, list[str]]:
    """The canonical frame (plus ``_row``) and the list of problems found on the way."""
    cols = effective_columns(raw.columns, spec.columns)
    problems = _missing_columns(raw, cols, where)
    if problems:
        return pd.DataFrame(), problems
    problems = nested_columns(raw, cols)
    if problems:
        return pd.DataFrame(), problems
    out = pd.DataFrame({ROW: raw[ROW]})
    out["lead_id"], out[ID_CLEANED] = cleaned_cells(raw[cols["lead_id"]])
    out[CLEANED] = out[ID_CLEANED].astype(int)
    for name in TEXT_COLUMNS:
        values = pd.Series(pd.NA, index=raw.index, dtype="string")
        if name in cols:
            values, changed = cleaned_cells(raw[cols[name]])
            out[CLEANED] += changed.astype(int)
        if spec.replace.get(name):
            values = replaced(values, spec.replace[name])
        if name in MISSING_MARKERS:
            values = unify_spelling(values).fillna(MISSING_MARKERS[name])
        out[name] = values
    for name in ("created_at", "closed_at"):
        if name not in cols:
            out[name] = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[us]")
            continue
        formats, problem = epoch_formats(raw[cols[name]], spec.date_formats, raw[ROW], cols[name], name)
        if problem:
            problems.append(problem)
            formats = ()
        out[name], bad = parse_dates(raw[cols[name]], formats, timezone)
        if bad.any() and not problem:
            problems.append(_unparseable(raw.loc[bad], cols[name], name))
    if "converted" in cols:
        out["converted"], bad = parse_flags(raw[cols["converted"]], spec.true_values, spec.false_values, spec.decimal)
        if bad.any():
            problems.append(
                f"column {cols['converted']!r} (converted): values that are neither true nor "
                f"false in rows {rows_text(raw.loc[bad, ROW])}; list them in "
                "source.true_values or source.false_values"
            )
    else:
        out["converted"] = pd.Series(pd.NA, index=raw.index, dtype="boolean")
    problems += statuses(raw, spec, cols, out)
    return out, problems
