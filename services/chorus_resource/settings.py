"""Resource service settings: env values with defaults, secrets in files.

Every variable, its default and meaning are in `chorus_core.config.SETTINGS`.
"""

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy.engine import URL

from chorus_core import config
from chorus_core.database import POOL_SIZE, database_url
from chorus_core.server import ServerSettings
from chorus_core.settings import server_settings, token_audience
from chorus_core.tokens import TokenAudience
from chorus_resource.watch_limits import WatchLimits


@dataclass(frozen=True)
class ResourceSettings:
    server: ServerSettings
    database_url: URL
    migration_database_url: URL
    """The owner's connection, for migrations; the service's own by default."""
    app_role: str
    """Group role of the service's login role: row-level security applies to it."""
    jwks_source: str
    jwks_refresh_seconds: int
    audience: TokenAudience
    watch_limits: WatchLimits = field(default_factory=WatchLimits)
    database_pool_size: int = POOL_SIZE
    """PostgreSQL connections each worker keeps and at most uses."""
    tenant_cleanup_seconds: int = 30
    """How often deleted tenants' data is looked for and purged."""
    """Open watch streams allowed per tenant and per process."""
    allow_rls_bypass: bool = False
    """Serve even as a role that row-level security does not bind (local experiments only)."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> "ResourceSettings":
        service = database_url(
            config.text(env, "CHORUS_RESOURCE_DATABASE_URL"),
            config.optional_path(env, "CHORUS_RESOURCE_DATABASE_PASSWORD_FILE"),
            setting="CHORUS_RESOURCE_DATABASE_URL",
        )
        owner = config.text(env, "CHORUS_RESOURCE_MIGRATION_DATABASE_URL")
        return cls(
            server=server_settings(
                env,
                listen_var="CHORUS_RESOURCE_LISTEN",
                metrics_var="CHORUS_RESOURCE_METRICS_LISTEN",
            ),
            database_url=service,
            migration_database_url=database_url(
                owner,
                config.optional_path(env, "CHORUS_RESOURCE_MIGRATION_DATABASE_PASSWORD_FILE"),
                setting="CHORUS_RESOURCE_MIGRATION_DATABASE_URL",
            )
            if owner
            else service,
            app_role=config.text(env, "CHORUS_RESOURCE_APP_ROLE"),
            jwks_source=config.text(env, "CHORUS_RESOURCE_JWKS") or _auth_service_jwks(env),
            jwks_refresh_seconds=config.integer(env, "CHORUS_RESOURCE_JWKS_REFRESH_SECONDS"),
            audience=token_audience(env),
            watch_limits=WatchLimits(
                per_tenant=config.integer(env, "CHORUS_RESOURCE_MAX_WATCHERS_PER_TENANT"),
                per_process=config.integer(env, "CHORUS_RESOURCE_MAX_WATCHERS"),
            ),
            tenant_cleanup_seconds=config.integer(env, "CHORUS_RESOURCE_TENANT_CLEANUP_SECONDS"),
            database_pool_size=config.integer(env, "CHORUS_RESOURCE_DATABASE_POOL_SIZE"),
            allow_rls_bypass=config.text(env, "CHORUS_RESOURCE_ALLOW_RLS_BYPASS").lower()
            in ("1", "true", "yes"),
        )


def _auth_service_jwks(env: Mapping[str, str]) -> str:
    """The auth service's GetJwks where CHORUS_AUTH_LISTEN puts it (a wildcard host: loopback)."""
    host, _, port = config.text(env, "CHORUS_AUTH_LISTEN").rpartition(":")
    if host in ("", "0.0.0.0", "[::]", "::"):  # noqa: S104 (read, not bound)
        host = "127.0.0.1"
    return f"grpc://{host}:{port}"
