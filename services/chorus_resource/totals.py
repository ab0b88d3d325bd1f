"""A list's `total_size`, kept while the outbox shows no change to what it counted.

Counting every match is most of a list on a big tenant (10,000 songs: a
couple of milliseconds of PostgreSQL's CPU per call, more than everything
else the call does). Every change to a tenant's items writes an event to the
outbox (`change_log`) in the changing transaction, and an event's `seq` only
grows. So a count of a tenant's items of one resource (with one filter)
stays exact for as long as the newest seq of that tenant's resource is the
one it was counted at. The list statement reads that seq (one index probe)
and counts only when it differs (a `CASE`: the count is not evaluated when
the seq matches).

A count is kept only when the seq it came with is *complete*: every event
with a smaller seq was visible to the same statement.

- SQLite runs one write transaction at a time, so every read is complete.
- On PostgreSQL two writers may take seqs in one order and commit in the
  other; a read may see the later one and not yet the earlier. So a count is
  kept only when its statement ran after the list took the tenant's event
  lock exclusively without waiting (`pg_try_advisory_xact_lock`, in a short
  transaction): then no writer held a seq, and none could take one until the
  statement ended. When a writer holds it, the list counts as before and
  keeps nothing.

A tenant without events (none yet, or all older than the kept history)
keeps no count: the newest seq is then 0 whatever its rows, and purging a
deleted tenant removes its rows and its events together.
"""

from collections import OrderedDict
from dataclasses import dataclass

KEPT = 4096
"""Counts kept per service process (a tenant, a resource and a filter each)."""


@dataclass(frozen=True, slots=True)
class Total:
    seq: int
    """The tenant's newest event seq of the resource when counted."""
    count: int


TotalKey = tuple[str, str, str]
"""The tenant, the resource's message name and the list's filter text."""


class Totals:
    """The most recently used counts of this process."""

    def __init__(self, size: int = KEPT) -> None:
        self._size = size
        self._kept: OrderedDict[TotalKey, Total] = OrderedDict()

    def get(self, key: TotalKey) -> Total | None:
        found = self._kept.get(key)
        if found is not None:
            self._kept.move_to_end(key)
        return found

    def settle(self, key: TotalKey, known: Total | None, found: Total, *, complete: bool) -> None:
        """What a list found, `known` being the count it was given: keep it if `complete` (see
        above) and newer than what is kept; forget `known` if it has gone stale.

        Lists run side by side: another may have kept a newer count meanwhile, which stays.
        """
        if known is not None and found.seq == known.seq:
            return
        kept = self._kept.get(key)
        if complete and found.seq > 0:
            if kept is None or kept.seq < found.seq:
                self._kept[key] = found
                self._kept.move_to_end(key)
                while len(self._kept) > self._size:
                    self._kept.popitem(last=False)
        elif kept is not None and kept is known:
            del self._kept[key]
