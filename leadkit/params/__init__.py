"""Run parameters: the YAML file a user writes, validated into frozen models.

This module holds the whole file (``Params``) and reads it; the blocks it is made of live
beside it: ``sources`` (``source:``), ``delivery`` (``delivery:``), ``dashboard``
(``dashboard:``) and what they share, ``base``.

Secrets never live here: a params file that holds an API key, token or password is
refused, and the key is read from the environment by the source that needs it.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import ConfigDict, Field, field_validator, model_validator
from pydantic import ValidationError as PydanticError

from leadkit.exceptions import LeadkitError, ParamsError
from leadkit.method import Method
from leadkit.model import Basis, Lang
from leadkit.params.base import _Model, distinct_keys, distinct_replace, one_line
from leadkit.params.dashboard import BROWSER_HEADERS, Dashboard, ViewerAccess, Viewers
from leadkit.params.delivery import SMTP_PASSWORD_ENV, Alerts, Delivery, ReportName, Smtp, mail_address
from leadkit.params.sources import (
    DEFAULT_FALSE,
    DEFAULT_GROUP_CODES,
    DEFAULT_NO_REASON,
    DEFAULT_RESULTS,
    DEFAULT_TRUE,
    DEMO_DATES,
    REMONLINE_LEAD_URL,
    DemoSource,
    FileSource,
    Lookup,
    RemonlineSource,
    Source,
    TableSource,
)
from leadkit.periods import Period
from leadkit.scope import FILTER_KEYS, Filters, Scope, as_values, period_of

__all__ = [
    "BROWSER_HEADERS", "DEFAULT_FALSE", "DEFAULT_GROUP_CODES", "DEFAULT_NO_REASON", "DEFAULT_RESULTS",
    "DEFAULT_TRUE", "DEMO_DATES", "REMONLINE_LEAD_URL", "SMTP_PASSWORD_ENV", "Alerts", "Analysis", "Cache",
    "Dashboard", "Delivery", "DemoSource", "Engine", "FileSource", "Lookup", "Output", "Params", "RemonlineSource",
    "ReportName", "Smtp", "Source", "TableSource", "ViewerAccess", "Viewers", "distinct_keys", "distinct_replace",
    "load_params", "mail_address", "one_line", "parse_params", "read_text",
]  # fmt: skip

# A setting whose name ends so holds a credential; they come from the environment only.
SECRET_ENDINGS = ("api_key", "apikey", "token", "secret", "password", "passwd", "private_key", "secret_key",
                  "access_key", "authorization", "credentials")  # fmt: skip
# Mappings whose keys are the user's data (status names, values to replace, column names), not settings:
# a status named "Token" or "Password" is no secret.
DATA_MAPPINGS = frozenset({"columns", "status_groups", "status_group_values", "status_results", "replace", "users"})


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
