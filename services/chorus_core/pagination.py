"""AIP-158 pagination: page sizes and opaque keyset page tokens.

A page token holds the sort key of the last item of the previous page
(create time and id), so the next page is a keyset query, not an OFFSET. The
token is opaque to clients but not secret: whatever it says, queries stay
scoped to the caller's tenant. Tokens that don't decode are INVALID_ARGUMENT.
"""

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeAlias

from sqlalchemy import Row, Select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_core.errors import Violations

AnySelect: TypeAlias = "Select[*tuple[Any, ...]]"
AnyRow: TypeAlias = "Row[*tuple[Any, ...]]"

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_TOKEN_LENGTH = 512
"""Longer than any token this module makes (about 100 characters): refused unread."""


@dataclass(frozen=True)
class PageRequest:
    size: int
    after: tuple[datetime, str] | None
    """(create_time, id) of the last item already seen; None for the first page."""


def page_request(page_size: int, page_token: str, violations: Violations) -> PageRequest:
    """Validate page_size and page_token, recording any problem in `violations`."""
    size = DEFAULT_PAGE_SIZE if page_size == 0 else min(page_size, MAX_PAGE_SIZE)
    if page_size < 0:
        violations.add("page_size", "must not be negative")
    after = None
    if page_token:
        after = _decode(page_token)
        if after is None:
            violations.add("page_token", "is not a page token from a previous response")
    return PageRequest(size=size, after=after)


def page_token(create_time: datetime, item_id: str) -> str:
    """The token of the page after an item."""
    payload = json.dumps({"t": create_time.isoformat(), "i": item_id}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


async def keyset_page(
    session: AsyncSession, query: AnySelect, create_time: Any, item_id: Any, page: PageRequest
) -> tuple[list[AnyRow], str]:
    """One page of `query` in (create_time, item_id) order, and the next page's token.

    The two sort columns are added as the last two columns of every row.
    """
    query = query.add_columns(create_time, item_id)
    if page.after is not None:
        query = query.where(tuple_(create_time, item_id) > tuple_(*page.after))
    query = query.order_by(create_time, item_id).limit(page.size + 1)
    rows = list((await session.execute(query)).all())
    if len(rows) <= page.size:
        return rows, ""
    last = rows[page.size - 1]
    return rows[: page.size], page_token(last[-2], last[-1])


def _decode(token: str) -> tuple[datetime, str] | None:
    """The position a token names, or None for anything this module did not make.

    Read defensively: the token comes from the client, so any text may arrive
    (deeply nested JSON, times that overflow when moved to UTC, ...).
    """
    if len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        payload = json.loads(raw)
        if not isinstance(payload, dict):
            return None
        stamp, raw_id = payload["t"], payload["i"]
        if not isinstance(stamp, str) or not isinstance(raw_id, str):
            return None  # e.g. uuid.UUID(5) raises AttributeError, not ValueError
        create_time = datetime.fromisoformat(stamp)
        item_id = str(uuid.UUID(raw_id))
        if create_time.tzinfo is None or item_id != raw_id:
            return None
        # In UTC: SQLite compares the naive text of the time, dropping any offset.
        return create_time.astimezone(UTC), item_id
    except (
        binascii.Error,
        ValueError,
        TypeError,
        KeyError,
        OverflowError,
        RecursionError,
    ):
        return None
