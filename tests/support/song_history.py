"""A record of concurrent song calls, and what a correct service must have answered.

Calls overlap, so the record keeps when each started and ended (client side,
monotonic): a call that ended before another started happened before it on
the server too. That is all the model needs to judge each answer and the
final state, without knowing how overlapping calls were interleaved.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

import grpc

from chorus.resource.v1 import song_service_pb2 as pb
from tests.support.service_databases import StoredSong
from tests.support.tenants import WRITERS

OK = grpc.StatusCode.OK
NOT_FOUND = grpc.StatusCode.NOT_FOUND
PERMISSION_DENIED = grpc.StatusCode.PERMISSION_DENIED

OPERATIONS = ("switch", "create", "get", "list", "update", "delete")
WRITES = frozenset({"create", "update", "delete"})
ON_ONE_SONG = frozenset({"get", "update", "delete"})

SongState = tuple[str, str, int | None, int]
"""name, artist, year and update time (microseconds since the epoch) of a song."""


def state_of(song: pb.Song) -> SongState:
    year = song.year if song.HasField("year") else None
    return song.name, song.artist, year, song.update_time.ToMicroseconds()


def stored_state(song: StoredSong) -> SongState:
    micros = round(song.update_time.timestamp() * 1_000_000)
    return song.name, song.artist, song.year, micros


@dataclass(frozen=True)
class Call:
    """One call and its outcome."""

    user: str
    op: str
    """switch, create, get, list, update or delete."""
    tenant: str
    """The tenant the session acted in (for a switch: the one asked for)."""
    role: str | None
    """The user's role in `tenant`; None if not a member."""
    song_id: str
    """The song named by get, update and delete; the new song's id after a create."""
    started: float
    ended: float
    code: grpc.StatusCode
    songs: tuple[pb.Song, ...] = ()
    """The song returned, or the songs listed."""
    sent: pb.Song | None = None
    """The values a create or update sent."""

    def __str__(self) -> str:
        return (
            f"{self.user} {self.op} {self.song_id[:8]} in {self.tenant[:8]} "
            f"as {self.role}: {self.code.name}"
        )


@dataclass
class SongHistory:
    """Every call made, and the facts the model derives from them."""

    calls: list[Call] = field(default_factory=list)
    tenant_of: dict[str, str] = field(default_factory=dict)
    """Song id -> the tenant it was created in (acknowledged creates only)."""
    creator_of: dict[str, str] = field(default_factory=dict)

    def record(self, call: Call, user_id: str) -> None:
        self.calls.append(call)
        if call.op == "create" and call.code == OK:
            self.tenant_of[call.song_id] = call.tenant
            self.creator_of[call.song_id] = user_id

    def acknowledged(self, op: str) -> dict[str, list[Call]]:
        """The successful calls of `op`, by song id."""
        found: dict[str, list[Call]] = defaultdict(list)
        for call in self.calls:
            if call.op == op and call.code == OK:
                found[call.song_id].append(call)
        return found

    def expected_codes(self, call: Call) -> set[grpc.StatusCode]:
        """What a correct service may answer to `call`."""
        if call.op == "switch":
            return {NOT_FOUND if call.role is None else OK}
        if call.op in WRITES and call.role not in WRITERS:
            return {PERMISSION_DENIED}
        if call.op not in ON_ONE_SONG:
            return {OK}
        if self.tenant_of.get(call.song_id) != call.tenant:
            return {NOT_FOUND}  # another tenant's song, or none at all
        return self._given_deletes(call)

    def _given_deletes(self, call: Call) -> set[grpc.StatusCode]:
        """What a call on a song of its tenant may answer, given the song's deletes."""
        deletes = self.acknowledged("delete").get(call.song_id, [])
        if any(delete.ended < call.started for delete in deletes):
            return {NOT_FOUND}  # deleted before this call began
        if any(delete.started < call.ended for delete in deletes):
            return {OK, NOT_FOUND}  # deleted while it ran
        return {OK}

    def written_states(self, song_id: str) -> dict[SongState, Call]:
        """Every state an acknowledged create or update gave the song."""
        return {
            state_of(write.songs[0]): write
            for op in ("create", "update")
            for write in self.acknowledged(op).get(song_id, [])
        }

    def possible_final_states(self, song_id: str) -> set[SongState]:
        """The states of the writes that no acknowledged write followed for sure."""
        states = self.written_states(song_id)
        return {
            state
            for state, write in states.items()
            if not any(other.started > write.ended for other in states.values())
        }

    def expected_ids(self, tenant_id: str) -> set[str]:
        """The songs that must remain in a tenant: created there, never deleted."""
        deleted = self.acknowledged("delete")
        return {
            song_id
            for song_id, tenant in self.tenant_of.items()
            if tenant == tenant_id and song_id not in deleted
        }

    def wrong_answers(self) -> list[str]:
        """Calls answered with a code a correct service could not have given."""
        return [
            f"{call}: expected {' or '.join(sorted(code.name for code in expected))}"
            for call in self.calls
            if call.code not in (expected := self.expected_codes(call))
        ]

    def writes_not_as_sent(self) -> list[str]:
        """Acknowledged creates and updates that did not return the values sent."""
        return [
            f"{call} sent {call.sent} but returned {call.songs[0]}"
            for call in self.calls
            if call.op in ("create", "update")
            and call.code == OK
            and call.sent is not None
            and state_of(call.songs[0])[:3] != state_of(call.sent)[:3]
        ]

    def foreign_or_unwritten_songs(self) -> list[str]:
        """Songs returned from outside the caller's tenant, or in a state no write made."""
        problems = []
        for call in self.calls:
            for song in call.songs:
                if self.tenant_of.get(song.id) != call.tenant:
                    problems.append(f"{call} returned {song.id} of another tenant")
                elif state_of(song) not in self.written_states(song.id):
                    problems.append(f"{call} returned a state no write made: {song}")
        return problems

    def deleted_more_than_once(self) -> list[str]:
        return [
            f"{song_id} deleted by {', '.join(map(str, deletes))}"
            for song_id, deletes in self.acknowledged("delete").items()
            if len(deletes) > 1
        ]

    def coverage(self) -> Counter[str]:
        """How often the run hit each case worth hitting (all must be > 0)."""
        cases = [f"{op} ok" for op in OPERATIONS]
        cases += ["viewer write refused", "foreign song not found", "foreign switch refused"]
        hits = Counter(dict.fromkeys(cases, 0))
        for call in self.calls:
            owner = self.tenant_of.get(call.song_id)
            if call.code == OK:
                hits[f"{call.op} ok"] += 1
            elif call.code == PERMISSION_DENIED and call.role == "viewer":
                hits["viewer write refused"] += 1
            elif call.op == "switch":
                hits["foreign switch refused"] += 1
            elif owner is not None and owner != call.tenant:
                hits["foreign song not found"] += 1
        return hits

    def overlapping_writes(self) -> int:
        """Pairs of updates or deletes of one song that ran at the same time.

        Timing decides how many there are, so no test can insist on some:
        test_concurrent_writers_of_one_song_queue_up makes them on purpose.
        """
        writes: dict[str, list[Call]] = defaultdict(list)
        for call in self.calls:
            if call.op in ("update", "delete") and call.code in (OK, NOT_FOUND):
                writes[call.song_id].append(call)
        return sum(
            1
            for calls in writes.values()
            for n, first in enumerate(calls)
            for second in calls[n + 1 :]
            if first.started < second.ended and second.started < first.ended
        )
