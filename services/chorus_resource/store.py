"""Create, read, list, update and delete any declared resource within one tenant.

Written once for every resource, on SQLAlchemy Core (no ORM objects: rows
become messages directly). Every statement names the caller's tenant; on
PostgreSQL row-level security is the second wall, with the tenant declared
by the transaction or by each statement itself (`TenantScope`). A read is
one statement (a page and the count of all matches together, the count kept
while the tenant's outbox shows no change: `totals`); a create is
one INSERT (its idempotency settled by ON CONFLICT), an update one
UPDATE … RETURNING, each with its event in the outbox (`ChangeLog`) in the
same transaction (on PostgreSQL, in the same statement where it can).
"""

import uuid
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    LargeBinary,
    Select,
    bindparam,
    case,
    delete,
    func,
    select,
    true,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from chorus.resource.v1 import change_type_pb2 as change_pb
from chorus_core import keyset
from chorus_core.caller import Caller
from chorus_core.database import DriverConnection, StatementConnection
from chorus_core.errors import NotFound, Violations
from chorus_core.sqltypes import utcnow
from chorus_resource import references
from chorus_resource.change_log import (
    ChangeLog,
    lock_key,
    newest_seq,
    recorded,
    try_settled,
)
from chorus_resource.filtering import Filter
from chorus_resource.messages import MessageCodec
from chorus_resource.ordering import SortKey, after, order_clauses
from chorus_resource.resource import Resource
from chorus_resource.scoped import python_kind
from chorus_resource.statements import Rows, StatementCache
from chorus_resource.tenant_scope import TenantScope, tenant_values
from chorus_resource.totals import Total, Totals

INSERTED_BY_SERVER = ("id", "created_by", "create_time", "update_time", "request_id")
"""Columns every create sets besides the message's own and the tenant."""
CREATE_ATTEMPTS = 3
"""Inserts a create with a request_id tries while its conflicting row keeps vanishing."""


@dataclass(frozen=True)
class ListQuery:
    size: int
    filter: Filter
    order: tuple[SortKey, ...]
    page_token: str


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    """The items' field values (`MessageCodec.values`), for the List response to build."""
    next_page_token: str
    total_size: int


class ResourceStore:
    """One resource type, one tenant (the caller's), on one connection."""

    def __init__(
        self,
        connection: StatementConnection,
        codec: MessageCodec,
        caller: Caller,
        scope: TenantScope,
        statements: StatementCache,
        *,
        totals: Totals,
    ) -> None:
        self._connection = connection
        self._codec = codec
        self._resource = codec.resource
        self._table = codec.resource.table
        self._scope = scope
        self._statements = statements
        self._postgresql = statements.dialect.name == "postgresql"
        self._totals = totals
        self._caller = caller
        self._tenant_id = caller.tenant_id
        self._user_id = caller.user_id
        self._label = codec.resource.singular.lower()
        names = [column.name for column in codec.resource.columns]
        self._width, self._id_at = len(names), names.index("id")

    def _transaction(self) -> AsyncConnection:
        """The connection of the transaction this store runs in (writes; reads with references)."""
        if not isinstance(self._connection, AsyncConnection):
            raise TypeError("this store runs single statements without a transaction")
        return self._connection

    @property
    def _changes(self) -> ChangeLog:
        """The outbox, in this store's transaction."""
        return ChangeLog(self._transaction(), self._resource, self._tenant_id)

    def _select(self) -> Select[Any]:
        return select(*self._resource.columns).where(self._table.c.tenant_id == self._scope.tenant)

    async def _rows(
        self, shape: tuple[Hashable, ...], build: Callable[[], Any], **values: Any
    ) -> Rows:
        """The rows of the statement of this shape (built once), with this call's values."""
        key = (self._resource.singular, self._scope.declare, *shape)
        statement = self._statements.get(key, build)
        return await statement.rows(self._connection, tenant_values(self._tenant_id, **values))

    async def get(self, item_id: str) -> Any:
        """The item's message; NOT_FOUND if the tenant has no such item."""
        table = self._table
        rows = await self._rows(
            ("get",),
            lambda: self._scope.rows_of(self._select().where(table.c.id == bindparam("item_id"))),
            item_id=item_id,
        )
        if not rows:
            raise NotFound(f"{self._label} {item_id} not found")
        return (await self._with_references(rows))[0]

    async def find(self, query: ListQuery) -> Page:
        """One page in the query's order, the next page's token and the count of all matches.

        One statement: the page, the tenant's newest event seq of the resource,
        and the count of all matches (or the count kept from an earlier list,
        when that seq has not moved: `totals`), as derived tables of one SELECT
        (a row with the count and no item when the page is empty). On
        PostgreSQL, when no count is kept yet, in a short transaction that
        first tries the tenant's event lock, so that what it counts may be kept.
        """
        table = self._table
        fingerprint = keyset.query_fingerprint(
            self._resource.singular, query.filter.text, ",".join(map(str, query.order))
        )
        values: tuple[Any, ...] = ()
        if query.page_token:
            kinds = tuple(python_kind(table.c[key.field]) for key in query.order)
            values = keyset.decode(query.page_token, fingerprint, kinds)
        # Which key values are empty decides the keyset condition's shape.
        empty = tuple(value is None for value in values) if query.page_token else None
        kept = (self._tenant_id, self._resource.singular, query.filter.text)
        known = self._totals.get(kept)

        async def run() -> Rows:
            return await self._rows(
                ("find", query.filter.text, query.order, empty),
                lambda: self._find_statement(query, empty),
                limit=query.size + 1,
                known_seq=-1 if known is None else known.seq,
                known_count=0 if known is None else known.count,
                **{f"after_{n}": value for n, value in enumerate(values)},
            )

        if known is None and self._postgresql:
            complete, found = await self._settled(run)
        else:
            complete, found = not self._postgresql, await run()
        total = int(found[0][self._width + 1])
        self._totals.settle(
            kept, known, Total(int(found[0][self._width]), total), complete=complete
        )
        items = [row[: self._width] for row in found if row[self._id_at] is not None]
        next_token = ""
        if len(items) > query.size:
            items = items[: query.size]
            last = dict(zip((c.name for c in self._resource.columns), items[-1], strict=True))
            next_token = keyset.encode(tuple(last[key.field] for key in query.order), fingerprint)
        return Page(await self._values_with_references(items), next_token, total)

    async def _settled(self, run: Callable[[], Awaitable[Rows]]) -> tuple[bool, Rows]:
        """PostgreSQL: `run` after trying the tenant's event lock (`try_settled`), in a
        transaction; whether the lock was taken (no writer held a seq), and the rows."""

        async def locked_then_run() -> tuple[bool, Rows]:
            locked = await self._rows(
                ("try_settled",), try_settled, event_key=lock_key(self._tenant_id)
            )
            return bool(locked[0][0]), await run()

        if isinstance(self._connection, DriverConnection):
            async with self._connection.transaction():
                return await locked_then_run()
        return await locked_then_run()  # already in this store's transaction

    def _find_statement(self, query: ListQuery, empty: tuple[bool, ...] | None) -> Select[Any]:
        table, scope = self._table, self._scope
        page = self._select().where(query.filter.condition)
        if empty is not None:
            after_values = tuple(
                None if is_empty else bindparam(f"after_{n}", type_=table.c[key.field].type)
                for n, (key, is_empty) in enumerate(zip(query.order, empty, strict=True))
            )
            page = page.where(after(table, query.order, after_values))
        page = page.order_by(*order_clauses(table, query.order)).limit(bindparam("limit"))
        count = select(func.count()).where(
            table.c.tenant_id == scope.tenant, query.filter.condition
        )
        seq = newest_seq(scope, self._resource)
        # Counted only when the seq has moved since the count was kept (`totals`).
        total = case(
            (seq == bindparam("known_seq", type_=BigInteger), bindparam("known_count")),
            else_=scope.correlated(count).scalar_subquery(),
        )
        # LIMIT 1 (it is one row anyway) keeps PostgreSQL from merging it into the outer
        # SELECT, which would evaluate the CASE, and so the count, once per item of the page.
        counted = scope.derived(select(seq.label("seq"), total.label("total")).limit(1), "counted")
        rows = scope.derived(page, "page")
        return (
            select(*rows.c, counted.c.seq, counted.c.total)
            .select_from(scope.joined(counted).outerjoin(rows, true()))
            .order_by(*order_clauses(table, query.order, rows.c))
        )

    async def create(self, message: Any, request_id: str) -> Any:
        """Store a new item; with a request_id, a retry returns the first item.

        In a transaction: the INSERT, the reference lists, then the event. On a
        connection without one (PostgreSQL, a resource without references,
        `TenantDatabase.creating`): the tenant's declaration, the INSERT and its
        event as one statement, one round trip.
        """
        await self._check_references(message, list(self._resource.references))
        in_one_statement = self._scope.declared is not None
        for _ in range(CREATE_ATTEMPTS):
            values = self._new_item_values(message, request_id)
            item = self._codec.message(
                tuple(values[c.name] for c in self._resource.columns),
                {field: list(getattr(message, field)) for field in self._resource.references},
            )
            binds = {f"v_{name}": value for name, value in values.items() if name != "tenant_id"}
            if in_one_statement:
                binds.update(
                    event_key=lock_key(self._tenant_id),
                    event_body=item.SerializeToString(),
                    event_time=values["create_time"],
                )
                inserted = await self._rows(("insert_recorded",), self._insert_recorded, **binds)
            else:
                inserted = await self._rows(("insert",), self._insert, **binds)
            if inserted:
                break
            # Another create with this request_id came first: that item is the answer.
            existing = await self._by_request_id(request_id)
            if existing is not None:
                return existing
        else:
            raise RuntimeError(f"request_id {request_id!r}: its item kept vanishing")
        if in_one_statement:
            return item
        for field in self._resource.references:
            await references.replace(
                self._transaction(),
                self._resource,
                field,
                self._tenant_id,
                owner_id=values["id"],
                ids=list(getattr(message, field)),
            )
        return await self._changes.created(item)

    def _new_item_values(self, message: Any, request_id: str) -> dict[str, Any]:
        """Every column of a new item made from `message`, the tenant's included."""
        now = utcnow()
        return {
            **self._codec.column_values(message, self._codec.mutable_columns),
            "id": str(uuid.uuid4()),
            "created_by": self._user_id,
            "create_time": now,
            "update_time": now,
            "request_id": request_id or None,
            "tenant_id": self._tenant_id,
        }

    def _insert_recorded(self) -> Any:
        """PostgreSQL: `_insert` and the CREATED event of what it inserted, as one statement."""
        inserted = self._insert().cte("inserted")
        body = bindparam("event_body", type_=LargeBinary)
        events = recorded(inserted, self._resource, change_pb.CHANGE_TYPE_CREATED, body)
        return select(inserted.c.id).add_cte(events.cte("recorded"))

    def _insert(self) -> Any:
        """INSERT of one item in the tenant, doing nothing on a request_id already used.

        Values are the bind parameters `v_<column>` (every column but the tenant's).
        """
        table = self._table
        names = [*self._codec.mutable_columns, *INSERTED_BY_SERVER]
        given = {name: bindparam(f"v_{name}", type_=table.c[name].type) for name in names}
        if self._postgresql:
            source = select(
                *(value.label(name) for name, value in given.items()),
                self._scope.tenant.label("tenant_id"),
            )
            if self._scope.declared is not None:
                source = source.select_from(self._scope.declared)
            statement: Any = postgresql.insert(table).from_select([*names, "tenant_id"], source)
        else:
            statement = sqlite.insert(table).values(**given, tenant_id=self._scope.tenant)
        return statement.on_conflict_do_nothing(
            index_elements=[table.c.tenant_id, table.c.request_id]
        ).returning(table.c.id)

    async def update(self, item_id: str, changes: Any, fields: list[str]) -> Any:
        """Apply `fields` of `changes` (already checked against the rules) to the item.

        Needs a transaction that declared its tenant: the UPDATE, then the
        references it changes (checked in the tenant) in the same transaction,
        then the event. On PostgreSQL, for a resource without references whose
        message PostgreSQL can serialize (`Resource.encoded_in_sql`), the UPDATE
        records its event itself: one statement, and the item's row is locked
        only from it to the COMMIT.
        """
        columns = [f for f in fields if f not in self._resource.references]
        changed = [f for f in fields if f in self._resource.references]
        # The items named first, then the item itself (the order `references` keeps).
        await self._check_references(changes, changed)
        now = utcnow()
        values = self._codec.column_values(changes, columns)
        binds = {f"v_{name}": value for name, value in values.items()}
        serializable = self._resource.encoded_in_sql is not None
        if self._postgresql and serializable and not self._resource.references:
            rows = await self._rows(
                ("update_recorded", tuple(columns)),
                lambda: self._update_recorded(columns),
                item_id=item_id,
                v_update_time=now,
                event_key=lock_key(self._tenant_id),
                event_time=now,
                **binds,
            )
            if not rows:
                raise NotFound(f"{self._label} {item_id} not found")
            if isinstance(self._connection, AsyncConnection):  # else none is due (`updating`)
                await self._changes.prune_if_due(now)
            return self._codec.message(rows[0])
        rows = await self._rows(
            ("update", tuple(columns)),
            lambda: self._update(columns),
            item_id=item_id,
            v_update_time=now,
            **binds,
        )
        if not rows:
            raise NotFound(f"{self._label} {item_id} not found")
        for field in changed:
            await references.replace(
                self._transaction(),
                self._resource,
                field,
                self._tenant_id,
                owner_id=item_id,
                ids=getattr(changes, field),
            )
        return await self._changes.updated((await self._with_references(rows))[0])

    def _update(self, columns: list[str]) -> Any:
        """UPDATE of `columns` and update_time (bind parameters `v_<column>`) of the tenant's
        item `item_id`, returning its columns."""
        table = self._table
        given = {name: bindparam(f"v_{name}", type_=table.c[name].type) for name in columns}
        return (
            update(table)
            .where(table.c.tenant_id == self._scope.tenant, table.c.id == bindparam("item_id"))
            .values(**given, update_time=bindparam("v_update_time", type_=table.c.update_time.type))
            .returning(*self._resource.columns)
        )

    def _update_recorded(self, columns: list[str]) -> Any:
        """PostgreSQL: `_update` and the UPDATED event of the item it changed (its message
        serialized by PostgreSQL, `sql_message`), as one statement."""
        body = self._resource.encoded_in_sql
        if body is None:
            raise TypeError(f"PostgreSQL cannot serialize a {self._resource.singular}")
        updated = self._update(columns).returning(body.label("event_body")).cte("updated")
        events = recorded(
            updated, self._resource, change_pb.CHANGE_TYPE_UPDATED, updated.c.event_body
        )
        item = [updated.c[column.name] for column in self._resource.columns]
        return select(*item).add_cte(events.cte("recorded"))

    async def delete(self, item_id: str) -> None:
        """Delete the item; references to it go in the same transaction (ON DELETE CASCADE).

        The items that named it (a song's playlists) are recorded as updated.
        Their rows are locked before the delete touches their references, as
        an update of theirs does (`references` tells the order).
        """
        table = self._table
        naming = [
            (self._of(owner), owner_ids)
            for owner, owner_ids in await references.naming(
                self._transaction(), self._resource, self._tenant_id, item_id
            )
        ]
        touched = [(store, await store._touch(owner_ids)) for store, owner_ids in naming]
        rows = await self._rows(
            ("delete",),
            lambda: (
                delete(table)
                .where(table.c.tenant_id == self._scope.tenant, table.c.id == bindparam("item_id"))
                .returning(table.c.id)
            ),
            item_id=item_id,
        )
        if not rows:
            raise NotFound(f"{self._label} {item_id} not found")
        await self._changes.deleted(item_id)
        for store, owner_rows in touched:
            for item in await store._with_references(owner_rows):
                await store._changes.updated(item)

    def _of(self, resource: Resource) -> "ResourceStore":
        """The store of another resource, on this store's connection and tenant."""
        return ResourceStore(
            self._connection,
            MessageCodec(resource),
            self._caller,
            self._scope,
            self._statements,
            totals=self._totals,
        )

    async def _touch(self, item_ids: list[str]) -> list[Any]:
        """Lock the items (in id order) and set their update_time; their rows, in id order."""
        table = self._table
        locked = (
            select(table.c.id)
            .where(table.c.tenant_id == self._tenant_id, table.c.id.in_(item_ids))
            .order_by(table.c.id)
            .with_for_update()
        )
        rows = await self._transaction().execute(
            update(table)
            .where(table.c.tenant_id == self._tenant_id, table.c.id.in_(locked.scalar_subquery()))
            .values(update_time=utcnow())
            .returning(*self._resource.columns)
        )
        return sorted(rows, key=lambda row: str(row[self._id_at]))

    async def _check_references(self, message: Any, fields: list[str]) -> None:
        violations = Violations()
        for field in fields:
            await references.check(
                self._transaction(),
                self._resource,
                field,
                self._tenant_id,
                ids=list(getattr(message, field)),
                violations=violations,
            )
        violations.raise_if_any()

    async def _with_references(self, rows: list[Any]) -> list[Any]:
        """The messages of `rows`, their reference fields loaded."""
        message_class = self._codec.message_class
        return [message_class(**values) for values in await self._values_with_references(rows)]

    async def _values_with_references(self, rows: list[Any]) -> list[dict[str, Any]]:
        """The field values of `rows`' messages (`MessageCodec.values`), references loaded."""
        if not self._resource.references:
            return [self._codec.values(row) for row in rows]
        ids = [row[self._id_at] for row in rows]
        loaded = {
            field: await references.load(
                self._transaction(), self._resource, field, self._tenant_id, ids
            )
            for field in self._resource.references
        }
        return [
            self._codec.values(row, {f: loaded[f].get(item_id, []) for f in loaded})
            for row, item_id in zip(rows, ids, strict=True)
        ]

    async def _by_request_id(self, request_id: str) -> Any | None:
        table = self._table
        rows = await self._rows(
            ("by_request_id",),
            lambda: self._scope.rows_of(
                self._select().where(table.c.request_id == bindparam("request_id"))
            ),
            request_id=request_id,
        )
        return (await self._with_references(rows))[0] if rows else None
