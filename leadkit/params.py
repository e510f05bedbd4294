"""Run parameters: the YAML file a user writes, validated into frozen models.

Secrets never live here: a params file that holds an API key, token or password is
refused, and the key is read from the environment by the source that needs it.
"""

from __future__ import annotations

import re
from datetime import date
from email.utils import parseaddr
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic import ValidationError as PydanticError

from leadkit.exceptions import LeadkitError, ParamsError
from leadkit.method import Method
from leadkit.model import MAPPABLE_COLUMNS, TEXT_COLUMNS, Basis, Lang, StatusGroup, StatusResult
from leadkit.periods import FIRST_YEAR, LAST_YEAR, Period
from leadkit.scope import FILTER_KEYS, Filters, Scope, as_values, period_of
from leadkit.text import collisions

# A setting whose name ends so holds a credential; they come from the environment only.
SECRET_ENDINGS = ("api_key", "apikey", "token", "secret", "password", "passwd", "private_key", "secret_key",
                  "access_key", "authorization", "credentials")  # fmt: skip
# Mappings whose keys are the user's data (status names, values to replace, column names), not settings:
# a status named "Token" or "Password" is no secret.
DATA_MAPPINGS = frozenset({"columns", "status_groups", "status_group_values", "status_results", "replace", "users"})
DEMO_DATES = (date(FIRST_YEAR, 1, 1), date(LAST_YEAR, 12, 31))  # the years reports cover
DEFAULT_NO_REASON = ("Lost", "Closed unsuccessfully", "Закрыто неуспешно", "Закрыт неуспешно")
DEFAULT_TRUE = ("1", "true", "yes", "y", "t", "да")
DEFAULT_FALSE = ("0", "false", "no", "n", "f", "нет")


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# --- Mapping keys: statuses and values match ignoring case, spaces and invisible characters
# (leadkit.text.key), so two keys that differ only so would silently let one win.
def distinct_keys(value: dict[str, Any]) -> dict[str, Any]:
    """``value``, refused when two of its keys are one key as statuses are matched."""
    clashes = collisions(value)
    if clashes:
        pairs = "; ".join(f"{a!r} and {b!r}" for a, b in clashes)
        raise ValueError(
            f"keys {pairs} are the same (statuses and values match ignoring case, spaces and invisible "
            "characters), so one would silently win; keep one of each"
        )
    return value


def distinct_replace(value: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """``replace:`` names text columns only, each with distinct keys."""
    unknown = sorted(set(value) - set(TEXT_COLUMNS))
    if unknown:
        raise ValueError(f"unknown column(s) {unknown}; replace works on {', '.join(TEXT_COLUMNS)}")
    for column, table in value.items():
        try:
            distinct_keys(table)
        except ValueError as exc:
            raise ValueError(f"{column}: {exc}") from None
    return value


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML's safe loader, refusing a key written twice in one mapping (YAML keeps the last silently)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[tuple[type, Any]] = set()
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                continue  # (merged keys may be overridden, as YAML means them)
            name = self.construct_object(key_node, deep=deep)
            if not isinstance(name, (str, int, float, bool)):
                continue  # (pydantic refuses other keys)
            if (type(name), name) in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {name!r} is written twice in one mapping; keep one", key_node.start_mark
                )
            seen.add((type(name), name))
        return super().construct_mapping(node, deep=deep)


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


class Analysis(_Model):
    """The statistical choices of every report (``leadkit.method.Method``); the defaults suit most shops."""

    confidence: float = Field(0.95, ge=0.5, lt=1, description="of every interval and the funnel limits")
    alpha: float = Field(0.05, gt=0, lt=0.5, description="a change is significant when p < alpha")
    min_leads: int = Field(30, ge=1, le=100_000, description="managers with fewer leads are flagged, not ranked")
    trend_length: int = Field(12, ge=2, le=120, description="months (or weeks) in a trend")
    weekly_up_to_days: int = Field(27, ge=1, le=366, description="shorter periods get a weekly trend")
    horizon_days: int | None = Field(
        None, ge=1, le=3650, description="compare periods on conversion within this many days; absent: from the data"
    )
    horizon_share: float = Field(0.75, gt=0, lt=1, description="the derived horizon covers this share of closes")
    min_followed: float = Field(0.5, gt=0, le=1, description="judge a period once this share was followed H days")


class Output(_Model):
    dir: Path = Path("outputs")
    formats: tuple[Literal["html", "pdf", "xlsx"], ...] = ("html", "pdf", "xlsx")


class Engine(_Model):
    """Where reports run; credentials never live here (PostgreSQL reads PGPASSWORD)."""

    backend: Literal["duckdb", "postgres", "pyspark"] = "duckdb"
    path: Path | None = Field(None, description="duckdb: a database file instead of memory")
    url: str | None = Field(None, description="postgres: postgresql://user@host:port/database")
    master: str = Field("local[2]", description="pyspark: local[N] or spark://host:7077")
    partitions: int = Field(4, ge=1, le=10_000, description="pyspark: shuffle partitions")

    @field_validator("url")
    @classmethod
    def _no_password(cls, value: str | None) -> str | None:
        if value and urlsplit(value).password:
            raise ValueError("must not hold a password; set the environment variable PGPASSWORD instead")
        return value


class Cache(_Model):
    """The ingest cache: a file or demo source read, mapped and validated once (``leadkit.ingest``)."""

    enabled: bool = True
    dir: Path | None = Field(None, description="default: $LEADKIT_CACHE_DIR, else .leadkit-cache beside the params")


# --- delivery: `leadkit deliver` / `leadkit alert` ---------------------------------------------------------------

SMTP_PASSWORD_ENV = "LEADKIT_SMTP_PASSWORD"
ReportName = Literal["lead_conversion", "lost_leads", "employee_performance"]


def mail_address(value: str, with_name: bool = False) -> str:
    """An e-mail address (``with_name``: also "Name <address>"), one line, or a ValueError saying why."""
    if any(c in value for c in "\r\n\0"):
        raise ValueError("must be one line")
    name, address = parseaddr(value)
    if name and not with_name:
        raise ValueError("write the address alone, e.g. boss@example.com")
    local, at, domain = address.rpartition("@")
    if not at or not local or "." not in domain or " " in address or address.count("@") != 1:
        raise ValueError(f"{value!r} is not an e-mail address such as reports@example.com")
    return value.strip()


class Smtp(_Model):
    """The mail server; its password comes from LEADKIT_SMTP_PASSWORD only."""

    host: str
    port: int = Field(587, ge=1, le=65535)
    starttls: bool = Field(True, description="false: plain SMTP, e.g. a relay on localhost")
    username: str | None = Field(None, description="none: send without logging in")
    timeout: float = Field(30.0, gt=0, le=600)
    retries: int = Field(4, ge=0, le=20, description="tries again after a temporary (4xx) or network failure")
    backoff: float = Field(2.0, ge=0, le=600, description="first pause in seconds; doubles each time")

    @model_validator(mode="before")
    @classmethod
    def _no_password(cls, data: Any) -> Any:
        if isinstance(data, dict) and "password" in data:
            raise ValueError(f"password: none in a params file; set the environment variable {SMTP_PASSWORD_ENV}")
        return data

    @field_validator("host")
    @classmethod
    def _host(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9.\-]+|\[[0-9A-Fa-f:.]+\]", value):
            raise ValueError("write a host name such as smtp.example.com (no scheme, user or port)")
        return value


class Alerts(_Model):
    """When `leadkit alert` mails: a significant change on enough leads, at most once per re-arm interval."""

    every: Literal["month", "week"] = Field("month", description="compare the last whole month (or week)")
    min_leads: int = Field(100, ge=1, le=10_000_000, description="leads each period needs before a change alerts")
    rearm_hours: float = Field(7 * 24, gt=0, le=24 * 366, description="the same alert is not sent again within")
    new_status_hours: float | None = Field(
        24, gt=0, le=24 * 366, description="list leads still New after this many hours; null: no such alert"
    )


class Delivery(_Model):
    """Who gets which reports by e-mail, and how."""

    smtp: Smtp
    sender: str = Field(alias="from", description='"Lead reports <reports@example.com>"')
    recipients: Path = Field(description="CSV: email,name,lang,managers,branches,lead_types; relative to the params")
    reports: tuple[ReportName, ...] = ("lead_conversion", "lost_leads", "employee_performance")
    attach: tuple[Literal["pdf", "xlsx"], ...] = ("pdf", "xlsx")
    when_empty: Literal["skip", "send", "note"] = "skip"
    owner: str = Field(description="gets one message listing whatever failed, and every alert")
    alerts: Alerts = Field(default_factory=Alerts)

    @field_validator("sender")
    @classmethod
    def _sender(cls, value: str) -> str:
        return mail_address(value, with_name=True)

    @field_validator("owner")
    @classmethod
    def _owner(cls, value: str) -> str:
        return mail_address(value)

    @field_validator("reports", "attach")
    @classmethod
    def _some(cls, value: tuple[Any, ...], info: Any) -> tuple[Any, ...]:
        if info.field_name == "reports" and not value:
            raise ValueError("name at least one report")
        return tuple(dict.fromkeys(value))


# --- the dashboard: `leadkit serve` ------------------------------------------------------------------------------

# Headers a browser sends by itself (or that carry credentials) cannot name a viewer.
BROWSER_HEADERS = frozenset({"host", "cookie", "authorization", "proxy-authorization", "user-agent", "referer",
                             "origin", "accept", "accept-language", "content-type", "x-forwarded-for"})  # fmt: skip


def one_line(value: str, what: str) -> str:
    """``value`` stripped, or a ValueError when it is empty or spans lines."""
    if any(c in value for c in "\r\n\0"):
        raise ValueError(f"{what} must be one line")
    if not value.strip():
        raise ValueError(f"{what} is empty; write it, or remove the entry")
    return value.strip()


class ViewerAccess(_Model):
    """The leads one dashboard user may see: their managers and/or branches (both: leads matching both), or all."""

    managers: tuple[str, ...] = ()
    branches: tuple[str, ...] = ()
    all: bool = Field(False, description="true: every lead (an owner); excludes managers and branches")

    @field_validator("managers", "branches", mode="before")
    @classmethod
    def _listed(cls, value: object, info: Any) -> object:
        if isinstance(value, str):
            value = [value]
        if isinstance(value, (list, tuple)):
            if not value:
                raise ValueError(f"an empty list would show every lead; list at least one of the {info.field_name}, "
                                 "or write all: true")  # fmt: skip
            return tuple(one_line(str(v), "a name") for v in value)
        return value

    @model_validator(mode="after")
    def _something(self) -> ViewerAccess:
        listed = bool(self.managers or self.branches)
        if listed == self.all:
            raise ValueError(
                "give managers and/or branches (the leads this user sees), or all: true — one of the two"
                if not listed
                else "all: true shows every lead, so managers and branches would mean nothing; keep one of the two"
            )
        return self

    def filters(self) -> Filters:
        """The allowance as filters (empty for all: every lead)."""
        return Filters(managers=self.managers, branches=self.branches)


class Viewers(_Model):
    """Row-level views: who may see which leads, named by a header the authenticating proxy sets."""

    header: str = Field("X-Leadkit-User", description="the request header the reverse proxy sets to the user")
    contact: str | None = Field(None, description="whom a user without access asks, e.g. Olga, olga@example.com")
    users: dict[str, ViewerAccess] = Field(description="user as the proxy names them → managers/branches, or all")

    @field_validator("header")
    @classmethod
    def _header(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9-]*", value):
            raise ValueError("write a header name such as X-Leadkit-User (letters, digits and dashes)")
        if value.lower() in BROWSER_HEADERS:
            raise ValueError(f"{value} is sent by the browser itself; name a header only the proxy sets, "
                             "e.g. X-Leadkit-User")  # fmt: skip
        return value

    @field_validator("contact")
    @classmethod
    def _contact(cls, value: str | None) -> str | None:
        return None if value is None else one_line(value, "contact")

    @field_validator("users")
    @classmethod
    def _users(cls, value: dict[str, ViewerAccess]) -> dict[str, ViewerAccess]:
        if not value:
            raise ValueError("name at least one user, e.g. anna@example.com: {managers: [Anna Ivanova]}")
        seen: dict[str, str] = {}
        for user in value:
            key = one_line(user, "a user name").casefold()
            if key in seen:
                raise ValueError(f"{seen[key]!r} and {user!r} are one user (names match ignoring case); keep one")
            seen[key] = user
        return {user.strip(): access for user, access in value.items()}


class Dashboard(_Model):
    """Settings of `leadkit serve`."""

    viewers: Viewers | None = Field(None, description="absent: everyone who reaches the dashboard sees every lead")


class Params(_Model):
    """Everything a run needs except secrets."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    source: Source
    period: Period | None = Field(None, description="2025, 2025-Q4, 2025-11, 2025-W05, A..B, previous-month…")
    basis: Basis = "created"
    filters: dict[Literal["lead_types", "managers", "branches"], list[str]] = Field(default_factory=dict)
    lang: Lang = "en"
    timezone: str = "UTC"
    analysis: Analysis = Field(default_factory=Analysis)
    output: Output = Field(default_factory=Output)
    engine: Engine = Field(default_factory=Engine)
    cache: Cache = Field(default_factory=Cache)
    delivery: Delivery | None = None
    dashboard: Dashboard = Field(default_factory=Dashboard)
    base_dir: Path = Field(Path("."), description="where relative paths start; set by load")

    @model_validator(mode="before")
    @classmethod
    def _period_block(cls, data: Any) -> Any:
        """``period: {name: 2025-Q1, basis: closed}`` or ``{start:, end:, basis:}`` as period and basis."""
        if isinstance(data, dict) and isinstance(data.get("period"), dict):
            block = dict(data["period"])
            unknown = sorted(set(block) - {"name", "start", "end", "basis"})
            if unknown:
                raise ValueError(f"period: unknown key(s) {unknown}; use name, or start and end, and basis")
            try:
                asked = period_of(block.get("name"), block.get("start"), block.get("end"))
            except LeadkitError as exc:
                raise ValueError(str(exc)) from None
            data = {**data, "period": asked}
            if "basis" in block:
                data["basis"] = block["basis"]
        return data

    @field_validator("period", mode="before")
    @classmethod
    def _period(cls, value: object) -> object:
        if value is None or isinstance(value, Period):
            return value
        if isinstance(value, date):
            value = value.isoformat()
        try:
            asked = period_of(str(value))
        except LeadkitError as exc:
            raise ValueError(str(exc)) from None
        return None if asked == "all" else asked

    @field_validator("filters", mode="before")
    @classmethod
    def _lists(cls, value: object) -> object:
        if isinstance(value, dict):
            return {k: list(as_values(v)) for k, v in value.items()}
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone such as Europe/Kyiv") from None
        return value

    def resolve(self, path: Path) -> Path:
        """A path from the params file, relative to the file's folder."""
        return path if path.is_absolute() else (self.base_dir / path)

    def scope(self) -> Scope:
        """The period, basis and filters this params file asks for."""
        filters = Filters(**{k: tuple(v) for k, v in self.filters.items() if k in FILTER_KEYS})
        return Scope(period=self.period, basis=self.basis, filters=filters)

    def method(self) -> Method:
        """The statistical choices of ``analysis:``, as the reports take them."""
        return Method(**self.analysis.model_dump())


def _is_secret_name(key: object) -> bool:
    return re.sub(r"[\s-]+", "_", str(key).strip().lower()).endswith(SECRET_ENDINGS)


def _find_secrets(node: object, where: str = "") -> list[str]:
    """Where a params tree holds a credential: any setting so named, except inside data mappings."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{where}.{key}" if where else str(key)
            if _is_secret_name(key) and value not in (None, ""):
                found.append(here)
            elif str(key) not in DATA_MAPPINGS:
                found += _find_secrets(value, here)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _find_secrets(value, f"{where}[{i}]")
    return found


def _describe(exc: PydanticError) -> list[str]:
    # Only locations and messages: pydantic's default text echoes input values.
    # A validator's own message comes as "Value error, period '2025-13' is not understood": pydantic's
    # prefix is for programmers, the message after it is for the reader.
    return [f"{'.'.join(str(p) for p in err['loc']) or '(top)'}: {err['msg'].removeprefix('Value error, ')}"
            for err in exc.errors()]  # fmt: skip


def parse_params(data: object, where: str = "params", base_dir: Path | None = None) -> Params:
    """Validate a mapping (as read from YAML) into ``Params``."""
    if not isinstance(data, dict):
        raise ParamsError(f"{where}: expected a mapping with at least a 'source:' block")
    secrets = _find_secrets(data)
    if secrets:
        raise ParamsError(
            f"{where}: {', '.join(secrets)} holds a secret; params files must not. Remove it and set it in "
            "the environment instead: LEADKIT_REMONLINE_API_KEY for the RemOnline key, PGPASSWORD for PostgreSQL, "
            f"{SMTP_PASSWORD_ENV} for the SMTP password."
        )
    try:
        return Params.model_validate({**data, "base_dir": base_dir or Path(".")})
    except PydanticError as exc:
        lines = "\n".join(f"  - {line}" for line in _describe(exc))
        raise ParamsError(f"{where}: invalid parameters:\n{lines}") from None


def read_text(path: Path, what: str, missing: str = "", unreadable: str = "", encoding: str = "utf-8") -> str:
    """The text of a file the user named, or one ``ParamsError`` saying which file and what is wrong with it."""
    try:
        return path.read_text(encoding=encoding)
    except FileNotFoundError:
        raise ParamsError(f"{what} {path} does not exist{missing}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ParamsError(f"{what} {path} cannot be read{unreadable}: {exc}") from None


def load_params(path: str | Path) -> Params:
    """Read and validate a params YAML file; relative paths in it start at its folder."""
    file = Path(path)
    text = read_text(file, "params file")
    try:
        data: Any = yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader that refuses repeated keys
    except yaml.YAMLError as exc:
        mark, start = getattr(exc, "problem_mark", None), getattr(exc, "context_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None)
        what = f": {problem}" if problem else ""
        began = f" (in what starts at line {start.line + 1})" if start else ""
        raise ParamsError(f"params file {file} is not valid YAML{at}{what}{began}") from None
    return parse_params(data, str(file), file.resolve().parent)
