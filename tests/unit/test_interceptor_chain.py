"""`InterceptorChain`: every interceptor runs once per method, not once per call."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import grpc

from chorus_core.interceptors.base import Handler, Interceptor, InterceptorChain


@dataclass
class Details:
    method: str
    invocation_metadata: tuple[tuple[str, str | bytes], ...] = ()


class Counting(Interceptor):
    def __init__(self, name: str, order: list[str], refuse: bool = False) -> None:
        self.name, self.order, self.refuse = name, order, refuse

    def intercept(self, method: str, handler: Handler) -> Handler | None:
        self.order.append(f"{self.name} {method}")
        return None if self.refuse else handler


class Services:
    """The continuation: a handler for /known/..., nothing for anything else."""

    def __init__(self) -> None:
        self.asked = 0
        self.handler: Handler = grpc.unary_unary_rpc_method_handler(_behavior)

    async def __call__(self, details: Any) -> Handler | None:
        self.asked += 1
        return self.handler if details.method.startswith("/known/") else None


async def _behavior(request: Any, context: Any) -> Any:
    return request


async def test_each_method_is_composed_once_innermost_first() -> None:
    order: list[str] = []
    chain = InterceptorChain([Counting("outer", order), Counting("inner", order)])
    services = Services()
    handlers = [await chain.intercept_service(services, Details("/known/A")) for _ in range(5)]
    await chain.intercept_service(services, Details("/known/B"))
    assert order == ["inner /known/A", "outer /known/A", "inner /known/B", "outer /known/B"]
    assert services.asked == 2
    assert all(handler is handlers[0] for handler in handlers)


async def test_a_refusal_is_kept_and_outer_interceptors_never_see_the_method() -> None:
    order: list[str] = []
    chain = InterceptorChain([Counting("outer", order), Counting("inner", order, refuse=True)])
    services = Services()
    assert await chain.intercept_service(services, Details("/known/A")) is None
    assert await chain.intercept_service(services, Details("/known/A")) is None
    assert order == ["inner /known/A"]
    assert services.asked == 1


async def test_unknown_methods_are_not_kept_clients_choose_their_names() -> None:
    order: list[str] = []
    chain = InterceptorChain([Counting("only", order)])
    services = Services()
    for _ in range(3):
        assert await chain.intercept_service(services, Details("/unknown/X")) is None
    assert services.asked == 3, "each unknown name is looked up again, none is stored"
    assert order == []
