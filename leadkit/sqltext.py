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


def _enum(labels: Iterable[str]) -> str:
    return "ENUM(" + ", ".join(literal(v) for v in labels) + ")"


def enum_type(values: Iterable[str]) -> str:
    """The DuckDB ENUM of ``values``, labels in ``enum_labels`` order.

    Every ENUM leadkit stores is declared here, so two of the same values are the same type
    and casting one to the other costs nothing.
    """
    return _enum(enum_labels(values))


def position_of(expr: str, labels: Iterable[str], blank: str) -> str:
    """The 0-based position of ``expr``'s value among ``labels`` (a BIGINT), the SQL ``blank`` where it is NULL.

    With a stored ENUM's own labels (``enum_labels``) the cast costs nothing; with others it is one lookup per row.
    """
    return f"COALESCE(CAST(enum_code(CAST({expr} AS {_enum(labels)})) AS BIGINT), {blank})"


def listed_at(items: Iterable[str], kind: str, position: str) -> str:
    """The item at the 1-based SQL ``position`` of a constant list of SQL ``items`` of type ``kind``.

    With ``position_of`` it is a lookup without a join: the rows keep their order, and no text is made per row.
    """
    return f"CAST([{', '.join(items)}] AS {kind}[])[{position}]"
