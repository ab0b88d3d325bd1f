"""Development tools shared by tests/, bench/ and scripts/run_suite.py.

The suite as deployed, started and stopped as one (`suite`: `make run`, the
benchmark and the tests of the real commands), its processes (`processes`),
Envoy and its readiness (`envoy`), health checks (`health`), the gRPC-Web
framing codec (`grpc_web`), free ports (`ports`), fresh PostgreSQL databases
and roles (`databases`) and waiting for a condition (`polling`). Never
shipped in the wheel: only the editable development install puts it on the
path.
"""
