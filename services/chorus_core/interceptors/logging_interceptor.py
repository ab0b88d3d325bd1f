"""Logs one line per call: method, status code and duration.

Never logs requests, responses or metadata, so tokens and passwords stay out
of the logs.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import grpc

from chorus_core.interceptors.base import UnaryBehavior, UnaryInterceptor

_log = logging.getLogger("chorus.access")

HEALTH_PREFIX = "/grpc.health.v1.Health/"


class LoggingInterceptor(UnaryInterceptor):
    def wrap(self, call: grpc.HandlerCallDetails, inner: UnaryBehavior) -> UnaryBehavior:
        method = call.method
        # Health probes arrive every few seconds: keep them out of the info log.
        level = logging.DEBUG if method.startswith(HEALTH_PREFIX) else logging.INFO

        async def behavior(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
            started = time.perf_counter()
            try:
                return await inner(request, context)
            finally:
                code = context.code() or grpc.StatusCode.OK
                elapsed_ms = (time.perf_counter() - started) * 1000
                _log.log(level, "%s %s %.1fms", method, _name(code), elapsed_ms)

        return behavior


def _name(code: Any) -> str:
    return code.name if isinstance(code, grpc.StatusCode) else str(code)
