"""PostgreSQL writes a row's message byte for byte as protobuf does (`sql_message`).

An update records its UPDATED event in its own statement, the message
serialized by PostgreSQL (`ResourceStore.update`); a watcher decodes those
bytes. Here PostgreSQL serializes rows of a message holding every field type
`sql_message` supports, with the values where encodings change (empty and
zero values left out, `optional` fields kept when zero, negative numbers in
ten bytes, multi-byte field keys and lengths, times before 1970, non-ASCII
text), and each result must equal what Python's protobuf writes for the same
row. A wrong byte anywhere would make a watcher see a different item, or
none.
"""

import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from google.protobuf import descriptor_pb2, message_factory
from google.protobuf.descriptor import Descriptor
from sqlalchemy import BigInteger, Boolean, Integer, String, column, select, table
from sqlalchemy.ext.asyncio import AsyncConnection

from chorus_core.sqltypes import UTCDateTime
from chorus_resource import sql_message
from chorus_resource.messages import timestamp
from tests.support.in_process import InProcessSuite
from tests.support.made_messages import KIND, TIMESTAMP, Field, message_of
from tests.support.service_databases import opened

pytestmark = pytest.mark.parametrize("suite", ["postgresql"], indirect=True)

ROWS = 400

FieldType = descriptor_pb2.FieldDescriptorProto

COLUMNS = (
    # Out of number order in the message, as contracts may be.
    (Field("far", 2047, FieldType.TYPE_STRING), String),
    (Field("text", 1, FieldType.TYPE_STRING), String),
    (Field("maybe_text", 2, FieldType.TYPE_STRING, optional=True), String),
    (Field("small", 3, FieldType.TYPE_INT32), Integer),
    (Field("maybe_small", 4, FieldType.TYPE_INT32, optional=True), Integer),
    (Field("big", 5, FieldType.TYPE_INT64), BigInteger),
    (Field("count", 6, FieldType.TYPE_UINT32), BigInteger),
    (Field("flag", 7, FieldType.TYPE_BOOL), Boolean),
    (Field("maybe_flag", 8, FieldType.TYPE_BOOL, optional=True), Boolean),
    (Field("kind", 9, FieldType.TYPE_ENUM, type_name=KIND), Integer),
    (Field("time", 10, FieldType.TYPE_MESSAGE, type_name=TIMESTAMP), UTCDateTime),
)
"""A field of each kind `sql_message` writes, and its column's type."""


def everything() -> Descriptor:
    return message_of(*(field for field, _ in COLUMNS))


def random_row(rng: random.Random) -> dict[str, Any]:
    def some(*values: Any) -> Any:
        return rng.choice(values)

    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    return {
        "text": some("", "a", "é" * rng.randint(1, 70), "x" * rng.randint(120, 20_000)),
        "maybe_text": some(None, "", "ü🎵"),
        "small": some(0, 1, -1, 127, 128, 16_384, 2**31 - 1, -(2**31), rng.randint(-9, 9)),
        "maybe_small": some(None, 0, -5, 300),
        "big": some(0, 2**63 - 1, -(2**63), 2**35, -(2**35), rng.randint(-(2**62), 2**62)),
        "count": some(0, 1, 2**32 - 1, rng.randint(0, 2**32 - 1)),
        "flag": some(True, False),
        "maybe_flag": some(None, True, False),
        "kind": some(0, 1, -3),
        "time": some(
            None,
            epoch,
            epoch + timedelta(microseconds=rng.randint(-(6 * 10**16), 10**17)),
            epoch + timedelta(seconds=rng.randint(0, 2**33)),
            epoch - timedelta(microseconds=1),
        ),
        "far": some("", "far away"),
    }


def python_bytes(message_class: Any, row: dict[str, Any]) -> bytes:
    """What the services' `MessageCodec` makes of the row: NULL columns leave fields unset,
    times become Timestamps from seconds and nanos (`messages.timestamp`)."""
    message = message_class(
        **{
            name: value
            for name, value in row.items()
            if value is not None and not isinstance(value, datetime)
        }
    )
    if row["time"] is not None:
        stamp = timestamp(row["time"])
        message.time.SetInParent()
        message.time.seconds, message.time.nanos = stamp.seconds, stamp.nanos
    return bytes(message.SerializeToString())


@pytest.fixture
async def connection(suite: InProcessSuite) -> AsyncIterator[AsyncConnection]:
    """A connection of the service to its migrated database (which made the varint function)."""
    async with (
        opened(suite.resource_settings.database_url) as db,
        db.engine.connect() as connection,
    ):
        columns = ", ".join(
            f'"{field.name}" {kind().compile(db.engine.dialect)}' for field, kind in COLUMNS
        )
        await connection.exec_driver_sql(f"CREATE TEMPORARY TABLE everything ({columns})")
        yield connection
        await connection.rollback()


async def test_postgresql_writes_each_row_as_protobuf_does(connection: AsyncConnection) -> None:
    descriptor = everything()
    rows_table = table("everything", *(column(field.name, kind()) for field, kind in COLUMNS))
    encoded = sql_message.encoded(descriptor, rows_table)
    assert encoded is not None
    rng = random.Random(13)  # noqa: S311 (repeatable values, not a secret)
    rows = [random_row(rng) for _ in range(ROWS)]
    await connection.execute(rows_table.insert(), rows)

    names = [field.name for field, _ in COLUMNS]
    found = (await connection.execute(select(*rows_table.c, encoded))).all()

    message_class = message_factory.GetMessageClass(descriptor)
    assert len(found) == ROWS
    for row in found:
        values = dict(zip(names, row[:-1], strict=True))
        assert bytes(row[-1]) == python_bytes(message_class, values), values


async def test_a_message_without_columns_is_empty(connection: AsyncConnection) -> None:
    encoded = sql_message.encoded(everything(), table("everything", column("unrelated", String)))
    assert encoded is not None
    assert bytes((await connection.execute(select(encoded))).scalar_one()) == b""
