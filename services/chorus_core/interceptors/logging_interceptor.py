"""Logs one line per call: method, status code and duration.

Never logs requests, responses or metadata, so tokens and passwords stay out
of the logs.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import grpc

from chorus_core.interceptors._unary import Continuation, Handler, UnaryBehavior, wrap_unary

_log = logging.getLogger("chorus.access")

HEALTH_PREFIX = "/grpc.health.v1.Health/"


class LoggingInterceptor(grpc.aio.ServerInterceptor):
    async def intercept_service(
        self,
        continuation: Continuation,
        handler_call_details: grpc.HandlerCallDetails,
    ) -> Handler | None:
        handler = await continuation(handler_call_details)
        if handler is None or handler.unary_unary is None:
            return handler
        method = handler_call_details.method
        # Health probes arrive every few seconds: keep them out of the info log.
        level = logging.DEBUG if method.startswith(HEALTH_PREFIX) else logging.INFO

        def wrap(inner: UnaryBehavior) -> UnaryBehavior:
            async def behavior(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
                started = time.perf_counter()
                try:
                    return await inner(request, context)
                finally:
                    code = context.code() or grpc.StatusCode.OK
                    elapsed_ms = (time.perf_counter() - started) * 1000
                    _log.log(level, "%s %s %.1fms", method, _name(code), elapsed_ms)

            return behavior

        return wrap_unary(handler, wrap)


def _name(code: Any) -> str:
    return code.name if isinstance(code, grpc.StatusCode) else str(code)
