"""Where the leads come from: a file export, the demo company, RemOnline's API, or a table in the engine."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator

from leadkit.model import MAPPABLE_COLUMNS, Lang, StatusGroup, StatusResult
from leadkit.params.base import _Model, distinct_keys, distinct_replace
from leadkit.periods import FIRST_YEAR, LAST_YEAR

DEMO_DATES = (date(FIRST_YEAR, 1, 1), date(LAST_YEAR, 12, 31))  # the years reports cover
DEFAULT_NO_REASON = ("Lost", "Closed unsuccessfully", "Закрыто неуспешно", "Закрыт неуспешно")
DEFAULT_TRUE = ("1", "true", "yes", "y", "t", "да")
DEFAULT_FALSE = ("0", "false", "no", "n", "f", "нет")
REMONLINE_LEAD_URL = "https://web.remonline.app/leads/{lead_id}"


class _Linked(_Model):
    """A source whose lead ids can link to the lead in its CRM."""

    lead_url: str | None = Field(None, description="a link to each lead, e.g. https://crm.example/lead/{lead_id}")

    @field_validator("lead_url")
    @classmethod
    def _lead_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        rest = value.replace("{lead_id}", "")
        if not value.startswith(("https://", "http://")) or "{lead_id}" not in value or "{" in rest or "}" in rest:
            raise ValueError("write an http(s) address with {lead_id} (and no other braces) where the lead's id goes")
        return value


class Lookup(_Model):
    """A second file joined to the main one, e.g. sales agent → regional office."""

    path: Path
    by: str = Field(description="column of the main file to look up")
    key: str | None = Field(None, description="column of the lookup file; default: same as by")
    columns: dict[str, str] = Field(description="canonical column → lookup file column")
    encoding: str | None = None
    delimiter: str | None = None


class _StatusMapped(_Linked):
    """A source that maps its own statuses: two keys of one mapping may not match the same status."""

    @field_validator("status_groups", "status_group_values", "status_results", check_fields=False)
    @classmethod
    def _distinct_keys(cls, value: dict[str, Any]) -> dict[str, Any]:
        return distinct_keys(value)


class FileSource(_StatusMapped):
    """A CSV, XLSX or Parquet export, mapped onto the canonical columns."""

    kind: Literal["file"]
    path: Path
    format: Literal["csv", "xlsx", "parquet"] | None = None
    sheet: str | int | None = None
    columns: dict[str, str] = Field(default_factory=dict)
    status_groups: dict[str, StatusGroup] = Field(default_factory=dict)
    status_group_values: dict[str, StatusGroup] = Field(default_factory=dict)
    status_results: dict[str, StatusResult] = Field(default_factory=dict)
    no_reason_statuses: tuple[str, ...] = DEFAULT_NO_REASON
    date_format: str | tuple[str, ...] | None = None
    encoding: str | None = None
    delimiter: str | None = None
    decimal: Literal[".", ","] = Field(".", description="decimal mark of numbers, e.g. flags written 1,0")
    true_values: tuple[str, ...] = DEFAULT_TRUE
    false_values: tuple[str, ...] = DEFAULT_FALSE
    na_values: tuple[str, ...] = ()
    lookups: tuple[Lookup, ...] = ()
    replace: dict[str, dict[str, str]] = Field(
        default_factory=dict, description="canonical column → {value as read: value to use}"
    )

    @field_validator("delimiter")
    @classmethod
    def _delimiter(cls, value: str | None) -> str | None:
        named = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}
        value = named.get(value.lower(), value) if value else value
        if value is not None and len(value) != 1:
            raise ValueError("write one character, or tab / comma / semicolon / pipe")
        return value

    @field_validator("replace")
    @classmethod
    def _replace(cls, value: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        return distinct_replace(value)

    @model_validator(mode="after")
    def _flags(self) -> FileSource:
        both = sorted({v.casefold() for v in self.true_values} & {v.casefold() for v in self.false_values})
        if both:
            raise ValueError(f"{both} in both true_values and false_values; keep each in one")
        return self

    @field_validator("columns")
    @classmethod
    def _known_columns(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(MAPPABLE_COLUMNS))
        if unknown:
            raise ValueError(
                f"unknown canonical column(s) {unknown}; the mappable ones are {', '.join(MAPPABLE_COLUMNS)}"
            )
        return value


class DemoSource(_Model):
    """A deterministic synthetic RemOnline-like company."""

    kind: Literal["demo"]
    rows: int = Field(5000, ge=10, le=1_000_000_000)
    seed: int = 7
    start: date = date(2024, 1, 1)
    end: date = date(2025, 12, 31)
    names: Lang = "en"

    @model_validator(mode="after")
    def _dates(self) -> DemoSource:
        if self.start > self.end:
            raise ValueError(f"start {self.start} is after end {self.end}; swap them")
        first, last = DEMO_DATES
        if self.start < first or self.end > last:
            raise ValueError(f"start and end must lie between {first} and {last}; choose dates in that range")
        return self


# RemOnline's status-group codes (0 custom, 1 New, 2 In progress, 3 Deferred, 4 Done, 5 Delivery,
# 6 Closed successfully, 7 Closed unsuccessfully) as lead groups; unconfirmed for leads, so a param.
DEFAULT_GROUP_CODES: dict[str, StatusGroup] = {
    "0": "in_progress", "1": "new", "2": "in_progress", "3": "pending", "4": "won", "5": "in_progress",
    "6": "won", "7": "lost",
}  # fmt: skip
DEFAULT_RESULTS: dict[str, StatusResult] = {
    "Successful order": "order", "Successful sale": "sale", "Успешный заказ": "order", "Успешная продажа": "sale",
}  # fmt: skip


class RemonlineSource(_StatusMapped):
    """Leads pulled from the RemOnline REST API; the key comes from LEADKIT_REMONLINE_API_KEY."""

    kind: Literal["remonline"]
    base_url: str = "https://api.remonline.app"
    auth: Literal["bearer", "token"] = Field("bearer", description="token: the legacy POST /token/new flow")
    cache: Path | None = Field(None, description="cache folder; default: OUTPUT_DIR/.cache/remonline-HOST")
    status_group_values: dict[str, StatusGroup] = Field(default_factory=lambda: dict(DEFAULT_GROUP_CODES))
    status_groups: dict[str, StatusGroup] = Field(default_factory=dict)
    status_results: dict[str, StatusResult] = Field(default_factory=lambda: dict(DEFAULT_RESULTS))
    order_id_field: str | None = Field(None, description="field of a lead item holding its order id, e.g. order.id")
    sale_id_field: str | None = None
    lead_id: Literal["id", "label"] = "id"
    no_reason_statuses: tuple[str, ...] = DEFAULT_NO_REASON
    lead_url: str | None = Field(REMONLINE_LEAD_URL, description="the lead in RemOnline's web app; null: no links")
    timeout: float = Field(30.0, gt=0, le=600)
    retries: int = Field(6, ge=0, le=30)
    backoff: float = Field(0.5, ge=0, le=60, description="first retry pause in seconds; doubles each time")
    rate_limit: float = Field(3.0, gt=0, le=3.0, description="requests per second; RemOnline allows 3")
    overlap_minutes: int = Field(60, ge=0, le=7 * 24 * 60)

    @field_validator("status_group_values", mode="before")
    @classmethod
    def _codes_as_text(cls, value: object) -> object:
        return {str(k): v for k, v in value.items()} if isinstance(value, dict) else value

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("write a URL such as https://api.remonline.app")
        if parts.username or parts.password or parts.query:
            raise ValueError("must not carry credentials or a query; the key comes from the environment")
        return value.rstrip("/")


class TableSource(_Linked):
    """Leads already in the engine, in the canonical columns: a table (or view), or a Parquet path it reads.

    Nothing is copied out: DuckDB, PostgreSQL or Spark validates and reports where the data is.
    """

    kind: Literal["table"]
    table: str | None = Field(None, description="a table or view in the engine, e.g. crm.leads")
    parquet: str | None = Field(None, description="duckdb, pyspark: a Parquet file or folder the engine reads")
    no_reason_statuses: tuple[str, ...] = DEFAULT_NO_REASON

    @model_validator(mode="after")
    def _one_place(self) -> TableSource:
        if (self.table is None) == (self.parquet is None):
            raise ValueError("give either table or parquet")
        if self.table is not None and not re.fullmatch(r"[A-Za-z_][\w$]*(\.[A-Za-z_][\w$]*){0,2}", self.table):
            raise ValueError("write the table as name, schema.name or catalog.schema.name")
        return self


Source = Annotated[FileSource | DemoSource | RemonlineSource | TableSource, Field(discriminator="kind")]
