"""The real Envoy gateway in front of a running `InProcessSuite`, and raw HTTP calls to it.

`running_gateway` renders gateway/envoy.template.yaml for the suite's ports,
starts Envoy with `chorus_devtools.envoy` (its own session, listener and admin
on ports the system picks, ready once LIVE and both clusters pass their gRPC
health checks), and stops Envoy by PID on leaving.

Everything here runs in the event loop that also runs the services: waiting is
done with asyncio (subprocesses, sleeps) or in worker threads, never by
blocking the loop.
"""

import asyncio
import http.client
import json
import subprocess
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chorus_auth.signing_keys import load_signing_keys
from chorus_devtools import envoy, grpc_web, processes
from scripts.render_envoy_config import DEFAULT_CALL_SECONDS, DEFAULT_CORS_ORIGINS, render
from tests.support.in_process import InProcessSuite

HTTP_TIMEOUT = 10.0
START_SECONDS = 30.0
STOP_SECONDS = 10.0


def write_jwks(keys_dir: Path, path: Path) -> Path:
    """What `python -m chorus_auth keys jwks > path` writes, for the keys in `keys_dir`."""
    path.write_text(json.dumps({"keys": load_signing_keys(keys_dir).jwks()}, indent=2))
    return path


def render_for_suite(
    suite: InProcessSuite,
    folder: Path,
    *,
    listen: str = "127.0.0.1:0",
    admin: str = "127.0.0.1:0",
    auth_rate_per_minute: int = 1000,
    anonymous_rate_per_minute: int = 100_000,
    call_seconds: int = DEFAULT_CALL_SECONDS,
    cors_origins: Sequence[str] = DEFAULT_CORS_ORIGINS,
    resource_targets: Sequence[str] = (),
) -> Path:
    """A config file for `suite` (keys from its HTTP JWKS endpoint); its path.

    `resource_targets` replaces the suite's resource service with these
    replicas (the shape Kubernetes gives Envoy through a headless Service).
    """
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "envoy.yaml"
    config.write_text(
        render(
            jwks_endpoint=suite.auth_jwks,
            listen=listen,
            admin=admin,
            auth=suite.auth_target,
            resource=list(resource_targets) or suite.resource_target,
            cors_origins=cors_origins,
            auth_rate_per_minute=auth_rate_per_minute,
            anonymous_rate_per_minute=anonymous_rate_per_minute,
            call_seconds=call_seconds,
            issuer=suite.auth_settings.audience.issuer,
            audience=suite.auth_settings.audience.audience,
        )
    )
    return config


async def run_envoy(*args: str, within: float = 60.0) -> tuple[int, str]:
    """`envoy <args>` run to completion; its exit code and output (stdout + stderr)."""
    process = await asyncio.create_subprocess_exec(
        str(envoy.ENVOY),
        *args,
        stdin=subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        output, _ = await asyncio.wait_for(process.communicate(), within)
    finally:
        await processes.stop(process)
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
    body: grpc_web.Body

    @property
    def messages(self) -> list[bytes]:
        return self.body.messages

    @property
    def trailers(self) -> dict[str, str]:
        return self.body.trailers

    @property
    def grpc_status(self) -> int | None:
        return grpc_web.grpc_status(self.body, self.http.headers)

    @property
    def grpc_message(self) -> str:
        return grpc_web.grpc_message(self.body, self.http.headers)


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
            {**grpc_web.REQUEST_HEADERS, "x-user-agent": "chorus-tests", **(headers or {})},
            grpc_web.frame(message),
            source_host=source_host,
        )
        return GrpcWebReply(reply, grpc_web.decode(reply.body))


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
    suite: InProcessSuite,
    folder: Path,
    *,
    auth_rate_per_minute: int = 1000,
    anonymous_rate_per_minute: int = 100_000,
    call_seconds: int = DEFAULT_CALL_SECONDS,
    cors_origins: Sequence[str] = DEFAULT_CORS_ORIGINS,
) -> AsyncIterator[Gateway]:
    """Envoy in front of `suite`, once it is LIVE and both clusters are healthy.

    The default rate limits are high, so tests that sign up many users through
    the shared gateway never meet them; the rate limit tests ask for low ones.
    """
    folder = folder / f"gateway-{uuid.uuid4().hex[:8]}"
    config = render_for_suite(
        suite,
        folder,
        auth_rate_per_minute=auth_rate_per_minute,
        anonymous_rate_per_minute=anonymous_rate_per_minute,
        call_seconds=call_seconds,
        cors_origins=cors_origins,
    )
    async with running_envoy(config, folder) as gateway:
        yield gateway


@asynccontextmanager
async def running_envoy(config: Path, folder: Path) -> AsyncIterator[Gateway]:
    """Envoy with `config`, once LIVE and every host of both clusters is healthy."""
    access_log_file = folder / "access.log"
    envoy_log_file = folder / "envoy.log"
    started = await envoy.start(
        config,
        folder,
        # Tests start several Envoys at once: few threads each.
        "--concurrency",
        "2",
        "--log-level",
        "info",
        "--file-flush-interval-msec",
        "200",
        stdout=access_log_file,
        stderr=envoy_log_file,
        within=START_SECONDS,
    )
    try:
        yield Gateway(
            target=started.target,
            admin=started.admin,
            pid=started.process.pid,
            config_file=config,
            access_log_file=access_log_file,
            envoy_log_file=envoy_log_file,
            folder=folder,
        )
    finally:
        await processes.stop(started.process, grace=STOP_SECONDS)
