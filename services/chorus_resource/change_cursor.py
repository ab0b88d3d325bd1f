"""Cursors of watch streams: a position in a tenant's change history, and its age.

A cursor is `<seq>.<seconds>`: the outbox position it stands for and when
that position was current (the event's time, or when a stream caught up),
so a cursor older than the history kept is recognised without looking for
its event. Clients treat it as opaque.
"""

import re
import time
from dataclasses import dataclass

from chorus_core.errors import FailedPrecondition, FieldViolation, InvalidArgument
from chorus_resource.change_log import HISTORY

_FORMAT = re.compile(r"([0-9]{1,18})\.([0-9]{1,12})")
CLOCK_SKEW_SECONDS = 3600
"""How far in the future a cursor's time may be (replicas' clocks differ a little)."""


@dataclass(frozen=True)
class Cursor:
    seq: int
    seconds: int

    def __str__(self) -> str:
        return f"{self.seq}.{self.seconds}"


def parse_cursor(text: str, now: float | None = None) -> Cursor | None:
    """The cursor of a request (None when empty).

    INVALID_ARGUMENT if it is not one; FAILED_PRECONDITION if it is older than
    the history kept.
    """
    if not text:
        return None
    match = _FORMAT.fullmatch(text)
    now = time.time() if now is None else now
    if match is None or int(match[2]) > now + CLOCK_SKEW_SECONDS:
        raise InvalidArgument(
            [FieldViolation("cursor", "is not a cursor of this service: pass an event's cursor")]
        )
    cursor = Cursor(int(match[1]), int(match[2]))
    if cursor.seconds < now - HISTORY.total_seconds():
        hours = int(HISTORY.total_seconds() // 3600)
        raise FailedPrecondition(
            f"the cursor is older than the {hours} hours of history kept: "
            "reload, then watch again without a cursor"
        )
    return cursor
