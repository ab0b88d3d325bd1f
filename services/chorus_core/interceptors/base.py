"""The base of Chorus interceptors: wrap unary-unary behaviour, one concern each."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from typing import Any, TypeAlias

import grpc

UnaryBehavior: TypeAlias = "Callable[[Any, grpc.aio.ServicerContext[Any, Any]], Awaitable[Any]]"
Handler: TypeAlias = "grpc.RpcMethodHandler[Any, Any]"  # generic in the stubs only
Continuation: TypeAlias = "Callable[[grpc.HandlerCallDetails], Awaitable[Handler | None]]"


def status_name(context: grpc.aio.ServicerContext[Any, Any]) -> str:
    """The name of the status a call ended with (OK when none was set)."""
    code = context.code() or grpc.StatusCode.OK
    return code.name if isinstance(code, grpc.StatusCode) else str(code)


class UnaryInterceptor(grpc.aio.ServerInterceptor, ABC):
    """Runs `wrap` around the behaviour of every unary-unary method.

    Streaming methods (health Watch, reflection) go to `other_kind`, which
    passes them through unchanged unless a subclass says otherwise.
    """

    async def intercept_service(
        self, continuation: Continuation, handler_call_details: grpc.HandlerCallDetails
    ) -> Handler | None:
        handler = await continuation(handler_call_details)
        if handler is None:
            return None
        if handler.unary_unary is None:
            return self.other_kind(handler_call_details.method, handler)
        inner: UnaryBehavior = handler.unary_unary  # type: ignore[assignment]  # aio: async
        behavior = self.wrap(handler_call_details, inner)
        if behavior is None:
            return handler
        return grpc.unary_unary_rpc_method_handler(
            behavior,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )

    @abstractmethod
    def wrap(self, call: grpc.HandlerCallDetails, inner: UnaryBehavior) -> UnaryBehavior | None:
        """The behaviour to run instead of `inner`, or None to leave it alone."""

    def other_kind(self, method: str, handler: Handler) -> Handler | None:
        return handler
