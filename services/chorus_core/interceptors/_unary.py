"""Wrapping the behaviour of unary-unary handlers, shared by the interceptors."""

from collections.abc import Awaitable, Callable
from typing import Any, TypeAlias

import grpc

UnaryBehavior = Callable[[Any, grpc.aio.ServicerContext[Any, Any]], Awaitable[Any]]
Handler: TypeAlias = "grpc.RpcMethodHandler[Any, Any]"  # generic in the stubs only
Continuation: TypeAlias = "Callable[[grpc.HandlerCallDetails], Awaitable[Handler | None]]"


def wrap_unary(
    handler: Handler,
    wrap: Callable[[UnaryBehavior], UnaryBehavior],
) -> Handler:
    """A handler like `handler` whose unary-unary behaviour goes through `wrap`."""
    inner: UnaryBehavior = handler.unary_unary  # type: ignore[assignment]
    return grpc.unary_unary_rpc_method_handler(
        wrap(inner),
        request_deserializer=handler.request_deserializer,
        response_serializer=handler.response_serializer,
    )
