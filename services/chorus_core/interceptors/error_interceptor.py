"""Turns what handlers raise into gRPC statuses: the one table of codes.

Domain errors (`chorus_core.errors`) say what happened; `STATUS_CODES` says
which status code each kind is. The status is built as a google.rpc.Status
(with BadRequest details for invalid arguments) and sent with grpcio-status,
so clients read it back with `rpc_status.from_call`. Anything else is a bug:
logged here and answered INTERNAL "internal error", never a stack trace,
never UNKNOWN.
"""

from __future__ import annotations

import logging
from typing import Any

import grpc
from google.protobuf import any_pb2
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

from chorus_core.errors import (
    AlreadyExists,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    ResourceExhausted,
    ServiceError,
    Unauthenticated,
    Unavailable,
)
from chorus_core.interceptors.base import UnaryBehavior, UnaryInterceptor

_log = logging.getLogger("chorus.errors")

STATUS_CODES: dict[type[ServiceError], grpc.StatusCode] = {
    InvalidArgument: grpc.StatusCode.INVALID_ARGUMENT,
    Unauthenticated: grpc.StatusCode.UNAUTHENTICATED,
    PermissionDenied: grpc.StatusCode.PERMISSION_DENIED,
    NotFound: grpc.StatusCode.NOT_FOUND,
    AlreadyExists: grpc.StatusCode.ALREADY_EXISTS,
    FailedPrecondition: grpc.StatusCode.FAILED_PRECONDITION,
    ResourceExhausted: grpc.StatusCode.RESOURCE_EXHAUSTED,
    Unavailable: grpc.StatusCode.UNAVAILABLE,
}
"""Each kind of domain error (and its subclasses) and the code it is sent with."""


def status_code(error: ServiceError) -> grpc.StatusCode:
    """The code for `error`: its own kind's, or the nearest base kind's in the table."""
    for kind in type(error).__mro__:
        code = STATUS_CODES.get(kind)
        if code is not None:
            return code
    return grpc.StatusCode.INTERNAL


def rich_status(error: ServiceError) -> status_pb2.Status:
    """The google.rpc.Status of a domain error (BadRequest details for invalid arguments)."""
    status = status_pb2.Status(code=status_code(error).value[0], message=error.message)
    if isinstance(error, InvalidArgument):
        detail = any_pb2.Any()
        detail.Pack(
            error_details_pb2.BadRequest(
                field_violations=[
                    error_details_pb2.BadRequest.FieldViolation(
                        field=v.field, description=v.description
                    )
                    for v in error.violations
                ]
            )
        )
        status.details.append(detail)
    return status


class ErrorInterceptor(UnaryInterceptor):
    def wrap(self, method: str, inner: UnaryBehavior) -> UnaryBehavior:
        async def behavior(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
            try:
                return await inner(request, context)
            except ServiceError as error:
                status = rpc_status.to_status(rich_status(error))
                await context.abort(status.code, status.details, status.trailing_metadata)
            except grpc.aio.AbortError:
                raise
            except Exception:
                _log.exception("unhandled error in %s", method)
                await context.abort(grpc.StatusCode.INTERNAL, "internal error")

        return behavior
