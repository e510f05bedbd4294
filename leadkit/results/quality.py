"""The data-quality summary that travels with every result: what was read, left out and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class DataQuality:
    """Counts, not words: each field is a number of leads (or rows of the source)."""

    source: str
    rows_read: int
    rows_loaded: int
    leads_in_scope: int
    excluded: dict[str, int] = field(default_factory=dict)
    in_scope: dict[str, int] = field(default_factory=dict)
    unmatched_filters: dict[str, list[str]] = field(default_factory=dict)
    cleaned_values: int = 0  # values of the source that lost invisible characters (NUL, zero-width, control)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded,
            "leads_in_scope": self.leads_in_scope,
            "excluded": dict(self.excluded),
            "in_scope": dict(self.in_scope),
            "unmatched_filters": {k: list(v) for k, v in self.unmatched_filters.items()},
            "cleaned_values": self.cleaned_values,
        }
