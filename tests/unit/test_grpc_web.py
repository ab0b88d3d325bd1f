"""The one gRPC-Web framing codec (chorus_devtools.grpc_web)."""

import pytest

from chorus_devtools.grpc_web import Body, FramingError, decode, frame, grpc_message, grpc_status


def test_a_body_splits_into_messages_and_trailers() -> None:
    body = frame(b"hello") + frame(b"") + frame(b"grpc-status:0\r\ngrpc-message:\r\n", flags=0x80)
    assert decode(body) == Body([b"hello", b""], {"grpc-status": "0", "grpc-message": ""})


def test_a_frame_is_a_flag_a_big_endian_length_and_the_bytes() -> None:
    assert frame(b"ab", flags=0x80) == b"\x80\x00\x00\x00\x02ab"


@pytest.mark.parametrize(
    "body",
    [frame(b"hello")[:3], frame(b"hello")[:-1], frame(b"ok") + b"\x00\x00"],
    ids=["header cut", "payload cut", "trailing bytes"],
)
def test_a_body_cut_short_is_a_framing_error(body: bytes) -> None:
    with pytest.raises(FramingError):
        decode(body)


def test_status_comes_from_trailers_or_from_the_headers_of_a_trailers_only_reply() -> None:
    trailers = decode(frame(b"grpc-status: 5\r\ngrpc-message: caf%C3%A9 gone", flags=0x80))
    assert (grpc_status(trailers, {}), grpc_message(trailers, {})) == (5, "café gone")
    empty = decode(b"")
    headers = {"grpc-status": "16", "grpc-message": "no%20token"}
    assert (grpc_status(empty, headers), grpc_message(empty, headers)) == (16, "no token")
    assert grpc_status(empty, {}) is None
