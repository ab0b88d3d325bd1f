"""A watcher that drops and resumes with its cursor misses nothing and sees nothing twice.

Writers change songs concurrently (random creates, updates, deletes) while
one watcher reads without pause and another reads a random number of events,
drops the stream and resumes from the last cursor it saw, again and again.
Both must see exactly the same events in the same order, and replaying them
must give the songs the tenant really has. Seeded and bounded, on SQLite and
PostgreSQL.
"""

import asyncio
import random
from typing import Any

from chorus.resource.v1 import change_type_pb2 as change_pb
from chorus.resource.v1 import song_service_pb2 as song_pb
from chorus_client import UserSession
from tests.support.songs import all_songs
from tests.support.watching import watching

WRITERS = 3
CHANGES_PER_WRITER = 30
SEED = 20261130


async def writer(user: UserSession, rng: random.Random, number: int) -> int:
    """Random changes to the writer's own songs; how many it made."""
    mine: list[str] = []
    changes = 0
    for step in range(CHANGES_PER_WRITER):
        choice = rng.random()
        if not mine or choice < 0.5:
            song = await user.songs.create(f"W{number} song {step}", f"Writer {number}")
            mine.append(song.id)
        elif choice < 0.8:
            year = rng.randint(1000, 2100)
            await user.songs.update(song_pb.Song(id=rng.choice(mine), year=year), ["year"])
        else:
            victim = mine.pop(rng.randrange(len(mine)))
            await user.songs.delete(victim)
        changes += 1
        await asyncio.sleep(rng.random() * 0.01)
    return changes


def seq(event: Any) -> int:
    return int(event.cursor.split(".")[0])


async def resuming_reader(
    user: UserSession, rng: random.Random, cursor: str, total: int
) -> list[Any]:
    """Read `total` change events, dropping the stream after a random few each time."""
    seen: list[Any] = []
    while len(seen) < total:
        async with watching(user.songs, cursor) as feed:
            for _ in range(min(rng.randint(1, 7), total - len(seen))):
                [event] = await feed.take(1)
                seen.append(event)
                cursor = event.cursor
    return seen


async def test_resuming_with_the_cursor_misses_and_repeats_nothing(jane: UserSession) -> None:
    rng = random.Random(SEED)  # noqa: S311
    total = WRITERS * CHANGES_PER_WRITER
    before = {song.id: song for song in await all_songs(jane)}
    async with watching(jane.songs) as steady:
        start = await steady.caught_up()
        reading = asyncio.create_task(
            resuming_reader(jane, random.Random(rng.random()), start, total)  # noqa: S311
        )
        made = await asyncio.gather(
            *(writer(jane, random.Random(rng.random()), n) for n in range(WRITERS))  # noqa: S311
        )
        everything = await steady.take(total)
        resumed = await reading

    assert sum(made) == total
    seqs = [seq(e) for e in everything]
    assert seqs == sorted(seqs)
    assert len(set(seqs)) == total
    assert [e.SerializeToString(deterministic=True) for e in resumed] == [
        e.SerializeToString(deterministic=True) for e in everything
    ]
    # Replaying the events over the songs there were gives the songs there are.
    songs = dict(before)
    for event in everything:
        if event.type == change_pb.CHANGE_TYPE_DELETED:
            del songs[event.song.id]
        else:
            songs[event.song.id] = event.song
    assert songs == {song.id: song for song in await all_songs(jane)}
