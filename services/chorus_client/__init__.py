"""A small typed async client for Chorus that handles tokens for you.

async with ChorusClient("localhost:50051", "localhost:50052") as chorus:
    jane = await chorus.sign_up("jane@z.co", "password1x")
    song = await jane.songs.create("Aberdeen", "Cage the Elephant", year=2011)
    async for song in jane.songs.all(order_by="year desc", filter='artist:"cage"'):
        print(song.name)
    mix = await jane.playlists.create("Road trip", song_ids=[song.id])
    band = await jane.tenants.create("The Band")
    await jane.tenants.invite(band.id, "john@z.co", auth_pb.ROLE_EDITOR)
    await jane.tenants.switch(band.id)  # her songs calls now act in the band
"""

from chorus_client.client import ChorusClient
from chorus_client.errors import field_violations
from chorus_client.resources import ResourceClient
from chorus_client.tenants import TenantsClient
from chorus_client.user_session import UserSession

__all__ = [
    "ChorusClient",
    "ResourceClient",
    "TenantsClient",
    "UserSession",
    "field_violations",
]
