"""OpenTelemetry tracing of incoming calls, off unless configured.

Set the standard OTEL_EXPORTER_OTLP_ENDPOINT (e.g. http://otel-collector:4317)
to export spans over OTLP/gRPC; OTEL_SERVICE_NAME overrides the service name.
A W3C `traceparent` in the call metadata (Envoy passes it through) makes the
server span a child of the caller's span, so one trace covers browser,
gateway and service.
"""

from collections.abc import Mapping

import grpc
from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.grpc import aio_server_interceptor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

from chorus_core import config


def tracer_provider_from_env(service_name: str, env: Mapping[str, str]) -> TracerProvider | None:
    """A provider exporting to the configured OTLP endpoint, or None (tracing off)."""
    if not config.text(env, "OTEL_EXPORTER_OTLP_ENDPOINT"):
        return None
    name = config.text(env, "OTEL_SERVICE_NAME") or service_name
    provider = TracerProvider(resource=Resource.create({"service.name": name}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    return provider


def tracing_interceptor(provider: TracerProvider) -> grpc.aio.ServerInterceptor:
    interceptor: grpc.aio.ServerInterceptor = aio_server_interceptor(  # type: ignore[no-untyped-call]
        tracer_provider=provider
    )
    return interceptor
