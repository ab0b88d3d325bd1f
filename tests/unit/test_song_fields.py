"""Song input validation and update masks (chorus_resource.song_fields)."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from google.protobuf.field_mask_pb2 import FieldMask

from chorus.resource.v1 import song_service_pb2 as pb
from chorus_resource.models import Song
from chorus_resource.song_fields import (
    new_song_values,
    request_id,
    song_message,
    update_values,
)
from tests.support.violations import validated

FULL = pb.Song(name="Aberdeen", artist="Cage the Elephant", year=2011)


def created(song: pb.Song) -> tuple[dict[str, object], list[str]]:
    return validated(lambda violations: new_song_values(song, violations))


def updated(song: pb.Song, paths: list[str]) -> tuple[dict[str, object], list[str]]:
    return validated(lambda violations: update_values(song, FieldMask(paths=paths), violations))


def test_new_song_values_are_trimmed() -> None:
    song = pb.Song(name="  Aberdeen\n", artist="\tCage the Elephant ", year=2011)

    assert created(song) == ({"name": "Aberdeen", "artist": "Cage the Elephant", "year": 2011}, [])


def test_new_song_without_year() -> None:
    values, bad = created(pb.Song(name="Aberdeen", artist="Cage the Elephant"))

    assert values["year"] is None
    assert bad == []


@pytest.mark.parametrize(
    "song",
    [
        pb.Song(name="n" * 200, artist="a" * 200),
        pb.Song(name="n", artist="a", year=1000),
        pb.Song(name="n", artist="a", year=2100),
    ],
    ids=["200 characters", "year 1000", "year 2100"],
)
def test_new_song_boundaries_are_valid(song: pb.Song) -> None:
    assert created(song)[1] == []


@pytest.mark.parametrize(
    ("song", "bad"),
    [
        (pb.Song(name="", artist="a"), ["song.name"]),
        (pb.Song(name=" \t", artist="a"), ["song.name"]),
        (pb.Song(name="n" * 201, artist="a"), ["song.name"]),
        (pb.Song(name="n", artist="a" * 201), ["song.artist"]),
        (pb.Song(name="n", artist="a", year=999), ["song.year"]),
        (pb.Song(name="n", artist="a", year=2101), ["song.year"]),
        (pb.Song(name="n", artist="a", year=0), ["song.year"]),
        (pb.Song(year=-5), ["song.name", "song.artist", "song.year"]),
    ],
    ids=["empty", "blank", "long name", "long artist", "999", "2101", "zero", "all"],
)
def test_invalid_new_songs(song: pb.Song, bad: list[str]) -> None:
    assert created(song)[1] == bad


UPDATES = {
    "one path": (FULL, ["name"], {"name": "Aberdeen"}),
    "two paths": (FULL, ["artist", "year"], {"artist": "Cage the Elephant", "year": 2011}),
    "masked unset year clears it": (pb.Song(name="x"), ["year"], {"year": None}),
    "masked text is trimmed": (pb.Song(name=" Aberdeen "), ["name"], {"name": "Aberdeen"}),
    "no mask: set text fields": (pb.Song(artist="Band"), [], {"artist": "Band"}),
    "no mask: set year": (pb.Song(year=1999), [], {"year": 1999}),
    "no mask: everything set": (
        FULL,
        [],
        {"name": "Aberdeen", "artist": "Cage the Elephant", "year": 2011},
    ),
    "star, unset year clears it": (
        pb.Song(name="Aberdeen", artist="Band"),
        ["*"],
        {"name": "Aberdeen", "artist": "Band", "year": None},
    ),
}


@pytest.mark.parametrize(("song", "paths", "values"), UPDATES.values(), ids=UPDATES.keys())
def test_update_values(song: pb.Song, paths: list[str], values: dict[str, object]) -> None:
    assert updated(song, paths) == (values, [])


INVALID_UPDATES = {
    "nothing to update": (pb.Song(), [], ["update_mask"]),
    "only an id": (pb.Song(id=str(uuid.uuid4())), [], ["update_mask"]),
    "unknown path": (FULL, ["title"], ["update_mask"]),
    "read-only paths": (FULL, ["id", "create_time"], ["update_mask", "update_mask"]),
    "nested path": (FULL, ["song.name"], ["update_mask"]),
    "star among paths": (FULL, ["*", "name"], ["update_mask"]),
    "no mask: blank name": (pb.Song(name="  "), [], ["song.name"]),
    "masked empty text": (pb.Song(year=2000), ["name", "artist"], ["song.name", "song.artist"]),
    "star without text": (pb.Song(), ["*"], ["song.name", "song.artist"]),
    "masked year out of range": (pb.Song(year=2101), ["year"], ["song.year"]),
    "unknown and bad value": (pb.Song(name=""), ["title", "name"], ["update_mask", "song.name"]),
}


@pytest.mark.parametrize(
    ("song", "paths", "bad"), INVALID_UPDATES.values(), ids=INVALID_UPDATES.keys()
)
def test_invalid_updates(song: pb.Song, paths: list[str], bad: list[str]) -> None:
    assert updated(song, paths)[1] == bad


def test_unknown_paths_do_not_hide_the_valid_ones() -> None:
    assert updated(FULL, ["title", "name"]) == ({"name": "Aberdeen"}, ["update_mask"])


@pytest.mark.parametrize(
    ("value", "key", "bad"),
    [("", None, []), ("k" * 64, "k" * 64, []), ("k" * 65, "k" * 65, ["request_id"])],
    ids=["none", "64 characters", "65 characters"],
)
def test_request_id(value: str, key: str | None, bad: list[str]) -> None:
    assert validated(lambda violations: request_id(value, violations)) == (key, bad)


@pytest.mark.parametrize("year", [2011, None])
def test_song_message(year: int | None) -> None:
    now = datetime(2024, 5, 17, 9, 30, 15, 123456, tzinfo=UTC)
    row = Song(
        id=str(uuid.uuid4()),
        name="Aberdeen",
        artist="Cage the Elephant",
        year=year,
        create_time=now,
        update_time=now + timedelta(seconds=1),
    )

    message = song_message(row)

    assert (message.id, message.name, message.artist) == (row.id, row.name, row.artist)
    assert message.HasField("year") == (year is not None)
    assert message.year == (year or 0)
    assert message.create_time.ToDatetime(tzinfo=UTC) == now
    assert message.update_time.ToDatetime(tzinfo=UTC) == now + timedelta(seconds=1)
