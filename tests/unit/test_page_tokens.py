"""What a page token (chorus_core.keyset) refuses, and how it says so.

Tokens come back from clients, so decoding trusts nothing: every way a token
can be wrong is INVALID_ARGUMENT on `page_token` with one plain sentence.
"""

import base64
import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest

from chorus_core import keyset
from chorus_core.errors import FieldViolation, InvalidArgument

NOT_A_TOKEN = FieldViolation("page_token", "is not a page token from a previous response")
QUERY = "query-a"


def token_of(payload: Any) -> str:
    """A token whose JSON payload is exactly `payload` (what a forger could send)."""
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


def refusal(token: str, kinds: tuple[type, ...]) -> list[FieldViolation]:
    with pytest.raises(InvalidArgument) as refused:
        keyset.decode(token, QUERY, kinds)
    return refused.value.violations


def test_tokens_are_url_safe_without_padding() -> None:
    for values in [("x",), ("xy",), ("xyz",), (datetime.now(UTC), "a")]:
        assert re.fullmatch(r"[A-Za-z0-9_-]+", keyset.encode(values, QUERY)), values


REFUSED: dict[str, tuple[str, tuple[type, ...]]] = {
    "not base64": ("%%%", (str,)),
    "not json": (base64.urlsafe_b64encode(b"{oops").decode(), (str,)),
    "an object, not a list": (token_of({"a": QUERY, "b": "x"}), (str,)),
    "too few values": (token_of([QUERY]), (str,)),
    "too many values": (token_of([QUERY, "x", "y"]), (str,)),
    "a number for text": (token_of([QUERY, 5]), (str,)),
    "text for a number": (token_of([QUERY, "5"]), (int,)),
    "true for a number": (token_of([QUERY, True]), (int,)),
    "a list for text": (token_of([QUERY, ["x"]]), (str,)),
    "NUL in text": (token_of([QUERY, "a\x00b"]), (str,)),
    "a time with fractional seconds": (token_of([QUERY, {"t": [1.5, 0]}]), (datetime,)),
    "a time with text microseconds": (token_of([QUERY, {"t": [1, "0"]}]), (datetime,)),
    "a time that is not a pair": (token_of([QUERY, {"t": 1}]), (datetime,)),
    "a time out of range": (token_of([QUERY, {"t": [10**20, 0]}]), (datetime,)),
}


@pytest.mark.parametrize(("token", "kinds"), REFUSED.values(), ids=REFUSED.keys())
def test_a_malformed_token_is_not_a_page_token(token: str, kinds: tuple[type, ...]) -> None:
    assert refusal(token, kinds) == [NOT_A_TOKEN]


def test_a_token_of_another_query_says_to_start_again() -> None:
    token = keyset.encode(("x",), "query-b")
    assert refusal(token, (str,)) == [
        FieldViolation(
            "page_token",
            "belongs to another filter or order_by: start again from the first page",
        )
    ]


def test_every_kind_of_value_comes_back_as_it_went() -> None:
    stamp = datetime(2026, 11, 30, 9, 15, 0, 42, tzinfo=UTC)
    values = (stamp, 7, 2.5, True, "naïve", None)
    kinds = (datetime, int, float, bool, str, str)
    assert keyset.decode(keyset.encode(values, QUERY), QUERY, kinds) == values
