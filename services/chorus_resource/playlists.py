"""Playlists: ordered lists of a tenant's songs (contract: playlist_service.proto)."""

from sqlalchemy.orm import Mapped

from chorus.resource.v1 import playlist_service_pb2 as pb
from chorus_resource.models import Base
from chorus_resource.resource import References, Resource
from chorus_resource.scoped import TenantScoped
from chorus_resource.songs import Song


class Playlist(TenantScoped, Base):
    __tablename__ = "playlists"

    name: Mapped[str]
    description: Mapped[str]


PLAYLISTS = Resource(
    Playlist,
    pb.DESCRIPTOR.services_by_name["PlaylistService"],
    mutable=("name", "description", "song_ids"),
    sortable=("name", "create_time", "update_time"),
    filterable=("name", "description", "create_time", "update_time"),
    references={"song_ids": References(Song)},
)
