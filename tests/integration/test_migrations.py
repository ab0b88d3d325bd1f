"""Each service's Alembic history builds exactly its models, on both databases."""

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, MetaData, inspect, text
from sqlalchemy.engine import URL

from chorus_auth.models import Base as AuthBase
from chorus_core.database import create_engine
from chorus_core.migrations import alembic_config, upgrade_to_head
from chorus_resource.models import Base as ResourceBase
from tests.support.databases import BACKENDS, fresh_database

T = TypeVar("T")

SERVICES = {"auth": AuthBase.metadata, "resource": ResourceBase.metadata}


async def _run(url: URL, work: Callable[[Connection], T]) -> T:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(work)
    finally:
        await engine.dispose()


def _differences(metadata: MetaData) -> Callable[[Connection], list[object]]:
    def compare(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))

    return compare


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names()) - {"alembic_version"}


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("service", sorted(SERVICES))
async def test_migrations_match_models_and_downgrade_cleanly(
    backend: str, service: str, tmp_path: Path
) -> None:
    metadata = SERVICES[service]
    async with fresh_database(backend, tmp_path, service) as url:
        await asyncio.to_thread(upgrade_to_head, service, url)
        assert await _run(url, _differences(metadata)) == []
        assert await _run(url, _tables) == set(metadata.tables)

        await asyncio.to_thread(command.downgrade, alembic_config(service, url), "base")
        assert await _run(url, _tables) == set()

        await asyncio.to_thread(upgrade_to_head, service, url)
        assert await _run(url, _tables) == set(metadata.tables)


@pytest.mark.parametrize("backend", BACKENDS)
async def test_operations_already_finished_are_done_after_the_upgrade(
    backend: str, tmp_path: Path
) -> None:
    """The migration adding `operations.done` sets it for every tenant's finished ones."""
    async with fresh_database(backend, tmp_path, "resource") as url:
        config = alembic_config("resource", url)
        await asyncio.to_thread(command.upgrade, config, "aec3d6e075a8")

        def insert(connection: Connection) -> None:
            for tenant, state in (("t1", 1), ("t2", 2), ("t3", 4)):
                _declare(connection, tenant)
                connection.execute(
                    text(
                        "INSERT INTO operations (id, tenant_id, created_by, creator_role, kind, "
                        "resource, state, document_format, rows_total, rows_done, "
                        "rows_imported, rows_rejected, row_errors, error, cancel_requested, "
                        "create_time, update_time) VALUES (:id, :tenant, 'u', 'owner', "
                        "'ImportSongs', 'Song', :state, 1, 0, 0, 0, 0, '', '', false, "
                        "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                    ),
                    {"id": f"op-{tenant}", "tenant": tenant, "state": state},
                )
            connection.commit()

        def done(connection: Connection) -> dict[str, bool]:
            found = {}
            for tenant in ("t1", "t2", "t3"):
                _declare(connection, tenant)
                found[tenant] = bool(
                    connection.scalar(
                        text("SELECT done FROM operations WHERE tenant_id = :t"), {"t": tenant}
                    )
                )
            return found

        await _run(url, insert)
        await asyncio.to_thread(upgrade_to_head, "resource", url)

        assert await _run(url, done) == {"t1": False, "t2": True, "t3": True}


def _declare(connection: Connection, tenant: str) -> None:
    if connection.dialect.name == "postgresql":  # row-level security is forced on the owner too
        connection.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": tenant})
