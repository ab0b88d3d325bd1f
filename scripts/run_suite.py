"""Run the Chorus services in the foreground for local work (`make run`).

Starts each service as its own process, waits until each answers its gRPC
health check, prints where to reach them, and on Ctrl-C (or SIGTERM) stops
them all gracefully. If one service exits, the others are stopped too.
"""

import asyncio
import signal
import sys
from dataclasses import dataclass

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc


@dataclass(frozen=True)
class Service:
    name: str
    module: str
    target: str


SERVICES = (
    Service("auth", "chorus_auth", "127.0.0.1:50051"),
    Service("resource", "chorus_resource", "127.0.0.1:50052"),
)
STARTUP_SECONDS = 30.0


async def wait_healthy(target: str, process: asyncio.subprocess.Process) -> bool:
    deadline = asyncio.get_running_loop().time() + STARTUP_SECONDS
    async with grpc.aio.insecure_channel(target) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        while asyncio.get_running_loop().time() < deadline and process.returncode is None:
            try:
                reply = await stub.Check(health_pb2.HealthCheckRequest(), timeout=1)
                if reply.status == health_pb2.HealthCheckResponse.SERVING:
                    return True
            except grpc.aio.AioRpcError:
                pass
            await asyncio.sleep(0.2)
    return False


async def stop_all(processes: list[asyncio.subprocess.Process]) -> None:
    for process in processes:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
    await asyncio.gather(*(p.wait() for p in processes))


async def main() -> int:
    processes = []
    for service in SERVICES:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", service.module, "serve"
        )
        processes.append(process)
        if not await wait_healthy(service.target, process):
            print(f"\n{service.name} service did not become healthy; stopping.", file=sys.stderr)
            await stop_all(processes)
            return 1
    print("\nChorus is running:")
    for service in SERVICES:
        print(f"  {service.name:<9} grpc://{service.target}")
    print("Try: grpcurl -plaintext localhost:50052 list    (Ctrl-C stops everything)\n")

    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopping.set)
    waiters = [asyncio.ensure_future(p.wait()) for p in processes]
    stop_waiter = asyncio.ensure_future(stopping.wait())
    await asyncio.wait([stop_waiter, *waiters], return_when=asyncio.FIRST_COMPLETED)
    stop_waiter.cancel()
    exited = [p for p in processes if p.returncode not in (None, 0)]
    await stop_all(processes)
    return 1 if exited else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
