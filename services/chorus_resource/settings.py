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


@dataclass(frozen=True)
class ResourceSettings:
    server: ServerSettings
    database_url: URL
    jwks_source: str
    jwks_refresh_seconds: int
    audience: TokenAudience

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> "ResourceSettings":
        password_file = env.get("CHORUS_RESOURCE_DATABASE_PASSWORD_FILE")
        return cls(
            server=server_settings(
                env, listen_var="CHORUS_RESOURCE_LISTEN", default_listen="127.0.0.1:50052"
            ),
            database_url=database_url(
                env_str(env, "CHORUS_RESOURCE_DATABASE_URL", "sqlite:///var/resource.db"),
                Path(password_file) if password_file else None,
                setting="CHORUS_RESOURCE_DATABASE_URL",
            ),
            jwks_source=env_str(env, "CHORUS_RESOURCE_JWKS", "grpc://127.0.0.1:50051"),
            jwks_refresh_seconds=env_int(
                env, "CHORUS_RESOURCE_JWKS_REFRESH_SECONDS", 300, minimum=1
            ),
            audience=token_audience(env),
        )
