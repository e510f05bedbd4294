"""Report queries compiled to SQL once per backend: by query, and by shape with the scope's values as parameters.

Ibis compiles an expression in 5-30 ms (its rewrites and sqlglot), longer than DuckDB takes
to run it on 100k leads. A redraw asks the same queries again: equal expressions have equal
operation trees, so the tree is a key. A filter change in the panel asks new ones, but of a
known *shape*: the same tree with other dates, times and texts (a period's bounds, the
managers picked, as many as before). Each shape is compiled once with a mark in place of
each distinct such value, and the marks are then replaced by the values' own SQL text — the
text Ibis writes for each literal, so the query is the one Ibis would have compiled. The
marks hold a token drawn for each process, so no text of the data can pass for one. Every
test run checks the result, query by query, against a full compile (``CHECK_VARIABLE``).
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir

# Compiled queries kept per backend: every query of the three reports over a few dozen scopes.
COMPILED_QUERIES = 512
# The attribute of a backend that holds its {query: SQL} and {shape: template}: on the backend
# itself, since ibis calls two in-memory DuckDB connections equal, and so that they go with it.
CACHE_ATTRIBUTE = "_leadkit_compiled"
SHAPES_ATTRIBUTE = "_leadkit_shapes"
# Set (to anything) to compile every query in full as well and require the same text: the tests do.
CHECK_VARIABLE = "LEADKIT_CHECK_SHAPES"
_TOKEN = secrets.token_hex(8)
_TEXT_MARK = "__leadkit_" + _TOKEN + "_{}__"
# Marks for dates and times: days (minutes) after a first day no lead has, drawn per process,
# at an odd microsecond so that no date built from whole numbers in a query can equal one.
_FIRST_DAY = datetime(1100 + secrets.randbelow(700), 1, 1, 0, 0, 0, 1 + secrets.randbelow(999_998))


@dataclass(frozen=True)
class _Template:
    """A shape's SQL and the text of each mark in it; ``sql`` None: the shape compiles in full each time."""

    sql: str | None
    marks: tuple[str, ...] = ()

    def fill(self, texts: list[str]) -> str:
        assert self.sql is not None
        where = {mark: i for i, mark in enumerate(self.marks)}
        # One pass: a value's own text is never searched for marks (a manager may be called anything).
        return re.sub("|".join(map(re.escape, self.marks)), lambda m: texts[where[m.group()]], self.sql)


def _is_parameter(op: ops.Node) -> bool:
    """Whether a literal's value is a parameter of its query's shape: a date, a naive time or a text."""
    if not isinstance(op, ops.Literal) or op.value is None:
        return False
    kind = op.dtype
    return kind.is_string() or kind.is_date() or (kind.is_timestamp() and kind.timezone is None)


def _mark(op: ops.Literal, n: int) -> ops.Literal:
    if op.dtype.is_string():
        return ops.Literal(_TEXT_MARK.format(n), dtype=op.dtype)
    if op.dtype.is_date():
        return ops.Literal((_FIRST_DAY + timedelta(days=n)).date(), dtype=op.dtype)
    return ops.Literal(_FIRST_DAY + timedelta(minutes=n), dtype=op.dtype)


def _shape(backend: ibis.BaseBackend, query: ops.Relation) -> tuple[ops.Relation, list[str], list[str]]:
    """``query`` with a mark in place of each parameter; each parameter's SQL text, and each mark's."""
    texts: list[str] = []
    marks: list[str] = []
    by_value: dict[tuple[str, str], ops.Literal] = {}  # (type, the value's text) → its mark

    def text(op: ops.Literal) -> str:
        return backend.compiler.visit_node(op, value=op.value, dtype=op.dtype).sql(backend.compiler.dialect)

    def swap(op: ops.Node, kwargs: dict[str, Any] | None) -> Any:
        if not _is_parameter(op):
            return op.__recreate__(kwargs) if kwargs else op
        # One mark per distinct value: Ibis writes two conditions that read alike once, so the shape must too.
        assert isinstance(op, ops.Literal)
        value = text(op)
        if (str(op.dtype), value) not in by_value:
            by_value[str(op.dtype), value] = _mark(op, len(texts))
            texts.append(value)
            marks.append(text(by_value[str(op.dtype), value]))
        return by_value[str(op.dtype), value]

    shape = query.replace(swap)
    return shape, texts, marks


def _template(backend: ibis.BaseBackend, shape: ops.Relation, marks: list[str]) -> _Template:
    """The shape compiled, if every mark shows in its SQL and no mark is part of another."""
    sql = backend.compile(shape.to_expr())
    clear = all(sql.count(m) for m in marks) and not any(a != b and a in b for a in marks for b in marks)
    return _Template(sql, tuple(marks)) if clear else _Template(None)


def _cache_of(backend: ibis.BaseBackend, attribute: str) -> dict[Any, Any]:
    known: dict[Any, Any] = vars(backend).setdefault(attribute, {})
    if len(known) >= COMPILED_QUERIES:
        known.clear()
    return known


def sql_of(backend: ibis.BaseBackend, table: ir.Table) -> str:
    """``table``'s SQL on ``backend``: compiled once per query, and once per shape of query."""
    known = _cache_of(backend, CACHE_ATTRIBUTE)
    query = table.op()
    sql = known.get(query)
    if sql is not None:
        return sql
    backend._run_pre_execute_hooks(table)  # what ibis' own to_pyarrow does first (registers in-memory tables)
    shape, texts, marks = _shape(backend, query)
    shapes = _cache_of(backend, SHAPES_ATTRIBUTE)
    template = shapes.get(shape)
    if template is None:
        template = shapes[shape] = _template(backend, shape, marks) if marks else _Template(None)
    sql = template.fill(texts) if template.sql is not None else backend.compile(table)
    if os.environ.get(CHECK_VARIABLE) and sql != (full := backend.compile(table)):
        raise AssertionError(  # (a bug of leadkit.compiled: report the two texts with the Ibis version)
            f"a query filled in from its shape differs from its full compile (ibis {ibis.__version__}):\n{sql}\n{full}"
        )
    known[query] = sql
    return sql
