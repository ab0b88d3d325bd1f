"""The real Envoy gateway in front of a running `Suite`, and raw HTTP calls to it.

`running_gateway` renders gateway/envoy.template.yaml for the suite's ports,
starts `.venv/bin/envoy` in its own session (listener and admin on ports the
system picks), waits until Envoy is LIVE and both clusters pass their gRPC
health checks, and stops Envoy by PID on leaving.

Everything here runs in the event loop that also runs the services: waiting is
done with asyncio (subprocesses, sleeps) or in worker threads, never by
blocking the loop.
"""

import asyncio
import http.client
import json
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from chorus_auth.signing_keys import load_signing_keys
from scripts.render_envoy_config import DEFAULT_CORS_ORIGINS, render
from tests.support.suite import Suite

ENVOY = Path(sys.executable).parent / "envoy"
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
HTTP_TIMEOUT = 10.0
CLUSTERS = ("auth", "resource")


def write_jwks(keys_dir: Path, path: Path) -> Path:
    """What `python -m chorus_auth keys jwks > path` writes, for the keys in `keys_dir`."""
    path.write_text(json.dumps({"keys": load_signing_keys(keys_dir).jwks()}, indent=2))
    return path


def render_for_suite(
    suite: Suite,
    folder: Path,
    *,
    listen: str = "127.0.0.1:0",
    admin: str = "127.0.0.1:0",
    auth_rate_per_minute: int = 1000,
    cors_origins: Sequence[str] = DEFAULT_CORS_ORIGINS,
    resource_targets: Sequence[str] = (),
) -> Path:
    """A config file for `suite` (its JWKS written next to it); its path.

    `resource_targets` replaces the suite's resource service with these
    replicas (the shape Kubernetes gives Envoy through a headless Service).
    """
    folder.mkdir(parents=True, exist_ok=True)
    jwks = write_jwks(suite.auth_settings.keys_dir, folder / "jwks.json")
    config = folder / "envoy.yaml"
    config.write_text(
        render(
            jwks=jwks,
            listen=listen,
            admin=admin,
            auth=suite.auth_target,
            resource=list(resource_targets) or suite.resource_target,
            cors_origins=cors_origins,
            auth_rate_per_minute=auth_rate_per_minute,
            issuer=suite.auth_settings.audience.issuer,
            audience=suite.auth_settings.audience.audience,
        )
    )
    return config


async def run_envoy(*args: str, within: float = 60.0) -> tuple[int, str]:
    """`envoy <args>` run to completion; its exit code and output (stdout + stderr)."""
    process = await asyncio.create_subprocess_exec(
        str(ENVOY),
        *args,
        stdin=subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        output, _ = await asyncio.wait_for(process.communicate(), within)
    finally:
        await _ensure_stopped(process)
    assert process.returncode is not None
    return process.returncode, output.decode(errors="replace")


@dataclass(frozen=True)
class HttpReply:
    status: int
    headers: dict[str, str]
    """Lower-case names; repeated headers joined with ", "."""
    body: bytes


@dataclass(frozen=True)
class GrpcWebReply:
    http: HttpReply
    messages: list[bytes]
    trailers: dict[str, str]

    @property
    def grpc_status(self) -> int | None:
        """From the trailer frame, or from the headers of a trailers-only reply."""
        value = self.trailers.get("grpc-status", self.http.headers.get("grpc-status"))
        return None if value is None else int(value)

    @property
    def grpc_message(self) -> str:
        value = self.trailers.get("grpc-message", self.http.headers.get("grpc-message", ""))
        return unquote(value)  # grpc-message is percent-encoded UTF-8


@dataclass(frozen=True)
class Gateway:
    """A running Envoy: `target` takes gRPC (h2c) and gRPC-Web (HTTP/1.1)."""

    target: str
    admin: str
    pid: int
    config_file: Path
    access_log_file: Path
    """Envoy's stdout: the JSON-lines access log."""
    envoy_log_file: Path
    """Envoy's stderr: its own log."""
    folder: Path = field(repr=False)

    @property
    def host(self) -> str:
        return self.target.rpartition(":")[0]

    @property
    def port(self) -> int:
        return int(self.target.rpartition(":")[2])

    def access_log(self) -> list[dict[str, Any]]:
        """Every access log entry written so far (Envoy flushes about once a second)."""
        lines = self.access_log_file.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    async def wait_for_access_log(
        self, path: str, count: int = 1, *, since: int = 0, within: float = 10.0
    ) -> list[dict[str, Any]]:
        """The access log entries from index `since` on, once `count` of them are for `path`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while True:
            entries = self.access_log()[since:]
            if sum(entry.get("path") == path for entry in entries) >= count:
                return entries
            if loop.time() > deadline:
                raise AssertionError(f"no {count} access log entries for {path}: {entries}")
            await asyncio.sleep(0.1)

    async def mark_access_log(self) -> int:
        """Log a request to a unique path and wait for it: the index of the next entry.

        Entries from that index on are for requests made after this call.
        """
        path = f"/mark-{uuid.uuid4().hex}"
        reply = await self.request("GET", path, {})
        assert reply.status == 404, reply
        entries = await self.wait_for_access_log(path)
        return next(i for i, entry in enumerate(entries) if entry.get("path") == path) + 1

    async def request(
        self,
        method: str,
        path: str,
        headers: Mapping[str, str],
        body: bytes = b"",
        *,
        source_host: str | None = None,
    ) -> HttpReply:
        """One HTTP/1.1 request, from `source_host` (a loopback address) if given."""
        return await http_request(self.target, method, path, headers, body, source_host=source_host)

    async def grpc_web(
        self,
        path: str,
        message: bytes,
        headers: Mapping[str, str] | None = None,
        *,
        source_host: str | None = None,
    ) -> GrpcWebReply:
        """A unary gRPC-Web call (binary, HTTP/1.1), as a browser's fetch would send it."""
        reply = await self.request(
            "POST",
            path,
            {
                "content-type": "application/grpc-web+proto",
                "x-grpc-web": "1",
                "x-user-agent": "chorus-tests",
                "accept": "application/grpc-web+proto",
                **(headers or {}),
            },
            grpc_web_frame(message),
            source_host=source_host,
        )
        messages, trailers = parse_grpc_web_body(reply.body)
        return GrpcWebReply(reply, messages, trailers)


def grpc_web_frame(message: bytes, flags: int = 0) -> bytes:
    """One gRPC(-Web) frame: a flag byte, a 4-byte big-endian length, the bytes."""
    return bytes([flags]) + len(message).to_bytes(4, "big") + message


def parse_grpc_web_body(body: bytes) -> tuple[list[bytes], dict[str, str]]:
    """The messages of a gRPC-Web reply body and its trailers (the 0x80 frame)."""
    messages: list[bytes] = []
    trailers: dict[str, str] = {}
    position = 0
    while position < len(body):
        if len(body) - position < 5:
            raise AssertionError(f"truncated gRPC-Web frame header in {body!r}")
        flags = body[position]
        length = int.from_bytes(body[position + 1 : position + 5], "big")
        payload = body[position + 5 : position + 5 + length]
        if len(payload) != length:
            raise AssertionError(f"truncated gRPC-Web frame in {body!r}")
        position += 5 + length
        if flags & 0x80:
            for line in payload.decode().split("\r\n"):
                if line:
                    name, _, value = line.partition(":")
                    trailers[name.strip().lower()] = value.strip()
        else:
            messages.append(payload)
    return messages, trailers


GRPC_WEB_REQUEST_HEADERS = (
    "content-type",
    "x-grpc-web",
    "x-user-agent",
    "grpc-timeout",
    "authorization",
    "connect-protocol-version",
    "connect-timeout-ms",
)
"""What gRPC-Web and Connect clients ask a preflight to allow."""


async def preflight(target: str, origin: str | None, path: str) -> HttpReply:
    """A browser's CORS preflight (OPTIONS) for a gRPC-Web POST to `path`."""
    headers = {
        "access-control-request-method": "POST",
        "access-control-request-headers": ", ".join(GRPC_WEB_REQUEST_HEADERS),
    }
    if origin is not None:
        headers["origin"] = origin
    return await http_request(target, "OPTIONS", path, headers)


async def http_request(
    target: str,
    method: str,
    path: str,
    headers: Mapping[str, str],
    body: bytes = b"",
    *,
    source_host: str | None = None,
) -> HttpReply:
    """One HTTP/1.1 request on a new connection (run in a worker thread)."""
    host, _, port = target.rpartition(":")

    def call() -> HttpReply:
        connection = http.client.HTTPConnection(
            host,
            int(port),
            timeout=HTTP_TIMEOUT,
            source_address=None if source_host is None else (source_host, 0),
        )
        try:
            connection.request(method, path, body=body or None, headers=dict(headers))
            response = connection.getresponse()
            payload = response.read()
            merged: dict[str, str] = {}
            for name, value in response.getheaders():
                key = name.lower()
                merged[key] = f"{merged[key]}, {value}" if key in merged else value
            return HttpReply(response.status, merged, payload)
        finally:
            connection.close()

    return await asyncio.to_thread(call)


@asynccontextmanager
async def running_gateway(
    suite: Suite,
    folder: Path,
    *,
    auth_rate_per_minute: int = 1000,
    cors_origins: Sequence[str] = DEFAULT_CORS_ORIGINS,
) -> AsyncIterator[Gateway]:
    """Envoy in front of `suite`, once it is LIVE and both clusters are healthy.

    The default rate limit is high, so tests that sign up many users through the
    shared gateway never meet it; the rate limit test asks for a low one.
    """
    folder = folder / f"gateway-{uuid.uuid4().hex[:8]}"
    config = render_for_suite(
        suite, folder, auth_rate_per_minute=auth_rate_per_minute, cors_origins=cors_origins
    )
    async with running_envoy(config, folder) as gateway:
        yield gateway


@asynccontextmanager
async def running_envoy(config: Path, folder: Path) -> AsyncIterator[Gateway]:
    """Envoy with `config`, once LIVE and every host of both clusters is healthy."""
    admin_address_file = folder / "admin-address"
    access_log_file = folder / "access.log"
    envoy_log_file = folder / "envoy.log"
    with access_log_file.open("wb") as stdout, envoy_log_file.open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(
            str(ENVOY),
            "-c",
            str(config),
            "--admin-address-path",
            str(admin_address_file),
            # Tests start several Envoys at once: no shared memory between them.
            "--disable-hot-restart",
            "--concurrency",
            "2",
            "--log-level",
            "info",
            "--file-flush-interval-msec",
            "200",
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            # Its own session: no signal meant for the test run's process group
            # reaches it; it is stopped by its PID below.
            start_new_session=True,
        )
    try:
        admin, target = await _wait_until_ready(process, admin_address_file, envoy_log_file)
        yield Gateway(
            target=target,
            admin=admin,
            pid=process.pid,
            config_file=config,
            access_log_file=access_log_file,
            envoy_log_file=envoy_log_file,
            folder=folder,
        )
    finally:
        await _ensure_stopped(process)


async def admin_get(admin: str, path: str) -> HttpReply:
    return await http_request(admin, "GET", path, {})


async def _wait_until_ready(
    process: asyncio.subprocess.Process, admin_address_file: Path, log_file: Path
) -> tuple[str, str]:
    """Envoy's admin and listener addresses, once it is LIVE with healthy clusters."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + START_TIMEOUT
    last = "Envoy did not write its admin address"
    while loop.time() < deadline:
        if process.returncode is not None:
            raise AssertionError(f"envoy exited with {process.returncode}:\n{_read(log_file)}")
        admin = _read_admin_address(admin_address_file)
        if admin is not None:
            try:
                ready = await admin_get(admin, "/ready")
                clusters = await admin_get(admin, "/clusters")
            except OSError as error:
                last = f"admin not answering: {error}"
            else:
                unhealthy = [
                    name for name in CLUSTERS if not _cluster_healthy(clusters.body.decode(), name)
                ]
                if ready.body.strip() != b"LIVE":
                    last = f"/ready says {ready.body!r}"
                elif unhealthy:
                    last = f"clusters not healthy yet: {unhealthy}"
                else:
                    return admin, await _listener_target(admin)
        await asyncio.sleep(0.1)
    raise AssertionError(f"gateway not ready after {START_TIMEOUT}s ({last}):\n{_read(log_file)}")


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


def _read_admin_address(path: Path) -> str | None:
    try:
        address = path.read_text().strip()
    except FileNotFoundError:
        return None
    return address or None


def _cluster_healthy(clusters: str, name: str) -> bool:
    """Every host of cluster `name` is healthy (admin /clusters text format)."""
    flags = [
        line.rpartition("::")[2]
        for line in clusters.splitlines()
        if line.startswith(f"{name}::") and "::health_flags::" in line
    ]
    return bool(flags) and all(flag == "healthy" for flag in flags)


async def _listener_target(admin: str) -> str:
    reply = await admin_get(admin, "/listeners?format=json")
    statuses = json.loads(reply.body)["listener_statuses"]
    address = next(s for s in statuses if s["name"] == "chorus")["local_address"]
    socket_address = address["socket_address"]
    return f"{socket_address['address']}:{socket_address['port_value']}"


async def _ensure_stopped(process: asyncio.subprocess.Process) -> None:
    """SIGTERM by PID, then SIGKILL if it has not exited within STOP_TIMEOUT."""
    if process.returncode is not None:
        return
    with suppress(ProcessLookupError):
        os.kill(process.pid, signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), STOP_TIMEOUT)
    except TimeoutError:
        with suppress(ProcessLookupError):
            os.kill(process.pid, signal.SIGKILL)
        await process.wait()
