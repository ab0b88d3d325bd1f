"""The Chorus benchmark harness (`make bench`, `python -m bench --help`).

It starts the suite as deployed (real commands, real argon2 cost, Envoy in
front), seeds data, drives every scenario with h2load, counts a call as good
only when it carried a successful gRPC reply, and reports throughput, latency,
errors, CPU and memory of each server process as ratios to a bare grpc.aio
echo server measured in the same run. See `bench/README.md`.
"""
