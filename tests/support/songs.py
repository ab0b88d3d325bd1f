"""Helpers for song tests: new users, bulk songs, and the errors calls end in."""

import asyncio
import uuid
from collections.abc import Awaitable, Callable

import grpc

from chorus.resource.v1 import song_service_pb2 as pb
from chorus_client import ChorusClient, UserSession, field_violations
from tests.support.accounts import PASSWORD, unique_email
from tests.support.calls import fails_with, rpc_error
from tests.support.paging import every_item

SongCall = Callable[[UserSession, str], Awaitable[object]]

CALLS_BY_ID: dict[str, SongCall] = {
    "get": lambda user, song_id: user.songs.get(song_id),
    "update": lambda user, song_id: user.songs.update(
        pb.Song(id=song_id, name="Hijacked", artist="Someone else", year=1999), ["*"]
    ),
    "delete": lambda user, song_id: user.songs.delete(song_id),
}
"""The calls that name one song by id, each given a user and the id."""
ID_FIELDS = {"get": "id", "update": "song.id", "delete": "id"}
"""Where each of CALLS_BY_ID puts the id, as named in field violations."""


async def new_user(client: ChorusClient, name: str) -> UserSession:
    """A freshly signed-up user with no songs."""
    return await client.sign_up(unique_email(name), PASSWORD)


def missing_id() -> str:
    """A well-formed song id that no song has."""
    return str(uuid.uuid4())


async def add_songs(user: UserSession, count: int, *, concurrently: bool = False) -> list[str]:
    """Create `count` songs named "Song 0", "Song 1"...; their ids, in creation order."""
    if concurrently:
        songs = await asyncio.gather(
            *(user.songs.create(f"Song {n}", "Band") for n in range(count))
        )
        return [song.id for song in songs]
    return [(await user.songs.create(f"Song {n}", "Band")).id for n in range(count)]


async def all_songs(user: UserSession, page_size: int = 0) -> list[pb.Song]:
    """Every song of the user's tenant, page by page (bounded: see `every_item`)."""
    return await every_item(lambda token: user.songs.page(page_size, token))


async def all_ids(user: UserSession, page_size: int = 0) -> list[str]:
    return [song.id for song in await all_songs(user, page_size)]


async def not_found(call: Awaitable[object]) -> str:
    """Assert the call fails with NOT_FOUND; its message."""
    return await fails_with(grpc.StatusCode.NOT_FOUND, call)


async def invalid_fields(call: Awaitable[object]) -> set[str]:
    """Assert the call fails with INVALID_ARGUMENT; the fields its BadRequest names."""
    error = await rpc_error(call)
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, error.details()
    fields = set(field_violations(error))
    for field in fields:
        assert field in (error.details() or ""), "the message names every bad field"
    return fields
