"""Resource service settings: env values with defaults, secrets in files.

Every variable and its default is listed in the README ("Configuration").
"""

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL

from chorus_core.config import env_int, env_str
from chorus_core.database import database_url
from chorus_core.server import ServerSettings
from chorus_core.settings import server_settings, token_audience
from chorus_core.tokens import TokenAudience

DEFAULT_APP_ROLE = "chorus_resource_app"


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

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> "ResourceSettings":
        service = database_url(
            env_str(env, "CHORUS_RESOURCE_DATABASE_URL", "sqlite:///var/resource.db"),
            _path(env.get("CHORUS_RESOURCE_DATABASE_PASSWORD_FILE")),
            setting="CHORUS_RESOURCE_DATABASE_URL",
        )
        owner = env.get("CHORUS_RESOURCE_MIGRATION_DATABASE_URL", "").strip()
        return cls(
            server=server_settings(
                env,
                listen_var="CHORUS_RESOURCE_LISTEN",
                metrics_var="CHORUS_RESOURCE_METRICS_LISTEN",
                default_listen="127.0.0.1:50052",
            ),
            database_url=service,
            migration_database_url=database_url(
                owner,
                _path(env.get("CHORUS_RESOURCE_MIGRATION_DATABASE_PASSWORD_FILE")),
                setting="CHORUS_RESOURCE_MIGRATION_DATABASE_URL",
            )
            if owner
            else service,
            app_role=env_str(env, "CHORUS_RESOURCE_APP_ROLE", DEFAULT_APP_ROLE),
            jwks_source=env_str(env, "CHORUS_RESOURCE_JWKS", _auth_service_jwks(env)),
            jwks_refresh_seconds=env_int(
                env, "CHORUS_RESOURCE_JWKS_REFRESH_SECONDS", 300, minimum=1
            ),
            audience=token_audience(env),
        )


def _auth_service_jwks(env: Mapping[str, str]) -> str:
    """The auth service's GetJwks where CHORUS_AUTH_LISTEN puts it (a wildcard host: loopback)."""
    host, _, port = env_str(env, "CHORUS_AUTH_LISTEN", "127.0.0.1:50051").rpartition(":")
    if host in ("", "0.0.0.0", "[::]", "::"):  # noqa: S104 (read, not bound)
        host = "127.0.0.1"
    return f"grpc://{host}:{port}"


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None
