"""The Watch… stream of any resource (WatchSongs, WatchPlaylists): replay after a cursor, then live.

Events come from the outbox (`chorus_resource.change_log`), read in the
caller's tenant (row-level security applies on PostgreSQL). The stream

1. replays every event of the resource after the request's cursor (from now
   without one), oldest first;
2. sends CHANGE_TYPE_CAUGHT_UP with the cursor reached;
3. then waits to be woken (`chorus_resource.watchers`) and sends what is new,
   until the client leaves, its access token expires (UNAUTHENTICATED: the
   client resumes with a fresh token and its last cursor) or the server
   stops (UNAVAILABLE: the client resumes, through the gateway on another
   replica).
"""

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

from google.protobuf import message_factory

from chorus.resource.v1 import change_type_pb2 as change_pb
from chorus_core.caller import Caller, current_caller
from chorus_core.errors import FieldViolation, InvalidArgument
from chorus_resource.change_cursor import Cursor, parse_cursor
from chorus_resource.change_log import events_after, last_seq, reached
from chorus_resource.resource import Resource
from chorus_resource.tenant_database import TenantDatabase
from chorus_resource.watchers import FETCH_LIMIT, Watchers

BATCH = 500
"""Events read from the outbox at a time."""


class ResourceWatch:
    def __init__(self, resource: Resource, db: TenantDatabase, watchers: Watchers) -> None:
        self._resource = resource.singular
        self._db = db
        self._watchers = watchers
        self._field = resource.field_name
        self._message = message_factory.GetMessageClass(resource.message)
        self._response = message_factory.GetMessageClass(resource.method("Watch").output_type)

    async def stream(self, request: Any, _context: object) -> AsyncIterator[Any]:
        caller = current_caller()
        tenant_id = caller.tenant_id
        cursor = parse_cursor(request.cursor)
        with self._watchers.watching(tenant_id) as wake:
            if cursor is not None:
                await self._check_reached(tenant_id, cursor)
            seq = cursor.seq if cursor is not None else await self._last_seq(tenant_id)
            async for row in self._rows_after(tenant_id, seq, wake):
                seq = row.seq
                yield self._event(row)
            yield self._response(
                type=change_pb.CHANGE_TYPE_CAUGHT_UP, cursor=str(Cursor(seq, int(time.time())))
            )
            while True:
                await self._watchers.wait_for_news(
                    wake,
                    caller.expires_at,
                    "the access token has expired: watch again with a fresh token "
                    "and the last cursor",
                )
                wake.clear()  # a change from here on wakes the stream again
                shared = await self._watchers.recent_after(
                    tenant_id, seq, self._resource, self._fetch
                )
                rows = self._rows_after(tenant_id, seq, wake) if shared is None else _each(shared)
                async for row in rows:
                    seq = row.seq
                    yield self._event(row)

    async def _fetch(self, tenant_id: str, seq: int) -> list[Any]:
        """Every resource's events of the tenant after `seq` (for `Watchers.recent_after`)."""
        as_tenant = Caller(user_id="", tenant_id=tenant_id, role="", token_id="")
        async with self._db.transaction(as_tenant) as connection:
            return await events_after(connection, tenant_id, seq, FETCH_LIMIT)

    async def _rows_after(
        self, tenant_id: str, seq: int, wake: asyncio.Event
    ) -> AsyncIterator[Any]:
        """Every event after `seq` there is now, batch by batch.

        `wake` is cleared first: a change committed from then on wakes the
        stream again, so none is overlooked.
        """
        wake.clear()
        while True:
            async with self._watchers.reads, self._db.read_connection() as connection:
                rows = await events_after(connection, tenant_id, seq, BATCH, self._resource)
            for row in rows:
                yield row
                seq = row.seq
            if len(rows) < BATCH:
                return

    def _event(self, row: Any) -> Any:
        if row.body is None:
            item = self._message(id=row.item_id)
        else:
            item = self._message.FromString(row.body)
        cursor = Cursor(row.seq, int(row.create_time.timestamp()))
        return self._response(type=row.change, **{self._field: item}, cursor=str(cursor))

    async def _check_reached(self, tenant_id: str, cursor: Cursor) -> None:
        """INVALID_ARGUMENT for a cursor beyond the tenant's history (it would wait for
        events that never come)."""
        async with self._watchers.reads, self._db.read_connection() as connection:
            if await reached(connection, tenant_id, self._resource, cursor.seq):
                return
        raise InvalidArgument(
            [
                FieldViolation(
                    "cursor",
                    "is beyond this tenant's history (the database was reset?): reload, "
                    "then watch again without a cursor",
                )
            ]
        )

    async def _last_seq(self, tenant_id: str) -> int:
        async with self._watchers.reads, self._db.read_connection() as connection:
            return await last_seq(connection, tenant_id, self._resource)


async def _each(rows: list[Any]) -> AsyncIterator[Any]:
    for row in rows:
        yield row
