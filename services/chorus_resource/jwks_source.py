"""The auth service's public keys, fetched, cached and refreshed.

Tokens are verified offline: keys are fetched at start (again every
`min_refetch_interval` until the auth service answers), then every
`refresh_interval`, and at once when a token of the expected issuer names an
unknown `kid` (at most once per `min_refetch_interval`, so forged kids cannot
flood the auth service). If fetching fails, the keys already known stay in
use. Until keys are known the service is not ready: health says NOT_SERVING.
"""

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

import grpc
from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePublicKey
from google.protobuf.json_format import MessageToDict

from chorus.auth.v1 import auth_service_pb2 as auth_pb
from chorus.auth.v1 import auth_service_pb2_grpc as auth_grpc
from chorus_core.config import ConfigError
from chorus_core.errors import Unavailable
from chorus_core.jwks import keys_from_jwks
from chorus_core.readiness import Readiness

_log = logging.getLogger("chorus.jwks")

JwksFetcher = Callable[[], Awaitable[Mapping[str, Any]]]

CONDITION = "signing keys"


class CachedJwks:
    def __init__(
        self,
        fetch: JwksFetcher,
        refresh_interval: float = 300.0,
        min_refetch_interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        readiness: Readiness | None = None,
    ) -> None:
        self._fetch = fetch
        self._refresh_interval = refresh_interval
        self._min_refetch_interval = min_refetch_interval
        self._clock = clock
        self._keys: dict[str, EllipticCurvePublicKey] = {}
        self._fetched_at: float | None = None
        self._lock = asyncio.Lock()
        self._readiness = readiness or Readiness()
        self._readiness.set(CONDITION, False)

    async def key_for(self, kid: str) -> EllipticCurvePublicKey | None:
        key = self._keys.get(kid)
        if key is not None and not self._due(self._refresh_interval):
            return key
        if self._due(self._min_refetch_interval):
            await self.refresh()
        if not self._keys:
            raise Unavailable("the token signing keys are not available yet: try again shortly")
        return self._keys.get(kid)

    async def refresh(self) -> None:
        async with self._lock:
            if not self._due(self._min_refetch_interval):
                return  # another call refreshed while this one waited
            try:
                self._keys = keys_from_jwks(await self._fetch())
            except Exception as exc:  # keep serving with the keys already known
                _log.warning("cannot fetch signing keys: %s", type(exc).__name__)
            # Stamped after the fetch, failed or not: calls arriving meanwhile
            # still see a refresh due, so they wait for this one on the lock
            # instead of finding no keys (UNAVAILABLE) or stale ones.
            self._fetched_at = self._clock()
            self._readiness.set(CONDITION, bool(self._keys))

    async def keep_loaded(self) -> None:
        """Fetch now, retry until keys are known, then refresh every `refresh_interval`."""
        while True:
            await self.refresh()
            wait = self._refresh_interval if self._keys else self._min_refetch_interval
            await asyncio.sleep(wait)

    def _due(self, interval: float) -> bool:
        return self._fetched_at is None or self._clock() - self._fetched_at >= interval


def jwks_fetcher(source: str) -> JwksFetcher:
    """A fetcher for `grpc://host:port` (AuthService.GetJwks) or `file:/path/jwks.json`."""
    if source.startswith("grpc://"):
        return _grpc_fetcher(source.removeprefix("grpc://"))
    if source.startswith("file:"):
        return _file_fetcher(Path(source.removeprefix("file:")))
    raise ConfigError(
        f"CHORUS_RESOURCE_JWKS must be grpc://host:port or file:/path, got {source!r}"
    )


def _grpc_fetcher(target: str) -> JwksFetcher:
    async def fetch() -> Mapping[str, Any]:
        async with grpc.aio.insecure_channel(target) as channel:
            stub = auth_grpc.AuthServiceStub(channel)
            response = await stub.GetJwks(auth_pb.GetJwksRequest(), timeout=5)
        return MessageToDict(response)

    return fetch


def _file_fetcher(path: Path) -> JwksFetcher:
    async def fetch() -> Mapping[str, Any]:
        document: Mapping[str, Any] = json.loads(await asyncio.to_thread(path.read_text))
        return document

    return fetch
