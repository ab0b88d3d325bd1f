"""The notices that tell other replicas which tenants changed (PostgreSQL).

Sent after the write committed, never inside it (a NOTIFY in every write
made writes wait for each other's commits), several tenants a statement,
and never lost for good: a notice the database could not take is logged,
and the next change is told again once it is back.
"""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import URL

from chorus_client import ChorusClient
from chorus_resource.change_log import NOTIFY_CHANNEL
from chorus_resource.change_notices import ChangeNotices
from tests.support.accounts import PASSWORD, unique_email
from tests.support.databases import fresh_database
from tests.support.in_process import running_in_process
from tests.support.service_databases import opened, stored_songs
from tests.support.tcp_proxy import tcp_proxy

WITHIN = 5.0


@asynccontextmanager
async def listening(url: URL) -> AsyncIterator[asyncio.Queue[str]]:
    """The tenant ids NOTIFYed on the channel, as another replica hears them."""
    heard: asyncio.Queue[str] = asyncio.Queue()
    connection = await asyncpg.connect(
        host=url.host, port=url.port, user=url.username, database=url.database
    )
    try:
        await connection.add_listener(NOTIFY_CHANNEL, lambda *args: heard.put_nowait(args[3]))
        yield heard
    finally:
        await connection.close()


async def drained(heard: asyncio.Queue[str], count: int) -> list[str]:
    return [await asyncio.wait_for(heard.get(), WITHIN) for _ in range(count)]


async def test_a_notice_comes_once_the_change_is_visible(tmp_path: Path) -> None:
    """What a replica does on a notice (read the tenant's songs) finds the change."""
    async with (
        running_in_process("postgresql", tmp_path) as suite,
        ChorusClient(suite.auth_target, suite.resource_target) as client,
    ):
        user = await client.sign_up(unique_email("noticed"), PASSWORD)
        async with listening(suite.resource_settings.migration_database_url) as heard:
            for number in range(5):
                created = await user.songs.create(f"Song {number}", "Noticed")
                [tenant] = await drained(heard, 1)
                assert created.id in await stored_songs(suite, tenant)


async def test_tenants_gather_while_a_notice_is_on_its_way(tmp_path: Path) -> None:
    async with (
        fresh_database("postgresql", tmp_path, "notices") as url,
        opened(url) as db,
        listening(url) as heard,
    ):
        notices = ChangeNotices(db)
        tenants = [f"tenant-{n}" for n in range(30)]
        for tenant in tenants:
            notices.committed(tenant)
        notices.committed(tenants[0])  # the same tenant twice before a send: once
        assert sorted(await drained(heard, 30)) == sorted(tenants)
        await notices.settled()
        assert notices.sent == 1
        one_by_one = [f"later-{n}" for n in range(200)]
        for tenant in one_by_one:  # each in a turn of the event loop of its own
            notices.committed(tenant)
            await asyncio.sleep(0)
        assert sorted(await drained(heard, 200)) == sorted(one_by_one)
        await notices.settled()
        assert 1 < notices.sent - 1 < 50  # the first alone, the rest gathered behind it
        assert heard.empty()


async def test_a_notice_the_database_did_not_take_is_logged_and_the_next_goes_out(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with (
        fresh_database("postgresql", tmp_path, "notices_lost") as url,
        tcp_proxy(url.host or "127.0.0.1", url.port or 5432) as proxy,
        opened(url.set(port=proxy.port)) as db,
        listening(url) as heard,
    ):
        notices = ChangeNotices(db)
        notices.committed("before")
        assert await drained(heard, 1) == ["before"]
        await proxy.cut()
        caplog.set_level(logging.WARNING, logger="chorus.watch")
        notices.committed("lost")
        await notices.settled()
        assert "could not tell the other replicas that 1 tenant(s) changed" in caplog.text
        await proxy.restore()
        notices.committed("after")
        assert await drained(heard, 1) == ["after"]
