"""The canonical leads table as an Ibis table, loaded once and shared by every report."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import ibis
import pandas as pd

from leadkit.engines import REQUIRED_COLUMNS, connect, in_place, register, with_optional_columns
from leadkit.exceptions import ValidationError
from leadkit.flags import annotate
from leadkit.ingest import attach, cached_source, ingest
from leadkit.model import DATE_COLUMNS
from leadkit.params import Params, TableSource, load_params
from leadkit.scope import Filters
from leadkit.sources import SourceData, read_source
from leadkit.sources.validate import missing_message, table_problems, validated


@dataclass(frozen=True)
class Leads:
    """A validated canonical table on an Ibis backend, with facts about its source.

    ``table`` has the canonical columns and the per-lead flags of ``leadkit.flags``.
    """

    table: ibis.Table
    label: str
    rows_read: int
    no_reason_statuses: tuple[str, ...]
    dated: tuple[str, ...]  # the date columns the source provides, as in SourceData
    timezone: str = "UTC"
    lead_url: str | None = None  # a link template to each lead in its CRM ({lead_id} stands for the id)
    cleaned_values: int = 0  # values the source lost invisible characters from, as in SourceData


def matches(t: ibis.Table, filters: Filters) -> ibis.expr.types.BooleanValue:
    """Rows whose values pass every active filter (NULL where a value is missing, which drops the row)."""
    passes: ibis.expr.types.BooleanValue = ibis.literal(True)
    for column, values in filters.items():
        passes = passes & t[column].isin(list(values))
    return passes


def visible(leads: Leads, allowance: Filters) -> Leads:
    """Only the rows a dashboard viewer's ``allowance`` lets them see, for counts and lists of the whole table.

    (Reports keep the whole table, whose latest date is the data's cut-off for every lead; their scope
    carries the allowance.)
    """
    if not allowance.active:
        return leads
    kept = leads.table.filter(matches(leads.table, allowance))
    return replace(leads, table=kept, rows_read=int(kept.count().to_pandas()))


def _leads(table: ibis.Table, data: SourceData, timezone: str, lead_url: str | None = None) -> Leads:
    """A table with the facts its source gave about itself: the one place those are copied over."""
    return Leads(table, data.label, data.rows_read, data.no_reason_statuses, data.dated, timezone, lead_url,
                 data.cleaned_values)  # fmt: skip


def from_source(data: SourceData, timezone: str = "UTC", backend: ibis.BaseBackend | None = None) -> Leads:
    """Leads registered on ``backend`` (a fresh in-process DuckDB when None)."""
    return _leads(register(data.pandas(), backend or connect(), data.no_reason_statuses), data, timezone)


def from_frame(frame: pd.DataFrame, label: str = "data frame", no_reason_statuses: tuple[str, ...] = ()) -> Leads:
    """Leads from a frame that already has the canonical columns; validated like any source."""
    data = SourceData(validated(frame, label), label, len(frame), no_reason_statuses)
    return from_source(data)


def from_engine(source: TableSource, params: Params) -> Leads:
    """Leads the engine already holds (a table, or a Parquet path it reads), validated there."""
    backend = connect(params.engine, params.base_dir)
    raw = in_place(source.table, source.parquet, backend)
    label = f"{backend.name}: {source.table or source.parquet}"
    required = [c for c in REQUIRED_COLUMNS if c not in raw.columns]
    if required:
        hint = "; an engine's table must name them so (the other canonical columns may be absent)"
        raise ValidationError(label, [missing_message(required, list(raw.columns)) + hint])
    dated = tuple(c for c in DATE_COLUMNS if c in raw.columns)
    raw = with_optional_columns(raw)
    problems = table_problems(raw)
    if problems:
        raise ValidationError(label, problems)
    return Leads(
        table=annotate(raw, source.no_reason_statuses),  # flags planned into each query; the data stays put
        label=label,
        rows_read=int(raw.count().to_pandas()),
        no_reason_statuses=source.no_reason_statuses,
        dated=dated,
        timezone=params.timezone,
        lead_url=source.lead_url,
    )


def load_leads(params: Params | str | Path) -> Leads:
    """Read, validate and register the source of a params file (or path to one)."""
    if not isinstance(params, Params):
        params = load_params(params)
    if isinstance(params.source, TableSource):
        return from_engine(params.source, params)
    lead_url = getattr(params.source, "lead_url", None)
    found = ingest(params)  # a file or demo source is read once, then reused from the cache
    backend = connect(params.engine, params.base_dir)
    if found is not None and backend.name == "duckdb":
        facts = found.source_data(None)  # the facts alone: the rows stay in the cache file
        return _leads(attach(found, backend), facts, params.timezone, lead_url)
    data = cached_source(found) if found is not None else read_source(params)
    return replace(from_source(data, params.timezone, backend), lead_url=lead_url)
