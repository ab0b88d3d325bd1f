"""Reading a whole listing page by page, with a bound: a paging bug (a token
that never ends, or repeats) fails the test at once instead of hanging it."""

from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

T = TypeVar("T")

MAX_PAGES = 200
"""More pages than any test makes: reaching it means the listing does not end."""

PageCall = Callable[[str], Awaitable[tuple[Sequence[T], str]]]
"""Fetch the page at a token ("" for the first): its items and the next token."""


async def every_item(page: PageCall[T], max_pages: int = MAX_PAGES) -> list[T]:
    """Every item of a listing, following next-page tokens to the end."""
    items: list[T] = []
    token, seen = "", set()
    for _ in range(max_pages):
        batch, token = await page(token)
        items.extend(batch)
        if not token:
            return items
        if token in seen:
            raise AssertionError(f"page token {token!r} came back: the listing would never end")
        seen.add(token)
    raise AssertionError(f"still more pages after {max_pages}: the listing would never end")
