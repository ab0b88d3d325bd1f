"""Reading an import document (CSV or JSON) into a resource's messages, row by row.

A document that cannot be read at all is INVALID_ARGUMENT naming the line
(bad UTF-8, broken CSV quoting, a row with too many or too few fields, JSON
that does not parse, an unknown column). A row that reads but breaks one of
the contract's field rules (`chorus_core.contract_rules`) is not an error of
the document: it becomes a per-row error such as
`line 12: year must be greater than or equal to 1000 and less than or equal to 2100`,
and the other rows are imported. Reading is deterministic, so a server that
takes up an import after another died reads the same rows under the same
line numbers (their idempotency keys).
"""

import csv
import io
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from google.protobuf import json_format, message_factory
from google.protobuf.descriptor import FieldDescriptor

from chorus.resource.v1 import operation_service_pb2 as operation_pb
from chorus_core.contract_rules import rule_violations
from chorus_core.errors import FieldViolation, InvalidArgument, ResourceExhausted
from chorus_resource.resource import Resource

MAX_ROWS = 50_000
"""Rows one document may hold (RESOURCE_EXHAUSTED past it)."""

_INTEGERS = (
    FieldDescriptor.TYPE_INT32,
    FieldDescriptor.TYPE_INT64,
    FieldDescriptor.TYPE_UINT32,
    FieldDescriptor.TYPE_SINT32,
)


@dataclass(frozen=True)
class Row:
    line: int
    """The row's line (CSV) or position from 1 (JSON): its place in the document, unique
    in it (with the operation, the row's idempotency key)."""
    label: str
    """How errors name it: "line 12" (or "line 1, item 3" for JSON items sharing a line)."""
    item: Any | None
    """The message to store; None if the row breaks a rule."""
    error: str = ""


def read_rows(resource: Resource, document: bytes, document_format: int) -> list[Row]:
    """Every row of the document, each valid or with its error."""
    try:
        text = document.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = document[: error.start].count(b"\n") + 1
        raise _unreadable(f"line {line}: is not UTF-8 text") from None
    if document_format == operation_pb.IMPORT_FORMAT_CSV:
        rows = list(_csv_rows(resource, text))
    elif document_format == operation_pb.IMPORT_FORMAT_JSON:
        rows = list(_json_rows(resource, text))
    else:
        raise InvalidArgument([FieldViolation("format", "must be IMPORT_FORMAT_CSV or _JSON")])
    if len(rows) > MAX_ROWS:
        raise ResourceExhausted(
            f"the document has {len(rows)} rows, more than the {MAX_ROWS} of one import: split it"
        )
    return rows


def importable_fields(resource: Resource) -> list[str]:
    """The fields an import may set: the mutable ones that are columns (no references)."""
    return [name for name in resource.mutable if name not in resource.references]


def _unreadable(description: str) -> InvalidArgument:
    return InvalidArgument([FieldViolation("document", description)])


def _csv_rows(resource: Resource, text: str) -> Iterator[Row]:
    allowed = importable_fields(resource)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if not header:  # none, or a blank first line
            raise _unreadable(
                "line 1: the header line is missing (columns: " + ", ".join(allowed) + ")"
            )
        columns = [name.strip() for name in header]
        for name in columns:
            if name not in allowed:
                raise _unreadable(
                    f"line 1: unknown column {name!r} (columns: {', '.join(allowed)})"
                )
        if len(set(columns)) != len(columns):
            raise _unreadable("line 1: a column is named twice")
        message_class = message_factory.GetMessageClass(resource.message)
        line = reader.line_num
        for values in reader:
            start, line = line + 1, reader.line_num
            if not values:
                continue  # a blank line
            if len(values) != len(columns):
                raise _unreadable(
                    f"line {start}: has {len(values)} fields, the header {len(columns)}"
                )
            item, errors = _csv_item(message_class(), dict(zip(columns, values, strict=True)))
            yield _checked(start, f"line {start}", item, errors)
    except csv.Error as error:
        raise _unreadable(f"line {reader.line_num}: {error}") from None


def _csv_item(item: Any, values: dict[str, str]) -> tuple[Any, list[str]]:
    """`item` with the row's values set, and what could not be set."""
    fields = item.DESCRIPTOR.fields_by_name
    errors = []
    for name, value in values.items():
        if value == "" and fields[name].has_presence:
            continue  # unset (e.g. no year)
        if fields[name].type in _INTEGERS:
            try:
                setattr(item, name, int(value))
            except ValueError:
                errors.append(f"{name} must be a whole number")
        else:
            setattr(item, name, value)
    return item, errors


def _json_rows(resource: Resource, text: str) -> Iterator[Row]:
    message_class = message_factory.GetMessageClass(resource.message)
    allowed = set(importable_fields(resource))
    items = _json_items(text)
    lines = Counter(line for line, _ in items)
    for number, (line, value) in enumerate(items, start=1):
        # An item alone on its line is named by the line; items sharing one also by place.
        label = f"line {line}" if lines[line] == 1 else f"line {line}, item {number}"
        if not isinstance(value, dict):
            raise _unreadable(f"{label}: must be a JSON object")
        unknown = sorted(set(value) - allowed)
        if unknown:
            raise _unreadable(
                f"{label}: unknown field {unknown[0]!r} (fields: {', '.join(sorted(allowed))})"
            )
        item = message_class()
        try:
            json_format.ParseDict(value, item)
        except json_format.ParseError as error:  # the item is half read: its rules would lie
            yield Row(number, label, None, f"{label}: {error}")
            continue
        yield _checked(number, label, item, [])


def _json_items(text: str) -> list[tuple[int, Any]]:
    """The items of a JSON array, each with the line it starts on.

    The array is walked with the standard decoder (`raw_decode` reads one
    value from a position), so every position is exact and each value is
    parsed exactly as `json.loads` would.
    """
    decoder = json.JSONDecoder()
    items: list[tuple[int, Any]] = []
    try:
        at = _skip_space(text, 0)
        if text[at : at + 1] != "[":
            if at < len(text):
                decoder.raw_decode(text, at)  # a JSON error, if it is not JSON at all
            raise _unreadable(f"line {_line(text, at)}: must be a JSON array of objects")
        at = _skip_space(text, at + 1)
        if text[at : at + 1] == "]":
            at += 1
        else:
            line, counted = 1, 0
            while True:
                line += text.count("\n", counted, at)
                counted = at
                value, at = decoder.raw_decode(text, at)
                items.append((line, value))
                at = _skip_space(text, at)
                if text[at : at + 1] == "]":
                    at += 1
                    break
                if text[at : at + 1] != ",":
                    raise json.JSONDecodeError("Expecting ',' delimiter", text, at)
                at = _skip_space(text, at + 1)
        at = _skip_space(text, at)
        if at < len(text):
            raise json.JSONDecodeError("Extra data", text, at)
    except json.JSONDecodeError as error:
        raise _unreadable(f"line {error.lineno}: not valid JSON: {error.msg}") from None
    except RecursionError:
        raise _unreadable("the document nests too deeply to be read") from None
    return items


def _skip_space(text: str, at: int) -> int:
    """The position of the first character at or after `at` that is not JSON whitespace."""
    while at < len(text) and text[at] in " \t\n\r":
        at += 1
    return at


def _line(text: str, at: int) -> int:
    return text.count("\n", 0, at) + 1


def _checked(line: int, label: str, item: Any, errors: list[str]) -> Row:
    errors = errors + [f"{v.field} {v.description}" for v in rule_violations(item)]
    if errors:
        return Row(line, label, None, f"{label}: {'; '.join(errors)}")
    return Row(line, label, item)
