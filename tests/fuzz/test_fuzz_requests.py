"""Fuzzing every method of every service in the contract that takes one request
(unary and server-streaming), on SQLite and
PostgreSQL: no request and no body, however malformed, is answered INTERNAL
or UNKNOWN (issue 14). Property-based (Hypothesis), bounded: CHORUS_FUZZ_EXAMPLES
requests (and as many raw bodies) per method, with no time deadline per example
but the test's own timeout.

Methods come from the contract's descriptor set, so a new resource's service
is fuzzed without a line here. Calls carry a real user's access token, so they
get past authentication into the handlers and the database.
"""

from __future__ import annotations  # the Async stubs exist in type stubs only

import asyncio
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass

import grpc
import pytest
from google.protobuf import descriptor_pool
from google.protobuf.descriptor import MethodDescriptor
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chorus_client import ChorusClient
from chorus_core.reflection import api_descriptor_set
from tests.fuzz.strategies import edge_cases, messages
from tests.support.accounts import PASSWORD, unique_email
from tests.support.in_process import InProcessSuite

EXAMPLES = int(os.environ.get("CHORUS_FUZZ_EXAMPLES", "25"))
FORBIDDEN = {grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN}
CALL_SECONDS = 10.0
STREAM_SECONDS = 0.5
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # nothing written into the checkout
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _pool() -> descriptor_pool.DescriptorPool:
    pool = descriptor_pool.DescriptorPool()
    for file in api_descriptor_set().file:
        pool.Add(file)
    return pool


POOL = _pool()


def single_request_methods() -> list[MethodDescriptor]:
    """Every method of the contract that takes one request (unary and server-streaming)."""
    found = []
    for file in api_descriptor_set().file:
        if not file.package.startswith("chorus."):
            continue
        for service in file.service:
            described = POOL.FindServiceByName(f"{file.package}.{service.name}")
            found += [m for m in described.methods if not m.client_streaming]
    return found


METHODS = single_request_methods()
IDS = [f"{m.containing_service.name}.{m.name}" for m in METHODS]


@dataclass(frozen=True)
class Caller:
    suite: InProcessSuite
    metadata: tuple[tuple[str, str], ...]

    def target(self, method: MethodDescriptor) -> str:
        package = method.containing_service.file.package
        return (
            self.suite.auth_target
            if package.startswith("chorus.auth.")
            else (self.suite.resource_target)
        )

    async def code(self, method: MethodDescriptor, body: bytes) -> tuple[grpc.StatusCode, str]:
        path = f"/{method.containing_service.full_name}/{method.name}"
        async with grpc.aio.insecure_channel(self.target(method)) as channel:
            try:
                if method.server_streaming:
                    await _first_message(channel, path, body, self.metadata)
                else:
                    call: grpc.aio.UnaryUnaryMultiCallable[bytes, bytes] = channel.unary_unary(path)
                    await call(body, metadata=self.metadata, timeout=CALL_SECONDS)
            except grpc.aio.AioRpcError as error:
                return error.code(), error.details() or ""
        return grpc.StatusCode.OK, ""


async def _first_message(
    channel: grpc.aio.Channel, path: str, body: bytes, metadata: tuple[tuple[str, str], ...]
) -> None:
    """A server stream read to its first message; one still open after STREAM_SECONDS
    ends DEADLINE_EXCEEDED (it was accepted: a stream waits for changes)."""
    stream: grpc.aio.UnaryStreamMultiCallable[bytes, bytes] = channel.unary_stream(path)
    call = stream(body, metadata=metadata, timeout=STREAM_SECONDS)
    async for _ in call:
        call.cancel()
        return


@pytest.fixture(scope="session")
async def caller(suite: InProcessSuite) -> AsyncIterator[Caller]:
    async with ChorusClient(suite.auth_target, suite.resource_target) as client:
        user = await client.sign_up(unique_email("fuzz"), PASSWORD)
        await user.songs.create("Aberdeen", "Cage the Elephant", year=2011)
        yield Caller(suite, await user.tokens.metadata())


async def fuzz(caller: Caller, method: MethodDescriptor, bodies: st.SearchStrategy[bytes]) -> None:
    """Hypothesis draws bodies in a worker thread; each call runs on this event loop
    (where the services run), which stays free while the thread waits for it."""
    loop = asyncio.get_running_loop()

    @FUZZ
    @given(body=bodies)
    def check(body: bytes) -> None:
        answer = asyncio.run_coroutine_threadsafe(caller.code(method, body), loop)
        code, details = answer.result(CALL_SECONDS * 2)
        assert code not in FORBIDDEN, f"{method.full_name} answered {code.name} {details!r}"

    await asyncio.to_thread(check)


@pytest.mark.timeout(600)
@pytest.mark.parametrize("method", METHODS, ids=IDS)
async def test_no_request_is_answered_internal_or_unknown(
    caller: Caller, method: MethodDescriptor
) -> None:
    requests = messages(method.input_type).map(lambda request: request.SerializeToString())
    await fuzz(caller, method, requests)


@pytest.mark.timeout(600)
@pytest.mark.parametrize("method", METHODS, ids=IDS)
async def test_no_body_is_answered_internal_or_unknown(
    caller: Caller, method: MethodDescriptor
) -> None:
    await fuzz(caller, method, st.binary(max_size=256))


@pytest.mark.timeout(600)
@pytest.mark.parametrize("method", METHODS, ids=IDS)
async def test_no_edge_case_is_answered_internal_or_unknown(
    caller: Caller, method: MethodDescriptor
) -> None:
    """Every field alone set to each tricky value: the cases random draws rarely reach."""
    for request in edge_cases(method.input_type):
        code, details = await caller.code(method, request.SerializeToString())
        assert code not in FORBIDDEN, (
            f"{method.full_name} answered {code.name} {details!r} to {request}"
        )
