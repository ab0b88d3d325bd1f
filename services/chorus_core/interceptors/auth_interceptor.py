"""Authenticates calls: `authorization: Bearer <access token>` in the metadata.

The token is verified offline (no database, no call to the auth service) and
the caller is bound to a context variable for the handler and the stores.
Public methods (and health checks and reflection) pass without a token.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import grpc

from chorus_core.call_facts import current_call
from chorus_core.caller import bind_caller, unbind_caller
from chorus_core.errors import Unauthenticated
from chorus_core.interceptors.base import (
    Handler,
    UnaryBehavior,
    UnaryInterceptor,
    metadata_value,
)
from chorus_core.tokens import AccessTokenVerifier

ALWAYS_PUBLIC_PREFIXES = ("/grpc.health.v1.Health/", "/grpc.reflection.")


class AuthInterceptor(UnaryInterceptor):
    def __init__(self, verifier: AccessTokenVerifier, public_methods: Collection[str]) -> None:
        self._verifier = verifier
        self._public = frozenset(public_methods)

    def _is_public(self, method: str) -> bool:
        return method in self._public or method.startswith(ALWAYS_PUBLIC_PREFIXES)

    def wrap(self, method: str, inner: UnaryBehavior) -> UnaryBehavior | None:
        if self._is_public(method):
            return None
        verifier = self._verifier

        async def behavior(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
            token = _bearer_token(metadata_value(context, "authorization"))
            caller = await verifier.verify(_require(token))
            facts = current_call()
            if facts is not None:
                facts.tenant_id, facts.user_id = caller.tenant_id, caller.user_id
            bound = bind_caller(caller)
            try:
                return await inner(request, context)
            finally:
                unbind_caller(bound)

        return behavior

    def other_kind(self, method: str, handler: Handler) -> Handler | None:
        # Authenticated client-streaming methods are not supported: refuse
        # them (UNIMPLEMENTED) rather than serve them unauthenticated.
        return handler if self._is_public(method) else None


def _bearer_token(authorization: str | None) -> str | None:
    """The token of `Bearer <token>`; "" for anything else, None when there is no header."""
    if authorization is None:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return ""


def _require(token: str | None) -> str:
    if token is None:
        raise Unauthenticated("missing `authorization: Bearer <access token>` metadata")
    if not token:
        raise Unauthenticated("the authorization metadata must be `Bearer <access token>`")
    return token
