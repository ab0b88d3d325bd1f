"""Run the whole Chorus suite in the foreground for local work (`make run`).

Starts the auth and resource services, the Envoy gateway and the web app,
each as its own process, waiting until each answers before starting the next;
prints the URL to open; and on Ctrl-C (or SIGTERM) stops them all. If one
exits, the others are stopped too. Every address comes from an env value
(CHORUS_AUTH_LISTEN, CHORUS_GATEWAY_LISTEN, CHORUS_WEB_PORT, ...: defaults and
meanings in `chorus_core.config.SETTINGS`, shown in the README's
"Configuration"), so tests run the same script on free ports.
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

from chorus_core import config
from chorus_devtools import envoy, processes
from chorus_devtools.health import serving

ROOT = Path(__file__).resolve().parents[1]
STARTUP_SECONDS = 60.0
STOP_SECONDS = 15.0


AUTH = config.text(os.environ, "CHORUS_AUTH_LISTEN")
AUTH_JWKS = config.text(os.environ, "CHORUS_AUTH_JWKS_LISTEN")
RESOURCE = config.text(os.environ, "CHORUS_RESOURCE_LISTEN")
GATEWAY = config.text(os.environ, "CHORUS_GATEWAY_LISTEN")
GATEWAY_ADMIN = config.text(os.environ, "CHORUS_GATEWAY_ADMIN")
GATEWAY_DIR = config.path(os.environ, "CHORUS_GATEWAY_DIR")
AUTH_RATE = config.integer(os.environ, "CHORUS_GATEWAY_AUTH_RATE_PER_MINUTE")
ANONYMOUS_RATE = config.integer(os.environ, "CHORUS_GATEWAY_ANONYMOUS_RATE_PER_MINUTE")
WEB_PORT = config.text(os.environ, "CHORUS_WEB_PORT")
WEB_URL = f"http://127.0.0.1:{WEB_PORT}"


@dataclass
class Part:
    """One process of the suite, and how to tell that it is ready."""

    name: str
    command: Sequence[str]
    ready: Callable[[], Awaitable[bool]]
    env: dict[str, str] = field(default_factory=dict)


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


def write_gateway_config() -> Path:
    """The Envoy config, reading the keys from the auth service's HTTP JWKS endpoint."""
    GATEWAY_DIR.mkdir(parents=True, exist_ok=True)
    config = GATEWAY_DIR / "envoy.yaml"
    origins = [f"http://127.0.0.1:{WEB_PORT}", f"http://localhost:{WEB_PORT}"]
    run_quietly(
        [
            sys.executable,
            str(ROOT / "scripts" / "render_envoy_config.py"),
            f"--listen={GATEWAY}",
            f"--admin={GATEWAY_ADMIN}",
            f"--auth={AUTH}",
            f"--resource={RESOURCE}",
            f"--jwks-endpoint={AUTH_JWKS}",
            f"--auth-rate-per-minute={AUTH_RATE}",
            f"--anonymous-rate-per-minute={ANONYMOUS_RATE}",
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
        Part("auth", [sys.executable, "-m", "chorus_auth", "serve"], lambda: serving(AUTH)),
        Part(
            "resource",
            [sys.executable, "-m", "chorus_resource", "serve"],
            lambda: serving(RESOURCE),
        ),
        Part(
            "gateway",
            envoy.command(envoy_config, "--log-level", "warn"),
            lambda: envoy.ready(GATEWAY_ADMIN),
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
    process = await processes.spawn(part.command, env={**os.environ, **part.env}, cwd=cwd)
    deadline = asyncio.get_running_loop().time() + STARTUP_SECONDS
    while process.returncode is None and asyncio.get_running_loop().time() < deadline:
        if await part.ready():
            return process
        await asyncio.sleep(0.3)
    raise RuntimeError(f"{part.name} did not become ready within {STARTUP_SECONDS:.0f}s")


async def stop_all(started: list[asyncio.subprocess.Process]) -> None:
    """SIGTERM to each by PID, last started first; SIGKILL to any still running after a while."""
    await asyncio.gather(*(processes.stop(p, grace=STOP_SECONDS) for p in reversed(started)))


async def main() -> int:
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopping.set)
    started: list[asyncio.subprocess.Process] = []
    try:
        envoy_config = write_gateway_config()
        for part in parts(envoy_config):
            started.append(await start(part))
            if stopping.is_set():
                await stop_all(started)
                return 0
    except (RuntimeError, OSError) as error:
        print(f"\nChorus could not start: {error}; stopping.", file=sys.stderr)
        await stop_all(started)
        return 1
    print(
        f"\nChorus is running. Open {WEB_URL}\n"
        f"  gateway   http://{GATEWAY} (gRPC-Web and gRPC), admin http://{GATEWAY_ADMIN}\n"
        f"  auth      grpc://{AUTH}\n"
        f"  resource  grpc://{RESOURCE}\n"
        "Ctrl-C stops everything.\n",
        flush=True,
    )
    waiters = [asyncio.ensure_future(p.wait()) for p in started]
    stop_waiter = asyncio.ensure_future(stopping.wait())
    await asyncio.wait([stop_waiter, *waiters], return_when=asyncio.FIRST_COMPLETED)
    stop_waiter.cancel()
    failed = [p for p in started if p.returncode not in (None, 0)]
    await stop_all(started)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
