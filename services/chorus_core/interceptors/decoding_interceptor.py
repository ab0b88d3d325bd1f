"""Decodes request bytes here, so every request a handler sees is well formed.

gRPC would decode the body itself and answer a body that is not the method's
message with UNKNOWN "Unexpected <class ...DecodeError>", before any
interceptor runs: no access log line, no metrics, a traceback at ERROR. Here
such a body is an `InvalidArgument` like any other bad input. Text fields
holding NUL are refused too, in every request message: no database stores
that character (PostgreSQL refuses it outright).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import grpc
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import DecodeError, Message

from chorus_core.errors import FieldViolation, InvalidArgument
from chorus_core.interceptors.base import (
    Handler,
    Interceptor,
    UnaryBehavior,
    rebuilt,
    single_request_behavior,
)

Deserializer = Callable[[bytes], Any]


class DecodingInterceptor(Interceptor):
    """Place it inside the error interceptor: it raises domain errors."""

    def intercept(self, method: str, handler: Handler) -> Handler | None:
        if handler.request_deserializer is None:
            return handler
        inner = single_request_behavior(handler)  # unary-unary or server-streaming
        if inner is None:
            return handler
        return rebuilt(
            handler,
            _decoding(handler.request_deserializer, inner),
            request_deserializer=None,  # the raw bytes reach `_decoding`
        )


def _decoding(deserialize: Deserializer, inner: UnaryBehavior) -> UnaryBehavior:
    name = _message_name(deserialize)

    async def behavior(raw: bytes, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
        try:
            request = deserialize(raw)
        except (DecodeError, ValueError, RecursionError):
            raise InvalidArgument(
                [FieldViolation("request", f"is not a valid {name} message")]
            ) from None
        if isinstance(request, Message):
            refused = [FieldViolation(path, "must not contain NUL") for path in _nul(request)]
            if refused:
                raise InvalidArgument(refused)
        return await inner(request, context)

    return behavior


def _message_name(deserialize: Deserializer) -> str:
    owner = getattr(deserialize, "__self__", None)
    descriptor = getattr(owner, "DESCRIPTOR", None)
    return str(getattr(descriptor, "full_name", "request"))


def _nul(message: Message, prefix: str = "") -> Iterator[str]:
    """The paths of the text fields (at any depth) that hold a NUL character."""
    for field, value in message.ListFields():
        path = f"{prefix}{field.name}"
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            for key, item in value.items():
                if isinstance(key, str) and "\x00" in key:
                    yield f"{path}[{key!r}]"
                yield from _nul_value(field.message_type.fields_by_name["value"], item, path)
        elif field.is_repeated:
            for index, item in enumerate(value):
                yield from _nul_value(field, item, f"{path}[{index}]")
        else:
            yield from _nul_value(field, value, path)


def _nul_value(field: FieldDescriptor, value: Any, path: str) -> Iterator[str]:
    if field.type == FieldDescriptor.TYPE_STRING and "\x00" in value:
        yield path
    elif field.type == FieldDescriptor.TYPE_MESSAGE and isinstance(value, Message):
        yield from _nul(value, f"{path}.")
