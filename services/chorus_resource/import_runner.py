"""Runs imports in the background of a resource server, and takes up those of dead servers.

An import works batch by batch: each batch's rows, its progress and a
heartbeat of its lease commit in one transaction (the tenant declared, so
row-level security applies), and each row's idempotency key is derived from
the operation and the row's place (`import:<operation id>:<n>`: its CSV
line, a JSON item's position), so a row is never stored twice, whoever runs
the batch again. The position to go on
from is read, under a row lock, from the operation itself at each batch.

Every server renews the leases of the imports it runs every
`HEARTBEAT_SECONDS`, and takes up any lease not renewed for `STALE_SECONDS`
(its server died, was killed, or lost the database): the work goes on where
the last committed batch ended; a server whose lease was taken stops at its
next batch (which rolls back). Cancelling sets a flag any server sees at
its next batch. The caller going away changes nothing: the work belongs to
the server, not to the call.

Never stuck running: after a database outage a server simply tries again
(an outage is nobody's fault), but an import gets `MAX_ATTEMPTS` starts in
all, counted in its lease: the first, each one after an unexpected error,
each takeover after its server died. Then it is marked failed, saying why
and how far it got (the rows of committed batches stay).
"""

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable, Mapping
from datetime import timedelta

from chorus.resource.v1 import operation_service_pb2 as operation_pb
from chorus_core.caller import Caller
from chorus_core.database import Database
from chorus_core.database_outage import is_outage
from chorus_core.errors import DatabaseUnavailable, NotFound
from chorus_core.sqltypes import utcnow
from chorus_resource import operations
from chorus_resource.bulk_create import create_all
from chorus_resource.import_document import read_rows
from chorus_resource.messages import MessageCodec
from chorus_resource.resource import Resource
from chorus_resource.tenant_database import TenantDatabase

_log = logging.getLogger("chorus.imports")

BATCH_ROWS = 200
SQLITE_PAUSE_SECONDS = 0.12
"""Between batches on SQLite, longer than the longest wait of SQLite's busy handler (100 ms),
so other writers (calls, cancels, heartbeats) get their turn at the one write lock."""
HEARTBEAT_SECONDS = 3.0
STALE_SECONDS = 15.0
MAX_ATTEMPTS = 3
"""Starts an import gets (the first, after an unexpected error, after its server died)
before it is marked failed."""
RETRY_SECONDS = 1.0
"""Wait before working again on an import after an unexpected error or a database outage."""


class LeaseLost(Exception):
    """Another server took the import up (this one was thought dead): this one stops."""


class Imports:
    def __init__(
        self,
        db: Database,
        tenants: TenantDatabase,
        resources: Mapping[str, Resource],
        committed: Callable[[str], None],
    ) -> None:
        self.owner = str(uuid.uuid4())
        """This server process, as lease owner."""
        self._db = db
        self._tenants = tenants
        self._codecs = {name: MessageCodec(resource) for name, resource in resources.items()}
        self._committed = committed
        self._running: dict[str, asyncio.Task[None]] = {}
        self._pause = SQLITE_PAUSE_SECONDS if db.engine.dialect.name == "sqlite" else 0.0

    def run(self, tenant_id: str, operation_id: str) -> None:
        """Work on the operation in the background (its lease is this server's)."""
        if operation_id in self._running:
            return
        task = asyncio.get_running_loop().create_task(self._run(tenant_id, operation_id))
        self._running[operation_id] = task
        task.add_done_callback(lambda _task: self._running.pop(operation_id, None))

    async def keep_running(self) -> None:
        """Renew this server's leases and take up stale ones, until cancelled."""
        try:
            while True:
                try:
                    await self._renew_and_take_up()
                except Exception as error:  # the database is away: try again next time
                    _log.warning("import leases not renewed: %s", type(error).__name__)
                await asyncio.sleep(HEARTBEAT_SECONDS)
        finally:
            for task in list(self._running.values()):
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.gather(*self._running.values(), return_exceptions=True)

    async def _renew_and_take_up(self) -> None:
        async with self._db.write_connection() as connection:
            await operations.heartbeat(connection, self.owner, list(self._running))
            stale = await operations.stale_leases(
                connection, utcnow() - timedelta(seconds=STALE_SECONDS)
            )
            taken = [
                lease for lease in stale if await operations.claim(connection, lease, self.owner)
            ]
        spent = [lease for lease in taken if lease.attempts >= MAX_ATTEMPTS]
        for lease in taken:
            if lease not in spent:
                _log.info("taking up operation %s", lease.operation_id)
                self.run(lease.tenant, lease.operation_id)
        for lease in spent:  # (after the others started: a failure here stops none of them)
            await self._give_up(
                lease.tenant,
                lease.operation_id,
                f"the servers running it stopped {MAX_ATTEMPTS} times",
            )

    async def _run(self, tenant_id: str, operation_id: str) -> None:
        """Work on the import until it is done, trying again after an unexpected error
        (at most MAX_ATTEMPTS starts in all) and after database outages (as often as needed)."""
        while True:
            try:
                await self._work(tenant_id, operation_id)
                return
            except asyncio.CancelledError:
                raise
            except LeaseLost:
                _log.warning("import %s: another server took it up", operation_id)
                return
            except NotFound:
                _log.info("import %s: gone (its tenant was purged)", operation_id)
                return
            except Exception as error:
                if not await self._may_try_again(tenant_id, operation_id, error):
                    return
            await asyncio.sleep(RETRY_SECONDS)

    async def _may_try_again(self, tenant_id: str, operation_id: str, error: Exception) -> bool:
        """After `error` stopped the work: whether to start again (the attempt counted), or
        not (the lease is another server's, or the attempts are spent: marked failed)."""
        if isinstance(error, DatabaseUnavailable) or is_outage(error):
            _log.warning("import %s waits for the database: %s", operation_id, type(error).__name__)
            return True
        _log.error("import %s stopped on an unexpected error", operation_id, exc_info=error)
        try:
            system = Caller(user_id="", tenant_id=tenant_id, role="", token_id="")
            async with self._tenants.transaction(system, write=True) as connection:
                attempts = await operations.count_attempt(connection, self.owner, operation_id)
        except Exception as counting:
            # The database went away too: left to its lease (this or another server goes on).
            _log.warning("import %s: attempt not counted: %s", operation_id, counting)
            return False
        if attempts is None:
            return False
        if attempts > MAX_ATTEMPTS:
            await self._give_up(
                tenant_id,
                operation_id,
                f"it stopped on an unexpected error ({type(error).__name__}) {MAX_ATTEMPTS} times",
            )
            return False
        return True

    async def _give_up(self, tenant_id: str, operation_id: str, why: str) -> None:
        """Mark the operation failed: why, and what was done (those rows stay)."""
        system = Caller(user_id="", tenant_id=tenant_id, role="", token_id="")
        async with self._tenants.transaction(system, write=True) as connection:
            current = await operations.get(connection, tenant_id, operation_id, lock=True)
            if current.state != operation_pb.OPERATION_STATE_RUNNING:
                return
            error = (
                f"gave up: {why}. {current.rows_done} of {current.rows_total} rows were handled "
                f"({current.rows_imported} imported, {current.rows_rejected} rejected) "
                "and stay; import the rest again"
            )
            await operations.finish(
                connection, tenant_id, operation_id, operation_pb.OPERATION_STATE_FAILED, error
            )
        self._committed(tenant_id)

    async def _work(self, tenant_id: str, operation_id: str) -> None:
        system = Caller(user_id="", tenant_id=tenant_id, role="", token_id="")
        async with self._tenants.transaction(system) as connection:
            first = await operations.get(connection, tenant_id, operation_id)
            document = await operations.document_of(connection, tenant_id, operation_id)
        if first.state != operation_pb.OPERATION_STATE_RUNNING:
            return
        codec = self._codecs.get(first.resource)
        if codec is None or document is None:
            await self._finish(
                system,
                operation_id,
                operation_pb.OPERATION_STATE_FAILED,
                "this server cannot run it: its resource or document is missing",
            )
            return
        try:
            rows = await asyncio.to_thread(
                read_rows, codec.resource, document, first.document_format
            )  # seconds of CPU for a large document: not on the event loop
        except Exception as error:
            await self._finish(
                system, operation_id, operation_pb.OPERATION_STATE_FAILED, str(error)
            )
            return
        caller = Caller(
            user_id=first.created_by, tenant_id=tenant_id, role=first.creator_role, token_id=""
        )
        while True:
            async with self._tenants.transaction(caller, write=True) as connection:
                current = await operations.get(connection, tenant_id, operation_id, lock=True)
                if current.state != operation_pb.OPERATION_STATE_RUNNING:
                    return
                if current.cancel_requested:
                    await operations.finish(
                        connection, tenant_id, operation_id, operation_pb.OPERATION_STATE_CANCELLED
                    )
                    break
                if current.rows_done >= len(rows):
                    await operations.finish(
                        connection, tenant_id, operation_id, operation_pb.OPERATION_STATE_SUCCEEDED
                    )
                    break
                batch = rows[current.rows_done : current.rows_done + BATCH_ROWS]
                keyed = [(f"import:{operation_id}:{r.line}", r.item) for r in batch if r.item]
                await create_all(connection, codec, caller, keyed)
                await operations.record_batch(
                    connection,
                    current,
                    rows_done=current.rows_done + len(batch),
                    imported=len(keyed),
                    rejected=[row.error for row in batch if row.item is None],
                )
                if not await operations.heartbeat(connection, self.owner, [operation_id]):
                    raise LeaseLost  # the batch rolls back: the new owner does it
            self._committed(tenant_id)
            await asyncio.sleep(self._pause)
        self._committed(tenant_id)

    async def _finish(self, caller: Caller, operation_id: str, state: int, error: str) -> None:
        async with self._tenants.transaction(caller, write=True) as connection:
            await operations.finish(connection, caller.tenant_id, operation_id, state, error)
        self._committed(caller.tenant_id)
