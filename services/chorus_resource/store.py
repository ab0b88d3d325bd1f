"""The generic tenant-scoped store: every resource query goes through it.

It takes the tenant from the verified caller (never from a request), so a
resource's servicer cannot forget the tenant filter or pass another tenant's
id. Another tenant's resource is NOT_FOUND, exactly like a missing one.
Servicers get stores from `TenantDatabase.read()` / `.write()`.
"""

import uuid
from typing import Generic, TypeVar

from sqlalchemy import Select, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_core.caller import Caller
from chorus_core.errors import NotFound, Violations
from chorus_core.pagination import PageRequest, page_token
from chorus_core.sqltypes import utcnow
from chorus_resource.scoped import TenantScoped

M = TypeVar("M", bound=TenantScoped)


def resource_id(field: str, value: str, violations: Violations) -> str:
    """Validate a resource id given by a client (a UUID in canonical form)."""
    try:
        if str(uuid.UUID(value)) == value:
            return value
    except ValueError:
        pass
    violations.add(field, "must be a resource id (a UUID) returned by the service")
    return value


class TenantStore(Generic[M]):
    """Reads and writes one resource type within the caller's active tenant."""

    def __init__(
        self, session: AsyncSession, model: type[M], caller: Caller, *, for_update: bool = False
    ) -> None:
        self._session = session
        self._model = model
        self._tenant_id = caller.tenant_id
        self._user_id = caller.user_id
        self._label = model.__name__.lower()
        self._for_update = for_update

    def _scoped(self) -> Select[M]:
        return select(self._model).where(self._model.tenant_id == self._tenant_id)

    async def get(self, item_id: str) -> M:
        """The item; in a write store, locked until the transaction ends.

        The lock makes concurrent writers of one item take turns (PostgreSQL;
        SQLite runs one write transaction at a time anyway): a change or a
        delete never lands on a row another transaction deleted meanwhile,
        which would otherwise fail as an internal error or "succeed" twice.
        """
        query = self._scoped().where(self._model.id == item_id)
        if self._for_update:
            query = query.with_for_update()
        item = await self._session.scalar(query)
        if item is None:
            raise NotFound(f"{self._label} {item_id} not found")
        return item

    async def list_page(self, page: PageRequest) -> tuple[list[M], str]:
        """One page, oldest first, and the next page's token ("" on the last page)."""
        query = self._scoped()
        if page.after is not None:
            query = query.where(
                tuple_(self._model.create_time, self._model.id) > tuple_(*page.after)
            )
        query = query.order_by(self._model.create_time, self._model.id).limit(page.size + 1)
        items = list(await self._session.scalars(query))
        if len(items) <= page.size:
            return items, ""
        last = items[page.size - 1]
        return items[: page.size], page_token(last.create_time, last.id)

    async def create(self, item: M, request_id: str | None = None) -> M:
        """Store a new item; with a request_id, a retry returns the first item."""
        if request_id:
            existing = await self._by_request_id(request_id)
            if existing is not None:
                return existing
        now = utcnow()
        item.id = str(uuid.uuid4())
        item.tenant_id = self._tenant_id
        item.created_by = self._user_id
        item.create_time = now
        item.update_time = now
        item.request_id = request_id or None
        try:
            async with self._session.begin_nested():
                self._session.add(item)
        except IntegrityError:
            # A concurrent create with the same request_id won the race.
            existing = await self._by_request_id(request_id) if request_id else None
            if existing is None:
                raise
            return existing
        return item

    async def save(self, item: M) -> M:
        """Write changes made to an item read from this store."""
        item.update_time = utcnow()
        await self._session.flush()
        return item

    async def delete(self, item_id: str) -> None:
        await self._session.delete(await self.get(item_id))
        await self._session.flush()

    async def _by_request_id(self, request_id: str) -> M | None:
        return await self._session.scalar(
            self._scoped().where(self._model.request_id == request_id)
        )
