"""The body of every service's Alembic `env.py`: async engine, online mode.

The URL comes from `config.attributes["database_url"]` when migrations run
from code (`python -m chorus_auth migrate`), else from the service's settings
(`alembic -n auth upgrade head` reads the same env values as the service).
"""

import asyncio
import os
from collections.abc import Callable
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection, MetaData
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from chorus_core.database import (
    DatabaseUnreachable,
    connect_when_reachable,
    create_engine,
    error_line,
)
from chorus_core.settings import database_wait_seconds
from chorus_core.sqltypes import UTCDateTime


def run_migrations(
    metadata: MetaData,
    settings_url: Callable[[], URL],
    process_revision_directives: Callable[..., None] | None = None,
) -> None:
    """`process_revision_directives`: an autogenerate hook (Alembic's option of that name)."""
    config = context.config
    url: URL = config.attributes.get("database_url") or settings_url()
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    wait = database_wait_seconds(os.environ)
    asyncio.run(_run_online(url, metadata, process_revision_directives, wait))


async def _run_online(
    url: URL, metadata: MetaData, hook: Callable[..., None] | None, wait_seconds: float
) -> None:
    """On one connection, the first the database takes (see `connect_when_reachable`)."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        async with connect_when_reachable(engine, wait_seconds=wait_seconds) as connection:
            try:
                await connection.run_sync(_run, metadata, hook)
                await connection.commit()
            except (OSError, DBAPIError) as error:
                if not _connection_lost(error):
                    raise
                where = url.render_as_string(hide_password=True)
                raise DatabaseUnreachable(
                    f"lost the database {where} while migrating ({error_line(error)}): "
                    "what was not committed is rolled back; run migrate again"
                ) from None
    finally:
        await engine.dispose()


def _connection_lost(error: BaseException) -> bool:
    return isinstance(error, OSError) or bool(getattr(error, "connection_invalidated", False))


def _run(connection: Connection, metadata: MetaData, hook: Callable[..., None] | None) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
        process_revision_directives=hook,
    )
    with context.begin_transaction():
        context.run_migrations()


def _render_item(kind: str, obj: Any, _autogen_context: AutogenContext) -> str | Literal[False]:
    """Migrations use plain SQLAlchemy types, never the app's own column types."""
    if kind == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False
