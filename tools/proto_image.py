"""Build a buf image of `protos/` whose `buf/validate/validate.proto` comes from protovalidate.

buf cannot fetch `buf.build/bufbuild/protovalidate` here (no network), and the
installed `protovalidate` wheel ships that file as a compiled descriptor, not
as source. So the contracts are compiled with grpcio-tools' protoc against
that descriptor (`--descriptor_set_in`), into one image that `buf lint`,
`buf breaking` and `buf generate` read with `--path chorus` (our files only).

    python tools/proto_image.py OUT.binpb [PROTOS_DIR]
"""

import ast
import sys
import tempfile
from pathlib import Path

import protovalidate._gen.buf.validate.validate_pb as validate_module
from google.protobuf import descriptor_pb2, duration_pb2, field_mask_pb2, timestamp_pb2
from grpc_tools import protoc


def validate_descriptor() -> descriptor_pb2.FileDescriptorProto:
    """`buf/validate/validate.proto`, exactly as the installed protovalidate package has it.

    protovalidate's generated module holds the serialized FileDescriptorProto
    as the first argument of its `file_desc(...)` call; reading it from the
    source keeps this independent of the package's private runtime types.
    """
    tree = ast.parse(Path(validate_module.__file__).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "file_desc":
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, bytes):
                return descriptor_pb2.FileDescriptorProto.FromString(first.value)
    raise SystemExit(f"no file descriptor found in {validate_module.__file__}")


def dependency_set() -> descriptor_pb2.FileDescriptorSet:
    """validate.proto and the well-known files it imports."""
    files = descriptor_pb2.FileDescriptorSet()
    for module in (descriptor_pb2, duration_pb2, field_mask_pb2, timestamp_pb2):
        module.DESCRIPTOR.CopyToProto(files.file.add())
    files.file.append(validate_descriptor())
    return files


def build_image(out: Path, protos: Path) -> None:
    sources = sorted(str(p.relative_to(protos)) for p in protos.rglob("*.proto"))
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        deps = Path(tmp, "deps.binpb")
        deps.write_bytes(dependency_set().SerializeToString())
        status = protoc.main(
            [
                "protoc",
                f"--descriptor_set_in={deps}",
                f"-I{protos}",
                "--include_imports",
                "--include_source_info",
                f"--descriptor_set_out={out}",
                *sources,
            ]
        )
    if status != 0:
        raise SystemExit(status)


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        raise SystemExit(__doc__)
    build_image(Path(sys.argv[1]), Path(sys.argv[2] if len(sys.argv) == 3 else "protos"))
