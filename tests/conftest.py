"""Fixtures shared by every suite.

`suite` is parametrized over both databases, so every test that uses it runs
against SQLite and against PostgreSQL (a missing PostgreSQL fails in CI).
"""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from chorus_client import ChorusClient, UserSession
from tests.support.accounts import PASSWORD, unique_email
from tests.support.databases import BACKENDS
from tests.support.in_process import InProcessSuite, running_in_process


@pytest.fixture(scope="session", params=BACKENDS)
async def suite(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[InProcessSuite]:
    backend: str = request.param
    async with running_in_process(backend, tmp_path_factory.mktemp(backend)) as running:
        yield running


@pytest.fixture
async def client(suite: InProcessSuite) -> AsyncIterator[ChorusClient]:
    async with ChorusClient(suite.auth_target, suite.resource_target) as chorus:
        yield chorus


@pytest.fixture
async def jane(client: ChorusClient) -> UserSession:
    """A new user with two songs."""
    user = await client.sign_up(unique_email("jane"), PASSWORD)
    await user.songs.create("Aberdeen", "Cage the Elephant", year=2011)
    await user.songs.create("Cigarette Daydreams", "Cage the Elephant", year=2013)
    return user


@pytest.fixture
async def john(client: ChorusClient) -> UserSession:
    """Another new user with two songs of his own."""
    user = await client.sign_up(unique_email("john"), PASSWORD)
    await user.songs.create("Hey Jude", "The Beatles", year=1968)
    await user.songs.create("Untitled demo", "John")
    return user


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parents[1]
