"""Playlists: ordered lists of a tenant's songs (contract: playlist_service.proto)."""

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from chorus.resource.v1 import playlist_service_pb2 as pb
from chorus_resource.models import Base
from chorus_resource.resource import References, Resource
from chorus_resource.scoped import TenantScoped
from chorus_resource.songs import Song


class Playlist(TenantScoped, Base):
    __tablename__ = "playlists"

    name: Mapped[str]
    description: Mapped[str]


class PlaylistSong(Base):
    """One song at one position of a playlist; goes when either is deleted."""

    __tablename__ = "playlist_songs"

    playlist_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("playlists.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(36))
    song_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("songs.id", ondelete="CASCADE"), index=True
    )


PLAYLISTS = Resource(
    Playlist,
    pb.DESCRIPTOR.services_by_name["PlaylistService"],
    mutable=("name", "description", "song_ids"),
    sortable=("name", "create_time", "update_time"),
    filterable=("name", "description", "create_time", "update_time"),
    references={"song_ids": References(PlaylistSong, "playlist_id", "song_id", Song)},
)
