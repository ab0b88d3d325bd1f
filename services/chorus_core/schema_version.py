"""Refusing to serve on a database its migrations have not reached yet.

New code may need what its migrations add (a column, a function, a grant):
run on a database left at an older migration, its calls would fail one by
one as INTERNAL errors. So a service compares, before it serves, the
database's Alembic revision with the newest one it ships, and refuses to
start (exit 2, one line saying to run `migrate`) when the database has none
yet or an older one. A revision it does not know is newer code's migration
(a rollback of the code, or an older replica still starting during an
upgrade): migrations keep the previous version working, so it serves, with
a warning.
"""

import asyncio
import logging

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, inspect, text
from sqlalchemy.exc import DBAPIError

from chorus_core.config import ConfigError
from chorus_core.database import Database
from chorus_core.errors import DatabaseUnavailable
from chorus_core.migrations import alembic_config

_log = logging.getLogger("chorus.database")

RETRY_SECONDS = 1.0
VERSION_TABLE = "alembic_version"
"""Alembic's own (read here rather than through its MigrationContext, which logs on each start)."""
_VERSIONS = text("SELECT version_num FROM alembic_version")


async def refuse_unmigrated(db: Database, service: str) -> None:
    """Raise ConfigError unless `db` is at `service`'s newest migration (or a newer one).

    Waits for the database while it is unavailable: the service cannot serve before anyway.
    """
    scripts = ScriptDirectory.from_config(alembic_config(service, db.engine.url))
    newest = set(scripts.get_heads())
    while True:
        try:
            async with db.read_connection() as connection:
                current = set(await connection.run_sync(_current_heads))
            break
        except DatabaseUnavailable:
            _log.warning("cannot check the database's migration yet: the database is unavailable")
            await asyncio.sleep(RETRY_SECONDS)
        except DBAPIError as error:
            raise ConfigError(
                f"cannot read the {service} database's migration ({_first_line(error)}): "
                f"run `python -m chorus_{service} migrate` (it grants the service's role "
                "the right to read it)"
            ) from None
    if current == newest:
        return
    migrate = f"run `python -m chorus_{service} migrate` first"
    if not current:
        raise ConfigError(f"the {service} database has no tables yet: {migrate}")
    known = {revision for revision in current if _known(scripts, revision)}
    if known != current:
        _log.warning(
            "the %s database is at migration %s, newer than this version of the service "
            "knows (%s): serving, as migrations keep the previous version working",
            service,
            ", ".join(sorted(current)),
            ", ".join(sorted(newest)),
        )
        return
    raise ConfigError(
        f"the {service} database is at migration {', '.join(sorted(current))}; this version "
        f"needs {', '.join(sorted(newest))}: {migrate}"
    )


def _current_heads(connection: Connection) -> list[str]:
    """The revisions in the database's version table (none before its first migration)."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return []
    return list(connection.execute(_VERSIONS).scalars())


def _known(scripts: ScriptDirectory, revision: str) -> bool:
    try:
        return scripts.get_revision(revision) is not None
    except CommandError:  # alembic's word for a revision it cannot locate
        return False


def _first_line(error: DBAPIError) -> str:
    reason = error.orig if error.orig is not None else error
    return (str(reason).strip().splitlines() or [type(reason).__name__])[0]
