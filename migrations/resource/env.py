"""Alembic environment of the resource database."""

from chorus_core.alembic_env import run_migrations
from chorus_resource.models import Base
from chorus_resource.settings import ResourceSettings

run_migrations(Base.metadata, lambda: ResourceSettings.from_env().database_url)
