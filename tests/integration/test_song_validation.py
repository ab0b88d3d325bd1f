"""Bad input is INVALID_ARGUMENT, with a BadRequest violation per bad field."""

import base64
import json
import uuid
from collections.abc import Awaitable, Callable
from typing import NamedTuple

import pytest

from chorus.resource.v1 import song_service_pb2 as pb
from chorus_client import UserSession
from tests.support.songs import CALLS_BY_ID, ID_FIELDS, all_songs, invalid_fields


class NewSong(NamedTuple):
    name: str = "Aberdeen"
    artist: str = "Cage the Elephant"
    year: int | None = None
    request_id: str = ""

    def create(self, user: UserSession) -> Awaitable[pb.Song]:
        return user.songs.create(self.name, self.artist, self.year, request_id=self.request_id)


INVALID_CREATES = {
    "empty name": (NewSong(name=""), {"song.name"}),
    "whitespace-only name": (NewSong(name=" \t\n "), {"song.name"}),
    "name over 200": (NewSong(name="n" * 201), {"song.name"}),
    "empty artist": (NewSong(artist=""), {"song.artist"}),
    "artist over 200": (NewSong(artist="a" * 201), {"song.artist"}),
    "NUL in name": (NewSong(name="Aber\x00deen"), {"song.name"}),
    "control character in artist": (NewSong(artist="Cage\x1bthe Elephant"), {"song.artist"}),
    "year 999": (NewSong(year=999), {"song.year"}),
    "year 2101": (NewSong(year=2101), {"song.year"}),
    "request_id over 64": (NewSong(request_id="r" * 65), {"request_id"}),
    "several at once": (
        NewSong(name=" ", artist="a" * 201, year=-1, request_id="r" * 65),
        {"song.name", "song.artist", "song.year", "request_id"},
    ),
}


@pytest.mark.parametrize(("song", "fields"), INVALID_CREATES.values(), ids=INVALID_CREATES.keys())
async def test_invalid_create_writes_nothing(
    jane: UserSession, song: NewSong, fields: set[str]
) -> None:
    before = await all_songs(jane)

    assert await invalid_fields(song.create(jane)) == fields
    assert await all_songs(jane) == before


VALID_CREATES = {
    "200-char name": NewSong(name="n" * 200),
    "200-char artist": NewSong(artist="a" * 200),
    "year 1000": NewSong(year=1000),
    "year 2100": NewSong(year=2100),
    "64-char request_id": NewSong(request_id="r" * 64),
}


@pytest.mark.parametrize("song", VALID_CREATES.values(), ids=VALID_CREATES.keys())
async def test_boundary_values_are_accepted(jane: UserSession, song: NewSong) -> None:
    created = await song.create(jane)

    year = created.year if created.HasField("year") else None
    assert (created.name, created.artist, year) == (song.name, song.artist, song.year)
    assert await jane.songs.get(created.id) == created


async def test_text_is_stored_as_sent(jane: UserSession) -> None:
    song = await NewSong(name="  " + "n" * 197 + " ", artist=" Band ").create(jane)

    assert (song.name, song.artist) == ("  " + "n" * 197 + " ", " Band ")


async def test_line_breaks_count_as_control_characters(jane: UserSession) -> None:
    assert await invalid_fields(NewSong(artist="\tBand\n").create(jane)) == {"song.artist"}


async def test_a_rejected_create_does_not_use_up_its_request_id(jane: UserSession) -> None:
    key = str(uuid.uuid4())
    await invalid_fields(NewSong(name="", request_id=key).create(jane))

    song = await NewSong(name="Second try", request_id=key).create(jane)

    assert song.name == "Second try"


# Each change is applied to jane's first song, under the given mask.
INVALID_UPDATES = {
    "unknown path": (pb.Song(name="X"), ["title"], {"update_mask"}),
    "read-only id": (pb.Song(name="X"), ["id"], {"update_mask"}),
    "read-only create_time": (pb.Song(), ["create_time"], {"update_mask"}),
    "read-only update_time": (pb.Song(), ["update_time"], {"update_mask"}),
    "star among other paths": (pb.Song(name="X"), ["*", "name"], {"update_mask"}),
    "no mask, nothing set": (pb.Song(), None, {"update_mask"}),
    "masked name empty": (pb.Song(name=""), ["name"], {"song.name"}),
    "star without artist": (pb.Song(name="X", year=2000), ["*"], {"song.artist"}),
    "no mask, year 2101": (pb.Song(year=2101), None, {"song.year"}),
    "masked artist over 200": (pb.Song(artist="a" * 201), ["artist"], {"song.artist"}),
    "several at once": (
        pb.Song(name=" ", year=999),
        ["name", "year", "create_time"],
        {"song.name", "song.year", "update_mask"},
    ),
}


@pytest.mark.parametrize(
    ("change", "mask", "fields"), INVALID_UPDATES.values(), ids=INVALID_UPDATES.keys()
)
async def test_invalid_update_changes_nothing(
    jane: UserSession, change: pb.Song, mask: list[str] | None, fields: set[str]
) -> None:
    before = await all_songs(jane)
    change.id = before[0].id

    assert await invalid_fields(jane.songs.update(change, mask)) == fields
    assert await all_songs(jane) == before


SOME_ID = str(uuid.uuid4())
MALFORMED_IDS = {
    "empty": "",
    "not a uuid": "song-1",
    "upper case": SOME_ID.upper(),
    "no dashes": uuid.UUID(SOME_ID).hex,
    "braces": "{" + SOME_ID + "}",
    "trailing space": SOME_ID + " ",
}


@pytest.mark.parametrize("song_id", MALFORMED_IDS.values(), ids=MALFORMED_IDS.keys())
@pytest.mark.parametrize("method", CALLS_BY_ID.keys())
async def test_malformed_song_id(jane: UserSession, method: str, song_id: str) -> None:
    assert await invalid_fields(CALLS_BY_ID[method](jane, song_id)) == {ID_FIELDS[method]}


async def test_update_reports_a_bad_id_with_bad_fields(jane: UserSession) -> None:
    change = pb.Song(id="song-1", name="", year=3000)

    fields = await invalid_fields(jane.songs.update(change, ["name", "year", "title"]))

    assert fields == {"song.id", "song.name", "song.year", "update_mask"}


def encoded(payload: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()


def decoded(token: str) -> list[object]:
    payload: list[object] = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    return payload


def tampered(position: int, value: object) -> Callable[[str], str]:
    """Decode a real page token ([query fingerprint, create_time, id]), change one part."""

    def tamper(token: str) -> str:
        payload = decoded(token)
        payload[position] = value
        return encoded(payload)

    return tamper


# Each forgery is given a real token of jane's first page, to tamper with or ignore.
FORGED_TOKENS: dict[str, Callable[[str], str]] = {
    "random text": lambda _: "not a page token!",
    "base64 of junk JSON": lambda _: encoded({"hello": "world"}),
    "base64 of a short JSON list": lambda _: encoded(["x", SOME_ID]),
    "base64 of non-JSON bytes": lambda _: base64.urlsafe_b64encode(b"\xff\x00junk").decode(),
    "truncated real token": lambda token: token[: len(token) // 2],
    "deeply nested JSON": lambda _: encoded("[" * 5000),
    "real token, other query": tampered(0, "0123456789abcdef"),
    "real token, id a number": tampered(2, 5),
    "real token, NUL in id": tampered(2, "a\x00b"),
    "real token, time a string": tampered(1, "2024-01-01T00:00:00+00:00"),
    "real token, time overflows": tampered(1, {"t": [10**15, 0]}),
    "real token, time bad micros": tampered(1, {"t": [0, 10**7]}),
}


@pytest.mark.parametrize("forge", FORGED_TOKENS.values(), ids=FORGED_TOKENS.keys())
async def test_forged_page_token(jane: UserSession, forge: Callable[[str], str]) -> None:
    _, token = await jane.songs.page(1)
    assert token

    assert await invalid_fields(jane.songs.page(1, forge(token))) == {"page_token"}


async def test_a_tampered_token_that_still_decodes_is_accepted(jane: UserSession) -> None:
    # Tokens are opaque, not secret: a well-formed one is served, within the tenant.
    first, token = await jane.songs.page(1)

    songs, _ = await jane.songs.page(1, tampered(1, {"t": [0, 0]})(token))

    assert songs == first


async def test_negative_page_size(jane: UserSession) -> None:
    assert await invalid_fields(jane.songs.page(-1)) == {"page_size"}


async def test_list_checks_the_contract_rules_before_the_token(jane: UserSession) -> None:
    # The rules of the contract are checked before the handler runs; the token is the
    # handler's to decode, so a call breaking both hears of the rule first.
    fields = await invalid_fields(jane.songs.page(-5, "not a page token!"))

    assert fields == {"page_size"}
