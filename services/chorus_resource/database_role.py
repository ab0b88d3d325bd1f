"""Refusing to serve as a PostgreSQL role that row-level security does not bind.

A superuser, a role with BYPASSRLS, or the owner of the tables (who may turn
the policies off) would silently remove the second wall between tenants. The
resource service checks its own role before it serves and refuses to start
as one of those, saying what to use instead. CHORUS_RESOURCE_ALLOW_RLS_BYPASS
turns the refusal into a warning, for local experiments only.
"""

import asyncio
import logging

from sqlalchemy import text

from chorus_core.config import ConfigError
from chorus_core.database import Database
from chorus_core.errors import DatabaseUnavailable

_log = logging.getLogger("chorus.resource")

RETRY_SECONDS = 1.0

_ROLE = text(
    """
    SELECT current_user AS name, r.rolsuper AS superuser, r.rolbypassrls AS bypassrls,
           EXISTS (
               SELECT 1 FROM pg_class c
               WHERE c.relkind = 'r' AND c.relrowsecurity
                 AND pg_has_role(current_user, c.relowner, 'USAGE')
           ) AS owner
    FROM pg_roles r WHERE r.rolname = current_user
    """
)


async def refuse_rls_bypass(db: Database, app_role: str, *, allowed: bool) -> None:
    """Raise ConfigError if the service's role escapes row-level security (PostgreSQL only).

    Waits for the database if it is unavailable: the service cannot serve before anyway.
    """
    if db.engine.dialect.name != "postgresql":
        return
    while True:
        try:
            async with db.read() as session:
                role = (await session.execute(_ROLE)).one()
            break
        except DatabaseUnavailable:
            _log.warning("cannot check the database role yet: the database is unavailable")
            await asyncio.sleep(RETRY_SECONDS)
    escapes = [
        what
        for what, holds in (
            ("is a superuser", role.superuser),
            ("has BYPASSRLS", role.bypassrls),
            ("owns tables with row-level security", role.owner),
        )
        if holds
    ]
    if not escapes:
        return
    message = (
        f"the resource service connects as {role.name!r}, which {' and '.join(escapes)}: "
        "row-level security would not bind it. Connect as a LOGIN role that is NOBYPASSRLS, "
        f"not a superuser and owns no table, IN ROLE {app_role} (CHORUS_RESOURCE_APP_ROLE; "
        "the migrations grant it the table rights): see the README, 'Row-level security'. "
        "For a local experiment only, CHORUS_RESOURCE_ALLOW_RLS_BYPASS=true allows it."
    )
    if not allowed:
        raise ConfigError(message)
    _log.warning("%s (allowed by CHORUS_RESOURCE_ALLOW_RLS_BYPASS)", message)
