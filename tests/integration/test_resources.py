"""What every resource gets from the generic layer, tested on each registered resource.

A new resource is covered here without being named: create/get/update/
delete, idempotent creates, tenant isolation, viewers refused, the contract's
field rules, paging under every sort order, filters and total_size.
"""

import asyncio
import uuid
from typing import Any

import grpc
import pytest

from chorus_client import ChorusClient, ResourceClient, UserSession
from tests.support.calls import fails_with
from tests.support.resources import NAMES, broken_values, declaration, sample
from tests.support.songs import invalid_fields, new_user, not_found
from tests.support.tenants import new_team

pytestmark = pytest.mark.parametrize("name", NAMES)

COUNT = 7


@pytest.fixture
async def owner(client: ChorusClient) -> UserSession:
    return await new_user(client, "owner")


def with_id(item: Any, item_id: str) -> Any:
    item.id = item_id
    return item


async def every(items: ResourceClient, **query: Any) -> list[Any]:
    return [item async for item in items.all(**query, max_items=1000)]


async def test_create_get_update_delete(name: str, owner: UserSession) -> None:
    items = owner.resources[name]
    created = await items.create(sample(items, 1))
    assert await items.get(created.id) == created
    assert created.created_by == owner.user.id
    assert created.create_time == created.update_time

    changes = sample(items, 2)
    changes.id = created.id
    changed = await items.update(changes, ["*"])
    for field in declaration(name).mutable:
        assert getattr(changed, field) == getattr(changes, field), field
    assert changed.update_time.ToDatetime() > created.update_time.ToDatetime()
    assert await items.get(created.id) == changed

    await items.delete(created.id)
    await not_found(items.get(created.id))
    await not_found(items.delete(created.id))


async def test_a_retried_create_returns_the_first_item(name: str, owner: UserSession) -> None:
    items = owner.resources[name]
    key = str(uuid.uuid4())

    first = await items.create(sample(items, 1), request_id=key)
    again = await items.create(sample(items, 2), request_id=key)
    racing = await asyncio.gather(
        *(items.create(sample(items, n), request_id=f"{key}-race") for n in range(5))
    )

    assert again == first
    assert len({item.id for item in racing}) == 1
    assert len(await every(items)) == 2


async def test_another_tenant_sees_nothing(
    name: str, owner: UserSession, client: ChorusClient
) -> None:
    items = owner.resources[name]
    mine = await items.create(sample(items, 1))
    other = (await new_user(client, "other")).resources[name]

    await not_found(other.get(mine.id))
    await not_found(other.update(with_id(sample(other, 2), mine.id), ["*"]))
    await not_found(other.delete(mine.id))
    assert await every(other) == []
    assert await items.get(mine.id) == mine


async def test_a_viewer_reads_but_cannot_write(name: str, client: ChorusClient) -> None:
    team = await new_team(client, {"viewer": "viewer"})
    shared = await team["owner"].resources[name].create(sample(team["owner"].resources[name], 1))
    viewer = team["viewer"].resources[name]

    assert await viewer.get(shared.id) == shared
    for call in (
        viewer.create(sample(viewer, 2)),
        viewer.update(with_id(sample(viewer, 2), shared.id), ["*"]),
        viewer.delete(shared.id),
    ):
        await fails_with(grpc.StatusCode.PERMISSION_DENIED, call)
    assert await viewer.get(shared.id) == shared


async def test_the_contract_rules_refuse_bad_values(name: str, owner: UserSession) -> None:
    items = owner.resources[name]
    kept = await items.create(sample(items, 1))
    field_name = declaration(name).field_name
    for field, value, path in broken_values(items.message_type.DESCRIPTOR):
        bad = sample(items, 2)
        if isinstance(value, list):
            getattr(bad, field).extend(value)
        else:
            setattr(bad, field, value)
        assert await invalid_fields(items.create(bad)) == {f"{field_name}.{path}"}, (field, value)
        bad.id = kept.id
        update = items.update(bad, [field])
        assert await invalid_fields(update) == {f"{field_name}.{path}"}, (field, value)
    assert await every(items) == [kept], "nothing was written"


def sort_value(item: Any, field: str) -> tuple[bool, Any]:
    """The sort position of an item's field: empty values last."""
    if item.DESCRIPTOR.fields_by_name[field].has_presence and not item.HasField(field):
        return (True, None)
    value = getattr(item, field)
    return (False, value.ToDatetime() if hasattr(value, "ToDatetime") else value)


async def test_paging_under_every_order_sees_each_item_once(name: str, owner: UserSession) -> None:
    items = owner.resources[name]
    made = [await items.create(sample(items, n)) for n in range(COUNT)]
    for field in declaration(name).sortable:
        for direction in ("", " desc"):
            order_by = f"{field}{direction}"
            pages: list[Any] = []
            token = ""
            while True:
                response = await items.query(2, token, order_by=order_by)
                assert response.total_size == COUNT
                pages.extend(getattr(response, declaration(name).list_field_name))
                token = response.next_page_token
                if not token:
                    break
            assert sorted(i.id for i in pages) == sorted(i.id for i in made), order_by
            assert pages == await every(items, page_size=100, order_by=order_by), order_by
            keys = [sort_value(i, field) for i in pages if not sort_value(i, field)[0]]
            expected = sorted(keys, reverse=bool(direction))
            assert keys == expected, order_by
            nulls = [sort_value(i, field)[0] for i in pages]
            assert nulls == sorted(nulls), f"{order_by}: empty values come last"


async def test_filters_on_every_filterable_field(name: str, owner: UserSession) -> None:
    items = owner.resources[name]
    made = [await items.create(sample(items, n)) for n in range(COUNT)]
    target = made[4]
    for field in declaration(name).filterable:
        value = getattr(target, field)
        if hasattr(value, "ToDatetime"):
            stamp = value.ToJsonString()
            expected = [i.id for i in made if getattr(i, field).ToDatetime() >= value.ToDatetime()]
            query = f'{field} >= "{stamp}"'
        elif isinstance(value, str):
            expected = [i.id for i in made if getattr(i, field) == value]
            query = f'{field} = "{value}"'
            contains = await every(items, filter=f'{field}:"{value[-8:].upper()}"')
            assert [i.id for i in contains] == expected, f"{field}: contains, any case"
        else:
            expected = [i.id for i in made if getattr(i, field) == value]
            query = f"{field} = {str(value).lower() if isinstance(value, bool) else value}"
        found = await every(items, filter=query)
        assert [i.id for i in found] == expected, query
        response = await items.query(filter=query)
        assert response.total_size == len(expected), query


BAD_QUERIES = {
    "unknown sort field": ({"order_by": "colour"}, "order_by"),
    "bad direction": ({"order_by": "create_time sideways"}, "order_by"),
    "stray comma": ({"order_by": "create_time,"}, "order_by"),
    "unknown filter field": ({"filter": "colour = 1"}, "filter"),
    "unclosed parenthesis": ({"filter": '(create_time > "2020-01-01T00:00:00Z"'}, "filter"),
    "time not a time": ({"filter": 'create_time > "yesterday"'}, "filter"),
    "double operator": ({"filter": "create_time == 1"}, "filter"),
}


@pytest.mark.parametrize(("query", "field"), BAD_QUERIES.values(), ids=BAD_QUERIES.keys())
async def test_bad_queries_say_what_is_wrong(
    name: str, owner: UserSession, query: dict[str, str], field: str
) -> None:
    assert await invalid_fields(owner.resources[name].query(0, "", **query)) == {field}


async def test_a_page_token_only_works_with_its_own_query(name: str, owner: UserSession) -> None:
    items = owner.resources[name]
    for n in range(3):
        await items.create(sample(items, n))
    _, token = await items.page(1, order_by="create_time desc")

    assert await invalid_fields(items.page(1, token, order_by="create_time")) == {"page_token"}
    assert await invalid_fields(
        items.page(
            1, token, order_by="create_time desc", filter='create_time > "2000-01-01T00:00:00Z"'
        )
    ) == {"page_token"}
