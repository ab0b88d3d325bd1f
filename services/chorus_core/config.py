"""Every setting, once: its env value's name, default and meaning, and the readers.

`SETTINGS` is the one definition of what can be configured. The services'
settings (`AuthSettings`, `ResourceSettings`, the shared `server_settings`),
the command line and `scripts/run_suite.py` read env values only through
`text`, `integer`, `path` and `optional_path`, which take the default (and an
integer's minimum) from here; reading a name that is not here is a bug and
fails at once. The README's configuration table is this table
(tests/unit/test_settings.py compares them). Secrets are never env values:
a setting ending in `_FILE` names a file, read by `read_secret_file`.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the setting."""


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    """The value used when the env value is unset or blank; "" when there is none."""
    meaning: str
    minimum: int | None = None
    """For integers: the smallest value accepted."""
    shown_default: str = ""
    """How the README shows a default that is not a plain value ("none", "off", ...)."""

    @property
    def readme_default(self) -> str:
        return self.shown_default or f"`{self.default}`"


SETTINGS: tuple[Setting, ...] = (
    Setting("CHORUS_AUTH_LISTEN", "127.0.0.1:50051", "where the auth service listens"),
    Setting(
        "CHORUS_AUTH_DATABASE_URL",
        "sqlite:///var/auth.db",
        "`postgresql://user@host:5432/db` or `sqlite:///path`",
    ),
    Setting(
        "CHORUS_AUTH_DATABASE_PASSWORD_FILE",
        "",
        "file holding the auth database password",
        shown_default="none",
    ),
    Setting(
        "CHORUS_AUTH_KEYS_DIR", "var/keys", "folder of ES256 signing keys (PEM files, mode 0600)"
    ),
    Setting("CHORUS_AUTH_ACCESS_TOKEN_TTL_SECONDS", "300", "access token lifetime", minimum=1),
    Setting(
        "CHORUS_AUTH_REFRESH_TOKEN_TTL_SECONDS",
        "2592000",
        "refresh token lifetime (30 days)",
        minimum=1,
    ),
    Setting("CHORUS_AUTH_ARGON2_TIME_COST", "3", "argon2id passes", minimum=1),
    Setting(
        "CHORUS_AUTH_ARGON2_MEMORY_KIB", "65536", "argon2id memory per hash (64 MiB)", minimum=8
    ),
    Setting(
        "CHORUS_AUTH_MAX_CONCURRENT_HASHES", "2", "password hashes computed at once", minimum=1
    ),
    Setting(
        "CHORUS_AUTH_JWKS_LISTEN",
        "127.0.0.1:50061",
        "where the auth service serves its public keys over HTTP "
        "(`/.well-known/jwks.json`, read by Envoy); `off` turns it off",
    ),
    Setting("CHORUS_RESOURCE_LISTEN", "127.0.0.1:50052", "where the resource service listens"),
    Setting(
        "CHORUS_RESOURCE_DATABASE_URL",
        "sqlite:///var/resource.db",
        "as for auth, its own database",
    ),
    Setting(
        "CHORUS_RESOURCE_DATABASE_PASSWORD_FILE",
        "",
        "file holding the resource database password",
        shown_default="none",
    ),
    Setting(
        "CHORUS_RESOURCE_DATABASE_POOL_SIZE",
        "10",
        "PostgreSQL connections each resource worker keeps, and the most it opens (a call finding "
        "all busy waits for one): the server's `max_connections` must cover workers x replicas "
        "x this, plus the auth service's",
        minimum=1,
    ),
    Setting(
        "CHORUS_RESOURCE_MIGRATION_DATABASE_URL",
        "",
        "the table owner's connection, for `migrate`",
        shown_default="the service's URL",
    ),
    Setting(
        "CHORUS_RESOURCE_MIGRATION_DATABASE_PASSWORD_FILE",
        "",
        "file holding the owner's password",
        shown_default="none",
    ),
    Setting(
        "CHORUS_RESOURCE_APP_ROLE",
        "chorus_resource_app",
        "group role the migrations grant table rights to (row-level security applies to it)",
    ),
    Setting(
        "CHORUS_RESOURCE_JWKS",
        "",
        "where token keys come from: the auth service, or `file:/path/jwks.json`",
        shown_default="`grpc://` + `CHORUS_AUTH_LISTEN`",
    ),
    Setting(
        "CHORUS_RESOURCE_ALLOW_RLS_BYPASS",
        "false",
        "`true`: start even as a PostgreSQL role that row-level security does not bind "
        "(a superuser, `BYPASSRLS`, the tables' owner); for local experiments only",
    ),
    Setting(
        "CHORUS_RESOURCE_JWKS_REFRESH_SECONDS",
        "300",
        "how often the keys are fetched again",
        minimum=1,
    ),
    Setting(
        "CHORUS_RESOURCE_TENANT_CLEANUP_SECONDS",
        "30",
        "how often the resource service asks the auth service for deleted tenants and purges "
        "their data",
        minimum=1,
    ),
    Setting(
        "CHORUS_RESOURCE_MAX_WATCHERS_PER_TENANT",
        "100",
        "open watch streams (WatchSongs…) one tenant may have on one process "
        "(`RESOURCE_EXHAUSTED` past it)",
        minimum=1,
    ),
    Setting(
        "CHORUS_RESOURCE_MAX_WATCHERS",
        "2000",
        "open watch streams of all tenants on one process (`RESOURCE_EXHAUSTED` past it)",
        minimum=1,
    ),
    Setting("CHORUS_TOKEN_ISSUER", "chorus-auth", "`iss` of access tokens (both services)"),
    Setting("CHORUS_TOKEN_AUDIENCE", "chorus", "`aud` of access tokens (both services)"),
    Setting(
        "CHORUS_MAX_MESSAGE_BYTES",
        "1048576",
        "largest message in or out (`RESOURCE_EXHAUSTED` past it)",
        minimum=1024,
    ),
    Setting(
        "CHORUS_DATABASE_WAIT_SECONDS",
        "30",
        "how long `serve` and `migrate` wait for a database that is not up yet (refused, "
        "name not resolved, starting) before exiting 1; a wrong password exits at once",
        minimum=0,
    ),
    Setting(
        "CHORUS_SHUTDOWN_GRACE_SECONDS", "10", "time in-flight calls get after SIGTERM", minimum=0
    ),
    Setting(
        "CHORUS_DRAIN_SECONDS",
        "0",
        "after SIGTERM, seconds of NOT_SERVING while still serving, before stopping "
        "(give balancers time)",
        minimum=0,
    ),
    Setting(
        "CHORUS_LOG_FORMAT",
        "text",
        "`json`: one JSON object per line; access lines carry `method`, `code`, "
        "`duration_ms`, `tenant_id`, `request_id`",
    ),
    Setting(
        "CHORUS_AUTH_METRICS_LISTEN",
        "",
        "`host:port` for the auth service's Prometheus `/metrics`: "
        "`chorus_grpc_calls_total{service,method,code}`, `chorus_grpc_call_duration_seconds`, "
        "`chorus_db_pool_connections{state}`, `chorus_auth_password_verifications_total`, "
        "`chorus_auth_password_work_in_progress`",
        shown_default="off",
    ),
    Setting(
        "CHORUS_RESOURCE_METRICS_LISTEN",
        "",
        "`host:port` for the resource service's Prometheus `/metrics` (the same call and pool "
        "metrics)",
        shown_default="off",
    ),
    Setting(
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "",
        "OpenTelemetry tracing over OTLP/gRPC; a `traceparent` from the caller (passed through "
        "Envoy) continues its trace",
        shown_default="off",
    ),
    Setting(
        "OTEL_SERVICE_NAME",
        "",
        "the service name traces carry",
        shown_default="`chorus-auth`, `chorus-resource`",
    ),
    Setting(
        "CHORUS_WORKERS",
        "1",
        "worker processes of a service (`serve`), all on its one port: `2` uses both cores of "
        'a 2-core machine (see "Benchmark"); `make run` keeps 1',
        minimum=1,
    ),
    Setting("CHORUS_GATEWAY_LISTEN", "127.0.0.1:8080", "Envoy's port (`make run`)"),
    Setting("CHORUS_GATEWAY_ADMIN", "127.0.0.1:9901", "Envoy's admin port (`make run`)"),
    Setting(
        "CHORUS_GATEWAY_DIR",
        "var/gateway",
        "where `make run` writes the rendered Envoy config",
    ),
    Setting(
        "CHORUS_GATEWAY_AUTH_RATE_PER_MINUTE",
        "10",
        "SignUp + Login calls per client address per minute at the gateway (`make run`)",
        minimum=1,
    ),
    Setting(
        "CHORUS_GATEWAY_ANONYMOUS_RATE_PER_MINUTE",
        "300",
        "other calls without a token per client address per minute at the gateway (`make run`)",
        minimum=1,
    ),
    Setting("CHORUS_WEB_PORT", "5173", "the web app's port (`make run`); CORS allows this origin"),
)
BY_NAME = {setting.name: setting for setting in SETTINGS}


def text(env: Mapping[str, str], name: str) -> str:
    """The env value, trimmed, or the setting's default when unset or blank."""
    default = BY_NAME[name].default
    return env.get(name, "").strip() or default


def integer(env: Mapping[str, str], name: str) -> int:
    """An integer setting, at least its minimum."""
    setting = BY_NAME[name]
    raw = text(env, name)
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None
    if setting.minimum is not None and value < setting.minimum:
        raise ConfigError(f"{name} must be at least {setting.minimum}, got {value}")
    return value


def path(env: Mapping[str, str], name: str) -> Path:
    return Path(text(env, name))


def optional_path(env: Mapping[str, str], name: str) -> Path | None:
    """A file setting with no default: None when unset."""
    value = text(env, name)
    return Path(value) if value else None


def read_secret_file(path: Path) -> str:
    """The content of a secret file, without its trailing newline.

    The error names the file but never shows its content.
    """
    try:
        return path.read_text(encoding="utf-8").rstrip("\r\n")
    except OSError as exc:
        raise ConfigError(f"cannot read secret file {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"secret file {path} is not UTF-8 text") from None
