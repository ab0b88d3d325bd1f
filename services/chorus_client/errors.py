"""Reading the google.rpc details that Chorus puts on its errors (via grpcio-status)."""

from typing import cast

import grpc
from google.rpc import error_details_pb2
from grpc_status import rpc_status


def field_violations(error: grpc.aio.AioRpcError) -> dict[str, str]:
    """The BadRequest field violations of an INVALID_ARGUMENT error, by field."""
    # An AioRpcError answers code(), details() and trailing_metadata() as a Call does.
    status = rpc_status.from_call(cast(grpc.Call, error))
    violations: dict[str, str] = {}
    for detail in status.details if status is not None else ():
        bad_request = error_details_pb2.BadRequest()
        if detail.Unpack(bad_request):
            for violation in bad_request.field_violations:
                violations[violation.field] = violation.description
    return violations
