"""Ordered reference lists (a playlist's songs) in child tables, for any resource.

Ids are checked in the caller's tenant when written: a missing id, or one of
another tenant, is INVALID_ARGUMENT naming its place (`playlist.song_ids[3]`).
On PostgreSQL the referenced rows are locked against deletion (FOR KEY SHARE)
until the transaction ends, so a concurrent delete cannot slip in between the
check and the write; the child table's ON DELETE CASCADE removes references
to a deleted item in the same transaction as the delete.
"""

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import Table, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from chorus_core.errors import Violations
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
