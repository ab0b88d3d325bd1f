"""Run the whole Chorus suite in the foreground for local work (`make run`).

Starts the auth and resource services, the Envoy gateway and the web app,
each as its own process, waiting until each answers before starting the next;
prints the URL to open; and on Ctrl-C (or SIGTERM) stops them all. If one
exits, the others are stopped too. Every address comes from an env value, so
tests run the same script on free ports:

| variable | default |
|---|---|
| CHORUS_AUTH_LISTEN / CHORUS_RESOURCE_LISTEN | 127.0.0.1:50051 / 127.0.0.1:50052 |
| CHORUS_GATEWAY_LISTEN / CHORUS_GATEWAY_ADMIN | 127.0.0.1:8080 / 127.0.0.1:9901 |
| CHORUS_GATEWAY_DIR | var/gateway (rendered Envoy config and JWKS) |
| CHORUS_GATEWAY_AUTH_RATE_PER_MINUTE | 10 (SignUp + Login per client address) |
| CHORUS_WEB_PORT | 5173 |
"""

import asyncio
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
STARTUP_SECONDS = 60.0
STOP_SECONDS = 15.0


def setting(name: str, default: str) -> str:
    return os.environ.get(name, "").strip() or default


AUTH = setting("CHORUS_AUTH_LISTEN", "127.0.0.1:50051")
RESOURCE = setting("CHORUS_RESOURCE_LISTEN", "127.0.0.1:50052")
GATEWAY = setting("CHORUS_GATEWAY_LISTEN", "127.0.0.1:8080")
GATEWAY_ADMIN = setting("CHORUS_GATEWAY_ADMIN", "127.0.0.1:9901")
GATEWAY_DIR = Path(setting("CHORUS_GATEWAY_DIR", "var/gateway"))
AUTH_RATE = setting("CHORUS_GATEWAY_AUTH_RATE_PER_MINUTE", "10")
WEB_PORT = setting("CHORUS_WEB_PORT", "5173")
WEB_URL = f"http://127.0.0.1:{WEB_PORT}"


@dataclass
class Part:
    """One process of the suite, and how to tell that it is ready."""

    name: str
    command: Sequence[str]
    ready: Callable[[], Awaitable[bool]]
    env: dict[str, str] = field(default_factory=dict)


async def grpc_serving(target: str) -> bool:
    async with grpc.aio.insecure_channel(target) as channel:
        try:
            reply = await health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(), timeout=1
            )
        except grpc.aio.AioRpcError:
            return False
    return bool(reply.status == health_pb2.HealthCheckResponse.SERVING)


async def http_text(url: str) -> str:
    """The body of a 200 answer, or "" if there is none (yet)."""

    def fetch() -> str:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback)
                return str(response.read().decode()) if response.status == 200 else ""
        except (urllib.error.URLError, OSError):
            return ""

    return await asyncio.to_thread(fetch)


async def http_answers(url: str, expect: str) -> bool:
    return expect in await http_text(url) if expect else bool(await http_text(url))


async def envoy_ready() -> bool:
    """Envoy is live and its health checks see both services."""
    admin = f"http://{GATEWAY_ADMIN}"
    if not await http_answers(f"{admin}/ready", "LIVE"):
        return False
    clusters = await http_text(f"{admin}/clusters")
    return clusters.count("::health_flags::healthy") >= 2


def write_gateway_config() -> Path:
    """JWKS from the auth key files, then the Envoy config rendered for it."""
    GATEWAY_DIR.mkdir(parents=True, exist_ok=True)
    jwks = GATEWAY_DIR / "jwks.json"
    config = GATEWAY_DIR / "envoy.yaml"
    run_quietly([sys.executable, "-m", "chorus_auth", "keys", "jwks"], out=jwks)
    origins = [f"http://127.0.0.1:{WEB_PORT}", f"http://localhost:{WEB_PORT}"]
    run_quietly(
        [
            sys.executable,
            str(ROOT / "scripts" / "render_envoy_config.py"),
            f"--listen={GATEWAY}",
            f"--admin={GATEWAY_ADMIN}",
            f"--auth={AUTH}",
            f"--resource={RESOURCE}",
            f"--jwks={jwks}",
            f"--auth-rate-per-minute={AUTH_RATE}",
            *(f"--cors-origin={origin}" for origin in origins),
            f"--out={config}",
        ]
    )
    return config


def run_quietly(command: Sequence[str], out: Path | None = None) -> None:
    with open(out or os.devnull, "w", encoding="utf-8") as sink:
        subprocess.run(command, check=True, stdout=sink)  # noqa: S603


def parts(envoy_config: Path) -> list[Part]:
    return [
        Part("auth", [sys.executable, "-m", "chorus_auth", "serve"], lambda: grpc_serving(AUTH)),
        Part(
            "resource",
            [sys.executable, "-m", "chorus_resource", "serve"],
            lambda: grpc_serving(RESOURCE),
        ),
        Part(
            "gateway",
            [str(BIN / "envoy"), "-c", str(envoy_config), "--log-level", "warn"],
            envoy_ready,
        ),
        Part(
            "web",
            [
                str(ROOT / "web" / "node_modules" / ".bin" / "vite"),
                "--host=127.0.0.1",
                f"--port={WEB_PORT}",
                "--strictPort",
            ],
            lambda: http_answers(WEB_URL, '<div id="root">'),
            env={"VITE_GATEWAY_URL": f"http://{GATEWAY}"},
        ),
    ]


async def start(part: Part) -> asyncio.subprocess.Process:
    cwd = ROOT / "web" if part.name == "web" else None
    # Each part in its own session: a Ctrl-C reaches this script only, which
    # then stops the parts in order (Envoy dies with a script's session).
    process = await asyncio.create_subprocess_exec(
        *part.command, env={**os.environ, **part.env}, cwd=cwd, start_new_session=True
    )
    deadline = asyncio.get_running_loop().time() + STARTUP_SECONDS
    while process.returncode is None and asyncio.get_running_loop().time() < deadline:
        if await part.ready():
            return process
        await asyncio.sleep(0.3)
    raise RuntimeError(f"{part.name} did not become ready within {STARTUP_SECONDS:.0f}s")


async def stop_all(processes: list[asyncio.subprocess.Process]) -> None:
    for process in reversed(processes):
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(asyncio.gather(*(p.wait() for p in processes)), timeout=STOP_SECONDS)
    except TimeoutError:
        for process in processes:
            if process.returncode is None:
                process.kill()
        await asyncio.gather(*(p.wait() for p in processes))


async def main() -> int:
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopping.set)
    processes: list[asyncio.subprocess.Process] = []
    try:
        envoy_config = write_gateway_config()
        for part in parts(envoy_config):
            processes.append(await start(part))
            if stopping.is_set():
                return 0
    except (RuntimeError, OSError) as error:
        print(f"\nChorus could not start: {error}; stopping.", file=sys.stderr)
        await stop_all(processes)
        return 1
    print(
        f"\nChorus is running. Open {WEB_URL}\n"
        f"  gateway   http://{GATEWAY} (gRPC-Web and gRPC), admin http://{GATEWAY_ADMIN}\n"
        f"  auth      grpc://{AUTH}\n"
        f"  resource  grpc://{RESOURCE}\n"
        "Ctrl-C stops everything.\n",
        flush=True,
    )
    waiters = [asyncio.ensure_future(p.wait()) for p in processes]
    stop_waiter = asyncio.ensure_future(stopping.wait())
    await asyncio.wait([stop_waiter, *waiters], return_when=asyncio.FIRST_COMPLETED)
    stop_waiter.cancel()
    failed = [p for p in processes if p.returncode not in (None, 0)]
    await stop_all(processes)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
