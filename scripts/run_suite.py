"""Run the whole Chorus suite in the foreground for local work (`make run`).

Starts the auth and resource services and the Envoy gateway (the suite as
`chorus_devtools.suite` starts it for the benchmark and the tests too), then
the web app, each as its own process, waiting until each answers before
starting the next;
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
from collections.abc import Sequence
from pathlib import Path

from chorus_core import config
from chorus_devtools import processes
from chorus_devtools.polling import wait_until
from chorus_devtools.processes import Service
from chorus_devtools.suite import first_exit, running_suite

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


async def http_text(url: str) -> str:
    """The body of a 200 answer, or "" if there is none (yet)."""

    def fetch() -> str:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback)
                return str(response.read().decode()) if response.status == 200 else ""
        except (urllib.error.URLError, OSError):
            return ""

    return await asyncio.to_thread(fetch)


def write_gateway_config(auth: Service, resource: Service) -> Path:
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
            f"--auth={auth.target}",
            f"--resource={resource.target}",
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


async def start_web() -> Service:
    """Vite serving the web app, once it answers with the page."""
    process = await processes.spawn(
        [
            str(ROOT / "web" / "node_modules" / ".bin" / "vite"),
            "--host=127.0.0.1",
            f"--port={WEB_PORT}",
            "--strictPort",
        ],
        env={**os.environ, "VITE_GATEWAY_URL": f"http://{GATEWAY}"},
        cwd=ROOT / "web",
    )
    web = Service("web", process, f"127.0.0.1:{WEB_PORT}")

    async def ready() -> bool:
        if process.returncode is not None:
            raise RuntimeError(f"the web app exited with {process.returncode}")
        return '<div id="root">' in await http_text(WEB_URL)

    try:
        await wait_until(ready, within=STARTUP_SECONDS, what="the web app to answer")
    except BaseException:
        await web.stop(grace=STOP_SECONDS)
        raise
    return web


async def serve() -> int:
    """Start everything, then wait until one part exits (1) or this task is cancelled (0)."""
    env = {**os.environ, "CHORUS_AUTH_LISTEN": AUTH, "CHORUS_RESOURCE_LISTEN": RESOURCE}
    async with running_suite(env, gateway=write_gateway_config) as suite:
        web = await start_web()
        try:
            print(
                f"\nChorus is running. Open {WEB_URL}\n"
                f"  gateway   http://{GATEWAY} (gRPC-Web and gRPC), admin http://{GATEWAY_ADMIN}\n"
                f"  auth      grpc://{AUTH}\n"
                f"  resource  grpc://{RESOURCE}\n"
                "Ctrl-C stops everything.\n",
                flush=True,
            )
            exited = await first_exit([*suite.services, web])
            print(f"\n{exited.name} exited with {exited.process.returncode}; stopping.", flush=True)
            return 1
        finally:
            await web.stop(grace=STOP_SECONDS)


async def main() -> int:
    """Ctrl-C (or SIGTERM) cancels `serve`, starting or running: its parts stop, last first."""
    task = asyncio.ensure_future(serve())
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        # A second signal while stopping is ignored: the parts still get stopped.
        loop.add_signal_handler(sig, lambda: task.cancelling() or task.cancel())
    try:
        return await task
    except asyncio.CancelledError:
        return 0
    except (RuntimeError, OSError, subprocess.CalledProcessError, TimeoutError) as error:
        print(f"\nChorus could not start: {error}; stopping.", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
