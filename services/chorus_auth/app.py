"""Wiring of the auth service: settings in, a ready-to-start server out."""

from chorus.auth.v1 import auth_service_pb2_grpc as pb_grpc
from chorus.auth.v1 import tenant_events_service_pb2_grpc as tenant_events_grpc
from chorus.auth.v1 import tenant_service_pb2_grpc as tenant_grpc
from chorus_auth.accounts import Accounts
from chorus_auth.auth_servicer import PUBLIC_METHODS, SERVICE, AuthServicer
from chorus_auth.jwks_http import serve_jwks
from chorus_auth.passwords import PasswordHashing
from chorus_auth.sessions import Sessions
from chorus_auth.settings import AuthSettings
from chorus_auth.signing_keys import load_signing_keys
from chorus_auth.store import AuthDatabase
from chorus_auth.tenant_events_servicer import SERVICE as TENANT_EVENTS_SERVICE
from chorus_auth.tenant_events_servicer import TenantEventsServicer
from chorus_auth.tenant_servicer import SERVICE as TENANT_SERVICE
from chorus_auth.tenant_servicer import TenantServicer
from chorus_auth.tenants import Tenants
from chorus_auth.token_issuer import AccessTokenIssuer
from chorus_core.database import Database, create_engine
from chorus_core.interceptors.auth_interceptor import AuthInterceptor
from chorus_core.interceptors.decoding_interceptor import DecodingInterceptor
from chorus_core.interceptors.error_interceptor import ErrorInterceptor
from chorus_core.interceptors.logging_interceptor import LoggingInterceptor
from chorus_core.interceptors.validation_interceptor import ValidationInterceptor
from chorus_core.reflection import api_services
from chorus_core.schema_version import refuse_unmigrated
from chorus_core.server import GrpcServer, ServiceRegistration
from chorus_core.telemetry import Telemetry
from chorus_core.tokens import AccessTokenVerifier, StaticKeys


def build_auth_server(
    settings: AuthSettings, telemetry: Telemetry | None = None
) -> tuple[GrpcServer, Database]:
    """The service ready to start; `telemetry` defaults to metrics only (no tracing)."""
    telemetry = telemetry or Telemetry()
    keys = load_signing_keys(settings.keys_dir)
    db = Database(create_engine(settings.database_url))
    auth_db = AuthDatabase(db)
    sessions = Sessions(
        auth_db,
        AccessTokenIssuer(keys, settings.audience, settings.access_token_ttl),
        settings.refresh_token_ttl,
    )
    passwords = PasswordHashing(
        settings.argon2, settings.max_concurrent_hashes, registry=telemetry.metrics.registry
    )
    accounts = Accounts(auth_db, passwords, sessions)
    verifier = AccessTokenVerifier(StaticKeys(keys.public_keys()), settings.audience)
    server = GrpcServer(
        settings.server,
        [
            ServiceRegistration(
                SERVICE,
                AuthServicer(accounts, sessions, keys),
                pb_grpc.add_AuthServiceServicer_to_server,
            ),
            ServiceRegistration(
                TENANT_SERVICE,
                TenantServicer(Tenants(auth_db), sessions),
                tenant_grpc.add_TenantServiceServicer_to_server,
            ),
            ServiceRegistration(
                TENANT_EVENTS_SERVICE,
                TenantEventsServicer(auth_db),
                tenant_events_grpc.add_TenantEventsServiceServicer_to_server,
            ),
        ],
        [
            LoggingInterceptor(),
            ErrorInterceptor(),
            DecodingInterceptor(),
            AuthInterceptor(verifier, PUBLIC_METHODS),
            ValidationInterceptor(),
        ],
        telemetry,
        readiness=db.readiness,
        # The gateway sends reflection here: describe every service it routes.
        reflected=api_services(),
        background=[lambda: serve_jwks(settings.jwks_listen, keys.jwks())]
        if settings.jwks_listen
        else [],
        checks=[lambda: refuse_unmigrated(db, "auth")],
    )
    server.telemetry.metrics.watch_pool(db.engine)
    return server, db
