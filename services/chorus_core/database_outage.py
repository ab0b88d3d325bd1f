"""Telling a database outage from a bug, and noticing when the database is back.

A lost or refused connection, a server shutting down or starting up, a full
connection pool, SQLite's "database is locked" after its busy timeout: the
call may succeed if tried again, so it is `DatabaseUnavailable` (UNAVAILABLE
to clients). The service then reports NOT_SERVING (`Readiness`) until a probe
reaches the database again.
"""

import asyncio
import logging

from sqlalchemy import exc, text
from sqlalchemy.ext.asyncio import AsyncEngine

from chorus_core.readiness import Readiness

_log = logging.getLogger("chorus.database")

CONDITION = "database"
PROBE_INTERVAL_SECONDS = 1.0
PROBE_TIMEOUT_SECONDS = 5.0

_UNAVAILABLE_SQLSTATES = ("57P01", "57P02", "57P03")
"""admin_shutdown, crash_shutdown, cannot_connect_now (class 08 and 53 are added below)."""


def is_outage(error: BaseException) -> bool:
    """Whether `error` says the database cannot be used now (rather than a bad statement)."""
    if isinstance(error, OSError | TimeoutError | exc.TimeoutError | exc.InterfaceError):
        return True
    if isinstance(error, exc.DBAPIError):
        if error.connection_invalidated or isinstance(error, exc.OperationalError):
            return True
        return _sqlstate_says_outage(error.orig)
    return _sqlstate_says_outage(error)


def _sqlstate_says_outage(error: object) -> bool:
    state = getattr(error, "sqlstate", None)
    if not isinstance(state, str):
        return False
    return state.startswith(("08", "53")) or state in _UNAVAILABLE_SQLSTATES


class OutageWatch:
    """Marks the database condition failing on an outage, and holding again once it answers."""

    def __init__(self, engine: AsyncEngine, readiness: Readiness) -> None:
        self._engine = engine
        self._readiness = readiness
        self._probe: asyncio.Task[None] | None = None

    def outage(self, error: BaseException) -> None:
        if self._probe is not None and not self._probe.done():
            return
        _log.warning("the database is unavailable (%s): reporting NOT_SERVING", _name(error))
        self._readiness.set(CONDITION, False)
        self._probe = asyncio.get_running_loop().create_task(self._until_back())

    async def _until_back(self) -> None:
        while True:
            if await self._answers():
                break
            await asyncio.sleep(PROBE_INTERVAL_SECONDS)
        _log.warning("the database answers again: reporting SERVING")
        self._readiness.set(CONDITION, True)

    async def _answers(self) -> bool:
        try:
            async with asyncio.timeout(PROBE_TIMEOUT_SECONDS), self._engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception as error:
            if not is_outage(error):
                raise
            return False
        return True

    async def stop(self) -> None:
        if self._probe is not None:
            self._probe.cancel()
            await asyncio.gather(self._probe, return_exceptions=True)


def _name(error: BaseException) -> str:
    orig = getattr(error, "orig", None)
    return type(orig if orig is not None else error).__name__
