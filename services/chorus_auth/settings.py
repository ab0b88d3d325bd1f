"""Auth service settings: env values with defaults, secrets in files.

Every variable, its default and meaning are in `chorus_core.config.SETTINGS`.
"""

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy.engine import URL

from chorus_auth.passwords import Argon2Cost
from chorus_core import config
from chorus_core.database import database_url
from chorus_core.server import ServerSettings
from chorus_core.settings import server_settings, token_audience
from chorus_core.tokens import TokenAudience


@dataclass(frozen=True)
class AuthSettings:
    server: ServerSettings
    database_url: URL
    keys_dir: Path
    audience: TokenAudience
    access_token_ttl: timedelta
    refresh_token_ttl: timedelta
    argon2: Argon2Cost
    max_concurrent_hashes: int
    jwks_listen: str = ""
    """host:port of the HTTP JWKS endpoint Envoy reads (`/.well-known/jwks.json`); "" is off."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> "AuthSettings":
        return cls(
            server=server_settings(
                env,
                listen_var="CHORUS_AUTH_LISTEN",
                metrics_var="CHORUS_AUTH_METRICS_LISTEN",
            ),
            database_url=database_url(
                config.text(env, "CHORUS_AUTH_DATABASE_URL"),
                config.optional_path(env, "CHORUS_AUTH_DATABASE_PASSWORD_FILE"),
                setting="CHORUS_AUTH_DATABASE_URL",
            ),
            keys_dir=config.path(env, "CHORUS_AUTH_KEYS_DIR"),
            audience=token_audience(env),
            access_token_ttl=timedelta(
                seconds=config.integer(env, "CHORUS_AUTH_ACCESS_TOKEN_TTL_SECONDS")
            ),
            refresh_token_ttl=timedelta(
                seconds=config.integer(env, "CHORUS_AUTH_REFRESH_TOKEN_TTL_SECONDS")
            ),
            argon2=Argon2Cost(
                time_cost=config.integer(env, "CHORUS_AUTH_ARGON2_TIME_COST"),
                memory_kib=config.integer(env, "CHORUS_AUTH_ARGON2_MEMORY_KIB"),
            ),
            max_concurrent_hashes=config.integer(env, "CHORUS_AUTH_MAX_CONCURRENT_HASHES"),
            jwks_listen=_off_or(config.text(env, "CHORUS_AUTH_JWKS_LISTEN")),
        )


def _off_or(value: str) -> str:
    return "" if value.lower() == "off" else value
