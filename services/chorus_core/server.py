"""The gRPC server every Chorus service runs: interceptor chain, health,
reflection, message size limit and graceful shutdown on SIGTERM/SIGINT."""

import asyncio
import logging
import signal
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from chorus_core.telemetry import Telemetry

_log = logging.getLogger("chorus.server")


@dataclass(frozen=True)
class ServerSettings:
    """Network settings shared by the services."""

    listen: str
    """host:port to bind; port 0 picks a free port."""
    max_message_bytes: int = 1024 * 1024
    """Largest request or response message; larger ones fail RESOURCE_EXHAUSTED."""
    shutdown_grace_seconds: float = 10.0
    """How long in-flight calls may finish after SIGTERM."""
    drain_seconds: float = 0.0
    """After SIGTERM, how long to keep accepting calls while health says
    NOT_SERVING, so balancers (Envoy, kubelet) move traffic away first."""
    metrics_listen: str = ""
    """host:port for Prometheus /metrics (off when empty); worker n of
    CHORUS_WORKERS serves on port + n - 1."""


@dataclass(frozen=True)
class ServiceRegistration:
    """One gRPC service to serve: its full name, servicer and generated adder."""

    name: str
    servicer: Any
    add_to_server: Callable[[Any, grpc.aio.Server], None]


class GrpcServer:
    def __init__(
        self,
        settings: ServerSettings,
        services: Sequence[ServiceRegistration],
        interceptors: Sequence[grpc.aio.ServerInterceptor],
        telemetry: Telemetry | None = None,
    ) -> None:
        self._settings = settings
        self._services = services
        self.telemetry = telemetry or Telemetry()
        self.metrics_port: int | None = None
        self._health = health.aio.HealthServicer()
        self._server = grpc.aio.server(
            interceptors=[*self.telemetry.interceptors(), *interceptors],
            options=[
                ("grpc.max_receive_message_length", settings.max_message_bytes),
                ("grpc.max_send_message_length", settings.max_message_bytes),
            ],
        )
        for service in services:
            service.add_to_server(service.servicer, self._server)
        health_pb2_grpc.add_HealthServicer_to_server(self._health, self._server)
        names = [s.name for s in services]
        reflection.enable_server_reflection(
            [
                *names,
                health_pb2.DESCRIPTOR.services_by_name["Health"].full_name,
                reflection.SERVICE_NAME,
            ],
            self._server,
        )
        self.port = 0
        self.host = settings.listen.rpartition(":")[0]

    async def start(self, listen: str | None = None, worker: int = 1) -> int:
        """Bind `listen` (default: the settings' address) and start serving; returns the port.

        On Linux grpcio binds with SO_REUSEPORT, so several worker processes can
        serve one port and the kernel spreads connections over them (`chorus_core.supervisor`).
        """
        address = listen or self._settings.listen
        self.port = self._server.add_insecure_port(address)
        self.host = address.rpartition(":")[0]
        await self._server.start()
        if self._settings.metrics_listen:
            host, _, port = self._settings.metrics_listen.rpartition(":")
            offset = worker - 1 if int(port) else 0
            self.metrics_port = self.telemetry.metrics.serve(host, int(port) + offset)
        for name in ["", *(s.name for s in self._services)]:
            await self._health.set(name, health_pb2.HealthCheckResponse.SERVING)
        return self.port

    @property
    def address(self) -> str:
        """host:port it serves on, once started (the port the system picked for port 0)."""
        return f"{self.host}:{self.port}"

    async def stop(self) -> None:
        """Report NOT_SERVING, drain, then let in-flight calls finish within the grace period."""
        await self._health.enter_graceful_shutdown()
        if self._settings.drain_seconds > 0:
            await asyncio.sleep(self._settings.drain_seconds)
        await self._server.stop(self._settings.shutdown_grace_seconds)
        self.telemetry.shutdown()

    async def run_until_signalled(self) -> None:
        """Serve until SIGTERM or SIGINT, then shut down gracefully."""
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        _log.info("shutting down (grace %.0fs)", self._settings.shutdown_grace_seconds)
        await self.stop()
