"""`filter` (a documented AIP-160 subset) for any resource, parsed with lark into SQL.

    artist = "Coldplay" AND year >= 2000
    name:"live" OR (year < 1970 AND NOT artist = "The Beatles")

Comparisons `=`, `!=`, `<`, `<=`, `>`, `>=` on any filterable field, and `:`
(case-insensitive substring) on text fields. Values are numbers, `true` /
`false`, double-quoted text (`\\"` and `\\\\` escape), or bare words; times
are RFC 3339 text. AND binds tighter than OR; NOT negates; parentheses
group. `!=` matches items where the field is empty, too. A filter that does
not parse, names a field that cannot be filtered on, or compares with a value
of the wrong type is INVALID_ARGUMENT saying where and why.
"""

import operator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from lark import Lark, Token, Transformer, Tree, UnexpectedInput, v_args
from lark.exceptions import VisitError
from sqlalchemy import Column, ColumnElement, Table, and_, not_, or_, true

from chorus_core.errors import FieldViolation, InvalidArgument
from chorus_resource.scoped import python_kind

MAX_TERMS = 50
"""Comparisons one filter may hold (bounds the SQL a request can make)."""
MAX_DEPTH = 20
"""Nesting of AND, OR and NOT one filter may have."""
PARSED_FILTERS = 256
"""Filters whose parse each process keeps (the most recently used)."""

_GRAMMAR = r"""
?start: expr?
?expr: or_expr
?or_expr: and_expr (_OR and_expr)*
?and_expr: unary (_AND unary)*
?unary: _NOT unary -> negation
      | "(" expr ")"
      | comparison
comparison: NAME OPERATOR value
?value: STRING | NUMBER | NAME
_AND.2: "AND"
_OR.2: "OR"
_NOT.2: "NOT"
OPERATOR: "<=" | ">=" | "!=" | "=" | "<" | ">" | ":"
NAME: /[A-Za-z_][A-Za-z0-9_.-]*/
STRING: /"([^"\\]|\\.)*"/
NUMBER: /-?\d+(\.\d+)?/
%import common.WS
%ignore WS
"""

_PARSER = Lark(_GRAMMAR, parser="lalr", maybe_placeholders=False)


@dataclass(frozen=True)
class Filter:
    text: str
    condition: ColumnElement[bool]


@lru_cache(maxsize=PARSED_FILTERS)
def parse_filter(text: str, table: Table, filterable: tuple[str, ...]) -> Filter:
    """The SQL condition of a filter (true for an empty one).

    Remembered (the same text gives the same condition, and conditions are
    immutable): clients send the same few filters again and again, and the
    parse costs more than the database's answer. Refusals are not remembered.
    """
    if not text.strip():
        return Filter("", true())
    try:
        tree = _PARSER.parse(text)
    except UnexpectedInput as error:
        raise _bad(f"{_describe(error, text)}") from None
    if tree.data == "start":  # the empty filter
        return Filter("", true())
    if _depth(tree) > MAX_DEPTH:
        raise _bad(f"nested too deeply (at most {MAX_DEPTH} levels of AND, OR, NOT)")
    try:
        condition = _ToSql(table, filterable).transform(tree)
    except VisitError as error:
        if isinstance(error.orig_exc, InvalidArgument):
            raise error.orig_exc from None
        raise
    return Filter(text.strip(), condition)


def _depth(tree: Tree[Token]) -> int:
    """Height of the tree, computed bottom-up without recursion."""
    heights: dict[int, int] = {}
    for subtree in tree.iter_subtrees():
        below = [heights[id(c)] for c in subtree.children if isinstance(c, Tree)]
        heights[id(subtree)] = 1 + max(below, default=0)
    return heights[id(tree)]


def _describe(error: UnexpectedInput, text: str) -> str:
    column = getattr(error, "column", None)
    where = f"at column {column}" if isinstance(column, int) and column > 0 else "at the end"
    token = getattr(error, "token", None)
    if isinstance(token, Token) and token.type != "$END":
        return f"unexpected {str(token)!r} {where}"
    char = getattr(error, "char", None)
    if isinstance(char, str):
        return f"unexpected character {char!r} {where}"
    return f"the filter ends too early ({where}): a comparison or `)` is missing"


@v_args(inline=True)
class _ToSql(Transformer[Token, ColumnElement[bool]]):
    def __init__(self, table: Table, filterable: tuple[str, ...]) -> None:
        super().__init__()
        self._table = table
        self._filterable = filterable
        self._terms = 0

    def or_expr(self, *operands: ColumnElement[bool]) -> ColumnElement[bool]:
        return or_(*operands)

    def and_expr(self, *operands: ColumnElement[bool]) -> ColumnElement[bool]:
        return and_(*operands)

    def negation(self, operand: ColumnElement[bool]) -> ColumnElement[bool]:
        return not_(operand)

    def comparison(self, name: Token, operator: Token, raw: Token) -> ColumnElement[bool]:
        self._terms += 1
        if self._terms > MAX_TERMS:
            raise _bad(f"too many comparisons (at most {MAX_TERMS})")
        field = str(name)
        if field not in self._filterable:
            raise _bad(
                f"cannot filter on {field!r} (column {name.column}): "
                f"filterable fields are {', '.join(self._filterable)}"
            )
        column: Column[Any] = self._table.c[field]
        kind = python_kind(column)
        value = _value(raw, kind, field, raw.column or 0)
        op = str(operator)
        if op == ":":
            if kind is not str:
                raise _bad(f"`:` (contains) works on text fields only, not on {field!r}")
            return column.icontains(value, autoescape=True)
        if op == "!=":
            return column.is_distinct_from(value)  # NULL != 2000 holds
        if kind is bool and op != "=":
            raise _bad(f"{field!r} can only be compared with = or !=")
        compare: ColumnElement[bool] = _OPERATORS[op](column, value)
        return compare


_OPERATORS = {
    "=": operator.eq,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def _value(raw: Token, kind: type, field: str, column: int) -> Any:
    text = str(raw)
    if raw.type == "STRING":
        text = text[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    try:
        if kind is str:
            return text
        if kind is bool and text in ("true", "false"):
            return text == "true"
        if kind is int and raw.type == "NUMBER" and "." not in text:
            return int(text)
        if kind is float and raw.type == "NUMBER":
            return float(text)
        if kind is datetime:
            stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
            if stamp.tzinfo is not None:
                return stamp.astimezone(UTC)
    except (ValueError, OverflowError):
        pass
    expected = {
        int: "a whole number",
        float: "a number",
        bool: "true or false",
        datetime: 'an RFC 3339 time in quotes, e.g. "2026-01-31T12:00:00Z"',
    }
    raise _bad(f"{field!r} (column {column}) needs {expected.get(kind, 'text')}, got {text!r}")


def _bad(description: str) -> InvalidArgument:
    return InvalidArgument([FieldViolation("filter", description)])
