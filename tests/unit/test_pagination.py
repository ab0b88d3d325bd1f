"""Page sizes and page tokens (chorus_core.pagination), without a server."""

import base64
import json
import re
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest

from chorus_core.pagination import PageRequest, page_request, page_token
from tests.support.violations import validated

ITEM_ID = str(uuid.uuid4())
CREATED = datetime(2024, 5, 17, 9, 30, 15, 123456, tzinfo=UTC)


def request(page_size: int = 0, token: str = "") -> tuple[PageRequest, list[str]]:
    return validated(lambda violations: page_request(page_size, token, violations))


def encoded(payload: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()


def test_a_token_leads_to_the_page_after_its_item() -> None:
    page, bad = request(token=page_token(CREATED, ITEM_ID))

    assert page.after == (CREATED, ITEM_ID)
    assert bad == []


def test_tokens_are_url_safe_without_padding() -> None:
    token = page_token(CREATED, ITEM_ID)

    assert re.fullmatch(r"[A-Za-z0-9_-]+", token)


def test_a_token_time_in_another_offset_is_read_as_utc() -> None:
    eastern = CREATED.astimezone(timezone(timedelta(hours=-5)))

    page, bad = request(token=encoded({"t": eastern.isoformat(), "i": ITEM_ID}))

    assert page.after is not None
    assert page.after[0].utcoffset() == timedelta(0)
    assert page.after == (CREATED, ITEM_ID)
    assert bad == []


def test_no_token_is_the_first_page() -> None:
    assert request() == (PageRequest(size=20, after=None), [])


@pytest.mark.parametrize(
    ("page_size", "size"),
    [(0, 20), (1, 1), (20, 20), (99, 99), (100, 100), (101, 100), (1000, 100), (2**31 - 1, 100)],
)
def test_page_sizes_default_and_cap(page_size: int, size: int) -> None:
    page, bad = request(page_size)

    assert page.size == size
    assert bad == []


@pytest.mark.parametrize("page_size", [-1, -100])
def test_negative_page_size_is_invalid(page_size: int) -> None:
    _, bad = request(page_size)

    assert bad == ["page_size"]


MALFORMED_TOKENS = {
    "random text": "not a page token!",
    "bad base64": "abcde",
    "not utf-8": base64.urlsafe_b64encode(b"\xff\xfe\x00").decode(),
    "not json": base64.urlsafe_b64encode(b"hello").decode(),
    "json null": encoded(None),
    "json string": encoded("2024-05-17"),
    "json list": encoded([CREATED.isoformat(), ITEM_ID]),
    "junk object": encoded({"hello": "world"}),
    "no id": encoded({"t": CREATED.isoformat()}),
    "no time": encoded({"i": ITEM_ID}),
    "id a number": encoded({"t": CREATED.isoformat(), "i": 5}),
    "id a list": encoded({"t": CREATED.isoformat(), "i": [ITEM_ID]}),
    "id null": encoded({"t": CREATED.isoformat(), "i": None}),
    "id not a uuid": encoded({"t": CREATED.isoformat(), "i": "song-1"}),
    "id upper case": encoded({"t": CREATED.isoformat(), "i": ITEM_ID.upper()}),
    "time a number": encoded({"t": 1715938215, "i": ITEM_ID}),
    "time not a time": encoded({"t": "yesterday", "i": ITEM_ID}),
    "time without zone": encoded({"t": "2024-05-17T09:30:15", "i": ITEM_ID}),
    "truncated": page_token(CREATED, ITEM_ID)[:-6],
}


@pytest.mark.parametrize("token", MALFORMED_TOKENS.values(), ids=MALFORMED_TOKENS.keys())
def test_malformed_tokens_are_invalid(token: str) -> None:
    page, bad = request(token=token)

    assert bad == ["page_token"]
    assert page.after is None


def test_size_and_token_are_reported_together() -> None:
    _, bad = request(-1, "not a page token!")

    assert bad == ["page_size", "page_token"]
