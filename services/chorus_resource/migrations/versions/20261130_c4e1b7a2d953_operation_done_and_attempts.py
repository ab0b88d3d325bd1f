"""operations.done (ListOperations' filter) and operation_leases.attempts (bounded retries)

Revision ID: c4e1b7a2d953
Revises: aec3d6e075a8
Create Date: 2026-11-30 12:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c4e1b7a2d953"
down_revision: str | None = "aec3d6e075a8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DONE_STATES = (2, 3, 4)
"""OPERATION_STATE_SUCCEEDED, _FAILED, _CANCELLED (as the contract numbers them)."""


def upgrade() -> None:
    with op.batch_alter_table("operations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("done", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    operations = sa.table("operations", sa.column("state", sa.SmallInteger), sa.column("done"))
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:  # row-level security is forced even on the owner: every tenant's rows here
        op.execute("ALTER TABLE operations NO FORCE ROW LEVEL SECURITY")
    op.execute(operations.update().where(operations.c.state.in_(DONE_STATES)).values(done=True))
    if postgresql:
        op.execute("ALTER TABLE operations FORCE ROW LEVEL SECURITY")
    with op.batch_alter_table("operations", schema=None) as batch_op:
        batch_op.alter_column("done", server_default=None)
    with op.batch_alter_table("operation_leases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("attempts", sa.Integer(), nullable=False, server_default=sa.text("1"))
        )
    with op.batch_alter_table("operation_leases", schema=None) as batch_op:
        batch_op.alter_column("attempts", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("operation_leases", schema=None) as batch_op:
        batch_op.drop_column("attempts")
    with op.batch_alter_table("operations", schema=None) as batch_op:
        batch_op.drop_column("done")
