"""Development tools shared by tests/, bench/ and scripts/run_suite.py.

Starting and stopping the suite's processes (`processes`), Envoy and its
readiness (`envoy`), the gRPC-Web framing codec (`grpc_web`), free ports
(`ports`) and waiting for a condition (`polling`). Never shipped in the
wheel: only the editable development install puts it on the path.
"""
