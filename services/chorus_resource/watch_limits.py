"""How many watch streams a resource server keeps open (settings read these)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class WatchLimits:
    per_tenant: int = 100
    """Open watch streams one tenant may have on one server process."""
    per_process: int = 2000
    """Open watch streams of all tenants on one server process."""
    reads_at_once: int = 4
    """Streams reading the outbox at the same time (the rest queue)."""
