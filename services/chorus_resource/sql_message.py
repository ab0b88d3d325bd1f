"""A resource row's message in protobuf's wire format, written by PostgreSQL itself.

An update on PostgreSQL (`ResourceStore.update`) records its UPDATED event
(the item's message after the change) in the UPDATE's own statement, before
Python has seen the updated row. So the statement serializes the row itself:
`encoded(message, row)` is an SQL expression giving exactly the bytes
`MessageCodec(resource).message(row).SerializeToString()` gives (fields in
number order, proto3's rules on which values are left out), for a message
whose columns hold the field types below. Any other field type (floats,
bytes, nested messages besides Timestamp, repeated fields with a column)
makes `encoded` return None, and that resource's updates record their event
from Python, in a statement of its own.

Supported: string; int32, int64, uint32, bool and enum (varints, negative
ints as ten bytes as protobuf does); google.protobuf.Timestamp (a
timestamptz column: seconds and nanos from its epoch); each with or
without explicit presence (`optional`).
"""

from typing import Any

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from sqlalchemy import BigInteger, ColumnElement, LargeBinary, case, cast, func
from sqlalchemy import literal_column as sql_literal
from sqlalchemy.sql.functions import Function

_VARINTS = frozenset(
    {
        FieldDescriptor.TYPE_INT32,
        FieldDescriptor.TYPE_INT64,
        FieldDescriptor.TYPE_UINT32,
        FieldDescriptor.TYPE_BOOL,
        FieldDescriptor.TYPE_ENUM,
    }
)
_TIMESTAMP = "google.protobuf.Timestamp"
VARINT_FUNCTION = "chorus_protobuf_varint"
"""The database function writing a bigint as a varint: seven bits a byte, low bits first, the
top bit telling that more follow; negative numbers as their 64-bit two's complement (ten
bytes). Made by migration e5a0c3f1b29d."""
_LENGTH_DELIMITED = 2
_VARINT = 0


def encoded(message: Descriptor, row: Any) -> ColumnElement[bytes] | None:
    """The serialized message of `row` (a FROM item with a column per field it sets), or None
    if a field of `message` with a column in `row` has a type this module cannot encode."""
    parts: list[ColumnElement[bytes]] = []
    for field in sorted(message.fields, key=lambda f: f.number):
        if field.name not in row.c:
            continue
        part = _field(field, row.c[field.name])
        if part is None:
            return None
        parts.append(part)
    if not parts:
        return _bytes(b"")
    body = parts[0]
    for part in parts[1:]:
        body = body.op("||", return_type=LargeBinary)(part)
    return body


def _field(field: FieldDescriptor, value: ColumnElement[Any]) -> ColumnElement[bytes] | None:
    """One field's bytes: its key and value; none when proto3 leaves the value out."""
    if field.is_repeated:
        return None
    if field.type == FieldDescriptor.TYPE_STRING:
        text = func.convert_to(value, sql_literal("'UTF8'"))
        present = value.is_not(None) if field.has_presence else value != ""
        written = _key(field, _LENGTH_DELIMITED).op("||", return_type=LargeBinary)(_delimited(text))
    elif field.type in _VARINTS:
        number = case((value, 1), else_=0) if field.type == FieldDescriptor.TYPE_BOOL else value
        number = cast(number, BigInteger)
        present = value.is_not(None) if field.has_presence else number != 0
        written = _key(field, _VARINT).op("||", return_type=LargeBinary)(varint(number))
    elif field.message_type is not None and field.message_type.full_name == _TIMESTAMP:
        present = value.is_not(None)
        written = _key(field, _LENGTH_DELIMITED).op("||", return_type=LargeBinary)(
            _delimited(_timestamp(value))
        )
    else:
        return None
    return case((present, written), else_=_bytes(b""))


def _timestamp(value: ColumnElement[Any]) -> ColumnElement[bytes]:
    """A Timestamp's own fields: seconds (1) and nanos (2), each left out when zero."""
    epoch = func.extract("epoch", value)  # numeric, exact to the microsecond
    seconds = cast(func.floor(epoch), BigInteger)
    nanos = cast((epoch - func.floor(epoch)) * 1_000_000_000, BigInteger)
    parts = [
        case((number == 0, _bytes(b"")), else_=_bytes(bytes([tag])).op("||")(varint(number)))
        for tag, number in ((0x08, seconds), (0x10, nanos))
    ]
    return parts[0].op("||", return_type=LargeBinary)(parts[1])


def _delimited(data: ColumnElement[bytes]) -> ColumnElement[bytes]:
    """`data` after its length (a varint), as length-delimited fields are written."""
    length = cast(func.octet_length(data), BigInteger)
    return varint(length).op("||", return_type=LargeBinary)(data)


def _key(field: FieldDescriptor, wire_type: int) -> ColumnElement[bytes]:
    return _bytes(_varint_bytes(field.number << 3 | wire_type))


def varint(number: ColumnElement[int]) -> ColumnElement[bytes]:
    """A bigint as a protobuf varint (`VARINT_FUNCTION`, made by a migration)."""
    return Function(VARINT_FUNCTION, number, type_=LargeBinary)


def _varint_bytes(number: int) -> bytes:
    out = bytearray()
    while True:
        low, number = number & 0x7F, number >> 7
        if not number:
            out.append(low)
            return bytes(out)
        out.append(low | 0x80)


def _bytes(data: bytes) -> ColumnElement[bytes]:
    """A bytea constant written into the statement (not a bind parameter)."""
    return sql_literal(f"'\\x{data.hex()}'::bytea", LargeBinary)
