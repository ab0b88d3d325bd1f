"""Settings every service shares: network limits, token audience, logging."""

from collections.abc import Mapping

from chorus_core.config import env_int, env_str
from chorus_core.server import ServerSettings
from chorus_core.tokens import TokenAudience

DEFAULT_ISSUER = "chorus-auth"
DEFAULT_AUDIENCE = "chorus"


def server_settings(
    env: Mapping[str, str], *, listen_var: str, default_listen: str, metrics_var: str
) -> ServerSettings:
    return ServerSettings(
        listen=env_str(env, listen_var, default_listen),
        max_message_bytes=env_int(env, "CHORUS_MAX_MESSAGE_BYTES", 1024 * 1024, minimum=1024),
        shutdown_grace_seconds=shutdown_grace_seconds(env),
        drain_seconds=env_int(env, "CHORUS_DRAIN_SECONDS", 0),
        metrics_listen=env_str(env, metrics_var, ""),
    )


def shutdown_grace_seconds(env: Mapping[str, str]) -> int:
    """How long in-flight calls may take to finish after SIGTERM (also the supervisor's wait)."""
    return env_int(env, "CHORUS_SHUTDOWN_GRACE_SECONDS", 10)


def token_audience(env: Mapping[str, str]) -> TokenAudience:
    return TokenAudience(
        issuer=env_str(env, "CHORUS_TOKEN_ISSUER", DEFAULT_ISSUER),
        audience=env_str(env, "CHORUS_TOKEN_AUDIENCE", DEFAULT_AUDIENCE),
    )
