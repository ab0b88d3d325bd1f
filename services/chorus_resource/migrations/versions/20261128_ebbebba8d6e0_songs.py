"""songs

Revision ID: ebbebba8d6e0
Revises:
Create Date: 2026-11-28 03:39:41.107436
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ebbebba8d6e0"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "songs",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("artist", sa.String(length=200), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("tenant_id", sa.String(length=36), nullable=False),
        sa.Column("created_by", sa.String(length=36), nullable=False),
        sa.Column("create_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("update_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_songs")),
        sa.UniqueConstraint("tenant_id", "request_id", name="uq_songs_tenant_request"),
    )
    with op.batch_alter_table("songs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_songs_tenant_page", ["tenant_id", "create_time", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("songs", schema=None) as batch_op:
        batch_op.drop_index("ix_songs_tenant_page")

    op.drop_table("songs")
