"""Long-running operations (AIP-151) of a tenant: their table, their messages, their leases.

`operations` is tenant data like any resource (row-level security, the
caller's tenant declared per transaction): state, progress, per-row errors,
and the document of an import (so another server can take it up).

`operation_leases` says which server runs each unfinished operation and
when it last showed it was alive. It holds ids and times only, no tenant
data, and is deliberately not tenant-scoped: a server must find the stale
work of every tenant to take it up (`chorus_resource.import_runner`).
"""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Table,
    Text,
    and_,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import ColumnElement

from chorus.resource.v1 import operation_service_pb2 as operation_pb
from chorus_core.errors import NotFound
from chorus_core.sqltypes import UTCDateTime, utcnow
from chorus_resource.change_log import NOTIFY_CHANNEL
from chorus_resource.messages import timestamp
from chorus_resource.models import Base

MAX_ROW_ERRORS = 100
"""Per-row errors an operation keeps (rows_rejected counts them all)."""
LISTED = 100
"""Operations one ListOperations page holds at most (and by default)."""
FILTERABLE = ("done", "kind", "create_time", "update_time")
NAME_PREFIX = "operations/"

operations = Table(
    "operations",
    Base.metadata,
    Column("id", String(36), primary_key=True),
    Column("tenant_id", String(36), nullable=False),
    Column("created_by", String(36), nullable=False),
    Column("creator_role", String, nullable=False),
    Column("kind", String, nullable=False),  # the method that started it: ImportSongs
    Column("resource", String, nullable=False),  # the resource it imports: Song
    Column("state", SmallInteger, nullable=False),  # an OperationState
    Column("document", LargeBinary, nullable=True),  # dropped once done
    Column("document_format", SmallInteger, nullable=False),
    Column("rows_total", Integer, nullable=False),
    Column("rows_done", Integer, nullable=False),
    Column("rows_imported", Integer, nullable=False),
    Column("rows_rejected", Integer, nullable=False),
    Column("row_errors", Text, nullable=False),  # one a line, the first MAX_ROW_ERRORS
    Column("error", Text, nullable=False),
    Column("cancel_requested", Boolean, nullable=False),
    Column("done", Boolean, nullable=False),  # state is one of DONE_STATES (ListOperations' filter)
    Column("create_time", UTCDateTime(), nullable=False),
    Column("update_time", UTCDateTime(), nullable=False),
    Column("request_id", String(64), nullable=True),  # the idempotency key of the start
    Index("ix_operations_tenant_created", "tenant_id", "create_time"),
    Index("ux_operations_tenant_request", "tenant_id", "request_id", unique=True),
)

operation_leases = Table(
    "operation_leases",
    Base.metadata,
    Column("operation_id", String(36), primary_key=True),
    Column("tenant", String(36), nullable=False),  # declared when the work is taken up
    Column("owner", String(36), nullable=False),  # the server process running it
    Column("heartbeat_time", UTCDateTime(), nullable=False),
    Column("attempts", Integer, nullable=False),  # times a server started on it (incl. takeovers)
)

DONE_STATES = frozenset(
    {
        operation_pb.OPERATION_STATE_SUCCEEDED,
        operation_pb.OPERATION_STATE_FAILED,
        operation_pb.OPERATION_STATE_CANCELLED,
    }
)


def operation_id(name: str) -> str:
    """The id in "operations/<id>"; NOT_FOUND for anything else."""
    if not name.startswith(NAME_PREFIX):
        raise NotFound(f"operation {name} not found")
    try:
        return str(uuid.UUID(name.removeprefix(NAME_PREFIX)))
    except ValueError:
        raise NotFound(f"operation {name} not found") from None


def message(row: Any) -> operation_pb.Operation:
    errors = [line for line in row.row_errors.split("\n") if line]
    return operation_pb.Operation(
        name=NAME_PREFIX + row.id,
        kind=row.kind,
        state=row.state,
        done=row.state in DONE_STATES,
        rows_total=row.rows_total,
        rows_done=row.rows_done,
        rows_imported=row.rows_imported,
        rows_rejected=row.rows_rejected,
        row_errors=errors,
        error=row.error,
        create_time=timestamp(row.create_time),
        update_time=timestamp(row.update_time),
        created_by=row.created_by,
    )


_COLUMNS = [c for c in operations.c if c.name != "document"]


async def start(
    connection: AsyncConnection,
    *,
    tenant_id: str,
    created_by: str,
    creator_role: str,
    kind: str,
    resource: str,
    document: bytes,
    document_format: int,
    rows_total: int,
    owner: str,
    request_id: str = "",
) -> tuple[str, bool]:
    """Store a new running operation and its lease (held by `owner`): its id, and True.

    With a `request_id` the tenant used before: that operation's id, and False
    (nothing stored).
    """
    now = utcnow()
    new_id = str(uuid.uuid4())
    values = {
        "id": new_id,
        "tenant_id": tenant_id,
        "created_by": created_by,
        "creator_role": creator_role,
        "kind": kind,
        "resource": resource,
        "state": operation_pb.OPERATION_STATE_RUNNING,
        "document": document,
        "document_format": document_format,
        "rows_total": rows_total,
        "rows_done": 0,
        "rows_imported": 0,
        "rows_rejected": 0,
        "row_errors": "",
        "error": "",
        "cancel_requested": False,
        "done": False,
        "create_time": now,
        "update_time": now,
        "request_id": request_id or None,
    }
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    inserted = await connection.scalar(
        dialect.insert(operations)
        .values(**values)
        .on_conflict_do_nothing(index_elements=[operations.c.tenant_id, operations.c.request_id])
        .returning(operations.c.id)
    )
    if inserted is None:  # this request_id started one before
        existing = await connection.scalar(
            select(operations.c.id).where(
                operations.c.tenant_id == tenant_id, operations.c.request_id == request_id
            )
        )
        return str(existing), False
    await connection.execute(
        insert(operation_leases).values(
            operation_id=new_id, tenant=tenant_id, owner=owner, heartbeat_time=now, attempts=1
        )
    )
    return new_id, True


async def get(
    connection: AsyncConnection, tenant_id: str, item_id: str, *, lock: bool = False
) -> Any:
    query = select(*_COLUMNS).where(operations.c.tenant_id == tenant_id, operations.c.id == item_id)
    if lock:
        query = query.with_for_update()
    row = (await connection.execute(query)).first()
    if row is None:
        raise NotFound(f"operation {NAME_PREFIX}{item_id} not found")
    return row


async def document_of(connection: AsyncConnection, tenant_id: str, item_id: str) -> bytes | None:
    value = await connection.scalar(
        select(operations.c.document).where(
            operations.c.tenant_id == tenant_id, operations.c.id == item_id
        )
    )
    return None if value is None else bytes(value)


async def page(
    connection: AsyncConnection,
    tenant_id: str,
    condition: ColumnElement[bool],
    size: int,
    after: tuple[datetime, str] | None,
) -> tuple[list[Any], int]:
    """Up to `size` operations matching `condition`, newest first, after the operation with
    this (create_time, id); and how many match in all."""
    matching = and_(operations.c.tenant_id == tenant_id, condition)
    query = select(*_COLUMNS).where(matching)
    if after is not None:
        time, item_id = after
        query = query.where(
            or_(
                operations.c.create_time < time,
                and_(operations.c.create_time == time, operations.c.id < item_id),
            )
        )
    rows = await connection.execute(
        query.order_by(operations.c.create_time.desc(), operations.c.id.desc()).limit(size)
    )
    total = await connection.scalar(select(func.count()).select_from(operations).where(matching))
    return list(rows), int(total or 0)


async def _announce(connection: AsyncConnection, tenant_id: str) -> None:
    """PostgreSQL: NOTIFY the replicas (on commit) that the tenant's operations changed, on
    the outbox's channel: their WatchOperation streams look (`chorus_resource.watchers`).
    Elsewhere the writer wakes its own process's streams after the commit."""
    if connection.dialect.name == "postgresql":
        await connection.execute(select(func.pg_notify(NOTIFY_CHANNEL, tenant_id)))


async def request_cancel(connection: AsyncConnection, tenant_id: str, item_id: str) -> None:
    await _announce(connection, tenant_id)
    await connection.execute(
        update(operations)
        .where(
            operations.c.tenant_id == tenant_id,
            operations.c.id == item_id,
            operations.c.state == operation_pb.OPERATION_STATE_RUNNING,
        )
        .values(cancel_requested=True, update_time=utcnow())
    )


async def record_batch(
    connection: AsyncConnection,
    current: Any,
    *,
    rows_done: int,
    imported: int,
    rejected: list[str],
) -> None:
    """Progress of one batch, in the batch's own transaction."""
    kept = [line for line in current.row_errors.split("\n") if line]
    kept += rejected[: max(0, MAX_ROW_ERRORS - len(kept))]
    await _announce(connection, current.tenant_id)
    await connection.execute(
        update(operations)
        .where(operations.c.tenant_id == current.tenant_id, operations.c.id == current.id)
        .values(
            rows_done=rows_done,
            rows_imported=current.rows_imported + imported,
            rows_rejected=current.rows_rejected + len(rejected),
            row_errors="\n".join(kept),
            update_time=utcnow(),
        )
    )


async def finish(
    connection: AsyncConnection, tenant_id: str, item_id: str, state: int, error: str = ""
) -> None:
    """Mark the operation done, drop its document and its lease."""
    await _announce(connection, tenant_id)
    await connection.execute(
        update(operations)
        .where(operations.c.tenant_id == tenant_id, operations.c.id == item_id)
        .values(state=state, done=True, error=error, document=None, update_time=utcnow())
    )
    await connection.execute(
        operation_leases.delete().where(operation_leases.c.operation_id == item_id)
    )


async def heartbeat(connection: AsyncConnection, owner: str, ids: list[str]) -> int:
    """Renew `owner`'s leases of these operations; how many it still holds."""
    if not ids:
        return 0
    result = await connection.execute(
        update(operation_leases)
        .where(operation_leases.c.operation_id.in_(ids), operation_leases.c.owner == owner)
        .values(heartbeat_time=utcnow())
    )
    return int(result.rowcount)


async def count_attempt(connection: AsyncConnection, owner: str, item_id: str) -> int | None:
    """Count one more attempt at an operation whose lease `owner` holds; the attempts so far
    (None if the lease is not `owner`'s any more)."""
    result = await connection.execute(
        update(operation_leases)
        .where(operation_leases.c.operation_id == item_id, operation_leases.c.owner == owner)
        .values(attempts=operation_leases.c.attempts + 1, heartbeat_time=utcnow())
        .returning(operation_leases.c.attempts)
    )
    attempts = result.scalar()
    return None if attempts is None else int(attempts)


async def stale_leases(connection: AsyncConnection, older_than: datetime) -> list[Any]:
    rows = await connection.execute(
        select(operation_leases).where(operation_leases.c.heartbeat_time < older_than)
    )
    return list(rows)


async def claim(connection: AsyncConnection, lease: Any, owner: str) -> bool:
    """Take over a stale lease, unless another server was quicker."""
    result = await connection.execute(
        update(operation_leases)
        .where(
            operation_leases.c.operation_id == lease.operation_id,
            operation_leases.c.owner == lease.owner,
            operation_leases.c.heartbeat_time == lease.heartbeat_time,
        )
        .values(owner=owner, heartbeat_time=utcnow(), attempts=operation_leases.c.attempts + 1)
    )
    return result.rowcount == 1
