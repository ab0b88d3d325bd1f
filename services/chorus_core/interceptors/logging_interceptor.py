"""Logs one line per call: method, status code, duration, tenant, request id.

The request id is the caller's `x-request-id` (Envoy sets one on every call
through the gateway) or a new one. Never logs requests, responses or other
metadata, so tokens and passwords stay out of the logs.
"""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

import grpc

from chorus_core.call_facts import close_call, open_call
from chorus_core.interceptors.base import UnaryBehavior, UnaryInterceptor, status_name

_log = logging.getLogger("chorus.access")

QUIET_PREFIXES = ("/grpc.health.v1.Health/", "/chorus.auth.v1.TenantEventsService/")
"""Calls that other services and probes make every few seconds: logged at DEBUG."""


class LoggingInterceptor(UnaryInterceptor):
    def wrap(self, call: grpc.HandlerCallDetails, inner: UnaryBehavior) -> UnaryBehavior:
        method = call.method
        # Health probes and other services' polls: keep them out of the info log.
        level = logging.DEBUG if method.startswith(QUIET_PREFIXES) else logging.INFO

        request_id = _request_id(call.invocation_metadata)

        async def behavior(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
            started = time.perf_counter()
            facts, opened = open_call(request_id)
            try:
                return await inner(request, context)
            finally:
                close_call(opened)
                code = status_name(context)
                elapsed_ms = (time.perf_counter() - started) * 1000
                _log.log(
                    level,
                    "%s %s %.1fms",
                    method,
                    code,
                    elapsed_ms,
                    extra={
                        "method": method,
                        "code": code,
                        "duration_ms": round(elapsed_ms, 2),
                        "tenant_id": facts.tenant_id,
                        "request_id": facts.request_id,
                    },
                )

        return behavior


def _request_id(metadata: Any) -> str:
    for key, value in metadata or ():
        if key == "x-request-id" and isinstance(value, str) and 0 < len(value) <= 128:
            return value
    return uuid.uuid4().hex
