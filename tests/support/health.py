"""Asking a running server, over the network, whether it serves (grpc.health.v1)."""

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

SERVING: int = health_pb2.HealthCheckResponse.SERVING
CHECK_TIMEOUT = 5.0


async def health_status(target: str, service: str = "") -> int:
    """The status a Check for `service` ("" for the whole server) returns."""
    async with grpc.aio.insecure_channel(target) as channel:
        response = await health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(service=service), timeout=CHECK_TIMEOUT
        )
    return int(response.status)
