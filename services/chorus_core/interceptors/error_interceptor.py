"""Turns handler exceptions into gRPC statuses with clear messages.

Expected failures (`ServiceError`) keep their code and message, and invalid
arguments carry google.rpc.BadRequest details. Anything else is logged here
and reaches the client as INTERNAL "internal error": never a stack trace,
never UNKNOWN.
"""

from __future__ import annotations

import logging
from typing import Any

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2

from chorus_core.errors import InvalidArgument, ServiceError
from chorus_core.interceptors.base import UnaryBehavior, UnaryInterceptor

_log = logging.getLogger("chorus.errors")

STATUS_DETAILS_KEY = "grpc-status-details-bin"


class ErrorInterceptor(UnaryInterceptor):
    def wrap(self, call: grpc.HandlerCallDetails, inner: UnaryBehavior) -> UnaryBehavior:
        method = call.method

        async def behavior(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
            try:
                return await inner(request, context)
            except ServiceError as error:
                await _abort(context, error)
            except grpc.aio.AbortError:
                raise
            except Exception:
                _log.exception("unhandled error in %s", method)
                await context.abort(grpc.StatusCode.INTERNAL, "internal error")

        return behavior


async def _abort(context: grpc.aio.ServicerContext[Any, Any], error: ServiceError) -> None:
    if not isinstance(error, InvalidArgument):
        await context.abort(error.code, error.message)
    bad_request = error_details_pb2.BadRequest(
        field_violations=[
            error_details_pb2.BadRequest.FieldViolation(field=v.field, description=v.description)
            for v in error.violations
        ]
    )
    detail = any_pb2.Any()
    detail.Pack(bad_request)
    status = status_pb2.Status(
        code=code_pb2.INVALID_ARGUMENT, message=error.message, details=[detail]
    )
    await context.abort(
        grpc.StatusCode.INVALID_ARGUMENT,
        error.message,
        trailing_metadata=((STATUS_DETAILS_KEY, status.SerializeToString()),),
    )
