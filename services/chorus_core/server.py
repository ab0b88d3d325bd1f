"""The gRPC server every Chorus service runs: interceptor chain, health,
reflection, message size limit and graceful shutdown on SIGTERM/SIGINT.

Health says SERVING only while the service is ready (`Readiness`: its
database answers, its keys are known), and NOT_SERVING from SIGTERM on."""

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from chorus_core import config
from chorus_core.interceptors.base import Interceptor
from chorus_core.readiness import Readiness
from chorus_core.reflection import add_reflection
from chorus_core.telemetry import Telemetry

_log = logging.getLogger("chorus.server")


@dataclass(frozen=True)
class ServerSettings:
    """Network settings shared by the services."""

    listen: str
    """host:port to bind; port 0 picks a free port."""
    max_message_bytes: int = config.integer({}, "CHORUS_MAX_MESSAGE_BYTES")
    """Largest request or response message; larger ones fail RESOURCE_EXHAUSTED."""
    shutdown_grace_seconds: float = config.integer({}, "CHORUS_SHUTDOWN_GRACE_SECONDS")
    """How long in-flight calls may finish after SIGTERM."""
    drain_seconds: float = config.integer({}, "CHORUS_DRAIN_SECONDS")
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
        interceptors: Sequence[Interceptor],
        telemetry: Telemetry | None = None,
        *,
        readiness: Readiness | None = None,
        reflected: Sequence[str] = (),
        background: Sequence[Callable[[], Awaitable[None]]] = (),
        stopping: Sequence[Callable[[], None]] = (),
        checks: Sequence[Callable[[], Awaitable[None]]] = (),
    ) -> None:
        """`reflected`: the services reflection describes (default: the ones served here);
        `background`: work that runs while the server serves (cancelled on stop);
        `stopping`: called once draining is over, as in-flight calls get their grace
        (e.g. to end long streams at once, so their clients resume elsewhere);
        `checks`: run before serving; one that raises stops the start."""
        self._settings = settings
        self._services = services
        self.readiness = readiness or Readiness()
        self._background = background
        self._stopping = stopping
        self._checks = checks
        self._tasks: list[asyncio.Task[None]] = []
        self.telemetry = telemetry or Telemetry()
        self.metrics_port: int | None = None
        self._health = health.aio.HealthServicer()
        self._server = grpc.aio.server(
            interceptors=self.telemetry.interceptors(interceptors),
            options=[
                ("grpc.max_receive_message_length", settings.max_message_bytes),
                ("grpc.max_send_message_length", settings.max_message_bytes),
            ],
        )
        for service in services:
            service.add_to_server(service.servicer, self._server)
        health_pb2_grpc.add_HealthServicer_to_server(self._health, self._server)
        add_reflection(self._server, reflected or [s.name for s in services])
        self.port = 0
        self.host = settings.listen.rpartition(":")[0]

    async def start(self, listen: str | None = None, worker: int = 1) -> int:
        """Bind `listen` (default: the settings' address) and start serving; returns the port.

        On Linux grpcio binds with SO_REUSEPORT, so several worker processes can
        serve one port and the kernel spreads connections over them (`chorus_core.supervisor`).
        """
        for check in self._checks:
            await check()
        address = listen or self._settings.listen
        self.port = self._server.add_insecure_port(address)
        self.host = address.rpartition(":")[0]
        await self._server.start()
        if self._settings.metrics_listen:
            host, _, port = self._settings.metrics_listen.rpartition(":")
            offset = worker - 1 if int(port) else 0
            self.metrics_port = self.telemetry.metrics.serve(host, int(port) + offset)
        await self._report_health()
        self.readiness.listen(self._readiness_changed)
        loop = asyncio.get_running_loop()
        self._tasks = [loop.create_task(_awaited(work)) for work in self._background]
        return self.port

    def _readiness_changed(self, _ready: bool) -> None:
        self._tasks = [task for task in self._tasks if not task.done()]
        self._tasks.append(asyncio.get_running_loop().create_task(self._report_health()))

    async def _report_health(self) -> None:
        for name in ["", *(s.name for s in self._services)]:
            # Read at each step: readiness may change while this reports.
            ready = self.readiness.ready
            serving = health_pb2.HealthCheckResponse.SERVING
            await self._health.set(
                name, serving if ready else health_pb2.HealthCheckResponse.NOT_SERVING
            )

    @property
    def address(self) -> str:
        """host:port it serves on, once started (the port the system picked for port 0)."""
        return f"{self.host}:{self.port}"

    async def stop(self) -> None:
        """Report NOT_SERVING, drain, then let in-flight calls finish within the grace period."""
        await self._health.enter_graceful_shutdown()
        if self._settings.drain_seconds > 0:
            await asyncio.sleep(self._settings.drain_seconds)
        for stopping in self._stopping:
            stopping()
        await self._server.stop(self._settings.shutdown_grace_seconds)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
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


async def _awaited(work: Callable[[], Awaitable[None]]) -> None:
    await work()
