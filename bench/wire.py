"""Bytes on the wire: h2load's headers and bodies, and reference calls.

Frames are written and read by `chorus_devtools.grpc_web` (the one codec).

A reference call sends exactly the bytes h2load will send and returns the
reply, so the harness knows how many body bytes a *successful* reply has: a
gRPC error reply (trailers-only) carries no message at all, so the body bytes
h2load received bound the number of calls that really succeeded.
"""

from __future__ import annotations

import asyncio
import http.client
from collections.abc import Sequence
from dataclasses import dataclass

import grpc

from chorus_devtools import grpc_web

GRPC_HEADERS = (("content-type", "application/grpc"), ("te", "trailers"))
GRPC_WEB_HEADERS = tuple(grpc_web.REQUEST_HEADERS.items())
TIMEOUT = 30.0


class CallFailed(RuntimeError):
    pass


async def grpc_call(
    target: str, path: str, message: bytes, metadata: Sequence[tuple[str, str]] = ()
) -> bytes:
    """A unary gRPC call with raw bytes in and out; its reply message."""
    async with grpc.aio.insecure_channel(target) as channel:
        call: grpc.aio.UnaryUnaryMultiCallable[bytes, bytes] = channel.unary_unary(
            path, request_serializer=None, response_deserializer=None
        )
        try:
            reply = await call(message, metadata=tuple(metadata), timeout=TIMEOUT)
        except grpc.aio.AioRpcError as error:
            raise CallFailed(f"{path}: {error.code().name} {error.details()}") from None
    if not isinstance(reply, bytes):
        raise CallFailed(f"{path}: reply is not bytes")
    return reply


async def grpc_web_call(
    target: str, path: str, message: bytes, metadata: Sequence[tuple[str, str]] = ()
) -> bytes:
    """A unary gRPC-Web call over HTTP/1.1; the whole reply body (frames and trailers)."""
    host, _, port = target.rpartition(":")

    def call() -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection(host, int(port), timeout=TIMEOUT)
        try:
            headers = grpc_web.REQUEST_HEADERS | dict(metadata)
            connection.request("POST", path, body=grpc_web.frame(message), headers=headers)
            response = connection.getresponse()
            body = response.read()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, body
        finally:
            connection.close()

    status, headers, body = await asyncio.to_thread(call)
    try:
        decoded = grpc_web.decode(body)
    except grpc_web.FramingError as error:
        raise CallFailed(f"{path} (gRPC-Web): {error}") from None
    grpc_status = grpc_web.grpc_status(decoded, headers)
    if status != 200 or grpc_status != 0 or len(decoded.messages) != 1:
        raise CallFailed(f"{path} (gRPC-Web): HTTP {status}, grpc-status {grpc_status}")
    return body


@dataclass(frozen=True)
class Reply:
    """The body bytes one successful reply has, as h2load counts them."""

    min_bytes: int
    max_bytes: int

    @classmethod
    def of(cls, sizes: Sequence[int], slack: int = 0) -> Reply:
        """From sampled sizes; `slack` bytes lower for fields that vary (timestamps)."""
        return cls(max(1, min(sizes) - slack), max(sizes))


TIMESTAMP_SLACK = 6
"""A Timestamp's `nanos` field takes 0 to 6 bytes (tag and varint, omitted at 0)."""
