"""What every params model shares: frozen models refusing unknown keys, and validators of mapping keys and text."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from leadkit.model import TEXT_COLUMNS
from leadkit.text import collisions


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


def one_line(value: str, what: str) -> str:
    """``value`` stripped, or a ValueError when it is empty or spans lines."""
    if any(c in value for c in "\r\n\0"):
        raise ValueError(f"{what} must be one line")
    if not value.strip():
        raise ValueError(f"{what} is empty; write it, or remove the entry")
    return value.strip()
