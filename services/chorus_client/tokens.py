"""The tokens of one session, refreshed before the access token expires."""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol, TypeVar

import grpc

from chorus.auth.v1 import auth_service_pb2 as auth_pb

Refresher = Callable[[str], Awaitable[auth_pb.Session]]
Metadata = tuple[tuple[str, str]]


class CarriesSession(Protocol):
    """A response with new session tokens (RefreshResponse, SwitchTenantResponse)."""

    @property
    def session(self) -> auth_pb.Session: ...


R = TypeVar("R", bound=CarriesSession)
T = TypeVar("T")


class SessionTokens:
    def __init__(
        self,
        session: auth_pb.Session,
        refresher: Refresher,
        refresh_margin: timedelta = timedelta(seconds=30),
    ) -> None:
        self._refresher = refresher
        self._max_margin = refresh_margin
        self._lock = asyncio.Lock()
        self._use(session)

    @property
    def refresh_token(self) -> str:
        return self._session.refresh_token

    @property
    def access_token(self) -> str:
        """The current access token, as last issued (maybe expired)."""
        return self._session.access_token

    async def metadata(self) -> Metadata:
        """Call metadata with a valid access token, refreshing it first if needed."""
        async with self._lock:
            if self._expires_soon():
                await self._refresh()
        return self._metadata()

    def _metadata(self) -> Metadata:
        return (("authorization", f"Bearer {self._session.access_token}"),)

    async def refresh(self) -> None:
        async with self._lock:
            await self._refresh()

    async def call(self, method: Callable[..., Awaitable[T]], request: object, seconds: float) -> T:
        """`method(request)` with the access token in its metadata and a deadline.

        If the server refuses the token (it expired on the way: clocks and
        queues differ), refresh once and call again; a refused call never ran,
        so repeating it is safe.
        """
        metadata = await self.metadata()
        try:
            return await method(request, metadata=metadata, timeout=seconds)
        except grpc.aio.AioRpcError as error:
            if error.code() != grpc.StatusCode.UNAUTHENTICATED:
                raise
        async with self._lock:
            if metadata == self._metadata():  # nobody refreshed meanwhile
                await self._refresh()
        return await method(request, metadata=await self.metadata(), timeout=seconds)

    async def rotate(self, call: Callable[[str, Metadata], Awaitable[R]]) -> R:
        """Rotate the refresh token through another call than Refresh (SwitchTenant).

        `call` gets the current refresh token and call metadata with a valid
        access token, both taken under the lock; the session in its response
        becomes this session's. Nothing changes if it fails. The lock keeps a
        concurrent refresh from presenting the token being rotated (which the
        auth service would take for theft, ending the session). If the server
        refuses the access token, refresh once and call again, as `call` does.
        """
        async with self._lock:
            if self._expires_soon():
                await self._refresh()
            try:
                response = await call(self._session.refresh_token, self._metadata())
            except grpc.aio.AioRpcError as error:
                if error.code() != grpc.StatusCode.UNAUTHENTICATED:
                    raise
                await self._refresh()  # fails alike if the session itself has ended
                response = await call(self._session.refresh_token, self._metadata())
            self._use(response.session)
            return response

    def _use(self, session: auth_pb.Session) -> None:
        """Adopt new tokens; refresh early by at most a quarter of their lifetime."""
        self._session = session
        self._expires = session.access_token_expire_time.ToDatetime(tzinfo=UTC)
        lifetime = self._expires - datetime.now(UTC)
        self._margin = max(timedelta(0), min(self._max_margin, lifetime / 4))

    def _expires_soon(self) -> bool:
        return self._expires - datetime.now(UTC) <= self._margin

    async def _refresh(self) -> None:
        self._use(await self._refresher(self._session.refresh_token))
