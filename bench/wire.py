"""Bytes on the wire: gRPC and gRPC-Web frames, and reference calls.

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

GRPC_HEADERS = (("content-type", "application/grpc"), ("te", "trailers"))
GRPC_WEB_HEADERS = (
    ("content-type", "application/grpc-web+proto"),
    ("x-grpc-web", "1"),
    ("accept", "application/grpc-web+proto"),
)
TIMEOUT = 30.0


def frame(message: bytes, flags: int = 0) -> bytes:
    """One length-prefixed gRPC(-Web) frame: flag byte, 4-byte big-endian length, bytes."""
    return bytes([flags]) + len(message).to_bytes(4, "big") + message


def grpc_web_frames(body: bytes) -> tuple[list[bytes], dict[str, str]]:
    """The messages of a gRPC-Web reply body and its trailers (the 0x80 frame)."""
    messages: list[bytes] = []
    trailers: dict[str, str] = {}
    position = 0
    while position + 5 <= len(body):
        flags = body[position]
        length = int.from_bytes(body[position + 1 : position + 5], "big")
        payload = body[position + 5 : position + 5 + length]
        position += 5 + length
        if flags & 0x80:
            for line in payload.decode(errors="replace").split("\r\n"):
                name, _, value = line.partition(":")
                if name:
                    trailers[name.strip().lower()] = value.strip()
        else:
            messages.append(payload)
    return messages, trailers


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
            headers = dict(GRPC_WEB_HEADERS) | dict(metadata)
            connection.request("POST", path, body=frame(message), headers=headers)
            response = connection.getresponse()
            body = response.read()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, body
        finally:
            connection.close()

    status, headers, body = await asyncio.to_thread(call)
    messages, trailers = grpc_web_frames(body)
    grpc_status = trailers.get("grpc-status", headers.get("grpc-status"))
    if status != 200 or grpc_status != "0" or len(messages) != 1:
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
