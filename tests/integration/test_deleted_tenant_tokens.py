"""What a deleted tenant's access tokens can do (issue 14, failure 4).

The decision (README, "Tenants and roles"): the resource service checks tokens
offline and never asks the auth service per call, so an access token that
names a deleted tenant keeps reading and writing that tenant's songs until it
expires, at most the access token lifetime (5 minutes by default). Its session
ends at once: refreshing or switching with it fails, so no new token can name
the tenant. This test states exactly that, with a 2-second lifetime.
"""

import asyncio
from datetime import timedelta
from pathlib import Path

import grpc
import pytest

from chorus.auth.v1 import auth_service_pb2 as auth_pb
from chorus.resource.v1 import song_service_pb2 as song_pb
from chorus.resource.v1 import song_service_pb2_grpc as song_grpc
from chorus_client import ChorusClient
from tests.support.in_process import running_in_process
from tests.support.tenants import new_team

LIFETIME = timedelta(seconds=2)


async def test_a_deleted_tenants_token_works_until_it_expires_and_cannot_be_renewed(
    tmp_path: Path,
) -> None:
    async with (
        running_in_process("sqlite", tmp_path, access_token_ttl=LIFETIME) as suite,
        ChorusClient(suite.auth_target, suite.resource_target) as client,
        grpc.aio.insecure_channel(suite.resource_target) as channel,
    ):
        team = await new_team(client, {"editor": "editor"})
        editor = team["editor"]
        await editor.songs.create("Band practice", "The Band")
        token, refresh = editor.tokens.access_token, editor.tokens.refresh_token
        songs = song_grpc.SongServiceStub(channel)
        metadata = (("authorization", f"Bearer {token}"),)

        await team["owner"].tenants.delete(team.id)

        # The token still names the tenant: the resource service cannot know yet.
        listed = await songs.ListSongs(song_pb.ListSongsRequest(), metadata=metadata)
        assert [song.name for song in listed.songs] == ["Band practice"]
        # But the session in that tenant is over: no new token can name it.
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await client.auth.Refresh(auth_pb.RefreshRequest(refresh_token=refresh))
        assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED

        await asyncio.sleep(LIFETIME.total_seconds() + 1)
        with pytest.raises(grpc.aio.AioRpcError) as expired:
            await songs.ListSongs(song_pb.ListSongsRequest(), metadata=metadata)
        assert expired.value.code() == grpc.StatusCode.UNAUTHENTICATED
