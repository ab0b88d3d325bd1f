"""Alembic environment of the auth database."""

from chorus_auth.models import Base
from chorus_auth.settings import AuthSettings
from chorus_core.alembic_env import run_migrations

run_migrations(Base.metadata, lambda: AuthSettings.from_env().database_url)
