"""SQL text built from values: every literal and identifier leadkit writes into a query is quoted here."""

from __future__ import annotations

from collections.abc import Iterable


def literal(text: str) -> str:
    """``text`` as an SQL string literal (its quotes doubled): never read as SQL."""
    return "'" + text.replace("'", "''") + "'"


def identifier(name: str) -> str:
    """``name`` as a quoted SQL identifier (its double quotes doubled), whatever characters it holds."""
    return '"' + name.replace('"', '""') + '"'


def enum_labels(values: Iterable[str]) -> list[str]:
    """The distinct ``values`` in byte order: the order of an ENUM's labels, so that ordering by it orders as text."""
    return sorted(set(values), key=str.encode)


def enum_type(values: Iterable[str]) -> str:
    """The DuckDB ENUM of ``values``, labels in ``enum_labels`` order.

    Every ENUM leadkit stores is declared here, so two of the same values are the same type
    and casting one to the other costs nothing.
    """
    return "ENUM(" + ", ".join(literal(v) for v in enum_labels(values)) + ")"
