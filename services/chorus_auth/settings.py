"""Auth service settings: env values with defaults, secrets in files.

Every variable and its default is listed in the README ("Configuration").
"""

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy.engine import URL

from chorus_auth.passwords import Argon2Cost
from chorus_core.config import env_int, env_path, env_str
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

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> "AuthSettings":
        password_file = env.get("CHORUS_AUTH_DATABASE_PASSWORD_FILE")
        return cls(
            server=server_settings(
                env,
                listen_var="CHORUS_AUTH_LISTEN",
                metrics_var="CHORUS_AUTH_METRICS_LISTEN",
                default_listen="127.0.0.1:50051",
            ),
            database_url=database_url(
                env_str(env, "CHORUS_AUTH_DATABASE_URL", "sqlite:///var/auth.db"),
                Path(password_file) if password_file else None,
                setting="CHORUS_AUTH_DATABASE_URL",
            ),
            keys_dir=env_path(env, "CHORUS_AUTH_KEYS_DIR", "var/keys"),
            audience=token_audience(env),
            access_token_ttl=timedelta(
                seconds=env_int(env, "CHORUS_AUTH_ACCESS_TOKEN_TTL_SECONDS", 300, minimum=1)
            ),
            refresh_token_ttl=timedelta(
                seconds=env_int(env, "CHORUS_AUTH_REFRESH_TOKEN_TTL_SECONDS", 30 * 86400, minimum=1)
            ),
            argon2=Argon2Cost(
                time_cost=env_int(env, "CHORUS_AUTH_ARGON2_TIME_COST", 3, minimum=1),
                memory_kib=env_int(env, "CHORUS_AUTH_ARGON2_MEMORY_KIB", 64 * 1024, minimum=8),
            ),
            max_concurrent_hashes=env_int(env, "CHORUS_AUTH_MAX_CONCURRENT_HASHES", 2, minimum=1),
        )
