"""Ordered reference lists (a playlist's songs) in child tables, for any resource.

Ids are checked in the caller's tenant when written: a missing id, or one of
another tenant, is INVALID_ARGUMENT naming its place (`playlist.song_ids[3]`).
On PostgreSQL the referenced rows are locked against deletion (FOR KEY SHARE)
until the transaction ends, so a concurrent delete cannot slip in between the
check and the write; the child table's ON DELETE CASCADE removes references
to a deleted item in the same transaction as the delete. The items that
named it (`naming`, read just before the delete) are then recorded as
updated, so watchers of playlists see a deleted song leave them.

Locks are taken in one order everywhere: the referenced items first (the
check above; a delete's `naming`), then the items holding the references (an
update's UPDATE, the delete's touch of those that named the deleted item),
so a playlist update and a song delete never wait for each other in a cycle.
"""

from collections import defaultdict
from collections.abc import Iterable
from functools import cache

from sqlalchemy import Table, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from chorus_core.errors import Violations
from chorus_resource import catalog
from chorus_resource.resource import Resource


def _columns(resource: Resource, field: str) -> tuple[Table, str, str]:
    refs = resource.references[field]
    return (
        resource.child_table(field),
        refs.owner_column(resource.singular.lower()),
        refs.target_column,
    )


async def load(
    connection: AsyncConnection,
    resource: Resource,
    field: str,
    tenant_id: str,
    owner_ids: list[str],
) -> dict[str, list[str]]:
    """The ordered target ids of each owner."""
    child, owner, target = _columns(resource, field)
    rows = await connection.execute(
        select(child.c[owner], child.c[target])
        .where(child.c.tenant_id == tenant_id, child.c[owner].in_(owner_ids))
        .order_by(child.c[owner], child.c.position)
    )
    found: dict[str, list[str]] = defaultdict(list)
    for owner, target in rows:
        found[owner].append(target)
    return found


async def check(
    connection: AsyncConnection,
    resource: Resource,
    field: str,
    tenant_id: str,
    *,
    ids: list[str],
    violations: Violations,
) -> None:
    """Record a violation (`song.song_ids[3]`) for each id that names nothing in the tenant."""
    if not ids:
        return
    refs = resource.references[field]
    target = refs.target.__table__
    query = select(target.c.id).where(target.c.tenant_id == tenant_id, target.c.id.in_(set(ids)))
    if connection.dialect.name == "postgresql":
        query = query.with_for_update(key_share=True)
    existing = set((await connection.execute(query)).scalars())
    kind = refs.target.__name__.lower()
    for index, item_id in enumerate(ids):
        if item_id not in existing:
            violations.add(
                f"{resource.field_name}.{field}[{index}]", f"names no {kind} of this tenant"
            )


async def replace(
    connection: AsyncConnection,
    resource: Resource,
    field: str,
    tenant_id: str,
    *,
    owner_id: str,
    ids: Iterable[str],
) -> None:
    """Make `ids` the owner's list, in this order."""
    child, owner, target = _columns(resource, field)
    await connection.execute(
        delete(child).where(child.c.tenant_id == tenant_id, child.c[owner] == owner_id)
    )
    rows = [
        {"tenant_id": tenant_id, owner: owner_id, "position": position, target: item}
        for position, item in enumerate(ids)
    ]
    if rows:
        await connection.execute(insert(child), rows)


@cache
def _referrers(table: str) -> tuple[tuple[Resource, str], ...]:
    """(resource, field) of every reference field, of any resource served, naming items of
    the resource stored in `table`."""
    return tuple(
        (owner, field)
        for owner in catalog.RESOURCES
        for field, refs in owner.references.items()
        if refs.target.__table__.name == table
    )


async def naming(
    connection: AsyncConnection, resource: Resource, tenant_id: str, item_id: str
) -> list[tuple[Resource, list[str]]]:
    """Each resource with items naming this item, and their ids, just before it is deleted.

    On PostgreSQL the item is locked first (FOR UPDATE): a transaction writing
    a reference to it holds it FOR KEY SHARE until it commits, so once the
    lock is ours every reference there will be is committed and read here,
    and no new one can be written before the delete.
    """
    referrers = _referrers(resource.table.name)
    if not referrers:
        return []
    table = resource.table
    if connection.dialect.name == "postgresql":
        await connection.execute(
            select(table.c.id)
            .where(table.c.tenant_id == tenant_id, table.c.id == item_id)
            .with_for_update()
        )
    found: dict[str, tuple[Resource, set[str]]] = {}
    for owner, field in referrers:
        child, owner_column, target = _columns(owner, field)
        ids = set(
            await connection.scalars(
                select(child.c[owner_column]).where(
                    child.c.tenant_id == tenant_id, child.c[target] == item_id
                )
            )
        )
        if ids:
            found.setdefault(owner.singular, (owner, set()))[1].update(ids)
    return [(owner, sorted(ids)) for owner, ids in found.values()]
