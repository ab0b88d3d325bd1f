"""Every resource the service serves: add a new one's declaration here."""

from chorus_resource.playlists import PLAYLISTS
from chorus_resource.resource import Resource
from chorus_resource.songs import SONGS

RESOURCES: tuple[Resource, ...] = (SONGS, PLAYLISTS)
