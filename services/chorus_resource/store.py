"""Create, read, list, update and delete any declared resource within one tenant.

Written once for every resource, on SQLAlchemy Core (no ORM objects: rows
become messages directly). Every statement names the caller's tenant; on
PostgreSQL row-level security is the second wall (`TenantDatabase`).
"""

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from chorus_core import keyset
from chorus_core.caller import Caller
from chorus_core.errors import NotFound, Violations
from chorus_core.sqltypes import utcnow
from chorus_resource import references
from chorus_resource.change_log import ChangeLog
from chorus_resource.filtering import Filter
from chorus_resource.messages import MessageCodec, apply_mask, timestamp
from chorus_resource.ordering import SortKey, after, order_clauses
from chorus_resource.scoped import python_kind


@dataclass(frozen=True)
class ListQuery:
    size: int
    filter: Filter
    order: tuple[SortKey, ...]
    page_token: str


@dataclass(frozen=True)
class Page:
    items: list[Any]
    next_page_token: str
    total_size: int


class ResourceStore:
    """One resource type, one transaction, one tenant (the caller's)."""

    def __init__(self, connection: AsyncConnection, codec: MessageCodec, caller: Caller) -> None:
        self._connection = connection
        self._codec = codec
        self._resource = codec.resource
        self._table = codec.resource.table
        self._tenant_id = caller.tenant_id
        self._user_id = caller.user_id
        self._label = codec.resource.singular.lower()
        self._changes = ChangeLog(connection, codec.resource, caller.tenant_id)  # the outbox

    def _select(self) -> Select[Any]:
        return select(*self._resource.columns).where(self._table.c.tenant_id == self._tenant_id)

    async def get(self, item_id: str, *, for_update: bool = False) -> Any:
        """The item's message; NOT_FOUND if the tenant has no such item."""
        query = self._select().where(self._table.c.id == item_id)
        if for_update:
            # Concurrent writers of one item take turns (PostgreSQL; SQLite
            # runs one write transaction at a time anyway).
            query = query.with_for_update()
        row = (await self._connection.execute(query)).first()
        if row is None:
            raise NotFound(f"{self._label} {item_id} not found")
        return (await self._with_references([row]))[0]

    async def find(self, query: ListQuery) -> Page:
        """One page in the query's order, the next page's token and the count of all matches."""
        fingerprint = keyset.query_fingerprint(
            self._resource.singular, query.filter.text, ",".join(map(str, query.order))
        )
        statement = self._select().where(query.filter.condition)
        if query.page_token:
            kinds = tuple(python_kind(self._table.c[key.field]) for key in query.order)
            values = keyset.decode(query.page_token, fingerprint, kinds)
            statement = statement.where(after(self._table, query.order, values))
        statement = statement.order_by(*order_clauses(self._table, query.order))
        rows = list(await self._connection.execute(statement.limit(query.size + 1)))
        next_token = ""
        if len(rows) > query.size:
            rows = rows[: query.size]
            last = rows[-1]._mapping
            next_token = keyset.encode(
                tuple(last[self._table.c[key.field]] for key in query.order), fingerprint
            )
        total = await self._connection.scalar(
            select(func.count())
            .select_from(self._table)
            .where(self._table.c.tenant_id == self._tenant_id, query.filter.condition)
        )
        return Page(await self._with_references(rows), next_token, int(total or 0))

    async def create(self, message: Any, request_id: str) -> Any:
        """Store a new item; with a request_id, a retry returns the first item."""
        if request_id:
            existing = await self._by_request_id(request_id)
            if existing is not None:
                return existing
        await self._check_references(message, list(self._resource.references))
        now = utcnow()
        values = {
            **self._codec.column_values(message, self._codec.mutable_columns),
            "id": str(uuid.uuid4()),
            "tenant_id": self._tenant_id,
            "created_by": self._user_id,
            "create_time": now,
            "update_time": now,
            "request_id": request_id or None,
        }
        try:
            async with self._connection.begin_nested():
                await self._connection.execute(insert(self._table).values(values))
        except IntegrityError:
            # A concurrent create with the same request_id won the race.
            existing = await self._by_request_id(request_id) if request_id else None
            if existing is None:
                raise
            return existing
        lists = {field: list(getattr(message, field)) for field in self._resource.references}
        for field, ids in lists.items():
            await references.replace(
                self._connection,
                self._resource,
                field,
                self._tenant_id,
                owner_id=values["id"],
                ids=ids,
            )
        item = self._codec.message(tuple(values[c.name] for c in self._resource.columns), lists)
        return await self._changes.created(item)

    async def update(self, item_id: str, changes: Any, fields: list[str]) -> Any:
        """Apply `fields` of `changes` (already checked against the rules) to the item."""
        current = await self.get(item_id, for_update=True)
        apply_mask(current, changes, fields)
        await self._check_references(current, [f for f in fields if f in self._resource.references])
        now = utcnow()
        await self._connection.execute(
            update(self._table)
            .where(self._table.c.tenant_id == self._tenant_id, self._table.c.id == item_id)
            .values(**self._codec.column_values(current, fields), update_time=now)
        )
        current.update_time.CopyFrom(timestamp(now))
        for field in fields:
            if field in self._resource.references:
                await references.replace(
                    self._connection,
                    self._resource,
                    field,
                    self._tenant_id,
                    owner_id=item_id,
                    ids=getattr(current, field),
                )
        return await self._changes.updated(current)

    async def delete(self, item_id: str) -> None:
        """Delete the item; references to it go in the same transaction (ON DELETE CASCADE)."""
        result = await self._connection.execute(
            delete(self._table).where(
                self._table.c.tenant_id == self._tenant_id, self._table.c.id == item_id
            )
        )
        if result.rowcount == 0:
            raise NotFound(f"{self._label} {item_id} not found")
        await self._changes.deleted(item_id)

    async def _check_references(self, message: Any, fields: list[str]) -> None:
        violations = Violations()
        for field in fields:
            await references.check(
                self._connection,
                self._resource,
                field,
                self._tenant_id,
                ids=list(getattr(message, field)),
                violations=violations,
            )
        violations.raise_if_any()

    async def _with_references(self, rows: list[Any]) -> list[Any]:
        if not self._resource.references:
            return [self._codec.message(row) for row in rows]
        ids = [row._mapping[self._table.c.id] for row in rows]
        loaded = {
            field: await references.load(
                self._connection, self._resource, field, self._tenant_id, ids
            )
            for field in self._resource.references
        }
        return [
            self._codec.message(row, {f: loaded[f].get(item_id, []) for f in loaded})
            for row, item_id in zip(rows, ids, strict=True)
        ]

    async def _by_request_id(self, request_id: str) -> Any | None:
        row = (
            await self._connection.execute(
                self._select().where(self._table.c.request_id == request_id)
            )
        ).first()
        return None if row is None else (await self._with_references([row]))[0]
