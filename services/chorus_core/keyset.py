"""Opaque keyset page tokens for any sort order (AIP-158).

A token holds the sort key of the last item of a page and a fingerprint of
the query it belongs to (resource, filter, order), so the next page is a
keyset query, never an OFFSET, and a token reused with another filter or
order is refused. Tokens are opaque but not secret: whatever one says,
queries stay scoped to the caller's tenant. Decoding never trusts the
token: anything unexpected is INVALID_ARGUMENT, never an internal error.
"""

import base64
import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from chorus_core.errors import FieldViolation, InvalidArgument

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
"""Larger page sizes are served as this many (AIP-158 coerces, it does not refuse)."""

KeyValue = str | int | float | bool | datetime | None


def page_size(requested: int) -> int:
    """The page size to serve for a request's page_size (0: the default)."""
    return DEFAULT_PAGE_SIZE if requested <= 0 else min(requested, MAX_PAGE_SIZE)


def query_fingerprint(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


def encode(values: tuple[KeyValue, ...], fingerprint: str) -> str:
    """The token of the page after an item with these sort key values."""
    payload = [fingerprint, *(_encode_value(v) for v in values)]
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(token: str, fingerprint: str, kinds: tuple[type, ...]) -> tuple[KeyValue, ...]:
    """The sort key values in a token; `kinds` are the expected types, in order."""
    payload = _payload(token)
    if not isinstance(payload, list) or len(payload) != len(kinds) + 1:
        raise _bad("is not a page token from a previous response")
    if payload[0] != fingerprint:
        raise _bad("belongs to another filter or order_by: start again from the first page")
    return tuple(_decode_value(raw, kind) for raw, kind in zip(payload[1:], kinds, strict=True))


def _payload(token: str) -> Any:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise _bad("is not a page token from a previous response") from None


def _encode_value(value: KeyValue) -> Any:
    if isinstance(value, datetime):
        delta = value - datetime(1970, 1, 1, tzinfo=UTC)
        return {"t": [delta.days * 86400 + delta.seconds, delta.microseconds]}
    return value


def _decode_value(raw: Any, kind: type) -> KeyValue:
    if raw is None:
        return None
    if kind is datetime:
        try:
            seconds, micros = raw["t"]
            if not (isinstance(seconds, int) and isinstance(micros, int)):
                raise TypeError
            return datetime.fromtimestamp(seconds, UTC).replace(microsecond=micros)
        except (TypeError, KeyError, ValueError, OverflowError, OSError):
            raise _bad("is not a page token from a previous response") from None
    if kind is int and isinstance(raw, bool):
        raise _bad("is not a page token from a previous response")
    if not isinstance(raw, kind) or not isinstance(raw, str | int | float | bool):
        raise _bad("is not a page token from a previous response")
    if isinstance(raw, str) and "\x00" in raw:  # no database stores NUL in text
        raise _bad("is not a page token from a previous response")
    return raw


def _bad(description: str) -> InvalidArgument:
    return InvalidArgument([FieldViolation("page_token", description)])
