"""What the services tell operators: Prometheus metrics, JSON access logs,
and traces that continue a caller's trace through the gateway."""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from chorus.resource.v1 import song_service_pb2 as song_pb
from chorus.resource.v1 import song_service_pb2_grpc as song_grpc
from chorus_client import ChorusClient, UserSession
from chorus_devtools.processes import clean_env
from chorus_devtools.suite import run_command
from tests.support.accounts import PASSWORD, unique_email
from tests.support.databases import BACKENDS
from tests.support.gateway import running_gateway
from tests.support.in_process import InProcessSuite, running_in_process
from tests.support.metrics import Samples, scrape
from tests.support.processes import running_service

AUTH = "chorus.auth.v1.AuthService"
SONGS = "chorus.resource.v1.SongService"


def calls(samples: Samples, service: str, method: str, code: str) -> float:
    key = ("chorus_grpc_calls_total", (("code", code), ("method", method), ("service", service)))
    return samples.get(key, 0.0)


async def test_metrics_count_calls_by_method_and_code(
    suite: InProcessSuite, jane: UserSession
) -> None:
    before_auth, before_songs = await asyncio.gather(
        asyncio.to_thread(scrape, suite.auth_metrics),
        asyncio.to_thread(scrape, suite.resource_metrics),
    )
    async with ChorusClient(suite.auth_target, suite.resource_target) as client:
        with pytest.raises(grpc.aio.AioRpcError):
            await client.login(jane.user.email, "wrong-password-1")
        await client.login(jane.user.email, PASSWORD)
    await jane.songs.create("Trouble", "Cage the Elephant")
    await jane.songs.page()
    with pytest.raises(grpc.aio.AioRpcError):
        await jane.songs.get(str(uuid.uuid4()))
    after_auth, after_songs = await asyncio.gather(
        asyncio.to_thread(scrape, suite.auth_metrics),
        asyncio.to_thread(scrape, suite.resource_metrics),
    )

    def delta(before: Samples, after: Samples, service: str, method: str, code: str) -> float:
        return calls(after, service, method, code) - calls(before, service, method, code)

    assert delta(before_auth, after_auth, AUTH, "Login", "OK") == 1
    assert delta(before_auth, after_auth, AUTH, "Login", "UNAUTHENTICATED") == 1
    assert delta(before_songs, after_songs, SONGS, "CreateSong", "OK") == 1
    assert delta(before_songs, after_songs, SONGS, "ListSongs", "OK") == 1
    assert delta(before_songs, after_songs, SONGS, "GetSong", "NOT_FOUND") == 1
    latency = (
        "chorus_grpc_call_duration_seconds_count",
        (("method", "ListSongs"), ("service", SONGS)),
    )
    assert after_songs[latency] - before_songs.get(latency, 0.0) == 1
    pool = {labels for name, labels in after_songs if name == "chorus_db_pool_connections"}
    assert pool == {(("state", "idle"),), (("state", "in_use"),)}


async def test_json_access_log_names_method_code_tenant_and_request_id(tmp_path: Path) -> None:
    env = clean_env(
        CHORUS_AUTH_LISTEN="127.0.0.1:0",
        CHORUS_AUTH_DATABASE_URL=f"sqlite:///{tmp_path / 'auth.db'}",
        CHORUS_AUTH_KEYS_DIR=str(tmp_path / "keys"),
        CHORUS_AUTH_ARGON2_MEMORY_KIB="1024",
        CHORUS_AUTH_ARGON2_TIME_COST="1",
        CHORUS_LOG_FORMAT="json",
    )
    for args in (("keys", "generate"), ("migrate",)):
        assert run_command("chorus_auth", *args, env=env, cwd=tmp_path).returncode == 0
    async with running_service("chorus_auth", env, tmp_path) as auth:
        async with ChorusClient(auth.target, auth.target) as client:
            jane = await client.sign_up(unique_email("json"), PASSWORD)
            me = await jane.who_am_i()
        log = auth.log()
    records = [json.loads(line) for line in log.splitlines() if line.strip()]
    access = {r["method"]: r for r in records if r.get("logger") == "chorus.access"}
    who = access[f"/{AUTH}/WhoAmI"]
    assert (who["code"], who["level"]) == ("OK", "INFO")
    assert who["tenant_id"] == me.tenant_id
    assert len(who["request_id"]) == 32
    assert isinstance(who["duration_ms"], float)
    assert access[f"/{AUTH}/SignUp"]["tenant_id"] == ""  # public: no caller yet
    for secret in (PASSWORD, jane.tokens.access_token, jane.tokens.refresh_token):
        assert secret not in log


@pytest.fixture(scope="module", params=BACKENDS)
async def traced(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[InProcessSuite, InMemorySpanExporter]]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    folder = tmp_path_factory.mktemp("traced")
    async with running_in_process(request.param, folder, tracer_provider=provider) as suite:
        yield suite, exporter


async def test_trace_continues_through_the_gateway(
    traced: tuple[InProcessSuite, InMemorySpanExporter], tmp_path: Path
) -> None:
    suite, exporter = traced
    trace_id, parent_id = uuid.uuid4().hex, uuid.uuid4().hex[:16]
    async with (
        running_gateway(suite, tmp_path) as gateway,
        ChorusClient(gateway.target, gateway.target) as client,
    ):
        jane = await client.sign_up(unique_email("traced"), PASSWORD)
        exporter.clear()
        async with grpc.aio.insecure_channel(gateway.target) as channel:
            await song_grpc.SongServiceStub(channel).ListSongs(
                song_pb.ListSongsRequest(),
                metadata=(
                    ("authorization", f"Bearer {jane.tokens.access_token}"),
                    ("traceparent", f"00-{trace_id}-{parent_id}-01"),
                ),
                timeout=10,
            )
    [span] = [s for s in exporter.get_finished_spans() if s.name == f"/{SONGS}/ListSongs"]
    assert span.context is not None
    assert span.parent is not None
    assert f"{span.context.trace_id:032x}" == trace_id
    assert f"{span.parent.span_id:016x}" == parent_id
