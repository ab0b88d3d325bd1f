"""What a service reports about itself: metrics always, traces when configured."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import grpc
from opentelemetry.sdk.trace import TracerProvider

from chorus_core.interceptors.base import Interceptor, InterceptorChain
from chorus_core.interceptors.metrics_interceptor import MetricsInterceptor
from chorus_core.metrics import ServiceMetrics
from chorus_core.tracing import tracer_provider_from_env, tracing_interceptor


@dataclass
class Telemetry:
    metrics: ServiceMetrics = field(default_factory=ServiceMetrics)
    tracer_provider: TracerProvider | None = None

    @classmethod
    def from_env(cls, service_name: str, env: Mapping[str, str]) -> "Telemetry":
        return cls(tracer_provider=tracer_provider_from_env(service_name, env))

    def interceptors(self, chain: Sequence[Interceptor]) -> list[grpc.aio.ServerInterceptor]:
        """The server's interceptors: the trace span (when configured) around everything, then
        `chain` (outermost first) with metrics outermost, composed once per method."""
        tracing = (
            [] if self.tracer_provider is None else [tracing_interceptor(self.tracer_provider)]
        )
        return [*tracing, InterceptorChain([MetricsInterceptor(self.metrics), *chain])]

    def shutdown(self) -> None:
        self.metrics.close()
        if self.tracer_provider is not None:
            self.tracer_provider.shutdown()
