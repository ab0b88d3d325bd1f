"""What can go wrong in a call, said in the service's own terms.

Handlers, stores and helpers raise these; they know nothing of the transport.
The error interceptor (`chorus_core.interceptors.error_interceptor`) holds the
one table that turns each kind into a gRPC status code.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldViolation:
    """One bad field of a request (google.rpc.BadRequest.FieldViolation)."""

    field: str
    description: str


class ServiceError(Exception):
    """An expected failure with a client-facing message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidArgument(ServiceError):
    """The request cannot be accepted as it is; `violations` name each bad field."""

    def __init__(self, violations: list[FieldViolation]) -> None:
        fields = ", ".join(v.field for v in violations)
        details = "; ".join(f"{v.field}: {v.description}" for v in violations)
        super().__init__(f"invalid {fields}: {details}")
        self.violations = violations


class Unauthenticated(ServiceError):
    """The caller did not prove who they are (no token, or a bad one)."""


class PermissionDenied(ServiceError):
    """The caller is known but their role does not allow this."""


class NotFound(ServiceError):
    """The thing named does not exist, or not for this caller."""


class AlreadyExists(ServiceError):
    """The thing to create is there already."""


class FailedPrecondition(ServiceError):
    """The request is valid but the state it meets does not allow it."""


class ResourceExhausted(ServiceError):
    """A limit is reached (too many open streams, a document too large): try later or less."""


class Unavailable(ServiceError):
    """Something the service depends on cannot be reached now: try again."""


class DatabaseUnavailable(Unavailable):
    """The database cannot be reached or lost the connection mid-call."""

    def __init__(self) -> None:
        super().__init__("the database is unavailable: try again shortly")


class Violations:
    """Collects field violations, then raises them all at once."""

    def __init__(self) -> None:
        self._items: list[FieldViolation] = []

    def add(self, field: str, description: str) -> None:
        self._items.append(FieldViolation(field, description))

    def raise_if_any(self) -> None:
        if self._items:
            raise InvalidArgument(self._items)
