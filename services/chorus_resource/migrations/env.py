"""Alembic environment of the resource database."""

from chorus_core.alembic_env import run_migrations
from chorus_resource import change_log, operations  # noqa: F401  (outbox, operations)
from chorus_resource.catalog import RESOURCES  # noqa: F401  (imports every resource's tables)
from chorus_resource.models import Base
from chorus_resource.settings import ResourceSettings
from chorus_resource.tenant_isolation_ops import add_tenant_isolation

run_migrations(
    Base.metadata, lambda: ResourceSettings.from_env().database_url, add_tenant_isolation
)
