"""PostgreSQL row-level security for tenant-scoped tables, used by migrations.

A resource table gets, in the migration that creates it:

    enable_tenant_isolation("albums")

which grants the service's role (`CHORUS_RESOURCE_APP_ROLE`, a role without
ownership and without BYPASSRLS) the right to use the table, and adds a
forced policy that shows and accepts only rows of the tenant the transaction
declared (`app.tenant_id`, set by `TenantDatabase`). With no tenant declared,
no row is visible. Every statement is idempotent; on SQLite it does nothing.
"""

import re

from alembic import context, op

from chorus_resource.settings import ResourceSettings

_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def app_role() -> str:
    """The group role the resource service's login role belongs to."""
    role = str(context.config.attributes.get("app_role") or ResourceSettings.from_env().app_role)
    if not _IDENTIFIER.fullmatch(role):
        raise ValueError(f"CHORUS_RESOURCE_APP_ROLE must be a plain lower-case name, got {role!r}")
    return role


def enable_tenant_isolation(table: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    if not _IDENTIFIER.fullmatch(table):
        raise ValueError(f"not a plain table name: {table!r}")
    role = app_role()
    op.execute(
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') "
        f"THEN CREATE ROLE {role} NOLOGIN NOBYPASSRLS; END IF; END $$"
    )
    op.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {role}")
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(f"DROP POLICY IF EXISTS tenant_isolation ON {table}")
    op.execute(
        f"CREATE POLICY tenant_isolation ON {table} "
        "USING (tenant_id = current_setting('app.tenant_id', true)) "
        "WITH CHECK (tenant_id = current_setting('app.tenant_id', true))"
    )


def grant_without_isolation(table: str) -> None:
    """Let the service's role use a table that holds no tenant data (no policy on it).

    For bookkeeping every server must see across tenants, such as the leases
    of long-running operations (ids and times only).
    """
    if op.get_bind().dialect.name != "postgresql":
        return
    if not _IDENTIFIER.fullmatch(table):
        raise ValueError(f"not a plain table name: {table!r}")
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {app_role()}")


def grant_reading(table: str) -> None:
    """Let the service's role read a table that holds no tenant data, and only read it
    (Alembic's version table: the service checks its migration at start)."""
    if op.get_bind().dialect.name != "postgresql":
        return
    if not _IDENTIFIER.fullmatch(table):
        raise ValueError(f"not a plain table name: {table!r}")
    op.execute(f"GRANT SELECT ON {table} TO {app_role()}")


def revoke_without_isolation(table: str) -> None:
    """The downgrade of `grant_without_isolation` and `grant_reading`."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"REVOKE ALL ON {table} FROM {app_role()}")


def disable_tenant_isolation(table: str) -> None:
    """The downgrade of `enable_tenant_isolation` (the role stays: it is shared)."""
    if op.get_bind().dialect.name != "postgresql":
        return
    role = app_role()
    op.execute(f"DROP POLICY IF EXISTS tenant_isolation ON {table}")
    op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    op.execute(f"REVOKE ALL ON {table} FROM {role}")
