"""Pooled PostgreSQL connections are checked before use: closed ones replaced without a round
trip, the others pinged only after sitting idle."""

from typing import Any

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError, InvalidatePoolError
from sqlalchemy.pool import NullPool

from chorus_core.database import MAX_OVERFLOW, POOL_SIZE, CheckoutCheck, create_engine

IDLE = 10.0


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Pings:
    def __init__(self, fail: bool = False) -> None:
        self.seen: list[object] = []
        self.fail = fail

    def __call__(self, connection: object) -> None:
        self.seen.append(connection)
        if self.fail:
            raise ConnectionResetError("server closed the connection")


@pytest.fixture
def clock() -> Clock:
    return Clock()


def test_a_connection_just_opened_is_not_pinged(clock: Clock) -> None:
    pings = Pings()
    CheckoutCheck(pings, IDLE, clock).checking_out("conn", {})
    assert pings.seen == []


def test_a_connection_used_again_soon_is_not_pinged(clock: Clock) -> None:
    pings = Pings()
    idle = CheckoutCheck(pings, IDLE, clock)
    info: dict[str, Any] = {}
    idle.checked_in(info)
    clock.now += IDLE - 0.1
    idle.checking_out("conn", info)
    assert pings.seen == []


def test_a_connection_idle_for_long_enough_is_pinged_once(clock: Clock) -> None:
    pings = Pings()
    idle = CheckoutCheck(pings, IDLE, clock)
    info: dict[str, Any] = {}
    idle.checked_in(info)
    clock.now += IDLE
    idle.checking_out("conn", info)
    idle.checking_out("conn", info)  # checked out again without a check-in between
    assert pings.seen == ["conn"]


def test_a_failed_ping_makes_the_pool_replace_its_connections(clock: Clock) -> None:
    idle = CheckoutCheck(Pings(fail=True), IDLE, clock)
    info: dict[str, Any] = {}
    idle.checked_in(info)
    clock.now += IDLE + 1
    with pytest.raises(InvalidatePoolError) as raised:
        idle.checking_out("conn", info)
    assert raised.value.invalidate_pool
    assert "ConnectionResetError" in str(raised.value)


async def test_postgres_engines_get_sized_pools_without_pre_ping() -> None:
    engine = create_engine(make_url("postgresql+asyncpg://chorus@127.0.0.1:1/none"))
    try:
        pool: Any = engine.sync_engine.pool
        assert pool.size() == POOL_SIZE
        assert pool._max_overflow == MAX_OVERFLOW
        assert not pool._pre_ping
    finally:
        await engine.dispose()


async def test_a_deployment_sizes_the_pool_and_bursts_open_no_more() -> None:
    engine = create_engine(make_url("postgresql+asyncpg://chorus@127.0.0.1:1/none"), pool_size=3)
    try:
        pool: Any = engine.sync_engine.pool
        assert (pool.size(), pool._max_overflow) == (3, 0)
    finally:
        await engine.dispose()


async def test_an_explicit_pool_class_keeps_its_own_sizing() -> None:
    engine = create_engine(
        make_url("postgresql+asyncpg://chorus@127.0.0.1:1/none"), poolclass=NullPool
    )
    try:
        assert isinstance(engine.sync_engine.pool, NullPool)
    finally:
        await engine.dispose()


def test_a_connection_the_database_closed_is_replaced_alone_without_a_ping(clock: Clock) -> None:
    pings = Pings()
    check = CheckoutCheck(pings, IDLE, clock, closed=lambda connection: connection == "closed")
    info: dict[str, Any] = {}
    check.checked_in(info)
    clock.now += IDLE + 1
    with pytest.raises(DisconnectionError) as raised:
        check.checking_out("closed", info)
    assert not raised.value.invalidate_pool, "the pool's other connections may be fine"
    assert pings.seen == []
    check.checking_out("open", {})  # a fresh connection in its place passes
