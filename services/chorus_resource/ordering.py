"""`order_by` (AIP-132) for any resource: parsing, ORDER BY, and the keyset condition.

`"year desc, name"` sorts by year, newest first, then by name. Every order
ends with the id, so it is total and keyset paging never skips or repeats
an item. Empty values (NULL) sort last in either direction.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, false, or_, true, tuple_
from sqlalchemy.sql.base import ReadOnlyColumnCollection

from chorus_core.errors import FieldViolation, InvalidArgument

DEFAULT_ORDER = "create_time"


@dataclass(frozen=True)
class SortKey:
    field: str
    descending: bool = False

    def __str__(self) -> str:
        return f"{self.field} desc" if self.descending else self.field


def parse_order_by(text: str, sortable: tuple[str, ...]) -> tuple[SortKey, ...]:
    """The sort keys of an order_by, ending with the id; INVALID_ARGUMENT saying what is wrong."""
    keys: list[SortKey] = []
    for position, item in enumerate((text.strip() or DEFAULT_ORDER).split(","), start=1):
        words = item.split()
        if not words:
            raise _bad(f"item {position} is empty (a stray comma?)")
        name, *direction = words
        if name not in sortable:
            raise _bad(f"cannot sort by {name!r}: sortable fields are {', '.join(sortable)}")
        if direction not in ([], ["asc"], ["desc"]):
            raise _bad(
                f"after {name!r} expected `asc`, `desc` or a comma, got {' '.join(direction)!r}"
            )
        if any(key.field == name for key in keys):
            raise _bad(f"{name!r} appears twice")
        keys.append(SortKey(name, direction == ["desc"]))
    if not any(key.field == "id" for key in keys):
        keys.append(SortKey("id"))
    return tuple(keys)


def order_clauses(
    table: Table,
    keys: tuple[SortKey, ...],
    columns: ReadOnlyColumnCollection[str, Any] | None = None,
) -> list[Any]:
    """ORDER BY of `table`'s columns, or of the same-named `columns` of a subquery of it."""
    clauses = []
    for key in keys:
        column = table.c[key.field]
        chosen = column if columns is None else columns[key.field]
        ordered = chosen.desc() if key.descending else chosen.asc()
        clauses.append(ordered.nulls_last() if column.nullable else ordered)
    return clauses


def after(table: Table, keys: tuple[SortKey, ...], values: tuple[Any, ...]) -> ColumnElement[bool]:
    """Rows that come after the row whose sort key values are `values`, in this order."""
    columns = [table.c[key.field] for key in keys]
    if not any(c.nullable for c in columns) and len({key.descending for key in keys}) == 1:
        # One row-value comparison: an index range scan on (tenant_id, keys…).
        row, cursor = tuple_(*columns), tuple_(*values)
        return row < cursor if keys[0].descending else row > cursor
    alternatives = []
    equal_so_far: list[ColumnElement[bool]] = []
    for key, value in zip(keys, values, strict=True):
        column = table.c[key.field]
        if value is None:
            beyond: ColumnElement[bool] = false()  # NULL sorts last: nothing is beyond it
            same: ColumnElement[bool] = column.is_(None)
        else:
            beyond = column < value if key.descending else column > value
            if column.nullable:
                beyond = or_(beyond, column.is_(None))
            same = column == value
        alternatives.append(and_(*equal_so_far, beyond) if equal_so_far else beyond)
        equal_so_far.append(same)
    return or_(*alternatives) if alternatives else true()


def _bad(description: str) -> InvalidArgument:
    return InvalidArgument([FieldViolation("order_by", description)])
