"""Turn a frame of text cells into the canonical lead columns, collecting every problem.

Nothing here raises for bad data: each step returns the problems it found (with row
numbers or values), so that one error can list them all.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Literal

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
from leadkit.text import INVISIBLE, key

EPOCH_UNITS: dict[str, Literal["s", "ms", "us", "ns"]] = {
    "epoch_s": "s", "epoch_ms": "ms", "epoch_us": "us", "epoch_ns": "ns",
}  # fmt: skip
UNIT_NAMES = {"s": "seconds", "ms": "milliseconds", "us": "microseconds", "ns": "nanoseconds"}
PLAUSIBLE_YEARS = (1990, 2100)  # an epoch unit is right when it puts the dates between these years
_YEAR_BOUNDS = (PLAUSIBLE_YEARS[0], PLAUSIBLE_YEARS[1] + 1)
# An offset or zone written after a time of day: 23:30+03:00, 23:30:00Z, T233000Z, 10:00 UTC.
_OFFSET = r"(?:\d:\d{2}(?::\d{2})?|T\d{4,6})(?:[.,]\d+)?\s*(?:Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)$"


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


# Anything but printable ASCII and white space: only such values can hold invisible or decomposed characters.
_NOT_PLAIN = r"[^\t\n\r\x20-\x7e]"


def _clean(text: pd.Series) -> pd.Series:
    text = text.astype("string")
    odd = text.str.contains(_NOT_PLAIN, regex=True).fillna(False).astype(bool)
    if odd.any():  # (most ids and dates are plain ASCII: spare them the Unicode work)
        text = text.copy()
        text[odd] = text[odd].str.replace(INVISIBLE, "", regex=True).str.normalize("NFC")
    text = text.str.replace(r"\s+", " ", regex=True).str.strip()
    return text.mask(text == "")


def clean_text(series: pd.Series) -> pd.Series:
    """Strip, fold runs of white space into one space, drop invisible characters; blank becomes NA.

    Values that differ only by a NUL, a zero-width space or another control or format
    character (or by composed and decomposed letters) print the same, so they are one value.
    """
    return per_value(series, _clean)


def _changed(values: pd.Series) -> pd.Series:
    text = values.astype("string")
    found = pd.Series(False, index=text.index)
    odd = text.str.contains(_NOT_PLAIN, regex=True).fillna(False).astype(bool)
    if odd.any():
        some = text[odd]
        found[odd] = (some.str.contains(INVISIBLE, regex=True) | (some.str.normalize("NFC") != some)).astype(bool)
    return found


def cleaned_cells(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """``clean_text`` of ``series``, and where a cell held invisible characters (or decomposed letters) it removed.

    Both come from one pass over the distinct values, as in ``per_value``.
    """
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    if len(uniques) > len(series) // 2:  # mostly distinct (ids), as in per_value
        return _clean(series), _changed(series).astype(bool)
    values = pd.Series(uniques)
    cleaned = pd.Series(_clean(values).array.take(codes, allow_fill=True), index=series.index)
    changed = _changed(values).to_numpy(dtype=bool)
    flags = changed.take(codes) & (codes >= 0) if len(changed) else np.zeros(len(series), dtype=bool)
    return cleaned, pd.Series(flags, index=series.index)


def map_values(series: pd.Series, convert: Callable[[object], object]) -> pd.Series:
    """``convert`` of each non-missing value (as text, NA where it gives None/NA), once per distinct value."""

    def each(values: pd.Series) -> pd.Series:
        return pd.Series([pd.NA if pd.isna(v) else convert(v) for v in values], dtype="object").astype("string")

    return per_value(series, each)


def replaced(values: pd.Series, table: Mapping[str, str]) -> pd.Series:
    """``values`` with those in ``table`` replaced, matched like statuses (case and spaces ignored)."""
    by_key = {key(k): v for k, v in table.items()}
    return map_values(values, lambda v: by_key.get(key(v), v))


def spellings(counts: pd.Series) -> dict[str, str] | None:
    """Per case-folded value, its most frequent spelling in ``counts`` (rows per value); None when no two collide."""
    if counts.empty:
        return None
    table = pd.DataFrame({"value": counts.index.astype(str), "n": counts.to_numpy()})
    table["key"] = table["value"].str.casefold()
    if table["key"].is_unique:
        return None
    best = table.sort_values(["n", "value"], ascending=[False, True]).drop_duplicates("key")
    return dict(zip(best["key"], best["value"], strict=True))


def unify_spelling(series: pd.Series, counts: pd.Series | None = None) -> pd.Series:
    """Merge values that differ only in case, keeping each one's most frequent spelling.

    ``counts`` (rows per value) stands in for the series' own where it holds each value once.
    """
    spelling = spellings(series.value_counts() if counts is None else counts)
    if spelling is None:
        return series
    return series.map(lambda v: v if pd.isna(v) else spelling[str(v).casefold()]).astype("string")


def _parse_text(text: pd.Series, fmt: str, timezone: str) -> pd.Series:
    """``text`` parsed with ``fmt`` as wall-clock times in ``timezone``.

    Times with an offset are instants, converted to the zone; times without one are already
    wall-clock times of the zone, never read as UTC, even in a column that mixes the two.
    """
    if fmt in EPOCH_UNITS:
        numbers = pd.to_numeric(text, errors="coerce")
        return _to_local(pd.to_datetime(numbers, unit=EPOCH_UNITS[fmt], utc=True, errors="coerce"), timezone)
    try:
        return _to_local(pd.to_datetime(text, format=fmt, errors="coerce"), timezone)
    except (ValueError, TypeError):
        pass
    aware = text.str.contains(_OFFSET, case=False, regex=True)
    naive = _parse_naive(text[~aware], fmt)
    if naive is None:  # not told apart by their text: read all as instants, as pandas can
        return _to_local(pd.to_datetime(text, format=fmt, errors="coerce", utc=True), timezone)
    instants = _to_local(pd.to_datetime(text[aware], format=fmt, errors="coerce", utc=True), timezone)
    return pd.concat([_to_local(naive, timezone), instants]).reindex(text.index)


def _parse_naive(text: pd.Series, fmt: str) -> pd.Series | None:
    try:
        parsed = pd.to_datetime(text, format=fmt, errors="coerce")
    except (ValueError, TypeError):
        return None
    return None if getattr(parsed.dt, "tz", None) is not None else parsed


def parse_dates(series: pd.Series, formats: tuple[str, ...], timezone: str) -> tuple[pd.Series, pd.Series]:
    """Parsed wall-clock times in ``timezone`` (naive), and a mask of unparseable cells."""
    if pd.api.types.is_datetime64_any_dtype(series):
        return _to_local(series, timezone), pd.Series(False, index=series.index)
    result = pd.Series(pd.NaT, index=series.index, dtype="datetime64[us]")
    if pd.api.types.is_string_dtype(series.dtype) and series.dtype != object:
        stamps = pd.Series(False, index=series.index)  # text cells (CSV) hold no Timestamp: spare a Python call per row
    else:
        stamps = series.map(lambda v: isinstance(v, pd.Timestamp)).astype(bool)
    if stamps.any():
        result[stamps] = _to_local(pd.to_datetime(series[stamps]), timezone)
    pending = series.notna() & ~stamps
    for fmt in formats or ("ISO8601",):
        if not pending.any():
            break
        text = series[pending].astype(str).str.strip()
        parsed = _parse_text(text, fmt, timezone)
        ok = parsed.notna()
        result[ok[ok].index] = parsed[ok]
        pending = pending & ~ok.reindex(series.index, fill_value=False)
    return result, pending


def integer_values(series: pd.Series) -> pd.Series | None:
    """The non-blank values as numbers when every one is a whole number (as text or not), else None."""
    values = series.dropna()
    if values.empty or pd.api.types.is_bool_dtype(values):
        return None
    if pd.api.types.is_numeric_dtype(values):
        numbers = values.astype("float64")
        return numbers if bool((numbers % 1 == 0).all()) else None
    if pd.api.types.is_datetime64_any_dtype(values):
        return None
    whole = r"[+-]?\d{1,20}"
    if not values.head(50).astype(str).str.strip().str.fullmatch(whole).all():  # most date columns stop here
        return None
    text = values.astype(str).str.strip()
    if not text.str.fullmatch(whole).all():
        return None
    return pd.to_numeric(text, errors="coerce").astype("float64")


def epoch_units(numbers: pd.Series) -> pd.Series:
    """Per number, the Unix-time unit ("s", "ms", "us", "ns") that puts it within ``PLAUSIBLE_YEARS``, or NA.

    The ranges of the four units do not overlap, so at most one fits.
    """
    first, last = (pd.Timestamp(year=y, month=1, day=1).value / 1e9 for y in _YEAR_BOUNDS)
    unit = pd.Series(pd.NA, index=numbers.index, dtype="string")
    for name, scale in (("s", 1.0), ("ms", 1e3), ("us", 1e6), ("ns", 1e9)):
        unit = unit.mask((numbers >= first * scale) & (numbers < last * scale), name)
    return unit


def epoch_formats(
    series: pd.Series, formats: tuple[str, ...], rows: pd.Series, column: str, name: str = "date"
) -> tuple[tuple[str, ...], str | None]:
    """The formats to read a date column with, its Unix-time unit found by plausibility; or a problem.

    A column of whole numbers with no format given is read in the one unit that puts every
    value between 1990 and 2100; a declared epoch unit that would put them elsewhere (seconds
    read as milliseconds land in 1970) is refused with the right one. A declared date format
    such as ``%Y%m%d`` is left alone.
    """
    numbers = integer_values(series)
    declared = [EPOCH_UNITS[f] for f in formats if f in EPOCH_UNITS]
    if numbers is None or (formats and not declared):
        return formats, None
    units = epoch_units(numbers)
    span = f"between {PLAUSIBLE_YEARS[0]} and {PLAUSIBLE_YEARS[1]}"
    sample = series[numbers.index].astype(str).head(3).tolist()
    column = f"{column!r} ({name})"
    if units.isna().all():
        if not declared:
            return formats, None  # no Unix times; the date formats decide (and name what they cannot read)
        return formats, (
            f"column {column}: whole numbers such as {sample} are no Unix time {span} in seconds, milliseconds, "
            "microseconds or nanoseconds; set source.date_format to the column's real format"
        )
    unit = str(units.value_counts().index[0])
    odd = units.isna() | (units != unit)
    if odd.any():
        return formats, (
            f"column {column}: Unix times in {UNIT_NAMES[unit]}, except in rows {rows_text(rows[odd[odd].index])} "
            f"(e.g. {series[odd[odd].index].astype(str).head(3).tolist()}), which are in another unit or not {span}; "
            "correct those rows"
        )
    if declared and declared[0] != unit:
        year = pd.to_datetime(numbers.iloc[0], unit=declared[0], errors="coerce")
        landed = f"{year.year}" if pd.notna(year) else "no date at all"
        return formats, (
            f"column {column}: the values (e.g. {sample}) are Unix times in {UNIT_NAMES[unit]}, not "
            f"{UNIT_NAMES[declared[0]]} as source.date_format says (that puts them in {landed}); "
            f"set source.date_format: epoch_{unit}"
        )
    return (f"epoch_{unit}",), None


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
    problems += _statuses(raw, spec, cols, out)
    return out, problems
