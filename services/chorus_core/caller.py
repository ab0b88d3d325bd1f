"""Who is calling: set by the auth interceptor, read by handlers and stores.

grpc.aio's ServicerContext takes no custom attributes, so the verified
caller travels in a context variable scoped to the call's task.
"""

import math
from contextvars import ContextVar, Token
from dataclasses import dataclass

from chorus_core.errors import Unauthenticated


@dataclass(frozen=True)
class Caller:
    """The verified identity behind a call (claims of its access token)."""

    user_id: str
    tenant_id: str
    role: str
    token_id: str
    expires_at: float = math.inf
    """When the access token expires (`exp`, seconds since the epoch): long calls
    such as watch streams end there."""


_current: ContextVar[Caller | None] = ContextVar("chorus_caller", default=None)


def current_caller() -> Caller:
    """The caller of the running call; fails if the call was not authenticated."""
    caller = _current.get()
    if caller is None:
        raise Unauthenticated("this method needs an access token")
    return caller


def bind_caller(caller: Caller | None) -> Token[Caller | None]:
    """Set the caller for the running task; returns a token for `unbind_caller`."""
    return _current.set(caller)


def unbind_caller(token: Token[Caller | None]) -> None:
    _current.reset(token)
