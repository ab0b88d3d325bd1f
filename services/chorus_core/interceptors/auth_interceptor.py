"""Authenticates calls: `authorization: Bearer <access token>` in the metadata.

The token is verified offline (no database, no call to the auth service) and
the caller is bound to a context variable for the handler and the stores.
Public methods (and health checks and reflection) pass without a token.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import grpc

from chorus_core.caller import bind_caller, unbind_caller
from chorus_core.errors import Unauthenticated
from chorus_core.interceptors._unary import Continuation, Handler, UnaryBehavior, wrap_unary
from chorus_core.tokens import AccessTokenVerifier

ALWAYS_PUBLIC_PREFIXES = ("/grpc.health.v1.Health/", "/grpc.reflection.")


class AuthInterceptor(grpc.aio.ServerInterceptor):
    def __init__(self, verifier: AccessTokenVerifier, public_methods: Collection[str]) -> None:
        self._verifier = verifier
        self._public = frozenset(public_methods)

    async def intercept_service(
        self,
        continuation: Continuation,
        handler_call_details: grpc.HandlerCallDetails,
    ) -> Handler | None:
        method = handler_call_details.method
        handler = await continuation(handler_call_details)
        if handler is None or method in self._public or method.startswith(ALWAYS_PUBLIC_PREFIXES):
            return handler
        if handler.unary_unary is None:
            # Authenticated streaming methods are not supported: refuse them
            # rather than serve them unauthenticated.
            return None
        token = _bearer_token(handler_call_details.invocation_metadata)
        verifier = self._verifier

        def wrap(inner: UnaryBehavior) -> UnaryBehavior:
            async def behavior(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
                caller = await verifier.verify(_require(token))
                bound = bind_caller(caller)
                try:
                    return await inner(request, context)
                finally:
                    unbind_caller(bound)

            return behavior

        return wrap_unary(handler, wrap)


def _bearer_token(metadata: Any) -> str | None:
    for key, value in metadata or ():
        if key == "authorization":
            scheme, _, token = str(value).partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
            return ""
    return None


def _require(token: str | None) -> str:
    if token is None:
        raise Unauthenticated("missing `authorization: Bearer <access token>` metadata")
    if not token:
        raise Unauthenticated("the authorization metadata must be `Bearer <access token>`")
    return token
