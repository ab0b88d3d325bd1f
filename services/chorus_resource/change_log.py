"""The outbox: every change to a tenant's resources, written in the changing transaction.

`ResourceStore` records each create, update and delete here in the same
transaction as the change itself, so nothing is announced that did not
commit and nothing that committed goes unannounced. Watch streams
(`chorus_resource.watch`) read the history back after a cursor.

Order: `seq` grows with every event. On PostgreSQL two transactions may take
sequence values in one order and commit in the other, which would let a
reader pass over an event that commits late. So the tenant's event lock (an
advisory lock, held to the end of a transaction) orders them: every writer
takes it *shared* just before it records, so writers never wait for each
other; a reader takes it *exclusive* before it reads, which waits until every
writer that may hold a sequence value has committed or rolled back (and holds
new writers back for the few milliseconds of the read). A reader therefore
sees every event up to the newest `seq` it reads, and any event committed
later has a larger `seq`. SQLite runs one write transaction at a time anyway.
On PostgreSQL the transaction also sends `NOTIFY chorus_resource_changes,
'<tenant id>'`, which PostgreSQL delivers only if it commits, to every
replica (`chorus_resource.watchers`).

History is kept for `HISTORY` (24 hours, as the contracts say); older events
are removed a tenant at a time by the writes of that tenant.
"""

import time
from datetime import timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
    Identity,
    Index,
    Integer,
    LargeBinary,
    Select,
    SmallInteger,
    String,
    Table,
    bindparam,
    delete,
    func,
    insert,
    literal,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.dml import Insert

from chorus.resource.v1 import change_type_pb2 as change_pb
from chorus_core.sqltypes import UTCDateTime, utcnow
from chorus_resource.models import Base
from chorus_resource.resource import Resource
from chorus_resource.tenant_scope import TENANT, TenantScope

HISTORY = timedelta(hours=24)
"""How far back a cursor may point (the contracts promise 24 hours)."""
KEPT = HISTORY + timedelta(hours=1)
"""How long events stay: a little longer than promised, so a cursor at the limit still works."""
PRUNE_EVERY_SECONDS = 600.0
"""A tenant's old events are removed at most this often per process."""
NOTIFY_CHANNEL = "chorus_resource_changes"

events = Table(
    "resource_events",
    Base.metadata,
    Column("seq", BigInteger().with_variant(Integer(), "sqlite"), Identity(), primary_key=True),
    Column("tenant_id", String(36), nullable=False),
    Column("resource", String, nullable=False),  # the message name: Song, Playlist…
    Column("change", SmallInteger, nullable=False),  # a chorus.resource.v1.ChangeType
    Column("item_id", String(36), nullable=False),
    Column("body", LargeBinary, nullable=True),  # the message after the change; none for deletes
    Column("create_time", UTCDateTime(), nullable=False),
    Index("ix_resource_events_tenant_seq", "tenant_id", "resource", "seq"),
    Index("ix_resource_events_tenant_time", "tenant_id", "create_time"),
    sqlite_autoincrement=True,  # never reuse a seq, even after every event was removed
)

_last_pruned: dict[str, float] = {}


class ChangeLog:
    """Records the changes of one resource in one tenant, inside the caller's transaction."""

    def __init__(self, connection: AsyncConnection, resource: Resource, tenant_id: str) -> None:
        self._connection = connection
        self._resource = resource.singular
        self._tenant_id = tenant_id
        self._postgresql = connection.dialect.name == "postgresql"

    async def created(self, item: Any) -> Any:
        """Record `item` as created; returns it."""
        await self.created_all([item])
        return item

    async def created_all(self, items: list[Any]) -> None:
        """Record many items as created, in one statement (imports)."""
        await self._record(
            [(change_pb.CHANGE_TYPE_CREATED, item.id, item.SerializeToString()) for item in items]
        )

    async def updated(self, item: Any) -> Any:
        """Record `item` (as it is after the change) as updated; returns it."""
        await self._record([(change_pb.CHANGE_TYPE_UPDATED, item.id, item.SerializeToString())])
        return item

    async def deleted(self, item_id: str) -> None:
        await self._record([(change_pb.CHANGE_TYPE_DELETED, item_id, None)])

    async def _record(self, changes: list[tuple[int, str, bytes | None]]) -> None:
        if not changes:
            return
        connection, tenant_id = self._connection, self._tenant_id
        now = utcnow()
        rows = [
            {
                "tenant_id": tenant_id,
                "resource": self._resource,
                "change": change,
                "item_id": item_id,
                "body": body,
                "create_time": now,
            }
            for change, item_id, body in changes
        ]
        if self._postgresql:
            # One round trip (asyncpg pipelines the rows): the lock and the NOTIFY are
            # function scans each row is made from, so both come before its seq.
            key = lock_key(tenant_id)
            await connection.execute(
                _LOCKED_INSERT, [{**row, "key": key, "channel": NOTIFY_CHANNEL} for row in rows]
            )
        else:
            await connection.execute(insert(events), rows)
        await self.prune_if_due(now)

    async def prune_if_due(self, now: Any) -> None:
        """Remove the tenant's events older than KEPT, at most every PRUNE_EVERY_SECONDS (every
        recording does; a write that recorded its event itself calls it)."""
        await _prune(self._connection, self._tenant_id, now)


_LOCKED_INSERT = text(
    "INSERT INTO resource_events (tenant_id, resource, change, item_id, body, create_time) "
    "SELECT CAST(:tenant_id AS varchar), CAST(:resource AS varchar), CAST(:change AS smallint), "
    "CAST(:item_id AS varchar), CAST(:body AS bytea), CAST(:create_time AS timestamptz) "
    "FROM pg_advisory_xact_lock_shared(hashtextextended(:key, 0)) AS locked, "
    "pg_notify(:channel, :tenant_id) AS notified"
)
"""PostgreSQL: take the tenant's event lock shared (held until the transaction ends), NOTIFY
(sent on commit), and record the event, in this order."""

_READ_LOCK = text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))")


def lock_key(tenant_id: str) -> str:
    """The name of the tenant's event lock (`event_key` of `recorded`)."""
    return f"chorus-resource-events:{tenant_id}"


async def _settled(connection: AsyncConnection, tenant_id: str) -> None:
    """PostgreSQL: wait until no transaction is between taking a seq and its end.

    Takes the tenant's event lock exclusive for the rest of the reader's
    transaction; the reads after it (each statement its own snapshot in
    READ COMMITTED) see every event with a seq taken before.
    """
    if connection.dialect.name == "postgresql":
        await connection.execute(_READ_LOCK, {"key": lock_key(tenant_id)})


def newest_seq(scope: TenantScope, resource: Resource) -> ColumnElement[Any]:
    """The seq of the tenant's newest event of `resource` (0 if it has none), in a statement
    of `scope`.

    Unlike `last_seq` it does not wait for writers: some seqs before it may still be
    uncommitted on PostgreSQL (see `totals` for what a reader may then rely on).
    """
    newest = _newest(scope.tenant, literal(resource.singular))
    return func.coalesce(scope.correlated(newest).scalar_subquery(), 0)


def _newest(tenant: ColumnElement[Any], resource: ColumnElement[Any]) -> Select[Any]:
    """The seq of the tenant's newest event of a resource: the last entry of the (tenant,
    resource, seq) index for them.

    The tenant and the resource are given as ranges of one value, not as equalities:
    PostgreSQL treats columns held equal to a value as already ordered, and would then
    walk the seq index back from the newest event of *any* tenant, through every event
    other tenants wrote since this one's last (thousands after a busy tenant's burst).
    """
    return (
        select(events.c.seq)
        .where(
            events.c.tenant_id.between(tenant, tenant),
            events.c.resource.between(resource, resource),
        )
        .order_by(events.c.tenant_id.desc(), events.c.resource.desc(), events.c.seq.desc())
        .limit(1)
    )


def try_settled() -> Select[Any]:
    """PostgreSQL: take the tenant's event lock exclusive if no writer holds it (true), else
    nothing (false); held to the end of the transaction. Bind parameter `event_key`.

    Once taken, no writer is between taking a seq and its end, and none can take one
    until the transaction ends (`_settled` without the wait).
    """
    key = func.hashtextextended(bindparam("event_key", type_=String), 0)
    return select(func.pg_try_advisory_xact_lock(key))


def recorded(changed: Any, resource: Resource, change: int, body: Any) -> Insert:
    """PostgreSQL: events of type `change` of the rows of `changed` (a CTE with their `id`),
    in the statement that changes them (`ResourceStore.create` and `update` without a
    transaction); `body` is each event's message (an expression of the statement).

    As `_LOCKED_INSERT`: the tenant's event lock taken shared and the NOTIFY sent
    before each event's seq. Bind parameters: `tenant` (`TenantScope`'s),
    `event_key` and `event_time`.
    """
    tenant = bindparam(TENANT, type_=String)
    locked = func.pg_advisory_xact_lock_shared(
        func.hashtextextended(bindparam("event_key", type_=String), 0)
    ).alias("locked")
    notified = func.pg_notify(literal(NOTIFY_CHANNEL), tenant).alias("notified")
    source = select(
        tenant,
        literal(resource.singular),
        literal(change, SmallInteger),
        changed.c.id,
        body,
        bindparam("event_time", type_=UTCDateTime()),
    ).select_from(locked, notified, changed)
    columns = ["tenant_id", "resource", "change", "item_id", "body", "create_time"]
    return insert(events).from_select(columns, source)


def prune_due(tenant_id: str) -> bool:
    """Whether the tenant's old events are due for removal by this process (see `_prune`)."""
    last = _last_pruned.get(tenant_id, -PRUNE_EVERY_SECONDS)
    return time.monotonic() - last >= PRUNE_EVERY_SECONDS


async def _prune(connection: AsyncConnection, tenant_id: str, now: Any) -> None:
    """Remove the tenant's events older than KEPT, at most every PRUNE_EVERY_SECONDS."""
    if not prune_due(tenant_id):
        return
    _last_pruned[tenant_id] = time.monotonic()
    await connection.execute(
        delete(events).where(events.c.tenant_id == tenant_id, events.c.create_time < now - KEPT)
    )


async def events_after(
    connection: AsyncConnection,
    tenant_id: str,
    seq: int,
    limit: int,
    resource: str | None = None,
) -> list[Any]:
    """Up to `limit` events of the tenant after `seq`, oldest first: of one resource, or of
    every resource when `resource` is None.

    Call it in a transaction (the event lock lasts until it ends), and end that soon.
    """
    await _settled(connection, tenant_id)
    condition = [events.c.tenant_id == tenant_id, events.c.seq > seq]
    if resource is not None:
        condition.append(events.c.resource == resource)
    rows = await connection.execute(
        select(
            events.c.seq,
            events.c.resource,
            events.c.change,
            events.c.item_id,
            events.c.body,
            events.c.create_time,
        )
        .where(*condition)
        .order_by(events.c.seq)
        .limit(limit)
    )
    return list(rows)


async def last_seq(connection: AsyncConnection, tenant_id: str, resource: str) -> int:
    """The seq of the tenant's newest event of one resource (0 if it has none; as above)."""
    await _settled(connection, tenant_id)
    value = await connection.scalar(_newest(literal(tenant_id), literal(resource)))
    return int(value or 0)


async def reached(connection: AsyncConnection, tenant_id: str, resource: str, seq: int) -> bool:
    """Whether the tenant's history has come as far as `seq`: a cursor beyond it was never
    handed out (a database that was reset, a cursor made up).

    A cursor names an event of its resource, or where a stream caught up; old
    events are pruned only by a write of the tenant, whose own event comes
    later: so the tenant has an event at or after every cursor it was given.
    """
    if seq <= await last_seq(connection, tenant_id, resource):
        return True
    later = await connection.scalar(
        select(events.c.seq).where(events.c.tenant_id == tenant_id, events.c.seq >= seq).limit(1)
    )
    return later is not None
