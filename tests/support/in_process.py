"""The two services started inside the test process, on free ports, over real sockets.

Most tests use this (the `suite` fixture): it starts in well under a second,
and a test can look behind a service's back through its own database handle
and settings. Tests of the real commands, `make run` and the benchmark start
the suite as deployed instead, with `chorus_devtools.suite`.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

from opentelemetry.sdk.trace import TracerProvider

from chorus_auth.app import build_auth_server
from chorus_auth.passwords import Argon2Cost
from chorus_auth.settings import AuthSettings
from chorus_auth.signing_keys import generate_signing_key
from chorus_core.database import Database
from chorus_core.migrations import upgrade_to_head
from chorus_core.server import ServerSettings
from chorus_core.telemetry import Telemetry
from chorus_core.tokens import TokenAudience
from chorus_devtools.ports import free_ports
from chorus_resource.app import build_resource_server
from chorus_resource.settings import ResourceSettings
from tests.support.databases import fresh_database, resource_service_role

AUDIENCE = TokenAudience(issuer="chorus-auth", audience="chorus")
TEST_ARGON2 = Argon2Cost(time_cost=1, memory_kib=1024, parallelism=1)
"""Cheap hashing: the real cost (64 MiB, 3 passes) is only lowered in tests."""


@dataclass(frozen=True)
class InProcessSuite:
    backend: str
    auth_target: str
    resource_target: str
    auth_settings: AuthSettings
    resource_settings: ResourceSettings
    auth_db: Database
    """The auth service's own database handle (for looking behind its back)."""
    resource_db: Database
    """The resource service's own database handle: its login role, its pool."""
    auth_metrics: str
    resource_metrics: str
    """host:port of each service's Prometheus /metrics."""
    auth_jwks: str = ""
    """host:port of the auth service's HTTP JWKS endpoint (Envoy's remote_jwks)."""


def auth_settings(keys_dir: Path, database_url: object, **overrides: object) -> AuthSettings:
    settings = AuthSettings(
        server=ServerSettings(
            listen="127.0.0.1:0", shutdown_grace_seconds=1, metrics_listen="127.0.0.1:0"
        ),
        database_url=database_url,  # type: ignore[arg-type]
        keys_dir=keys_dir,
        audience=AUDIENCE,
        access_token_ttl=timedelta(minutes=5),
        refresh_token_ttl=timedelta(days=1),
        argon2=TEST_ARGON2,
        max_concurrent_hashes=2,
    )
    return replace(settings, **overrides)  # type: ignore[arg-type]


@asynccontextmanager
async def running_in_process(
    backend: str,
    folder: Path,
    *,
    tracer_provider: TracerProvider | None = None,
    **auth_overrides: object,
) -> AsyncIterator[InProcessSuite]:
    """Fresh databases, a new signing key, both services migrated and serving."""
    keys_dir = folder / "keys"
    generate_signing_key(keys_dir)
    async with (
        resource_service_role(backend) as service_role,
        fresh_database(backend, folder, "auth") as auth_url,
        fresh_database(backend, folder, "resource") as resource_url,
    ):
        await asyncio.to_thread(upgrade_to_head, "auth", auth_url)
        await asyncio.to_thread(
            upgrade_to_head, "resource", resource_url, app_role=service_role.app_role
        )
        [jwks_port] = free_ports(1)
        auth_overrides.setdefault("jwks_listen", f"127.0.0.1:{jwks_port}")
        auth = auth_settings(keys_dir, auth_url, **auth_overrides)
        auth_server, auth_db = build_auth_server(auth, Telemetry(tracer_provider=tracer_provider))
        auth_port = await auth_server.start()
        resource = ResourceSettings(
            server=ServerSettings(
                listen="127.0.0.1:0", shutdown_grace_seconds=1, metrics_listen="127.0.0.1:0"
            ),
            database_url=service_role.url(resource_url),
            migration_database_url=resource_url,
            app_role=service_role.app_role,
            jwks_source=f"grpc://127.0.0.1:{auth_port}",
            jwks_refresh_seconds=300,
            audience=AUDIENCE,
        )
        resource_server, resource_db = build_resource_server(
            resource, Telemetry(tracer_provider=tracer_provider)
        )
        resource_port = await resource_server.start()
        try:
            yield InProcessSuite(
                backend=backend,
                auth_target=f"127.0.0.1:{auth_port}",
                resource_target=f"127.0.0.1:{resource_port}",
                auth_settings=auth,
                resource_settings=resource,
                auth_db=auth_db,
                resource_db=resource_db,
                auth_metrics=f"127.0.0.1:{auth_server.metrics_port}",
                resource_metrics=f"127.0.0.1:{resource_server.metrics_port}",
                auth_jwks=auth.jwks_listen,
            )
        finally:
            await resource_server.stop()
            await auth_server.stop()
            await resource_db.close()
            await auth_db.close()
