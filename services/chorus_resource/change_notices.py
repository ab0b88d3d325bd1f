"""Telling the other replicas which tenants changed, once the changes committed (PostgreSQL).

Watch streams on other replicas (`chorus_resource.watchers`) LISTEN on
`NOTIFY_CHANNEL` and look at a tenant's events when its id arrives. The
NOTIFY is sent *after* the writing transaction committed, in a statement of
its own, not inside the write: PostgreSQL serializes the commits of every
transaction that sent a NOTIFY in a database, each holding one lock across
its commit's WAL flush, so a NOTIFY in every write made every write wait for
the commits of all the others (writers of different tenants and rows
included). Here a write only adds its tenant to a set, and one task per
process sends the set as one statement (`pg_notify` for each tenant) at
once; the tenants of the writes that commit while it is on its way gather
for the next one. That statement commits without waiting for its WAL flush
(`synchronous_commit` off for it alone: a notice is worth nothing after a
crash anyway), so it holds PostgreSQL's notify lock for next to no time, and
a write's commit never waits behind anyone's. Measured in `bench/README.md`
("The hot path").

A notice can be lost: the database goes away in between, or the process
dies after a commit and before its notice. The streams of other replicas
then see the change at their next look, which comes at the latest every
`Watchers.poll_seconds`, and all of them look again when they listen anew.
"""

import asyncio
import logging

from sqlalchemy import text

from chorus_core.database import Database
from chorus_resource.change_log import NOTIFY_CHANNEL
from chorus_resource.statements import Statement

_log = logging.getLogger("chorus.watch")


class ChangeNotices:
    """The notices of one service process (see the module's docstring)."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._pending: set[str] = set()
        self._sending: asyncio.Task[None] | None = None
        self._notify = Statement(
            text(
                "SELECT pg_notify(CAST(:channel AS text), tenant_id) "
                "FROM set_config('synchronous_commit', 'off', true) AS unflushed, "
                "unnest(CAST(:tenants AS text[])) AS tenant_id"
            ),
            db.engine.dialect,
        )
        self.sent = 0
        """Statements sent (each names every tenant that changed since the one before)."""

    def committed(self, tenant_id: str) -> None:
        """A change of the tenant committed: tell the other replicas (soon, without waiting)."""
        self._pending.add(tenant_id)
        if self._sending is None:
            self._sending = asyncio.get_running_loop().create_task(self._send())

    async def settled(self) -> None:
        """Once every notice asked for so far went out (or was given up: logged)."""
        while self._sending is not None:
            await asyncio.shield(self._sending)

    async def _send(self) -> None:
        try:
            while self._pending:
                tenants, self._pending = sorted(self._pending), set()
                try:
                    async with self._db.statement_connection() as connection:
                        await self._notify.rows(
                            connection, {"channel": NOTIFY_CHANNEL, "tenants": tenants}
                        )
                    self.sent += 1
                except Exception as error:
                    _log.warning(
                        "could not tell the other replicas that %d tenant(s) changed (%s): "
                        "their watch streams see it at their next look",
                        len(tenants),
                        type(error).__name__,
                    )
        finally:
            self._sending = None
