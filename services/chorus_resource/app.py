"""Wiring of the resource service: settings in, a ready-to-start server out."""

from chorus_core.database import Database, create_engine
from chorus_core.interceptors.auth_interceptor import AuthInterceptor
from chorus_core.interceptors.decoding_interceptor import DecodingInterceptor
from chorus_core.interceptors.error_interceptor import ErrorInterceptor
from chorus_core.interceptors.logging_interceptor import LoggingInterceptor
from chorus_core.interceptors.validation_interceptor import ValidationInterceptor
from chorus_core.readiness import Readiness
from chorus_core.schema_version import refuse_unmigrated
from chorus_core.server import GrpcServer
from chorus_core.telemetry import Telemetry
from chorus_core.tokens import AccessTokenVerifier
from chorus_resource.catalog import RESOURCES
from chorus_resource.database_role import refuse_rls_bypass
from chorus_resource.import_runner import Imports
from chorus_resource.jwks_source import CachedJwks, jwks_fetcher
from chorus_resource.operation_service import OperationService
from chorus_resource.service import ResourceService
from chorus_resource.settings import ResourceSettings
from chorus_resource.tenant_cleanup import TenantCleanup
from chorus_resource.tenant_database import TenantDatabase
from chorus_resource.watchers import Watchers


def build_resource_server(
    settings: ResourceSettings, telemetry: Telemetry | None = None
) -> tuple[GrpcServer, Database]:
    """The service ready to start; `telemetry` defaults to metrics only (no tracing)."""
    readiness = Readiness()
    db = Database(
        create_engine(settings.database_url, pool_size=settings.database_pool_size), readiness
    )
    keys = CachedJwks(
        jwks_fetcher(settings.jwks_source),
        refresh_interval=settings.jwks_refresh_seconds,
        readiness=readiness,
    )
    verifier = AccessTokenVerifier(keys, settings.audience)
    watchers = Watchers(settings.watch_limits, db.engine)
    tenants = TenantDatabase(db, committed=watchers.changed)
    imports = Imports(db, tenants, {r.singular: r for r in RESOURCES}, watchers.changed)
    cleanup = TenantCleanup(tenants, settings.jwks_source, settings.tenant_cleanup_seconds)
    server = GrpcServer(
        settings.server,
        [
            *(ResourceService(r, tenants, watchers, imports).registration() for r in RESOURCES),
            OperationService(tenants, watchers).registration(),
        ],
        [
            LoggingInterceptor(),
            ErrorInterceptor(),
            DecodingInterceptor(),
            AuthInterceptor(verifier, public_methods=()),
            ValidationInterceptor(),
        ],
        telemetry,
        readiness=readiness,
        background=[
            keys.keep_loaded,
            watchers.follow_database,
            imports.keep_running,
            cleanup.keep_clean,
        ],
        stopping=[watchers.close],
        checks=[
            lambda: refuse_unmigrated(db, "resource"),
            lambda: refuse_rls_bypass(db, settings.app_role, allowed=settings.allow_rls_bypass),
        ],
    )
    server.telemetry.metrics.watch_pool(db.engine)
    return server, db
