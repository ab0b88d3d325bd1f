"""Starting a service that may refuse to start (its start-up checks)."""

from chorus_core.config import ConfigError
from chorus_core.database import Database
from chorus_core.server import GrpcServer


async def start_error(built: tuple[GrpcServer, Database]) -> str:
    """The message a built service refuses to start with ("" if it starts); stopped either way."""
    server, db = built
    try:
        await server.start()
    except ConfigError as error:
        return str(error)
    finally:
        await server.stop()
        await db.close()
    return ""
