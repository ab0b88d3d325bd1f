"""Asking a running server, over the network, whether it serves (grpc.health.v1)."""

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

SERVING: int = health_pb2.HealthCheckResponse.SERVING
CHECK_SECONDS = 5.0


async def health_status(target: str, service: str = "", *, within: float = CHECK_SECONDS) -> int:
    """The status a Check for `service` ("" for the whole server) returns."""
    async with grpc.aio.insecure_channel(target) as channel:
        response = await health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(service=service), timeout=within
        )
    return int(response.status)


async def serving(target: str, service: str = "") -> bool:
    """True if the server answers SERVING; False if it answers otherwise or not at all."""
    try:
        return await health_status(target, service, within=1.0) == SERVING
    except grpc.aio.AioRpcError:
        return False
