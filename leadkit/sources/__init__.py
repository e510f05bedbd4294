"""Sources: each turns its input into the canonical leads frame, validated once."""

from __future__ import annotations

from typing import Literal

import duckdb
import pandas as pd

from leadkit.exceptions import LeadkitError, SourceError
from leadkit.log import get_logger
from leadkit.model import CLEANED, ROW, rows_text
from leadkit.params import DemoSource, FileSource, Params, RemonlineSource, TableSource
from leadkit.sources import demo
from leadkit.sources.cells import clean_text
from leadkit.sources.data import SourceData
from leadkit.sources.engine_map import map_in_engine
from leadkit.sources.files import UTF8_NAMES, detect_format, read_file, require_rows
from leadkit.sources.mapping import MappingSpec, effective_columns, to_canonical
from leadkit.sources.validate import validated

log = get_logger("sources")
Refresh = Literal["always", "if-empty", "never"]


def _join_lookups(
    raw: pd.DataFrame, source: FileSource, params: Params
) -> tuple[pd.DataFrame, dict[str, str], list[str]]:
    columns = dict(source.columns)
    problems: list[str] = []
    for i, lookup in enumerate(source.lookups):
        path = params.resolve(lookup.path)
        table = read_file(path, encoding=lookup.encoding, delimiter=lookup.delimiter)
        lookup_key = lookup.key or lookup.by
        needed = [lookup_key, *lookup.columns.values()]
        absent = [c for c in needed if c not in table.columns]
        if lookup.by not in raw.columns:
            absent.append(f"{lookup.by} (in the main file)")
        if absent:
            problems.append(f"lookup {path}: column(s) {absent} not found")
            continue
        table = table.assign(_key=clean_text(table[lookup_key]).str.casefold())
        dup = table["_key"].duplicated(keep=False) & table["_key"].notna()
        if dup.any():
            problems.append(
                f"lookup {path}: key {lookup_key!r} repeats for "
                f"{sorted(table.loc[dup, lookup_key].unique().tolist())[:10]}; each key must appear once"
            )
            continue
        keys = clean_text(raw[lookup.by]).str.casefold()
        for canon, col in lookup.columns.items():
            name = f"_lookup{i}_{col}"
            raw[name] = keys.map(dict(zip(table["_key"], table[col], strict=True)))
            columns[canon] = name
    return raw, columns, problems


def _spec(source: FileSource, columns: dict[str, str]) -> MappingSpec:
    formats = (source.date_format,) if isinstance(source.date_format, str) else source.date_format
    return MappingSpec(
        columns=columns,
        status_groups=source.status_groups,
        status_group_values=source.status_group_values,
        status_results=source.status_results,
        date_formats=tuple(formats or ()),
        true_values=source.true_values,
        false_values=source.false_values,
        decimal=source.decimal,
        replace=source.replace,
    )


def _in_engine(source: FileSource, params: Params, engine: duckdb.DuckDBPyConnection) -> SourceData | None:
    """The file mapped in ``engine`` (rows kept there), or None where the pandas path must read it."""
    if source.lookups or (source.encoding is not None and source.encoding.strip().lower() not in UTF8_NAMES):
        return None  # (a file in another encoding is decoded and checked by files.decode)
    path = params.resolve(source.path)
    try:
        kind = detect_format(path, source.format)
    except SourceError:
        return None  # the pandas path says so
    mapped = map_in_engine(
        engine, path, kind, _spec(source, dict(source.columns)), delimiter=source.delimiter, na_values=source.na_values
    )
    if mapped is None:
        return None
    log.info("%s: %d leads read", path, mapped.rows_read)
    return SourceData(None, str(source.path), mapped.rows_read, source.no_reason_statuses, mapped.dated, 0,
                      mapped.rows, mapped.values)  # fmt: skip


def _read_file_source(source: FileSource, params: Params) -> SourceData:
    path = params.resolve(source.path)
    raw = read_file(
        path,
        source.format,
        encoding=source.encoding,
        delimiter=source.delimiter,
        sheet=source.sheet,
        na_values=source.na_values,
    )
    require_rows(raw, path)
    raw, columns, problems = _join_lookups(raw, source, params)
    frame, found = to_canonical(raw, _spec(source, columns), params.timezone, str(path))
    cleaned = _count_cleaned(frame, path)
    frame = validated(frame, str(path), problems + found)
    log.info("%s: %d leads read", path, len(frame))
    dated = tuple(c for c in ("created_at", "closed_at") if c in effective_columns(raw.columns, columns))
    return SourceData(frame, str(source.path), len(raw), source.no_reason_statuses, dated, cleaned)


def _count_cleaned(frame: pd.DataFrame, path: object) -> int:
    """How many values lost invisible characters in mapping; said in the log and the data-quality notes."""
    if CLEANED not in frame.columns:
        return 0
    count = int(frame[CLEANED].sum())
    if count:
        rows = frame.loc[frame[CLEANED] > 0, ROW]
        log.warning("%s: removed invisible characters (NUL, zero-width, control) from %d value(s) in rows %s",
                    path, count, rows_text(rows))  # fmt: skip
    return count


def _demo_source(source: DemoSource) -> SourceData:
    frame = demo.generate(source.rows, source.seed, source.start, source.end, source.names)
    frame = validated(frame.assign(**{ROW: range(1, len(frame) + 1)}), "demo source")
    # No lead count in the name: a dashboard viewer sees the source's name but only their own
    # leads' count (render.labels.source_words reads this form).
    label = f"demo (seed {source.seed})"
    no_reason = (demo.NAMES[source.names]["lost"][-1],)
    return SourceData(frame, label, len(frame), no_reason)


def read_source(
    params: Params, refresh: Refresh = "if-empty", engine: duckdb.DuckDBPyConnection | None = None
) -> SourceData:
    """Read, map and validate the source a params file names.

    ``refresh`` concerns API sources: ``always`` syncs first, ``if-empty`` only when
    nothing is cached yet, ``never`` reads the cache as it is. With a DuckDB ``engine``, a
    CSV or Parquet file pandas would map without a word is mapped there instead: its rows
    stay in that engine (``SourceData.rows``; the frame is None), which keeps the file's cells
    until it is closed (see ``engine_map.map_in_engine``).
    """
    source = params.source
    if isinstance(source, DemoSource):
        return _demo_source(source)
    if isinstance(source, TableSource):
        raise LeadkitError(
            "source kind 'table' stays in its engine and is never copied out, so it cannot be snapshotted "
            "for notebooks; use `leadkit compute`/`check` per period or the Python API (leadkit.load_leads)"
        )
    if isinstance(source, RemonlineSource):
        from leadkit.sources.remonline import read_remonline

        return read_remonline(source, params, refresh)
    if engine is not None:
        data = _in_engine(source, params, engine)
        if data is not None:
            return data
    return _read_file_source(source, params)


__all__ = ["Refresh", "SourceData", "read_source"]
