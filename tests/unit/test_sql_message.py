"""Which messages PostgreSQL can serialize (`sql_message.encoded`); the bytes themselves are
checked against protobuf on PostgreSQL (tests/integration/test_sql_message.py)."""

import pytest
from google.protobuf import descriptor_pb2
from sqlalchemy import String, column, table

from chorus_resource import sql_message
from chorus_resource.catalog import RESOURCES
from chorus_resource.resource import Resource
from tests.support.made_messages import TIMESTAMP, Field, message_of

FieldType = descriptor_pb2.FieldDescriptorProto


@pytest.mark.parametrize(
    "field",
    [
        Field("value", 1, FieldType.TYPE_DOUBLE),
        Field("value", 1, FieldType.TYPE_FLOAT),
        Field("value", 1, FieldType.TYPE_BYTES),
        Field("value", 1, FieldType.TYPE_UINT64),
        Field("value", 1, FieldType.TYPE_SINT32),
        Field("value", 1, FieldType.TYPE_FIXED64),
        Field("value", 1, FieldType.TYPE_STRING, repeated=True),
        Field("value", 1, FieldType.TYPE_MESSAGE, type_name=".made.Inner"),
    ],
    ids=lambda field: f"{'repeated ' if field.repeated else ''}{FieldType.Type.Name(field.type)}",
)
def test_a_field_type_it_cannot_write_leaves_it_to_python(field: Field) -> None:
    message = message_of(Field("name", 2, FieldType.TYPE_STRING), field)
    assert sql_message.encoded(message, table("t", column("name"), column("value"))) is None
    # Without a column the field is never set, so it does not stand in the way.
    assert sql_message.encoded(message, table("t", column("name", String))) is not None


def test_timestamps_strings_and_varints_it_writes() -> None:
    message = message_of(
        Field("name", 1, FieldType.TYPE_STRING),
        Field("year", 2, FieldType.TYPE_INT32, optional=True),
        Field("time", 3, FieldType.TYPE_MESSAGE, type_name=TIMESTAMP),
    )
    rows = table("t", column("name"), column("year"), column("time"))
    assert sql_message.encoded(message, rows) is not None


@pytest.mark.parametrize("resource", RESOURCES, ids=lambda r: r.singular)
def test_every_resource_of_the_catalog_is_updated_in_one_statement(resource: Resource) -> None:
    """Its columns' types are all writable (references live in tables of their own)."""
    assert resource.encoded_in_sql is not None


def test_field_keys_are_varints_of_number_and_wire_type() -> None:
    assert sql_message._varint_bytes(1 << 3 | 2) == b"\x0a"
    assert sql_message._varint_bytes(2047 << 3 | 2) == b"\xfa\x7f"
    assert sql_message._varint_bytes(300) == b"\xac\x02"
