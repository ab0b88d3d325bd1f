"""Running the validators that record problems in a `Violations`."""

from collections.abc import Callable
from typing import TypeVar

from chorus_core.errors import InvalidArgument, Violations

T = TypeVar("T")


def validated(check: Callable[[Violations], T]) -> tuple[T, list[str]]:
    """What a validator returns, and the fields it reported as bad, in order."""
    violations = Violations()
    result = check(violations)
    try:
        violations.raise_if_any()
    except InvalidArgument as error:
        return result, [violation.field for violation in error.violations]
    return result, []
