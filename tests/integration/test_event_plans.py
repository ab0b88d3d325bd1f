"""A list finds its tenant's newest event without walking other tenants' events (PostgreSQL).

Event seqs are global. Given `tenant_id = …` and an order by seq, PostgreSQL
took the tenant as already ordered and walked the seq index itself, filtering
out every other tenant's newer events: after another tenant's burst of 5,000,
each list of a quiet tenant read 5,000 index entries. The test lets another
tenant write 3,000 events after ours, refreshes the planner's statistics, and
runs the list statement as served (a generic plan: the services' statements
are prepared) under EXPLAIN ANALYZE: the rows read from `resource_events` must
be a few of the tenant's own (it read 3,001 before `change_log._newest`).
"""

import uuid
from typing import Any

import pytest
from sqlalchemy import text

from chorus_core.caller import Caller
from chorus_resource.filtering import parse_filter
from chorus_resource.messages import MessageCodec
from chorus_resource.ordering import parse_order_by
from chorus_resource.songs import SONGS
from chorus_resource.statements import StatementCache
from chorus_resource.store import ListQuery, ResourceStore
from chorus_resource.tenant_scope import TenantScope, tenant_values
from chorus_resource.totals import Totals
from tests.support.in_process import InProcessSuite
from tests.support.service_databases import opened

pytestmark = pytest.mark.parametrize("suite", ["postgresql"], indirect=True)

OTHERS_EVENTS = 3000
MOST_READ = 10
"""Event rows a read may touch: a few of its own tenant's, never the other tenant's."""


@pytest.fixture
async def quiet_tenant(suite: InProcessSuite) -> str:
    """A tenant with two events, then another tenant's OTHERS_EVENTS newer ones."""
    quiet, busy = str(uuid.uuid4()), str(uuid.uuid4())
    async with opened(suite.resource_settings.migration_database_url) as owner:
        async with owner.write() as session:
            for tenant, count in ((quiet, 2), (busy, OTHERS_EVENTS)):
                await session.execute(
                    text(
                        "INSERT INTO resource_events (tenant_id, resource, change, item_id, "
                        "body, create_time) SELECT :tenant, 'Song', 1, 'x' || n, NULL, now() "
                        "FROM generate_series(1, :count) AS n"
                    ),
                    {"tenant": tenant, "count": count},
                )
        async with owner.engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.execute(text("ANALYZE resource_events"))
    return quiet


async def test_a_list_reads_its_tenants_newest_event_from_its_own_entries(
    suite: InProcessSuite, quiet_tenant: str
) -> None:
    caller = Caller(user_id="someone", tenant_id=quiet_tenant, role="owner", token_id="")
    dialect = suite.resource_db.engine.dialect
    store = ResourceStore(
        None,  # type: ignore[arg-type]  # only builds the statement
        MessageCodec(SONGS),
        caller,
        TenantScope(declare=True),
        StatementCache(dialect),
        totals=Totals(),
    )
    order = parse_order_by("", SONGS.sortable)
    query = ListQuery(20, parse_filter("", SONGS.table, SONGS.filterable), order, "")
    statement = store._find_statement(query, None)
    values = tenant_values(quiet_tenant, known_seq=1, known_count=2, limit=21)
    assert max(await events_read(suite, quiet_tenant, statement, values)) <= MOST_READ


async def events_read(
    suite: InProcessSuite, tenant: str, statement: Any, values: dict[str, Any]
) -> list[int]:
    """Rows each `resource_events` node of the statement's generic plan read (kept or not),
    run as the service runs it: its role, the tenant declared."""
    dialect = suite.resource_db.engine.dialect
    compiled = statement.compile(dialect=dialect)
    params = compiled.construct_params(values)
    arguments = [params[name] for name in compiled.positiontup or []]
    async with suite.resource_db.statement_connection() as connection:
        driver = connection.driver
        async with driver.transaction():
            await driver.execute("SET LOCAL plan_cache_mode = force_generic_plan")  # as served
            await driver.execute("SELECT set_config('app.tenant_id', $1, true)", tenant)
            # The pool's connections decode JSON (SQLAlchemy's asyncpg dialect sets it up).
            [plan] = await driver.fetchval(
                f"EXPLAIN (ANALYZE, FORMAT JSON) {compiled.string}", *arguments
            )
    read = [
        node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)
        for node in plan_nodes(plan["Plan"])
        if node.get("Relation Name") == "resource_events"
    ]
    assert read, "the statement read no events at all"
    return read


def plan_nodes(node: dict[str, Any]) -> list[dict[str, Any]]:
    """A plan node and every node below it."""
    return [node, *(found for child in node.get("Plans", []) for found in plan_nodes(child))]
