"""Songs: the first resource (its contract is protos/chorus/resource/v1/song_service.proto)."""

from sqlalchemy.orm import Mapped

from chorus.resource.v1 import song_service_pb2 as pb
from chorus_resource.models import Base
from chorus_resource.resource import Resource
from chorus_resource.scoped import TenantScoped


class Song(TenantScoped, Base):
    __tablename__ = "songs"

    name: Mapped[str]
    artist: Mapped[str]
    year: Mapped[int | None]


SONGS = Resource(
    Song,
    pb.DESCRIPTOR.services_by_name["SongService"],
    mutable=("name", "artist", "year"),
    sortable=("name", "artist", "year", "create_time", "update_time"),
    filterable=("name", "artist", "year", "create_time", "update_time"),
)
