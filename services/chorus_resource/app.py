"""Wiring of the resource service: settings in, a ready-to-start server out."""

from chorus.resource.v1 import song_service_pb2 as song_pb
from chorus.resource.v1 import song_service_pb2_grpc as song_grpc
from chorus_core.database import Database, create_engine
from chorus_core.interceptors.auth_interceptor import AuthInterceptor
from chorus_core.interceptors.decoding_interceptor import DecodingInterceptor
from chorus_core.interceptors.error_interceptor import ErrorInterceptor
from chorus_core.interceptors.logging_interceptor import LoggingInterceptor
from chorus_core.readiness import Readiness
from chorus_core.server import GrpcServer, ServiceRegistration
from chorus_core.telemetry import Telemetry
from chorus_core.tokens import AccessTokenVerifier
from chorus_resource.jwks_source import CachedJwks, jwks_fetcher
from chorus_resource.settings import ResourceSettings
from chorus_resource.song_servicer import SongServicer
from chorus_resource.tenant_database import TenantDatabase

SONG_SERVICE = song_pb.DESCRIPTOR.services_by_name["SongService"].full_name


def build_resource_server(
    settings: ResourceSettings, telemetry: Telemetry | None = None
) -> tuple[GrpcServer, Database]:
    """The service ready to start; `telemetry` defaults to metrics only (no tracing)."""
    readiness = Readiness()
    db = Database(create_engine(settings.database_url), readiness)
    keys = CachedJwks(
        jwks_fetcher(settings.jwks_source),
        refresh_interval=settings.jwks_refresh_seconds,
        readiness=readiness,
    )
    verifier = AccessTokenVerifier(keys, settings.audience)
    server = GrpcServer(
        settings.server,
        [
            ServiceRegistration(
                SONG_SERVICE,
                SongServicer(TenantDatabase(db)),
                song_grpc.add_SongServiceServicer_to_server,
            )
        ],
        [
            LoggingInterceptor(),
            ErrorInterceptor(),
            DecodingInterceptor(),
            AuthInterceptor(verifier, public_methods=()),
        ],
        telemetry,
        readiness=readiness,
        background=[keys.keep_loaded],
    )
    server.telemetry.metrics.watch_pool(db.engine)
    return server, db
