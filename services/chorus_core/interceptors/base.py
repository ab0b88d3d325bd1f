"""The base of Chorus interceptors: wrap the behaviour of calls with one request, one concern each.

Unary-unary and unary-stream (server-streaming, e.g. WatchSongs) methods both
go through `wrap`. A streaming behaviour is first turned into a coroutine that
writes each response with `context.write` and returns None, so every wrapper
written for unary calls (auth, validation, errors, logging, metrics) works
around the whole stream unchanged: the caller stays bound while it runs, an
error raised mid-stream ends it with its status, and the log line and the
metrics cover the stream from its start to its end.
"""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from typing import Any, TypeAlias

import grpc

UnaryBehavior: TypeAlias = "Callable[[Any, grpc.aio.ServicerContext[Any, Any]], Awaitable[Any]]"
StreamBehavior: TypeAlias = "Callable[[Any, grpc.aio.ServicerContext[Any, Any]], Any]"
"""A server-streaming behaviour: an async generator function, or a coroutine that writes."""
Handler: TypeAlias = "grpc.RpcMethodHandler[Any, Any]"  # generic in the stubs only
Continuation: TypeAlias = "Callable[[grpc.HandlerCallDetails], Awaitable[Handler | None]]"


def status_name(context: grpc.aio.ServicerContext[Any, Any]) -> str:
    """The name of the status a call ended with (OK when none was set)."""
    code = context.code() or grpc.StatusCode.OK
    return code.name if isinstance(code, grpc.StatusCode) else str(code)


def writing(inner: StreamBehavior) -> UnaryBehavior:
    """`inner` as a coroutine that writes every response itself and returns None."""

    async def behavior(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> None:
        responses = inner(request, context)
        if inspect.isasyncgen(responses):
            async for response in responses:
                await context.write(response)
        else:
            await responses

    return behavior


def rebuilt(handler: Handler, behavior: UnaryBehavior, **changes: Any) -> Handler:
    """A handler of the same kind (unary-unary or unary-stream) running `behavior`."""
    options = {
        "request_deserializer": handler.request_deserializer,
        "response_serializer": handler.response_serializer,
        **changes,
    }
    if handler.unary_stream is not None:
        return grpc.unary_stream_rpc_method_handler(behavior, **options)
    return grpc.unary_unary_rpc_method_handler(behavior, **options)


def single_request_behavior(handler: Handler) -> UnaryBehavior | None:
    """The behaviour of a unary-unary or unary-stream handler (streams as writers), else None."""
    if handler.unary_unary is not None:
        return handler.unary_unary  # type: ignore[return-value]  # aio: async
    if handler.unary_stream is not None:
        return writing(handler.unary_stream)  # type: ignore[arg-type]  # aio: async
    return None


class UnaryInterceptor(grpc.aio.ServerInterceptor, ABC):
    """Runs `wrap` around the behaviour of every method that takes one request.

    Client-streaming and bidirectional methods (reflection) go to
    `other_kind`, which passes them through unchanged unless a subclass says
    otherwise.
    """

    async def intercept_service(
        self, continuation: Continuation, handler_call_details: grpc.HandlerCallDetails
    ) -> Handler | None:
        handler = await continuation(handler_call_details)
        if handler is None:
            return None
        inner = single_request_behavior(handler)
        if inner is None:
            return self.other_kind(handler_call_details.method, handler)
        behavior = self.wrap(handler_call_details, inner)
        if behavior is None:
            return handler
        return rebuilt(handler, behavior)

    @abstractmethod
    def wrap(self, call: grpc.HandlerCallDetails, inner: UnaryBehavior) -> UnaryBehavior | None:
        """The behaviour to run instead of `inner`, or None to leave it alone."""

    def other_kind(self, method: str, handler: Handler) -> Handler | None:
        return handler
