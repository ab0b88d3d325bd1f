"""Seeded randomized isolation: many users in many tenants, calling at once.

Users with random memberships and roles in a few shared tenants (and each in
a personal one) run random sequences of song calls and tenant switches
concurrently. Every call and its outcome is recorded in a `SongHistory`,
which also knows what a correct service may answer; afterwards:

- no call saw or changed a song outside the tenant its session acted in: a
  foreign song is NOT_FOUND like a missing one, listings hold only the active
  tenant's songs, and every song read is a state some acknowledged write made;
- every write by a viewer was PERMISSION_DENIED, and every switch into a
  tenant the user is not in NOT_FOUND;
- the database holds exactly what the acknowledged writes imply.

The seed is printed; rerun a failure with CHORUS_FUZZ_SEED=<seed>.
"""

import asyncio
import os
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import grpc
import pytest

from chorus.resource.v1 import song_service_pb2 as pb
from chorus_client import ChorusClient, UserSession
from tests.support.calls import status_of
from tests.support.in_process import InProcessSuite
from tests.support.service_databases import stored_songs
from tests.support.song_history import (
    NOT_FOUND,
    OK,
    ON_ONE_SONG,
    Call,
    SongHistory,
    stored_state,
)
from tests.support.songs import all_songs, new_user
from tests.support.tenants import ROLES, join, new_team, unique_tenant_name

SEED = int(os.environ.get("CHORUS_FUZZ_SEED", "20261128"))
USERS = 7
SHARED_TENANTS = 3
STEPS = 45
OPERATIONS = {"switch": 3, "create": 5, "get": 3, "list": 2, "update": 4, "delete": 2}
"""Each operation's weight in the random sequences."""
ARTISTS = ("Cage the Elephant", "The Beatles", "Nina Simone", "Unknown")


@dataclass
class Actor:
    """One user of the run, and which tenant their session acts in."""

    label: str
    session: UserSession
    roles: dict[str, str]
    """Tenant id -> role, the personal tenant included."""
    active: str


@dataclass(frozen=True)
class World:
    actors: list[Actor]
    shared: list[str]
    """The shared tenants."""

    @property
    def tenants(self) -> list[str]:
        """Every tenant: the personal ones, then the shared ones."""
        return [actor.active for actor in self.actors] + self.shared


async def new_world(client: ChorusClient, rng: random.Random) -> World:
    """Users and shared tenants; in each tenant some user is a viewer and some is not in it."""
    sessions = [await new_user(client, f"fuzz{n}") for n in range(USERS)]
    actors = []
    for n, session in enumerate(sessions):
        personal = (await session.who_am_i()).tenant_id
        actors.append(Actor(f"fuzz{n}", session, {personal: "owner"}, personal))
    world = World(actors, shared=[])
    for _ in range(SHARED_TENANTS):
        owner, viewer, _not_a_member, *others = rng.sample(actors, len(actors))
        tenant = await owner.session.tenants.create(unique_tenant_name("Fuzz"))
        owner.roles[tenant.id] = "owner"
        roles = [("viewer", viewer)] + [(rng.choice([*ROLES, None]), o) for o in others]
        for role, member in roles:
            if role is not None:
                await join(owner.session, member.session, tenant.id, role)
                member.roles[tenant.id] = role
        world.shared.append(tenant.id)
    return world


class Run:
    """The random calls of every actor, recorded in one history."""

    def __init__(self, world: World) -> None:
        self.tenants = world.tenants
        self.shared = world.shared
        self.history = SongHistory()

    async def act(self, actor: Actor, rng: random.Random) -> None:
        for step in range(STEPS):
            op = rng.choices(list(OPERATIONS), weights=list(OPERATIONS.values()))[0]
            tenant = self.pick_tenant(actor, rng) if op == "switch" else actor.active
            song = pb.Song(name=f"{actor.label}#{step}", artist=rng.choice(ARTISTS))
            if op in ON_ONE_SONG:
                song.id = self.pick_song(actor, rng)
            if rng.random() < 0.7:
                song.year = rng.randint(1950, 2030)
            started = time.monotonic()
            code, songs = await outcome(actor, op, tenant, song, page_size=rng.randint(1, 6))
            ended = time.monotonic()
            if op == "switch" and code == OK:
                actor.active = tenant
            call = Call(
                user=actor.label,
                op=op,
                tenant=tenant,
                role=actor.roles.get(tenant),
                song_id=songs[0].id if op == "create" and code == OK else song.id,
                started=started,
                ended=ended,
                code=code,
                songs=songs,
                sent=song if op in ("create", "update") else None,
            )
            self.history.record(call, actor.session.user.id)

    def pick_tenant(self, actor: Actor, rng: random.Random) -> str:
        """Mostly a shared tenant of the actor's (where others write too), else any at all."""
        shared = [tenant for tenant in actor.roles if tenant in self.shared]
        return rng.choice(shared if shared and rng.random() < 0.6 else self.tenants)

    def pick_song(self, actor: Actor, rng: random.Random) -> str:
        """Mostly a song made in the active tenant, else in any; sometimes none at all."""
        known = self.history.tenant_of
        here = [song_id for song_id, tenant in known.items() if tenant == actor.active]
        dice = rng.random()
        if here and dice < 0.6:
            return rng.choice(here)
        return rng.choice(list(known)) if known and dice < 0.9 else str(uuid.uuid4())


SongCall = Callable[[UserSession, str, pb.Song, int], Awaitable[object]]
"""A call, given the session, a tenant id, song values (with an id) and a page size."""

CALLS: dict[str, SongCall] = {
    "switch": lambda user, tenant, _, __: user.tenants.switch(tenant),
    "create": lambda user, _, song, __: user.songs.create(
        song.name, song.artist, song.year if song.HasField("year") else None
    ),
    "get": lambda user, _, song, __: user.songs.get(song.id),
    "list": lambda user, _, __, page_size: all_songs(user, page_size),
    "update": lambda user, _, song, __: user.songs.update(song, ["*"]),
    "delete": lambda user, _, song, __: user.songs.delete(song.id),
}


async def outcome(
    actor: Actor, op: str, tenant: str, song: pb.Song, *, page_size: int
) -> tuple[grpc.StatusCode, tuple[pb.Song, ...]]:
    """Make one call; its status code and the song or songs it returned."""
    try:
        result = await CALLS[op](actor.session, tenant, song, page_size)
    except grpc.aio.AioRpcError as error:
        return error.code(), ()
    if isinstance(result, pb.Song):
        return OK, (result,)
    return OK, tuple(result) if isinstance(result, list) else ()


def generator(*seed_parts: object) -> random.Random:
    """A random generator seeded from the parts (not for secrets)."""
    return random.Random("/".join(map(str, seed_parts)))  # noqa: S311


@pytest.fixture
def seed() -> int:
    print(f"fuzz seed {SEED}: rerun with CHORUS_FUZZ_SEED={SEED}")
    return SEED


async def test_concurrent_members_never_cross_a_tenant_boundary(
    suite: InProcessSuite, client: ChorusClient, seed: int
) -> None:
    world = await new_world(client, generator(seed))
    run = Run(world)

    await asyncio.gather(*(run.act(actor, generator(seed, actor.label)) for actor in world.actors))

    history = run.history
    assert history.wrong_answers() == []
    assert history.writes_not_as_sent() == []
    assert history.foreign_or_unwritten_songs() == []
    assert history.deleted_more_than_once() == []
    for tenant in run.tenants:
        stored = await stored_songs(suite, tenant)
        assert set(stored) == history.expected_ids(tenant), f"songs of tenant {tenant}"
        for song_id, row in stored.items():
            assert (row.tenant_id, row.created_by) == (tenant, history.creator_of[song_id])
            assert stored_state(row) in history.possible_final_states(song_id), row
    coverage = history.coverage()
    print(f"fuzz seed {seed}: {len(history.calls)} calls, {dict(coverage)}")
    print(f"{history.overlapping_writes()} pairs of writes of one song overlapped")
    assert all(coverage.values()), f"the run missed a case: {coverage}"


async def test_concurrent_writers_of_one_song_queue_up(
    suite: InProcessSuite, client: ChorusClient
) -> None:
    """Members updating and deleting one song at once: each write sees the one before."""
    team = await new_team(client, {"admin": "admin", "editor": "editor"})
    writers = list(team.members.values())
    for _ in range(8):
        song = await team["owner"].songs.create("Shared", "Band")
        updates = [
            writer.songs.update(pb.Song(id=song.id, name=f"By {n}"), ["name"])
            for n, writer in enumerate(writers)
        ]
        deletes = [writer.songs.delete(song.id) for writer in writers]

        codes = await asyncio.gather(*(status_of(call) for call in [*updates, *deletes]))

        assert set(codes) <= {OK, NOT_FOUND}, codes
        assert codes[len(updates) :].count(OK) == 1, f"exactly one delete succeeds: {codes}"
    assert await stored_songs(suite, team.id) == {}
