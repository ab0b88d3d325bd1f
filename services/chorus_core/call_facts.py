"""Facts about the running call that the access log and metrics report.

The logging interceptor opens them (outermost), the auth interceptor adds who
called; both run in the call's task, so a context variable carries them.
"""

from contextvars import ContextVar, Token
from dataclasses import dataclass


@dataclass
class CallFacts:
    request_id: str
    tenant_id: str = ""
    user_id: str = ""


_current: ContextVar[CallFacts | None] = ContextVar("chorus_call_facts", default=None)


def open_call(request_id: str) -> tuple[CallFacts, Token[CallFacts | None]]:
    facts = CallFacts(request_id=request_id)
    return facts, _current.set(facts)


def close_call(token: Token[CallFacts | None]) -> None:
    _current.reset(token)


def current_call() -> CallFacts | None:
    return _current.get()
