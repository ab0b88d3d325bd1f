"""Counts calls and measures their latency for Prometheus, by method and code."""

from __future__ import annotations

import time
from typing import Any

import grpc

from chorus_core.interceptors.base import UnaryBehavior, UnaryInterceptor, status_name
from chorus_core.metrics import ServiceMetrics


class MetricsInterceptor(UnaryInterceptor):
    def __init__(self, metrics: ServiceMetrics) -> None:
        self._metrics = metrics

    def wrap(self, method: str, inner: UnaryBehavior) -> UnaryBehavior:
        service, _, name = method.lstrip("/").partition("/")
        calls, latency = self._metrics.calls, self._metrics.latency.labels(service, name)

        async def behavior(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
            started = time.perf_counter()
            try:
                return await inner(request, context)
            finally:
                latency.observe(time.perf_counter() - started)
                calls.labels(service, name, status_name(context)).inc()

        return behavior
