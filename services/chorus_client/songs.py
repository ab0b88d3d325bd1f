"""Song calls of one user session."""

from __future__ import annotations  # the Async stubs exist in type stubs only

from collections.abc import AsyncIterator

from google.protobuf import field_mask_pb2

from chorus.resource.v1 import song_service_pb2 as pb
from chorus.resource.v1 import song_service_pb2_grpc as pb_grpc
from chorus_client.tokens import SessionTokens


class SongsClient:
    def __init__(
        self, stub: pb_grpc.SongServiceAsyncStub, tokens: SessionTokens, timeout: float
    ) -> None:
        self._stub = stub
        self._tokens = tokens
        self._timeout = timeout

    async def create(
        self, name: str, artist: str, year: int | None = None, *, request_id: str = ""
    ) -> pb.Song:
        song = pb.Song(name=name, artist=artist, year=year)
        request = pb.CreateSongRequest(song=song, request_id=request_id)
        response = await self._tokens.call(self._stub.CreateSong, request, self._timeout)
        return response.song

    async def get(self, song_id: str) -> pb.Song:
        response = await self._tokens.call(
            self._stub.GetSong, pb.GetSongRequest(id=song_id), self._timeout
        )
        return response.song

    async def page(self, page_size: int = 0, page_token: str = "") -> tuple[list[pb.Song], str]:
        """One page of songs and the token of the next ("" after the last)."""
        response = await self._tokens.call(
            self._stub.ListSongs,
            pb.ListSongsRequest(page_size=page_size, page_token=page_token),
            self._timeout,
        )
        return list(response.songs), response.next_page_token

    async def all(self, page_size: int = 0) -> AsyncIterator[pb.Song]:
        """Every song, fetched page by page."""
        token = ""
        while True:
            songs, token = await self.page(page_size, token)
            for song in songs:
                yield song
            if not token:
                return

    async def update(self, song: pb.Song, fields: list[str] | None = None) -> pb.Song:
        """Change the named fields of `song` (all that are set if `fields` is None)."""
        request = pb.UpdateSongRequest(
            song=song, update_mask=field_mask_pb2.FieldMask(paths=fields)
        )
        response = await self._tokens.call(self._stub.UpdateSong, request, self._timeout)
        return response.song

    async def delete(self, song_id: str) -> None:
        await self._tokens.call(
            self._stub.DeleteSong, pb.DeleteSongRequest(id=song_id), self._timeout
        )
