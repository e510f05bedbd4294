"""Turn a frame of text cells into the canonical lead columns, collecting every problem.

Nothing here raises for bad data: each step returns the problems it found (with row
numbers or values), so that one error can list them all.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from leadkit.model import MAPPABLE_COLUMNS, MISSING_MARKERS, ROW, STATUS_GROUPS, TEXT_COLUMNS, rows_text

EPOCH_UNITS: dict[str, Literal["ms", "s"]] = {"epoch_ms": "ms", "epoch_s": "s"}


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


def key(value: object) -> str:
    """A status or label as a lookup key: case and runs of white space do not matter."""
    return " ".join(str(value).split()).casefold()


def per_value(series: pd.Series, convert: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """``convert`` applied once per distinct value, then spread back over the rows.

    Statuses, types and managers repeat across millions of leads; text work on the few
    distinct values instead of every row is what makes a large file load in seconds.
    NA stays NA.
    """
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    if len(uniques) > len(series) // 2:  # mostly distinct (ids): converting rows directly is cheaper
        return convert(series)
    done = convert(pd.Series(uniques)).array
    return pd.Series(done.take(codes, allow_fill=True), index=series.index)


def _clean(text: pd.Series) -> pd.Series:
    text = text.astype("string").str.replace(r"\s+", " ", regex=True).str.strip()
    return text.mask(text == "")


def clean_text(series: pd.Series) -> pd.Series:
    """Strip, fold runs of white space into one space; blank becomes NA."""
    return per_value(series, _clean)


def map_values(series: pd.Series, convert: Callable[[object], object]) -> pd.Series:
    """``convert`` of each non-missing value (as text, NA where it gives None/NA), once per distinct value."""

    def each(values: pd.Series) -> pd.Series:
        return pd.Series([pd.NA if pd.isna(v) else convert(v) for v in values], dtype="object").astype("string")

    return per_value(series, each)


def unify_spelling(series: pd.Series) -> pd.Series:
    """Merge values that differ only in case, keeping each one's most frequent spelling."""
    counts = series.value_counts()
    if counts.empty:
        return series
    table = pd.DataFrame({"value": counts.index.astype(str), "n": counts.to_numpy()})
    table["key"] = table["value"].str.casefold()
    if table["key"].is_unique:
        return series
    best = table.sort_values(["n", "value"], ascending=[False, True]).drop_duplicates("key")
    spelling = dict(zip(best["key"], best["value"], strict=True))
    return series.map(lambda v: v if pd.isna(v) else spelling[str(v).casefold()]).astype("string")


def parse_dates(series: pd.Series, formats: tuple[str, ...], timezone: str) -> tuple[pd.Series, pd.Series]:
    """Parsed wall-clock times in ``timezone`` (naive), and a mask of unparseable cells."""
    if pd.api.types.is_datetime64_any_dtype(series):
        return _to_local(series, timezone), pd.Series(False, index=series.index)
    result = pd.Series(pd.NaT, index=series.index, dtype="datetime64[us]")
    stamps = series.map(lambda v: isinstance(v, pd.Timestamp)).astype(bool)
    if stamps.any():
        result[stamps] = _to_local(pd.to_datetime(series[stamps]), timezone)
    pending = series.notna() & ~stamps
    for fmt in formats or ("ISO8601",):
        if not pending.any():
            break
        text = series[pending].astype(str).str.strip()
        if fmt in EPOCH_UNITS:
            numbers = pd.to_numeric(text, errors="coerce")
            parsed = pd.to_datetime(numbers, unit=EPOCH_UNITS[fmt], utc=True, errors="coerce")
        else:
            try:
                parsed = pd.to_datetime(text, format=fmt, errors="coerce")
            except (ValueError, TypeError):
                parsed = pd.to_datetime(text, format=fmt, errors="coerce", utc=True)
        parsed = _to_local(parsed, timezone)
        ok = parsed.notna()
        result[ok[ok].index] = parsed[ok]
        pending = pending & ~ok.reindex(series.index, fill_value=False)
    return result, pending


def _to_local(values: pd.Series, timezone: str) -> pd.Series:
    if getattr(values.dt, "tz", None) is not None:
        values = values.dt.tz_convert(timezone).dt.tz_localize(None)
    return values.astype("datetime64[us]")


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


def _statuses(raw: pd.DataFrame, spec: MappingSpec, cols: Mapping[str, str], out: pd.DataFrame) -> list[str]:
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


def effective_columns(raw: pd.DataFrame, columns: Mapping[str, str]) -> dict[str, str]:
    """The mapping, plus every canonical name the file already uses as a column name."""
    return {c: c for c in MAPPABLE_COLUMNS if c in raw.columns} | dict(columns)


def to_canonical(raw: pd.DataFrame, spec: MappingSpec, timezone: str, where: str) -> tuple[pd.DataFrame, list[str]]:
    """The canonical frame (plus ``_row``) and the list of problems found on the way."""
    cols = effective_columns(raw, spec.columns)
    problems = _missing_columns(raw, cols, where)
    if problems:
        return pd.DataFrame(), problems
    out = pd.DataFrame({ROW: raw[ROW]})
    out["lead_id"] = clean_text(raw[cols["lead_id"]])
    for name in TEXT_COLUMNS:
        values = clean_text(raw[cols[name]]) if name in cols else pd.Series(pd.NA, index=raw.index, dtype="string")
        if spec.replace.get(name):
            values = values.replace(dict(spec.replace[name]))
        if name in MISSING_MARKERS:
            values = unify_spelling(values).fillna(MISSING_MARKERS[name])
        out[name] = values
    for name in ("created_at", "closed_at"):
        if name not in cols:
            out[name] = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[us]")
            continue
        out[name], bad = parse_dates(raw[cols[name]], spec.date_formats, timezone)
        if bad.any():
            sample = raw.loc[bad, cols[name]].astype(str).head(3).tolist()
            problems.append(
                f"column {cols[name]!r} ({name}): unparseable dates in rows "
                f"{rows_text(raw.loc[bad, ROW])}, e.g. {sample}; set source.date_format "
                "(e.g. '%d.%m.%Y' or '%m/%d/%Y')"
            )
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
    problems += _statuses(raw, spec, cols, out)
    return out, problems
