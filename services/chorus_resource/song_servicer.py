"""chorus.resource.v1.SongService: songs of the caller's active tenant."""

from typing import Any

import grpc

from chorus.resource.v1 import song_service_pb2 as pb
from chorus.resource.v1 import song_service_pb2_grpc as pb_grpc
from chorus_core.errors import Violations
from chorus_core.pagination import page_request
from chorus_resource.models import Song
from chorus_resource.song_fields import new_song_values, request_id, song_message, update_values
from chorus_resource.store import resource_id
from chorus_resource.tenant_database import TenantDatabase

Context = grpc.aio.ServicerContext[Any, Any]


class SongServicer(pb_grpc.SongServiceServicer):
    def __init__(self, db: TenantDatabase) -> None:
        self._db = db

    async def CreateSong(
        self, request: pb.CreateSongRequest, context: Context
    ) -> pb.CreateSongResponse:
        violations = Violations()
        values = new_song_values(request.song, violations)
        idempotency_key = request_id(request.request_id, violations)
        violations.raise_if_any()
        async with self._db.write(Song) as songs:
            song = await songs.create(Song(**values), idempotency_key)
            return pb.CreateSongResponse(song=song_message(song))

    async def GetSong(self, request: pb.GetSongRequest, context: Context) -> pb.GetSongResponse:
        violations = Violations()
        song_id = resource_id("id", request.id, violations)
        violations.raise_if_any()
        async with self._db.read(Song) as songs:
            song = await songs.get(song_id)
            return pb.GetSongResponse(song=song_message(song))

    async def ListSongs(
        self, request: pb.ListSongsRequest, context: Context
    ) -> pb.ListSongsResponse:
        violations = Violations()
        page = page_request(request.page_size, request.page_token, violations)
        violations.raise_if_any()
        async with self._db.read(Song) as songs:
            page_of_songs, next_token = await songs.list_page(page)
            return pb.ListSongsResponse(
                songs=[song_message(s) for s in page_of_songs], next_page_token=next_token
            )

    async def UpdateSong(
        self, request: pb.UpdateSongRequest, context: Context
    ) -> pb.UpdateSongResponse:
        violations = Violations()
        song_id = resource_id("song.id", request.song.id, violations)
        values = update_values(request.song, request.update_mask, violations)
        violations.raise_if_any()
        async with self._db.write(Song) as songs:
            song = await songs.get(song_id)
            for name, value in values.items():
                setattr(song, name, value)
            song = await songs.save(song)
            return pb.UpdateSongResponse(song=song_message(song))

    async def DeleteSong(
        self, request: pb.DeleteSongRequest, context: Context
    ) -> pb.DeleteSongResponse:
        violations = Violations()
        song_id = resource_id("id", request.id, violations)
        violations.raise_if_any()
        async with self._db.write(Song) as songs:
            await songs.delete(song_id)
        return pb.DeleteSongResponse()
