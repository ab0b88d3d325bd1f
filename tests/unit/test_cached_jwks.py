"""CachedJwks: the resource service's cache of the auth service's public keys.

A fake JWKS endpoint and a fake clock stand in for the network and for time.
"""

import asyncio
from collections.abc import Mapping
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from chorus_core.errors import Unavailable
from chorus_core.jwks import public_jwk
from chorus_resource.jwks_source import CachedJwks

REFRESH = 300.0
MIN_REFETCH = 30.0


class FakeJwksEndpoint:
    """Serves the public halves of `keys` as a JWKS and counts the fetches."""

    def __init__(self) -> None:
        self.keys: dict[str, ec.EllipticCurvePrivateKey] = {}
        self.fetches = 0
        self.failing = False

    def add_key(self, kid: str) -> ec.EllipticCurvePublicKey:
        self.keys[kid] = ec.generate_private_key(ec.SECP256R1())
        return self.keys[kid].public_key()

    async def __call__(self) -> Mapping[str, Any]:
        self.fetches += 1
        await asyncio.sleep(0)  # a real fetch yields: let concurrent callers pile up
        if self.failing:
            raise ConnectionError("auth service unreachable")
        return {"keys": [public_jwk(key.public_key(), kid) for kid, key in self.keys.items()]}


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def endpoint() -> FakeJwksEndpoint:
    return FakeJwksEndpoint()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def jwks(endpoint: FakeJwksEndpoint, clock: FakeClock) -> CachedJwks:
    return CachedJwks(
        endpoint, refresh_interval=REFRESH, min_refetch_interval=MIN_REFETCH, clock=clock
    )


def same_key(found: ec.EllipticCurvePublicKey | None, expected: ec.EllipticCurvePublicKey) -> bool:
    return found is not None and found.public_numbers() == expected.public_numbers()


async def test_fetches_once_then_serves_keys_from_the_cache(
    jwks: CachedJwks, endpoint: FakeJwksEndpoint, clock: FakeClock
) -> None:
    k1 = endpoint.add_key("k1")
    assert same_key(await jwks.key_for("k1"), k1)
    clock.advance(REFRESH - 1)
    assert same_key(await jwks.key_for("k1"), k1)
    assert endpoint.fetches == 1


async def test_concurrent_first_calls_fetch_once(
    jwks: CachedJwks, endpoint: FakeJwksEndpoint
) -> None:
    k1 = endpoint.add_key("k1")
    found = await asyncio.gather(*(jwks.key_for("k1") for _ in range(10)))
    assert all(same_key(key, k1) for key in found)
    assert endpoint.fetches == 1


async def test_refetches_after_the_refresh_interval(
    jwks: CachedJwks, endpoint: FakeJwksEndpoint, clock: FakeClock
) -> None:
    endpoint.add_key("k1")
    await jwks.key_for("k1")
    del endpoint.keys["k1"]  # the auth service retired k1
    k2 = endpoint.add_key("k2")

    clock.advance(REFRESH)

    assert await jwks.key_for("k1") is None
    assert same_key(await jwks.key_for("k2"), k2)
    assert endpoint.fetches == 2


async def test_an_unknown_kid_refetches_at_most_once_per_min_interval(
    jwks: CachedJwks, endpoint: FakeJwksEndpoint, clock: FakeClock
) -> None:
    endpoint.add_key("k1")
    await jwks.key_for("k1")
    k2 = endpoint.add_key("k2")  # a new key, published after the first fetch

    assert await jwks.key_for("k2") is None  # fetched just now: no refetch yet
    clock.advance(MIN_REFETCH)
    assert same_key(await jwks.key_for("k2"), k2)
    assert endpoint.fetches == 2

    for _ in range(5):
        assert await jwks.key_for("forged") is None
    clock.advance(MIN_REFETCH - 1)
    assert await jwks.key_for("forged") is None
    assert endpoint.fetches == 2

    clock.advance(1)
    assert await jwks.key_for("forged") is None
    assert endpoint.fetches == 3


async def test_a_failed_fetch_keeps_the_known_keys(
    jwks: CachedJwks, endpoint: FakeJwksEndpoint, clock: FakeClock
) -> None:
    k1 = endpoint.add_key("k1")
    await jwks.key_for("k1")
    endpoint.failing = True

    clock.advance(REFRESH)

    assert same_key(await jwks.key_for("k1"), k1)
    assert endpoint.fetches == 2


@pytest.mark.parametrize("failing", [True, False], ids=["fetch-fails", "empty-jwks"])
async def test_no_keys_at_all_is_unavailable_until_keys_arrive(
    jwks: CachedJwks, endpoint: FakeJwksEndpoint, clock: FakeClock, failing: bool
) -> None:
    endpoint.failing = failing

    with pytest.raises(Unavailable):
        await jwks.key_for("k1")

    endpoint.failing = False
    k1 = endpoint.add_key("k1")
    clock.advance(MIN_REFETCH)
    assert same_key(await jwks.key_for("k1"), k1)
