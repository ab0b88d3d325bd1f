"""operations.request_id: a retried ImportSongs returns the operation of its first attempt

Revision ID: 7b2f9c41e8d6
Revises: c4e1b7a2d953
Create Date: 2026-11-30 12:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7b2f9c41e8d6"
down_revision: str | None = "c4e1b7a2d953"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("operations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("request_id", sa.String(length=64), nullable=True))
        batch_op.create_index(
            "ux_operations_tenant_request", ["tenant_id", "request_id"], unique=True
        )


def downgrade() -> None:
    with op.batch_alter_table("operations", schema=None) as batch_op:
        batch_op.drop_index("ux_operations_tenant_request")
        batch_op.drop_column("request_id")
