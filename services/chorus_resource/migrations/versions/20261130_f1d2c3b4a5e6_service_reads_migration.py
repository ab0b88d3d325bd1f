"""The service's role may read alembic_version: it checks its database's migration at start

Before it serves, the resource service compares the database's migration with
the newest one it ships (`chorus_core.schema_version`), and refuses to start
on an older one. It connects as a role in CHORUS_RESOURCE_APP_ROLE, which
owns nothing, so it needs this grant to read the version table. Nothing on
SQLite (no roles).

Revision ID: f1d2c3b4a5e6
Revises: e5a0c3f1b29d
Create Date: 2026-11-30 20:15:00.000000
"""

from collections.abc import Sequence

from chorus_resource.row_security import grant_reading, revoke_without_isolation

revision: str = "f1d2c3b4a5e6"
down_revision: str | None = "e5a0c3f1b29d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    grant_reading("alembic_version")


def downgrade() -> None:
    revoke_without_isolation("alembic_version")
