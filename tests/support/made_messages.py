"""Protobuf messages made at test time, for code that must work on any contract's message."""

from dataclasses import dataclass

from google.protobuf import descriptor_pb2, descriptor_pool, timestamp_pb2
from google.protobuf.descriptor import Descriptor

TIMESTAMP = ".google.protobuf.Timestamp"
KIND = ".made.Kind"
"""An enum the message may use: KIND_UNSPECIFIED (0), KIND_ONE (1), KIND_NEGATIVE (-3)."""


@dataclass(frozen=True)
class Field:
    name: str
    number: int
    type: "descriptor_pb2.FieldDescriptorProto.Type.ValueType"
    optional: bool = False
    """proto3 `optional` (explicit presence)."""
    repeated: bool = False
    type_name: str = ""
    """TIMESTAMP, KIND or another message of the file ("Inner" exists: one string)."""


def message_of(*fields: Field) -> Descriptor:
    """A proto3 message `made.Made` with these fields, in a pool of its own."""
    pool = descriptor_pool.DescriptorPool()
    pool.AddSerializedFile(timestamp_pb2.DESCRIPTOR.serialized_pb)
    file = descriptor_pb2.FileDescriptorProto(
        name="made/made.proto",
        package="made",
        syntax="proto3",
        dependency=["google/protobuf/timestamp.proto"],
    )
    kind = file.enum_type.add(name="Kind")
    for name, number in (("KIND_UNSPECIFIED", 0), ("KIND_ONE", 1), ("KIND_NEGATIVE", -3)):
        kind.value.add(name=name, number=number)
    inner = file.message_type.add(name="Inner")
    inner.field.add(name="text", number=1, type=descriptor_pb2.FieldDescriptorProto.TYPE_STRING)
    message = file.message_type.add(name="Made")
    for made in fields:
        field = message.field.add(name=made.name, number=made.number, type=made.type)
        field.label = (
            descriptor_pb2.FieldDescriptorProto.LABEL_REPEATED
            if made.repeated
            else descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL
        )
        if made.type_name:
            field.type_name = made.type_name
        if made.optional:
            field.proto3_optional = True
            field.oneof_index = len(message.oneof_decl)
            message.oneof_decl.add(name=f"_{made.name}")
    pool.Add(file)
    return pool.FindMessageTypeByName("made.Made")
