"""Checks every request against its contract's field rules before the handler runs.

A request that breaks a rule fails INVALID_ARGUMENT with a BadRequest field
violation per broken rule; handlers only ever see requests that keep them.
"""

from typing import Any

import grpc

from chorus_core.contract_rules import rule_violations
from chorus_core.errors import InvalidArgument
from chorus_core.interceptors.base import UnaryBehavior, UnaryInterceptor


class ValidationInterceptor(UnaryInterceptor):
    def wrap(self, method: str, inner: UnaryBehavior) -> UnaryBehavior:
        async def behavior(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
            violations = rule_violations(request)
            if violations:
                raise InvalidArgument(violations)
            return await inner(request, context)

        return behavior
