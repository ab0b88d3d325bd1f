"""Creating many items of a resource in one statement, each with its own idempotency key (imports).

The one-by-one path (`ResourceStore.create`) costs several round trips per
item; an import batch instead finds which keys are already stored with one
query, inserts the rest with one multi-row INSERT, and records them in the
outbox with one more. Items whose key is stored are skipped, so running a
batch again (a server took an import up) stores nothing twice. Resources
with references (checked item by item) cannot be imported (yet).
"""

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from chorus_core.caller import Caller
from chorus_core.sqltypes import utcnow
from chorus_resource.change_log import ChangeLog
from chorus_resource.messages import MessageCodec


async def create_all(
    connection: AsyncConnection,
    codec: MessageCodec,
    caller: Caller,
    keyed: Sequence[tuple[str, Any]],
) -> None:
    """Store each (request_id, message) whose request_id the tenant has not stored yet."""
    resource, table = codec.resource, codec.resource.table
    if not keyed:
        return
    stored = set(
        await connection.scalars(
            select(table.c.request_id).where(
                table.c.tenant_id == caller.tenant_id,
                table.c.request_id.in_([key for key, _ in keyed]),
            )
        )
    )
    now = utcnow()
    rows = [
        {
            **codec.column_values(item, codec.mutable_columns),
            "id": str(uuid.uuid4()),
            "tenant_id": caller.tenant_id,
            "created_by": caller.user_id,
            "create_time": now,
            "update_time": now,
            "request_id": key,
        }
        for key, item in keyed
        if key not in stored
    ]
    if not rows:
        return
    await connection.execute(insert(table), rows)
    items = [codec.message(tuple(row[c.name] for c in resource.columns)) for row in rows]
    await ChangeLog(connection, resource, caller.tenant_id).created_all(items)
