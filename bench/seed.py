"""Benchmark data: two tenants with 20 songs each, one with 10,000, and a login user.

Everything goes through the public API (sign-up, CreateSong, ImportSongs),
so seeding does not depend on the database schema. The 10,000 songs come in
one ImportSongs (batches of multi-row inserts: CreateSong calls of one
tenant commit one at a time, each with its change event), then are counted
by paging through them.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from chorus_client import ChorusClient, UserSession

PASSWORD = "bench-password-1"  # noqa: S105 (a throwaway test account)
SMALL = 20
SONGS = "/chorus.resource.v1.SongService"


@dataclass
class Seeded:
    big: UserSession
    """The tenant with the many songs; ListSongs and CreateSong use it."""
    small_a: UserSession
    small_b: UserSession
    small_a_song: str
    """A song of tenant A: GetSong reads it."""
    small_b_song: str
    """A song of tenant B: UpdateSong writes it."""
    login_email: str
    big_count: int


def email(name: str) -> str:
    return f"bench-{name}-{uuid.uuid4().hex[:8]}@example.com"


def bearer(user: UserSession) -> tuple[str, str]:
    return ("authorization", f"Bearer {user.tokens.access_token}")


def seconds_left(user: UserSession) -> float:
    """Seconds until the user's access token expires (read from its `exp`, unverified)."""
    payload = user.tokens.access_token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return float(claims["exp"]) - time.time()


async def fresh_token(user: UserSession, needed_seconds: float) -> None:
    """Refresh the user's tokens unless the access token outlives `needed_seconds`."""
    if seconds_left(user) < needed_seconds:
        await user.tokens.refresh()


async def seed(
    client: ChorusClient,
    *,
    folder: Path,
    big_count: int,
    say: Callable[[str], None],
) -> Seeded:
    big, small_a, small_b = await asyncio.gather(
        *(client.sign_up(email(name), PASSWORD) for name in ("big", "small-a", "small-b"))
    )
    login_email = email("login")
    await client.sign_up(login_email, PASSWORD)
    songs_a, songs_b = await asyncio.gather(
        *(
            asyncio.gather(
                *(user.songs.create(f"Song {n}", "Small band", year=1990 + n) for n in range(SMALL))
            )
            for user in (small_a, small_b)
        )
    )
    say(f"importing {big_count:,} songs into one tenant ...")
    document = folder / "seed.csv"
    document.write_text("name,artist,year\n" + "Seed song,Bench band,2000\n" * big_count)
    await big.songs.import_file(document)
    count = await count_songs(big)
    while count < big_count:  # a failed create in the bulk run: top up
        missing = big_count - count
        await asyncio.gather(
            *(big.songs.create("Seed song", "Bench band", year=2000) for _ in range(missing))
        )
        count = await count_songs(big)
    return Seeded(big, small_a, small_b, songs_a[0].id, songs_b[0].id, login_email, count)


async def count_songs(user: UserSession) -> int:
    count = 0
    token = ""
    while True:
        songs, token = await user.songs.page(100, token)
        count += len(songs)
        if not token:
            return count
