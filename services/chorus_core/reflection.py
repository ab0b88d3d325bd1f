"""Server reflection, v1 and v1alpha, that describes services with their proto comments.

grpcio-reflection offers only v1alpha, and answers with descriptors copied
from the generated code, which carry no comments. Here the descriptors come
from the contract's own descriptor set (`make gen` writes it with
`buf build`, source info included, into the `chorus` package as
`api.binpb`), so `grpcurl describe` shows the documentation of `protos/`.
The two protocol versions are the same messages under two package names, so
one servicer answers both.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from importlib import resources
from typing import Any

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool
from grpc_health.v1 import health_pb2
from grpc_reflection.v1alpha import _async as reflection_aio
from grpc_reflection.v1alpha import reflection_pb2 as pb
from grpc_reflection.v1alpha import reflection_pb2_grpc

API_PACKAGE = "chorus"
API_DESCRIPTORS = "api.binpb"
V1ALPHA = "grpc.reflection.v1alpha.ServerReflection"
V1 = "grpc.reflection.v1.ServerReflection"
HEALTH = health_pb2.DESCRIPTOR.services_by_name["Health"].full_name


def api_descriptor_set() -> descriptor_pb2.FileDescriptorSet:
    """Every file of the contract and its imports, with comments."""
    data = resources.files(API_PACKAGE).joinpath(API_DESCRIPTORS).read_bytes()
    return descriptor_pb2.FileDescriptorSet.FromString(data)


def api_services() -> list[str]:
    """The full name of every service the contract declares."""
    return [
        f"{file.package}.{service.name}"
        for file in api_descriptor_set().file
        if file.package.startswith(f"{API_PACKAGE}.")
        for service in file.service
    ]


def add_reflection(server: grpc.aio.Server, services: Iterable[str]) -> None:
    """Reflection (v1 and v1alpha) for `services`, health and reflection itself."""
    files = _files()
    names = [*services, HEALTH, V1ALPHA, V1]
    servicer = _Reflection(names, files)
    reflection_pb2_grpc.add_ServerReflectionServicer_to_server(servicer, server)
    server.add_generic_rpc_handlers(
        (
            grpc.method_handlers_generic_handler(
                V1,
                {
                    "ServerReflectionInfo": grpc.stream_stream_rpc_method_handler(
                        servicer.ServerReflectionInfo,
                        request_deserializer=pb.ServerReflectionRequest.FromString,
                        response_serializer=pb.ServerReflectionResponse.SerializeToString,
                    )
                },
            ),
        )
    )


def _files() -> dict[str, descriptor_pb2.FileDescriptorProto]:
    files = {file.name: file for file in api_descriptor_set().file}
    for generated in (health_pb2.DESCRIPTOR, pb.DESCRIPTOR):
        proto = descriptor_pb2.FileDescriptorProto()
        generated.CopyToProto(proto)
        files[proto.name] = proto
    v1 = _renamed(files[pb.DESCRIPTOR.name], "grpc.reflection.v1")
    files[v1.name] = v1
    return files


def _renamed(
    file: descriptor_pb2.FileDescriptorProto, package: str
) -> descriptor_pb2.FileDescriptorProto:
    """The same file under another package (v1alpha -> v1: identical messages)."""
    old = f".{file.package}."
    renamed = descriptor_pb2.FileDescriptorProto()
    renamed.CopyFrom(file)
    renamed.package = package
    renamed.name = f"{package.replace('.', '/')}/reflection.proto"
    for message in renamed.message_type:
        for field in message.field:
            if field.HasField("type_name"):
                field.type_name = field.type_name.replace(old, f".{package}.")
    for service in renamed.service:
        for method in service.method:
            method.input_type = method.input_type.replace(old, f".{package}.")
            method.output_type = method.output_type.replace(old, f".{package}.")
    return renamed


class _Reflection(reflection_aio.ReflectionServicer):  # type: ignore[misc]
    """Answers from the files as given (comments kept), found through a pool of them."""

    def __init__(
        self, names: Sequence[str], files: dict[str, descriptor_pb2.FileDescriptorProto]
    ) -> None:
        pool = descriptor_pool.DescriptorPool()
        for name in _in_dependency_order(files):
            pool.Add(files[name])
        super().__init__(names, pool)
        self._files = files

    def _file_by_filename(self, request: Any, filename: str) -> Any:
        if filename not in self._files:
            return super()._file_by_filename(request, filename)
        return self._response(request, filename)

    def _file_containing_symbol(self, request: Any, fully_qualified_name: str) -> Any:
        try:
            file = self._pool.FindFileContainingSymbol(fully_qualified_name)
        except KeyError:
            return super()._file_containing_symbol(request, fully_qualified_name)
        return self._response(request, file.name)

    def _response(self, request: Any, filename: str) -> pb.ServerReflectionResponse:
        """The file and every file it imports, transitively (as grpcio-reflection sends them)."""
        ordered: list[str] = []
        pending = [filename]
        while pending:
            name = pending.pop()
            if name in ordered or name not in self._files:
                continue
            ordered.append(name)
            pending.extend(self._files[name].dependency)
        return pb.ServerReflectionResponse(
            file_descriptor_response=pb.FileDescriptorResponse(
                file_descriptor_proto=[self._files[name].SerializeToString() for name in ordered]
            ),
            original_request=request,
        )


def _in_dependency_order(files: dict[str, descriptor_pb2.FileDescriptorProto]) -> list[str]:
    ordered: list[str] = []

    def visit(name: str) -> None:
        if name in ordered or name not in files:
            return
        for dependency in files[name].dependency:
            visit(dependency)
        ordered.append(name)

    for name in files:
        visit(name)
    return ordered
