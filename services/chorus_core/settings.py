"""Settings every service shares: network limits, shutdown, token audience."""

from collections.abc import Mapping

from chorus_core import config
from chorus_core.server import ServerSettings
from chorus_core.tokens import TokenAudience


def server_settings(env: Mapping[str, str], *, listen_var: str, metrics_var: str) -> ServerSettings:
    return ServerSettings(
        listen=config.text(env, listen_var),
        max_message_bytes=config.integer(env, "CHORUS_MAX_MESSAGE_BYTES"),
        shutdown_grace_seconds=shutdown_grace_seconds(env),
        drain_seconds=config.integer(env, "CHORUS_DRAIN_SECONDS"),
        metrics_listen=config.text(env, metrics_var),
    )


def shutdown_grace_seconds(env: Mapping[str, str]) -> int:
    """How long in-flight calls may take to finish after SIGTERM (also the supervisor's wait)."""
    return config.integer(env, "CHORUS_SHUTDOWN_GRACE_SECONDS")


def database_wait_seconds(env: Mapping[str, str]) -> int:
    """How long `serve` and `migrate` wait for a database that is not up yet."""
    return config.integer(env, "CHORUS_DATABASE_WAIT_SECONDS")


def token_audience(env: Mapping[str, str]) -> TokenAudience:
    return TokenAudience(
        issuer=config.text(env, "CHORUS_TOKEN_ISSUER"),
        audience=config.text(env, "CHORUS_TOKEN_AUDIENCE"),
    )
