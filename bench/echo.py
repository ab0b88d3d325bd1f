"""The ceiling: a bare grpc.aio echo server, one process, nothing else.

    python -m bench.echo [--listen 127.0.0.1:0]

No interceptors, no token check, no database: it answers every unary call to
`/bench.Echo/Echo` with the request bytes it got. Logs "echo listening on port
N" once serving and stops on SIGTERM or SIGINT.
"""

import argparse
import asyncio
import signal
import sys
from typing import Any

import grpc

SERVICE = "bench.Echo"
METHOD = "Echo"
PATH = f"/{SERVICE}/{METHOD}"


async def echo(request: bytes, context: grpc.aio.ServicerContext[Any, Any]) -> bytes:
    return request


def handler() -> grpc.GenericRpcHandler:
    """Raw bytes in and out: no (de)serialisation at all."""
    return grpc.method_handlers_generic_handler(
        SERVICE, {METHOD: grpc.unary_unary_rpc_method_handler(echo)}
    )


async def serve(listen: str) -> None:
    server = grpc.aio.server()
    server.add_generic_rpc_handlers([handler()])
    port = server.add_insecure_port(listen)
    await server.start()
    print(f"echo listening on port {port}", file=sys.stderr, flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await server.stop(1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.echo", description=__doc__)
    parser.add_argument("--listen", default="127.0.0.1:0", help="host:port (%(default)s)")
    asyncio.run(serve(parser.parse_args(argv).listen))
    return 0


if __name__ == "__main__":
    sys.exit(main())
