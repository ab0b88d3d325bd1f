"""songs: row-level security by tenant (PostgreSQL)

Revision ID: 5d1c2a7e9f30
Revises: ebbebba8d6e0
Create Date: 2026-11-28 04:20:00
"""

from collections.abc import Sequence

from chorus_resource.row_security import disable_tenant_isolation, enable_tenant_isolation

revision: str = "5d1c2a7e9f30"
down_revision: str | None = "ebbebba8d6e0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    enable_tenant_isolation("songs")


def downgrade() -> None:
    disable_tenant_isolation("songs")
