"""deploy/compose run for real: images built, containers started with podman.

One stack for the module (bringing it up takes minutes): PostgreSQL, pgAdmin,
both migrations, auth, two resource replicas (compose.yaml plus
scale-out.yaml), Envoy and the web app, from images built here from Debian
packages (deploy/podman/images.py). Driven from outside only: through Envoy
on 127.0.0.1:8080 (gRPC and gRPC-Web), pgAdmin on :5050, the web app on :5173
in Chromium. Then a replica stopped under load, the service and database
containers restarted, and a service started with a wrong database password.

podman, podman-compose and debootstrap are needed (.ci/run installs them):
missing, the tests fail in CI and skip elsewhere. `make deploy-test` runs
only tests/deploy/.
"""

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import grpc
import pytest
from playwright.async_api import async_playwright, expect

from chorus.auth.v1 import auth_service_pb2 as auth_pb
from chorus_client import ChorusClient, UserSession
from chorus_devtools import grpc_web
from chorus_devtools.processes import access_lines
from tests.e2e.conftest import CHROMIUM, CHROMIUM_FLAGS
from tests.support.accounts import PASSWORD, unique_email
from tests.support.deploy_tools import COMPOSE_SERVICES
from tests.support.gateway import http_request
from tests.support.podman_stack import (
    GATEWAY,
    PGADMIN_URL,
    WEB_URL,
    Stack,
    run,
    running_stack,
)
from tests.support.required import require
from tests.support.songs import not_found
from tests.support.web_app import sign_up

pytestmark = pytest.mark.timeout(1500)
T = TypeVar("T")

SIGN_UP = "/chorus.auth.v1.AuthService/SignUp"
LOGIN = "/chorus.auth.v1.AuthService/Login"
CREATE_SONG = "/chorus.resource.v1.SongService/CreateSong"
ORIGIN = "http://localhost:5173"
WRITERS = 4
WRITES_PER_WRITER = 30
MAX_ATTEMPTS = 20
RETRIED = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED)


@pytest.fixture(scope="module")
async def stack(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Stack]:
    folder = tmp_path_factory.mktemp("compose") / "compose"
    async with running_stack(folder, extra_files=[folder / "scale-out.yaml"]) as running:
        yield running


@dataclass
class Tenants:
    """Two people, each in their own personal tenant, with clients to the gateway."""

    first: UserSession
    second: UserSession
    client: ChorusClient
    songs: dict[str, str] = field(default_factory=dict)
    """Every song the service acknowledged: id -> name (of `first`)."""


@pytest.fixture(scope="module")
async def tenants(stack: Stack) -> AsyncIterator[Tenants]:
    async with ChorusClient(GATEWAY, GATEWAY, timeout=20) as client:
        first = await client.sign_up(unique_email("compose-first"), PASSWORD)
        second = await client.sign_up(unique_email("compose-second"), PASSWORD)
        yield Tenants(first, second, client)


async def web_call(path: str, message: bytes, token: str | None = None) -> tuple[int, list[bytes]]:
    """A unary gRPC-Web call to the gateway, as the browser sends it: (grpc-status, messages)."""
    headers = {**grpc_web.REQUEST_HEADERS, "origin": ORIGIN}
    if token is not None:
        headers["authorization"] = f"Bearer {token}"
    reply = await http_request(GATEWAY, "POST", path, headers, grpc_web.frame(message))
    assert reply.status == 200, reply
    assert reply.headers.get("access-control-allow-origin") == ORIGIN, reply.headers
    body = grpc_web.decode(reply.body)
    status = grpc_web.grpc_status(body, reply.headers)
    assert status is not None, reply
    return status, body.messages


def test_every_container_is_up_as_the_compose_file_says(stack: Stack) -> None:
    prefix = f"{stack.project}_"
    services = {name.removeprefix(prefix).rsplit("_", 1)[0] for name in stack.containers()}
    assert services == COMPOSE_SERVICES
    assert len(stack.containers("resource")) == 2
    for service in ("auth", "resource", "web"):
        for container in stack.containers(service):
            user, read_only = run(
                "podman",
                "inspect",
                "--format={{.Config.User}} {{.HostConfig.ReadonlyRootfs}}",
                container,
            ).split()
            assert user in ("10001:10001", "101"), (container, user)
            assert read_only == "true", container
            uid = run("podman", "exec", container, "id", "-u").strip()
            assert uid != "0", container


async def test_sign_up_and_log_in_through_envoy_with_grpc_web_and_grpc(tenants: Tenants) -> None:
    email = unique_email("compose-web")
    status, messages = await web_call(
        SIGN_UP, auth_pb.SignUpRequest(email=email, password=PASSWORD).SerializeToString()
    )
    assert status == 0
    assert auth_pb.SignUpResponse.FromString(messages[0]).user.email == email

    # gRPC-Web login of a user made over gRPC, and the other way round.
    status, messages = await web_call(
        LOGIN,
        auth_pb.LoginRequest(email=tenants.first.user.email, password=PASSWORD).SerializeToString(),
    )
    assert status == 0
    session = auth_pb.LoginResponse.FromString(messages[0]).session
    assert session.access_token
    again = await tenants.client.login(email, PASSWORD)
    assert again.user.email == email

    status, _ = await web_call(
        LOGIN, auth_pb.LoginRequest(email=email, password="wrong-password").SerializeToString()
    )
    assert status == grpc.StatusCode.UNAUTHENTICATED.value[0]


async def test_songs_crud_in_two_isolated_tenants(tenants: Tenants) -> None:
    first, second = tenants.first, tenants.second
    song = await first.songs.create("Aberdeen", "Cage the Elephant", 2011)
    assert (await first.songs.get(song.id)).name == "Aberdeen"
    song.name = "Aberdeen (live)"
    updated = await first.songs.update(song, ["name"])
    assert updated.name == "Aberdeen (live)"
    doomed = await first.songs.create("Doomed", "Nobody")
    await first.songs.delete(doomed.id)
    await not_found(first.songs.get(doomed.id))
    tenants.songs[song.id] = "Aberdeen (live)"

    theirs = await second.songs.create("Hey Jude", "The Beatles", 1968)
    assert [s.id async for s in second.songs.all()] == [theirs.id]
    await not_found(second.songs.get(song.id))
    await not_found(first.songs.get(theirs.id))
    assert theirs.id not in [s.id async for s in first.songs.all()]


def psql(stack: Stack, sql: str) -> str:
    """`sql` run by psql as `postgres` in the database container: the rows, unaligned."""
    return run(
        "podman",
        "exec",
        stack.container("postgres"),
        "psql",
        "--no-psqlrc",
        "-v",
        "ON_ERROR_STOP=1",
        "-U",
        "postgres",
        "-d",
        "chorus_resource",
        "-Atc",
        sql,
    ).strip()


async def test_row_level_security_binds_the_service_role(stack: Stack, tenants: Tenants) -> None:
    await tenants.first.songs.create("Row", "Level")
    role = psql(
        stack,
        "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = 'chorus_resource'",
    )
    assert role == "f|f"
    owner = psql(
        stack,
        "SELECT pg_get_userbyid(relowner), relrowsecurity, relforcerowsecurity "
        "FROM pg_class WHERE relname = 'songs'",
    )
    assert owner.split("|")[:2] == ["chorus_resource_owner", "t"], owner
    assert int(psql(stack, "SELECT count(*) FROM songs")) >= 2
    # The service's role with no tenant chosen sees nothing, though the rows are there.
    seen = psql(stack, "SET ROLE chorus_resource; SELECT count(*) FROM songs")
    assert seen.splitlines()[-1] == "0", seen


async def test_pgadmin_answers(stack: Stack) -> None:
    host, _, port = PGADMIN_URL.removeprefix("http://").partition(":")
    ping = await http_request(f"{host}:{port}", "GET", "/misc/ping", {})
    assert (ping.status, ping.body) == (200, b"PING")
    login = await http_request(f"{host}:{port}", "GET", "/login", {})
    assert login.status == 200
    assert b"pgAdmin" in login.body


async def test_the_web_app_loads_in_chromium_and_signs_up(stack: Stack) -> None:
    require(CHROMIUM.exists(), f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does)")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS
        )
        try:
            page = await browser.new_page()
            await sign_up(page, WEB_URL, unique_email("compose-browser"))
            await expect(page.get_by_role("button", name="Add song")).to_be_visible()
        finally:
            await browser.close()


@dataclass
class Load:
    acknowledged: dict[str, str] = field(default_factory=dict)
    """request_id -> song id, for every create the service acknowledged."""
    errors: list[str] = field(default_factory=list)


async def create_until_acknowledged(user: UserSession, request_id: str, load: Load) -> None:
    """CreateSong named after its request_id, retried with the same request_id on
    UNAVAILABLE or CANCELLED (what a stopping replica may answer)."""
    for attempt in range(MAX_ATTEMPTS):
        try:
            song = await user.songs.create(request_id, "Scale-out", request_id=request_id)
        except grpc.aio.AioRpcError as error:
            load.errors.append(error.code().name)
            if error.code() not in RETRIED:
                raise
            await asyncio.sleep(0.1 * (attempt + 1))
            continue
        load.acknowledged[request_id] = song.id
        return
    raise AssertionError(f"{request_id}: not acknowledged after {MAX_ATTEMPTS} attempts")


async def test_a_replica_stopped_under_load_loses_no_acknowledged_write(
    stack: Stack, tenants: Tenants
) -> None:
    replicas = stack.containers("resource")
    before = {r: access_lines(stack.logs(r))[(CREATE_SONG, "OK")] for r in replicas}
    load = Load()
    stopped = asyncio.Event()

    async def writer(number: int) -> None:
        for write in range(WRITES_PER_WRITER):
            await create_until_acknowledged(tenants.first, f"w{number}-{write}", load)
            if number == 0 and write == WRITES_PER_WRITER // 3:
                stopped.set()

    async def stop_one_replica() -> None:
        await stopped.wait()
        await asyncio.to_thread(run, "podman", "stop", "--time=10", replicas[1])

    await asyncio.gather(stop_one_replica(), *(writer(n) for n in range(WRITERS)))

    assert len(load.acknowledged) == WRITERS * WRITES_PER_WRITER
    stored = {s.name: s.id async for s in tenants.first.songs.all(page_size=100)}
    for request_id, song_id in load.acknowledged.items():
        assert stored.get(request_id) == song_id, f"acknowledged {request_id} is lost"
    served = {r: access_lines(stack.logs(r))[(CREATE_SONG, "OK")] - before[r] for r in replicas}
    assert all(count > 0 for count in served.values()), f"a replica served no call: {served}"
    assert sum(served.values()) == len(load.acknowledged), served
    tenants.songs.update({song_id: name for name, song_id in stored.items()})

    await asyncio.to_thread(run, "podman", "start", replicas[1])
    await stack.wait_healthy([replicas[1]])


async def all_stored(user: UserSession) -> dict[str, str]:
    return {song.id: song.name async for song in user.songs.all(page_size=100)}


RETRIED_AFTER_RESTART = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)
"""What a call may end in while a service has no serving replica or no database
connection yet (a pooled connection to the old database container can hang until
the gateway's deadline)."""


async def eventually(call: Callable[[], Awaitable[T]], within: float = 90.0) -> T:
    """`call()` (one that is safe to repeat), retried while it fails with one of
    RETRIED_AFTER_RESTART, at most `within` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        try:
            return await call()
        except grpc.aio.AioRpcError as error:
            if error.code() not in RETRIED_AFTER_RESTART or loop.time() > deadline:
                raise
            await asyncio.sleep(1)


async def test_restarting_the_services_and_the_database_loses_nothing(
    stack: Stack, tenants: Tenants
) -> None:
    expected = await all_stored(tenants.first)
    assert set(tenants.songs) <= set(expected)

    services = [*stack.containers("resource"), stack.container("auth")]
    await asyncio.to_thread(run, "podman", "restart", "--time=15", *services)
    await stack.wait_healthy(services)
    assert await eventually(lambda: all_stored(tenants.first)) == expected

    database = stack.container("postgres")
    await asyncio.to_thread(run, "podman", "restart", "--time=30", database)
    await stack.wait_healthy([database])
    assert await eventually(lambda: all_stored(tenants.first)) == expected
    # Pooled connections the old database closed are replaced before use
    # (test_database_pool.py); one whose close never reached its worker (the container's
    # network went first) fails its call until a ping or the gateway's deadline, and the
    # reads above may all have gone to other workers. A client retries such a create with
    # its request_id, and gets exactly one song.
    request_id = str(uuid.uuid4())
    after = await eventually(
        lambda: tenants.first.songs.create(
            "After the restarts", "Still here", request_id=request_id
        )
    )
    assert (await tenants.first.songs.get(after.id)).name == "After the restarts"
    stored = await all_stored(tenants.first)
    assert list(stored.values()).count("After the restarts") == 1
    assert stored.keys() - expected.keys() == {after.id}
    again = await eventually(lambda: tenants.client.login(tenants.first.user.email, PASSWORD))
    assert again.user.email == tenants.first.user.email


async def test_a_wrong_database_password_says_so_and_restarts_until_fixed(
    stack: Stack, tmp_path: Path
) -> None:
    password_file = tmp_path / "resource-db-password"
    password_file.write_text("not-the-password\n")
    password_file.chmod(0o644)
    name = f"{stack.project}_resource_wrong_password"
    network = f"{stack.project}_database"
    run(
        "podman",
        "run",
        "--detach",
        f"--name={name}",
        f"--network={network}",
        "--restart=on-failure",
        "--read-only",
        "--tmpfs=/tmp",
        f"--label=io.podman.compose.project={stack.project}",
        f"--volume={password_file}:/run/secrets/resource-db-password:ro",
        "--env=CHORUS_RESOURCE_DATABASE_URL=postgresql://chorus_resource@postgres:5432/chorus_resource",
        "--env=CHORUS_RESOURCE_DATABASE_PASSWORD_FILE=/run/secrets/resource-db-password",
        "--env=CHORUS_RESOURCE_APP_ROLE=chorus_resource_app",
        "--env=CHORUS_RESOURCE_JWKS=file:/run/secrets/jwks.json",
        f"--volume={stack.secrets / 'jwks.json'}:/run/secrets/jwks.json:ro",
        "localhost/chorus-resource:local",
    )
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 90
    while True:
        _, _, restarts = await asyncio.to_thread(stack.state, name)
        log = await asyncio.to_thread(stack.logs, name)
        if restarts >= 2:
            break
        assert loop.time() < deadline, f"no restart after a failed start:\n{log}"
        await asyncio.sleep(1)
    lines = [line for line in log.splitlines() if line.strip()]
    assert "Traceback" not in log, log
    assert all("password authentication failed" in line for line in lines), log
    assert all("chorus_resource" in line for line in lines), log
    assert "not-the-password" not in log

    password_file.write_text((stack.secrets / "resource-db-password").read_text())
    await stack.wait_healthy([name], within=90)
    status, _, _ = stack.state(name)
    assert status == "running"
