"""Dates as exports write them: formats, Unix times in any unit, offsets and the report's time zone.

Every parsed time is a naive wall-clock time of the params' time zone. Nothing here raises
for bad data: a parse gives a mask of the cells it could not read, a check the problem's words.
"""

from __future__ import annotations

import re
from typing import Literal

import pandas as pd

from leadkit.model import rows_text

EPOCH_UNITS: dict[str, Literal["s", "ms", "us", "ns"]] = {
    "epoch_s": "s", "epoch_ms": "ms", "epoch_us": "us", "epoch_ns": "ns",
}  # fmt: skip
UNIT_NAMES = {"s": "seconds", "ms": "milliseconds", "us": "microseconds", "ns": "nanoseconds"}
PLAUSIBLE_YEARS = (1990, 2100)  # an epoch unit is right when it puts the dates between these years
_YEAR_BOUNDS = (PLAUSIBLE_YEARS[0], PLAUSIBLE_YEARS[1] + 1)
# An offset or zone written after a time of day: 23:30+03:00, 23:30:00Z, T233000Z, 10:00 UTC.
_OFFSET = r"(?:\d:\d{2}(?::\d{2})?|T\d{4,6})(?:[.,]\d+)?\s*(?:Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)$"
# Per strptime directive, the strict form both DuckDB and pandas read, and read alike.
_DIRECTIVES = {
    "%Y": "[12][0-9]{3}",
    "%m": "(0[1-9]|1[0-2])",
    "%d": "(0[1-9]|[12][0-9]|3[01])",
    "%H": "([01][0-9]|2[0-3])",
    "%M": "[0-5][0-9]",
    "%S": "[0-5][0-9]",
}
_LITERALS = set(" .-/:T,")
_ISO = (
    "[12][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    "([ T]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\\.[0-9]{1,6})?)?)?"
)


def date_pattern(fmt: str | None) -> str | None:
    """The strict form of values in format ``fmt`` (None: ISO 8601) as a regular expression; None if unknown."""
    if fmt is None:
        return _ISO
    parts = re.findall(r"%.|.", fmt, flags=re.DOTALL)
    if any(p not in _DIRECTIVES and p not in _LITERALS for p in parts):
        return None
    return "".join(_DIRECTIVES.get(p, re.escape(p)) for p in parts)


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
