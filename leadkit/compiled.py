"""Report queries compiled to SQL once per backend: by query, and by shape with the scope's values as parameters.

Ibis compiles an expression in 5-30 ms (its rewrites and sqlglot), longer than DuckDB takes
to run it on 100k leads. A redraw asks the same queries again: equal expressions have equal
operation trees, so the tree is a key. A filter change in the panel asks new ones, but of a
known *shape*: the same tree with other dates, texts and lists of texts (a period's bounds,
the managers picked). Each shape is compiled once with a mark in place of each such value,
and the marks are then replaced by the values' own SQL text — the text Ibis writes for each
literal, so the query is the one Ibis would have compiled. Every test run checks that, query
by query, against a full compile (``CHECK_VARIABLE``).
"""

from __future__ import annotations

import os
import re
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
_TEXT_MARK = "__leadkit_parameter_{}__"
_FIRST_DAY = datetime(1001, 1, 1)  # marks for dates and times: minutes (days) after it, in no export


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


def _parameter(op: ops.Node) -> bool:
    """Whether a literal's value is a parameter of its query's shape: a date, a naive time or a text."""
    if not isinstance(op, ops.Literal) or op.value is None:
        return False
    kind = op.dtype
    return kind.is_string() or kind.is_date() or (kind.is_timestamp() and kind.timezone is None)


def _listed(op: ops.Node) -> bool:
    """Whether ``op`` is ``x IN (texts...)``: the whole list is one parameter, so its length is no part of the shape."""
    return (
        isinstance(op, ops.InValues)
        and bool(op.options)
        and all(_parameter(o) and o.dtype.is_string() for o in op.options)
    )


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
    seen: dict[ops.Node, ops.Node] = {}
    by_value: dict[tuple[str, str], ops.Literal] = {}  # (type, the value's text) → its mark
    # (texts listed in an IN are its one parameter; used elsewhere too, they stay in the shape as they are)
    listed = {o for n in query.find(ops.InValues) if _listed(n) for o in n.options}

    def text(op: ops.Literal) -> str:
        return backend.compiler.visit_node(op, value=op.value, dtype=op.dtype).sql(backend.compiler.dialect)

    def mark(kind: str, sample: ops.Literal, value: str) -> ops.Literal:
        """One mark per distinct value: Ibis writes two conditions that read alike once, so the shape must too."""
        if (kind, value) not in by_value:
            by_value[kind, value] = _mark(sample, len(texts))
            texts.append(value)
            marks.append(text(by_value[kind, value]))
        return by_value[kind, value]

    def swap(op: ops.Node, kwargs: dict[str, Any] | None) -> Any:
        if op in seen:
            return seen[op]
        if _listed(op):
            assert isinstance(op, ops.InValues)
            first = op.options[0]
            options = mark(f"list of {first.dtype}", first, ", ".join(text(o) for o in op.options))
            seen[op] = ops.InValues(kwargs["value"] if kwargs else op.value, (options,))
            return seen[op]
        if _parameter(op) and op not in listed:
            assert isinstance(op, ops.Literal)
            seen[op] = mark(str(op.dtype), op, text(op))
            return seen[op]
        return op.__recreate__(kwargs) if kwargs else op

    shape = query.replace(swap)
    return shape, texts, marks


def _template(backend: ibis.BaseBackend, shape: ops.Relation, marks: list[str]) -> _Template:
    """The shape compiled, if every mark shows in its SQL and no mark is part of another."""
    sql = backend.compile(shape.to_expr())
    clear = all(sql.count(m) for m in marks) and not any(a != b and a in b for a in marks for b in marks)
    return _Template(sql, tuple(marks)) if clear else _Template(None)


def _kept(backend: ibis.BaseBackend, attribute: str) -> dict[Any, Any]:
    known: dict[Any, Any] = vars(backend).setdefault(attribute, {})
    if len(known) >= COMPILED_QUERIES:
        known.clear()
    return known


def sql_of(backend: ibis.BaseBackend, table: ir.Table) -> str:
    """``table``'s SQL on ``backend``: compiled once per query, and once per shape of query."""
    known = _kept(backend, CACHE_ATTRIBUTE)
    query = table.op()
    sql = known.get(query)
    if sql is not None:
        return sql
    backend._run_pre_execute_hooks(table)  # what ibis' own to_pyarrow does first (registers in-memory tables)
    shape, texts, marks = _shape(backend, query)
    shapes = _kept(backend, SHAPES_ATTRIBUTE)
    template = shapes.get(shape)
    if template is None:
        template = shapes[shape] = _template(backend, shape, marks) if marks else _Template(None)
    sql = template.fill(texts) if template.sql is not None else backend.compile(table)
    if os.environ.get(CHECK_VARIABLE) and sql != (full := backend.compile(table)):
        raise AssertionError(f"a query filled in from its shape differs from its full compile:\n{sql}\n{full}")
    known[query] = sql
    return sql
