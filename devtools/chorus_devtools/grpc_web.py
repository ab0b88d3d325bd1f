"""The gRPC-Web wire format: length-prefixed frames, and the trailers frame.

A body is a sequence of frames: one flag byte (0x80 marks the trailers
frame), a 4-byte big-endian length, then that many bytes. Trailers are
HTTP/1-style `name: value` lines. An error reply may also be trailers-only:
its status sits in the HTTP headers and the body is empty.
"""

from dataclasses import dataclass
from urllib.parse import unquote

TRAILERS_FLAG = 0x80
REQUEST_HEADERS = {
    "content-type": "application/grpc-web+proto",
    "x-grpc-web": "1",
    "accept": "application/grpc-web+proto",
}
"""What a binary gRPC-Web client sends with a call."""


class FramingError(ValueError):
    """A body that is not a sequence of whole gRPC-Web frames."""


def frame(message: bytes, flags: int = 0) -> bytes:
    """One frame: the flag byte, the 4-byte big-endian length, the bytes."""
    return bytes([flags]) + len(message).to_bytes(4, "big") + message


@dataclass(frozen=True)
class Body:
    """A decoded gRPC-Web reply body."""

    messages: list[bytes]
    trailers: dict[str, str]
    """Lower-case names."""


def decode(body: bytes) -> Body:
    """The messages and trailers of a reply body; FramingError if it is cut short."""
    messages: list[bytes] = []
    trailers: dict[str, str] = {}
    position = 0
    while position < len(body):
        if len(body) - position < 5:
            raise FramingError(f"truncated frame header at byte {position} of {len(body)}")
        flags = body[position]
        length = int.from_bytes(body[position + 1 : position + 5], "big")
        payload = body[position + 5 : position + 5 + length]
        if len(payload) != length:
            raise FramingError(f"frame at byte {position} says {length} bytes, has {len(payload)}")
        position += 5 + length
        if flags & TRAILERS_FLAG:
            for line in payload.decode(errors="replace").split("\r\n"):
                name, _, value = line.partition(":")
                if name.strip():
                    trailers[name.strip().lower()] = value.strip()
        else:
            messages.append(payload)
    return Body(messages, trailers)


def grpc_status(body: Body, headers: dict[str, str]) -> int | None:
    """From the trailers frame, or from the headers of a trailers-only reply."""
    value = body.trailers.get("grpc-status", headers.get("grpc-status"))
    return None if value is None else int(value)


def grpc_message(body: Body, headers: dict[str, str]) -> str:
    """The status message (percent-decoded UTF-8), from trailers or headers."""
    return unquote(body.trailers.get("grpc-message", headers.get("grpc-message", "")))
