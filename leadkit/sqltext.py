"""SQL text built from values: every literal and identifier leadkit writes into a query is quoted here."""

from __future__ import annotations


def literal(text: str) -> str:
    """``text`` as an SQL string literal (its quotes doubled): never read as SQL."""
    return "'" + text.replace("'", "''") + "'"


def identifier(name: str) -> str:
    """``name`` as a quoted SQL identifier (its double quotes doubled), whatever characters it holds."""
    return '"' + name.replace('"', '""') + '"'
