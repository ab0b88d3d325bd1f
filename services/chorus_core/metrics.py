"""Prometheus metrics of a service, served on their own port.

- chorus_grpc_calls_total{service, method, code}: finished calls
- chorus_grpc_call_duration_seconds{service, method}: latency histogram
- chorus_db_pool_connections{state}: database connections in use and idle
"""

from collections.abc import Iterator
from wsgiref.simple_server import WSGIServer

from prometheus_client import CollectorRegistry, Counter, Histogram, start_http_server
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.ext.asyncio import AsyncEngine

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class ServiceMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self._http: WSGIServer | None = None
        self.calls = Counter(
            "chorus_grpc_calls",
            "Finished gRPC calls by method and status code.",
            ["service", "method", "code"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "chorus_grpc_call_duration_seconds",
            "Time from receiving a call to its status, by method.",
            ["service", "method"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )

    def watch_pool(self, engine: AsyncEngine) -> None:
        self.registry.register(_PoolCollector(engine))

    def serve(self, host: str, port: int) -> int:
        """Serve /metrics over HTTP in a background thread; returns the bound port."""
        self._http, _thread = start_http_server(port, addr=host, registry=self.registry)
        return int(self._http.server_port)

    def close(self) -> None:
        """Stop serving /metrics (if it was served), freeing the port."""
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
            self._http = None


class _PoolCollector(Collector):
    def __init__(self, engine: AsyncEngine) -> None:
        self._pool = engine.sync_engine.pool

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "chorus_db_pool_connections", "Database connections by state.", labels=["state"]
        )
        checked_out = getattr(self._pool, "checkedout", lambda: 0)()
        idle = getattr(self._pool, "checkedin", lambda: 0)()
        family.add_metric(["in_use"], float(checked_out))
        family.add_metric(["idle"], float(idle))
        yield family
