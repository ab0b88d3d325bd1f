"""An anonymous flood cannot stall the gateway (issue 14, failure 3), through
the real Envoy.

gRPC-Web calls with an empty body (or a truncated frame) are never answered by
a gRPC server: it waits for a message that never comes. About 1,100 of them,
without a token, on GetJwks filled Envoy's default circuit breaker of the auth
cluster, and every user's Login then failed with UNAVAILABLE "overflow". Now
every call has a deadline Envoy enforces from its first byte, SignUp and Login
have a circuit-breaker budget of their own, and calls without a token have a
per-client limit.
"""

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from chorus.auth.v1 import auth_service_pb2 as auth_pb
from chorus_devtools.grpc_web import frame
from tests.support.accounts import PASSWORD, unique_email
from tests.support.gateway import Gateway, running_gateway
from tests.support.in_process import InProcessSuite

GET_JWKS = "/chorus.auth.v1.AuthService/GetJwks"
LOGIN = "/chorus.auth.v1.AuthService/Login"
FLOOD = 1100
"""More calls than Envoy's default circuit breaker lets through (1,024)."""
FLOOD_SOURCES = [f"127.0.0.{n}" for n in range(10, 21)]
CALL_SECONDS = 3
PROMPTLY = 3.0


@pytest.fixture
async def gateway(suite: InProcessSuite, tmp_path: Path) -> AsyncIterator[Gateway]:
    # The shipped circuit breakers and per-client limits; a short call deadline
    # only so the test need not wait the default 10 s for the flood to end.
    async with running_gateway(
        suite, tmp_path, anonymous_rate_per_minute=300, call_seconds=CALL_SECONDS
    ) as running:
        yield running


def request_bytes(gateway: Gateway, path: str, body: bytes) -> bytes:
    head = (
        f"POST {path} HTTP/1.1\r\nhost: {gateway.target}\r\n"
        "content-type: application/grpc-web+proto\r\nx-grpc-web: 1\r\n"
        f"content-length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


class StalledCall:
    """A gRPC-Web call whose body never holds a message, on its own connection."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def send(cls, gateway: Gateway, source: str, body: bytes) -> "StalledCall":
        reader, writer = await asyncio.open_connection(
            gateway.host, gateway.port, local_addr=(source, 0)
        )
        writer.write(request_bytes(gateway, GET_JWKS, body))
        await writer.drain()
        return cls(reader, writer)

    async def answer(self, within: float) -> bytes:
        try:
            return await asyncio.wait_for(self.reader.read(4096), within)
        finally:
            self.writer.close()


async def login_elsewhere(gateway: Gateway, email: str) -> tuple[int | None, float]:
    started = time.monotonic()
    reply = await gateway.grpc_web(
        LOGIN,
        auth_pb.LoginRequest(email=email, password=PASSWORD).SerializeToString(),
        source_host="127.0.0.200",
    )
    return reply.grpc_status, time.monotonic() - started


@pytest.mark.parametrize("suite", ["sqlite"], indirect=True)
async def test_a_flood_of_calls_without_a_message_cannot_starve_login(
    suite: InProcessSuite, gateway: Gateway
) -> None:
    email = unique_email("flooded")
    signed_up = await gateway.grpc_web(
        "/chorus.auth.v1.AuthService/SignUp",
        auth_pb.SignUpRequest(email=email, password=PASSWORD).SerializeToString(),
        source_host="127.0.0.201",
    )
    assert signed_up.grpc_status == 0, signed_up

    bodies = [b"", frame(b"")[:3]]  # no message at all, and a truncated frame
    flood = await asyncio.gather(
        *(
            StalledCall.send(gateway, FLOOD_SOURCES[n % len(FLOOD_SOURCES)], bodies[n % 2])
            for n in range(FLOOD)
        )
    )
    flooded_at = time.monotonic()
    await asyncio.sleep(0.5)  # let Envoy take them all in

    status, took = await login_elsewhere(gateway, email)
    assert status == 0
    assert took < PROMPTLY, f"Login took {took:.1f}s during the flood"

    # Every stalled call is cut off by the gateway's deadline, not left hanging.
    answers = await asyncio.gather(*(call.answer(CALL_SECONDS + 10) for call in flood))
    assert all(answer.startswith(b"HTTP/1.1 ") for answer in answers)
    assert time.monotonic() - flooded_at < CALL_SECONDS + 10
    status, took = await login_elsewhere(gateway, email)
    assert status == 0


@pytest.mark.parametrize("suite", ["sqlite"], indirect=True)
async def test_calls_without_a_token_have_a_per_client_limit(
    suite: InProcessSuite, tmp_path: Path
) -> None:
    async with running_gateway(suite, tmp_path, anonymous_rate_per_minute=5) as gateway:
        replies = [
            await gateway.grpc_web(GET_JWKS, b"", source_host="127.0.0.30") for _ in range(6)
        ]
        assert [reply.grpc_status for reply in replies] == [0] * 5 + [8]
        assert replies[-1].grpc_message == (
            "too many calls without a token from this address, try again in a minute"
        )
        elsewhere = await gateway.grpc_web(GET_JWKS, b"", source_host="127.0.0.31")
        assert elsewhere.grpc_status == 0
