"""Each service's Alembic history builds exactly its models, on both databases."""

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, MetaData, inspect
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
