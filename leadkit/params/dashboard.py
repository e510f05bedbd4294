"""Settings of `leadkit serve`: row-level views, each dashboard user named by a header the proxy sets."""

from __future__ import annotations

import re
from typing import Any

from pydantic import Field, field_validator, model_validator

from leadkit.params.base import _Model, one_line
from leadkit.scope import Filters

# Headers a browser sends by itself (or that carry credentials) cannot name a viewer.
BROWSER_HEADERS = frozenset({"host", "cookie", "authorization", "proxy-authorization", "user-agent", "referer",
                             "origin", "accept", "accept-language", "content-type", "x-forwarded-for"})  # fmt: skip


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
