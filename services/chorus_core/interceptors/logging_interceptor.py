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
from chorus_core.interceptors.base import (
    UnaryBehavior,
    UnaryInterceptor,
    metadata_value,
    status_name,
)

_log = logging.getLogger("chorus.access")

QUIET_PREFIXES = ("/grpc.health.v1.Health/", "/chorus.auth.v1.TenantEventsService/")
"""Calls that other services and probes make every few seconds: logged at DEBUG."""


class LoggingInterceptor(UnaryInterceptor):
    def wrap(self, method: str, inner: UnaryBehavior) -> UnaryBehavior:
        # Health probes and other services' polls: keep them out of the info log.
        level = logging.DEBUG if method.startswith(QUIET_PREFIXES) else logging.INFO

        async def behavior(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
            started = time.perf_counter()
            facts, opened = open_call(_request_id(metadata_value(context, "x-request-id")))
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


def _request_id(given: str | None) -> str:
    """The caller's request id if it is a sensible one, else a new one."""
    if given is not None and 0 < len(given) <= 128:
        return given
    return uuid.uuid4().hex
