"""Song messages: validation of client input and conversion to and from rows."""

from google.protobuf import field_mask_pb2

from chorus.resource.v1 import song_service_pb2 as pb
from chorus_core.errors import Violations
from chorus_core.validation import required_text
from chorus_resource.models import Song

MAX_TEXT = 200
MIN_YEAR, MAX_YEAR = 1000, 2100
MUTABLE_FIELDS = ("name", "artist", "year")
MAX_REQUEST_ID = 64


def song_message(song: Song) -> pb.Song:
    message = pb.Song(id=song.id, name=song.name, artist=song.artist)
    if song.year is not None:
        message.year = song.year
    message.create_time.FromDatetime(song.create_time)
    message.update_time.FromDatetime(song.update_time)
    return message


def new_song_values(song: pb.Song, violations: Violations) -> dict[str, object]:
    """Column values for CreateSong: name and artist required, year optional."""
    return _values(song, MUTABLE_FIELDS, violations, prefix="song")


def update_values(
    song: pb.Song, mask: field_mask_pb2.FieldMask, violations: Violations
) -> dict[str, object]:
    """Column values for UpdateSong, as chosen by the update mask (AIP-134)."""
    paths = list(mask.paths)
    if paths == ["*"]:
        return _values(song, MUTABLE_FIELDS, violations, prefix="song")
    if not paths:
        paths = [f for f in MUTABLE_FIELDS if f != "year" and getattr(song, f)]
        if song.HasField("year"):
            paths.append("year")
        if not paths:
            violations.add("update_mask", "nothing to update: set a field or name it in the mask")
    unknown = [p for p in paths if p not in MUTABLE_FIELDS]
    for path in unknown:
        violations.add("update_mask", f"unknown or read-only field {path!r}")
    return _values(song, [p for p in paths if p in MUTABLE_FIELDS], violations, prefix="song")


def _values(
    song: pb.Song, fields: tuple[str, ...] | list[str], violations: Violations, *, prefix: str
) -> dict[str, object]:
    values: dict[str, object] = {}
    for field in fields:
        if field == "year":
            values["year"] = _year(song, violations, prefix)
        else:
            values[field] = _text(getattr(song, field), f"{prefix}.{field}", violations)
    return values


def _text(value: str, field: str, violations: Violations) -> str:
    return required_text(value, field, violations, max_length=MAX_TEXT)


def _year(song: pb.Song, violations: Violations, prefix: str) -> int | None:
    if not song.HasField("year"):
        return None
    if not MIN_YEAR <= song.year <= MAX_YEAR:
        violations.add(f"{prefix}.year", f"must be between {MIN_YEAR} and {MAX_YEAR}")
    return song.year


def request_id(value: str, violations: Violations) -> str | None:
    if len(value) > MAX_REQUEST_ID:
        violations.add("request_id", f"must be at most {MAX_REQUEST_ID} characters")
    return value or None
