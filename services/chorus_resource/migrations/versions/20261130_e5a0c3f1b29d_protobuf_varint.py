"""chorus_protobuf_varint(bigint): protobuf's varint, for updates that record their event in SQL

An update runs as one statement on PostgreSQL, and that statement serializes
the item's message for its UPDATED event (`chorus_resource.sql_message`):
this function writes each number and length the way protobuf does. Nothing
on SQLite (its updates run as transactions).

Revision ID: e5a0c3f1b29d
Revises: 7b2f9c41e8d6
Create Date: 2026-11-30 18:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "e5a0c3f1b29d"
down_revision: str | None = "7b2f9c41e8d6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Seven bits a byte, low bits first, the top bit set on every byte but the last. A negative
# number is its 64-bit two's complement: the arithmetic shift keeps it negative through nine
# bytes, and the tenth holds its 64th bit.
VARINT = r"""
CREATE OR REPLACE FUNCTION chorus_protobuf_varint(value bigint) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  written bytea := '';
  rest bigint := value;
BEGIN
  FOR groups IN 1..9 LOOP
    IF rest >= 0 AND rest < 128 THEN
      RETURN written || set_byte('\x00'::bytea, 0, rest::int);
    END IF;
    written := written || set_byte('\x00'::bytea, 0, ((rest & 127) | 128)::int);
    rest := rest >> 7;
  END LOOP;
  RETURN written || set_byte('\x00'::bytea, 0, (rest & 1)::int);
END $$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(VARINT)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS chorus_protobuf_varint(bigint)")
