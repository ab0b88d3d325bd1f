"""Ask a Chorus service whether it serves, with the gRPC health protocol.

    python grpc_health_probe.py --address 127.0.0.1:50051 --service chorus.auth.v1.AuthService
    python grpc_health_probe.py --listen-env CHORUS_AUTH_LISTEN --service chorus.auth.v1.AuthService

Exit code 0 when the answer is SERVING, 1 for any other answer or no answer
(refused, timed out). `--listen-env` takes the port from the service's own
listen setting (e.g. `0.0.0.0:50051`) and asks on loopback, so the container
HEALTHCHECK follows a changed port. It is the image's HEALTHCHECK; Kubernetes
uses its own native gRPC probes instead. The grpc_health package is already in
the image (grpcio-health-checking), so no grpc_health_probe binary is needed.
"""

import argparse
import os
import sys
from collections.abc import Sequence

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

LOOPBACK = "127.0.0.1"
WILDCARDS = ("", "0.0.0.0", "::", "[::]")  # noqa: S104 (names listen addresses, binds nothing)


def probe_address(listen: str) -> str:
    """Where to ask a service that listens on `listen`: loopback for a wildcard host."""
    host, sep, port = listen.rpartition(":")
    if not sep or not port.isdigit():
        raise ValueError(f"expected host:port, got {listen!r}")
    return f"{LOOPBACK if host in WILDCARDS else host}:{port}"


def check(address: str, service: str, timeout: float) -> str:
    """The status name the server answers for `service` ("" is the whole server)."""
    with grpc.insecure_channel(address) as channel:
        reply = health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(service=service), timeout=timeout
        )
    return str(health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--address", help="host:port to ask")
    where.add_argument("--listen-env", help="env variable holding the service's listen address")
    parser.add_argument("--service", default="", help="service name to ask about (default: all)")
    parser.add_argument("--timeout", type=float, default=2.0, help="seconds (default: 2)")
    args = parser.parse_args(argv)
    try:
        address = args.address or probe_address(os.environ.get(args.listen_env, ""))
    except ValueError as error:
        print(f"grpc_health_probe: {args.listen_env}: {error}", file=sys.stderr)
        return 1
    try:
        status = check(address, args.service, args.timeout)
    except grpc.RpcError as error:
        code = error.code() if isinstance(error, grpc.Call) else None
        print(f"grpc_health_probe: {address}: {code}", file=sys.stderr)
        return 1
    if status != "SERVING":
        print(f"grpc_health_probe: {address} {args.service!r}: {status}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
