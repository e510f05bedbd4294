"""Settings of `leadkit deliver` and `leadkit alert`: the mail server, the recipients file, what and when to send."""

from __future__ import annotations

import re
from email.utils import parseaddr
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from leadkit.params.base import _Model

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
