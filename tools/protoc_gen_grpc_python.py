"""protoc plugin `grpc_python` for buf, built on grpcio-tools' bundled protoc.

grpcio-tools ships the gRPC Python generator inside its protoc, not as a
`protoc-gen-grpc_python` executable, so buf cannot call it directly. This
plugin receives buf's CodeGeneratorRequest, hands the same descriptors to
`grpc_tools.protoc --grpc_python_out`, and returns what it wrote.
"""

import sys
import tempfile
from pathlib import Path

from google.protobuf import descriptor_pb2
from google.protobuf.compiler import plugin_pb2
from grpc_tools import protoc


def generate(request: plugin_pb2.CodeGeneratorRequest) -> plugin_pb2.CodeGeneratorResponse:
    features = plugin_pb2.CodeGeneratorResponse
    response = plugin_pb2.CodeGeneratorResponse(
        supported_features=features.FEATURE_PROTO3_OPTIONAL | features.FEATURE_SUPPORTS_EDITIONS,
        # grpcio-tools' protoc handles editions up to 2023 (the rules in chorus/type/v1).
        minimum_edition=descriptor_pb2.EDITION_PROTO2,
        maximum_edition=descriptor_pb2.EDITION_2023,
    )
    with tempfile.TemporaryDirectory() as tmp:
        descriptors = Path(tmp, "descriptors.binpb")
        descriptors.write_bytes(
            descriptor_pb2.FileDescriptorSet(file=request.proto_file).SerializeToString()
        )
        out = Path(tmp, "out")
        out.mkdir()
        option = f"{request.parameter}:" if request.parameter else ""
        code = protoc.main(
            [
                "protoc",
                f"--descriptor_set_in={descriptors}",
                f"--grpc_python_out={option}{out}",
                *request.file_to_generate,
            ]
        )
        if code != 0:
            response.error = f"grpc_tools.protoc exited with {code}"
            return response
        for path in sorted(out.rglob("*.py")):
            response.file.add(name=path.relative_to(out).as_posix(), content=path.read_text())
    return response


def main() -> None:
    request = plugin_pb2.CodeGeneratorRequest.FromString(sys.stdin.buffer.read())
    sys.stdout.buffer.write(generate(request).SerializeToString())


if __name__ == "__main__":
    main()
