"""The base of Chorus interceptors: one concern each, composed once per method into one chain.

gRPC runs each `grpc.aio.ServerInterceptor` on every call: a coroutine per
interceptor, a new handler per interceptor, new closures. Chorus's
interceptors are `Interceptor`s instead: each says once, for a method, what
its handler becomes (`intercept`), and `InterceptorChain` (the one
`grpc.aio.ServerInterceptor` a server has besides tracing) composes them the
first time a method is called and keeps the result. A call then costs one
dictionary lookup and one frame per concern.

Unary-unary and unary-stream (server-streaming, e.g. WatchSongs) methods both
go through `wrap`. A streaming behaviour is first turned into a coroutine that
writes each response with `context.write` and returns None, so every wrapper
written for unary calls (auth, validation, errors, logging, metrics) works
around the whole stream unchanged: the caller stays bound while it runs, an
error raised mid-stream ends it with its status, and the log line and the
metrics cover the stream from its start to its end. Per-call facts (the
token, the request id) come from `context.invocation_metadata()`.
"""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Sequence
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


def metadata_value(context: grpc.aio.ServicerContext[Any, Any], key: str) -> str | None:
    """The call's first metadata value under `key` (lower case), if any."""
    for name, value in context.invocation_metadata() or ():
        if name == key:
            return value if isinstance(value, str) else value.decode("latin-1")
    return None


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


class Interceptor(ABC):
    """One concern: what a method's handler becomes (None: the method is refused, UNIMPLEMENTED)."""

    @abstractmethod
    def intercept(self, method: str, handler: Handler) -> Handler | None: ...


class UnaryInterceptor(Interceptor):
    """Runs `wrap` around the behaviour of every method that takes one request.

    Client-streaming and bidirectional methods (reflection) go to
    `other_kind`, which passes them through unchanged unless a subclass says
    otherwise.
    """

    def intercept(self, method: str, handler: Handler) -> Handler | None:
        inner = single_request_behavior(handler)
        if inner is None:
            return self.other_kind(method, handler)
        behavior = self.wrap(method, inner)
        if behavior is None:
            return handler
        return rebuilt(handler, behavior)

    @abstractmethod
    def wrap(self, method: str, inner: UnaryBehavior) -> UnaryBehavior | None:
        """The behaviour to run instead of `inner`, or None to leave it alone."""

    def other_kind(self, method: str, handler: Handler) -> Handler | None:
        return handler


class InterceptorChain(grpc.aio.ServerInterceptor):
    """`interceptors` (outermost first) as one gRPC interceptor, composed once per method."""

    def __init__(self, interceptors: Sequence[Interceptor]) -> None:
        self._interceptors = tuple(reversed(interceptors))  # innermost first
        self._handlers: dict[str, Handler | None] = {}

    async def intercept_service(
        self, continuation: Continuation, handler_call_details: grpc.HandlerCallDetails
    ) -> Handler | None:
        method = handler_call_details.method
        try:
            return self._handlers[method]
        except KeyError:
            pass
        handler = await continuation(handler_call_details)
        if handler is None:
            return None  # no such method: nothing kept (clients choose the names)
        composed = self._compose(method, handler)
        self._handlers[method] = composed
        return composed

    def _compose(self, method: str, handler: Handler) -> Handler | None:
        for interceptor in self._interceptors:
            intercepted = interceptor.intercept(method, handler)
            if intercepted is None:
                return None
            handler = intercepted
        return handler
