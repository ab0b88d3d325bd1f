"""A tenant's old change events are removed by its writes: past KEPT only, its own only, at most
every PRUNE_EVERY_SECONDS per process; on SQLite and PostgreSQL, by a create and by an update.

Old events are written behind the service's back (as the tables' owner), dated
as if they had been recorded a day and more ago.
"""

import uuid
from datetime import timedelta

from sqlalchemy import text

from chorus.resource.v1 import change_type_pb2 as change_pb
from chorus.resource.v1 import song_service_pb2 as song_pb
from chorus_client import ChorusClient, UserSession
from chorus_core.sqltypes import utcnow
from chorus_resource import change_log
from tests.support.accounts import PASSWORD, unique_email
from tests.support.in_process import InProcessSuite
from tests.support.service_databases import opened

JUST_PAST = change_log.KEPT + timedelta(minutes=5)
JUST_WITHIN = change_log.KEPT - timedelta(minutes=5)


async def add_event(suite: InProcessSuite, tenant_id: str, age: timedelta) -> str:
    """An event of `tenant_id`, `age` old; its item id names it."""
    item_id = str(uuid.uuid4())
    async with (
        opened(suite.resource_settings.migration_database_url) as owner,
        owner.write() as session,
    ):
        await session.execute(
            text(
                "INSERT INTO resource_events (tenant_id, resource, change, item_id, body, "
                "create_time) VALUES (:tenant, 'Song', 3, :item, NULL, :time)"
            ),
            {"tenant": tenant_id, "item": item_id, "time": utcnow() - age},
        )
    return item_id


async def stored(suite: InProcessSuite, item_ids: list[str]) -> set[str]:
    """Which of the events named by `item_ids` are still there."""
    async with (
        opened(suite.resource_settings.migration_database_url) as owner,
        owner.read() as session,
    ):
        rows = await session.execute(text("SELECT item_id FROM resource_events"))
        return {row.item_id for row in rows} & set(item_ids)


async def changes_of(suite: InProcessSuite, item_id: str) -> list[int]:
    """The change types recorded for one item, oldest first."""
    async with (
        opened(suite.resource_settings.migration_database_url) as owner,
        owner.read() as session,
    ):
        rows = await session.execute(
            text("SELECT change FROM resource_events WHERE item_id = :item ORDER BY seq"),
            {"item": item_id},
        )
        return [row.change for row in rows]


async def new_tenant(client: ChorusClient) -> tuple[UserSession, str]:
    user = await client.sign_up(unique_email("pruned"), PASSWORD)
    return user, (await user.who_am_i()).tenant_id


async def test_a_write_removes_its_tenants_events_past_the_history_kept(
    suite: InProcessSuite, client: ChorusClient
) -> None:
    user, tenant_id = await new_tenant(client)
    _other, other_tenant = await new_tenant(client)
    old = await add_event(suite, tenant_id, JUST_PAST)
    recent = await add_event(suite, tenant_id, JUST_WITHIN)
    others_old = await add_event(suite, other_tenant, JUST_PAST)

    await user.songs.create("First of the day", "Pruner")  # the tenant's first write here

    assert await stored(suite, [old, recent, others_old]) == {recent, others_old}


async def test_pruning_runs_at_most_every_interval_per_tenant(
    suite: InProcessSuite, client: ChorusClient
) -> None:
    user, tenant_id = await new_tenant(client)
    await user.songs.create("Prunes", "Pruner")
    old = await add_event(suite, tenant_id, JUST_PAST)
    await user.songs.create("Within the interval", "Pruner")
    assert await stored(suite, [old]) == {old}, "pruned again within PRUNE_EVERY_SECONDS"


async def test_an_update_prunes_too(suite: InProcessSuite, client: ChorusClient) -> None:
    """On PostgreSQL an update otherwise runs as one statement on the driver's connection;
    when its tenant is due, it prunes first (and still records its event)."""
    user, tenant_id = await new_tenant(client)
    song = await user.songs.create("To change", "Pruner")
    old = await add_event(suite, tenant_id, JUST_PAST)
    del change_log._last_pruned[tenant_id]  # as if PRUNE_EVERY_SECONDS had passed
    assert change_log.prune_due(tenant_id)

    changed = await user.songs.update(song_pb.Song(id=song.id, year=1999), ["year"])

    assert changed.year == 1999
    assert await stored(suite, [old]) == set()
    assert await changes_of(suite, song.id) == [
        change_pb.CHANGE_TYPE_CREATED,
        change_pb.CHANGE_TYPE_UPDATED,
    ]
    assert not change_log.prune_due(tenant_id)
