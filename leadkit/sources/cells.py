"""Text cells as leadkit keeps them: invisible characters gone, white space folded, one spelling per value.

Each step works on a column's distinct values and spreads the result back over the rows:
statuses, types and managers repeat across millions of leads.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from leadkit.text import INVISIBLE, key


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
