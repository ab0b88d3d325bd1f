"""Any resource, for tests that cover every registered one without being told.

Values come from the contract: `sample` makes a valid item from the field
rules (`buf.validate` annotations), `broken_values` one bad value per rule.
"""

import uuid
from collections.abc import Iterator
from typing import Any

from buf.validate import validate_pb2
from google.protobuf.descriptor import Descriptor, FieldDescriptor

from chorus.type.v1 import text_rules_pb2
from chorus_client import ResourceClient
from chorus_client.resources import resource_services
from chorus_resource.catalog import RESOURCES
from chorus_resource.resource import OUTPUT_ONLY, Resource

NAMES = sorted(resource_services())
"""Every resource by its client name: "playlists", "songs"…"""


def declaration(name: str) -> Resource:
    """The server's declaration of a resource, by client name."""
    [resource] = [r for r in RESOURCES if resource_services()[name] is r.service]
    return resource


def rules(field: FieldDescriptor) -> validate_pb2.FieldRules:
    return field.GetOptions().Extensions[validate_pb2.field]


def input_fields(message: Descriptor) -> list[FieldDescriptor]:
    return [f for f in message.fields if f.name not in OUTPUT_ONLY]


def sample(client: ResourceClient, n: int) -> Any:
    """A valid item whose values depend on `n` (optional numbers unset when n % 3 == 0)."""
    values: dict[str, Any] = {}
    for field in input_fields(client.message_type.DESCRIPTOR):
        value = _value(field, n)
        if value is not None:
            values[field.name] = value
    return client.message_type(**values)


def _value(field: FieldDescriptor, n: int) -> Any:
    if field.is_repeated:
        return None
    field_rules = rules(field)
    if field.type == FieldDescriptor.TYPE_STRING:
        limit = field_rules.string.max_len or 200
        return f"{field.name.title()} {n:03d} Mix"[:limit]
    if field.type in (FieldDescriptor.TYPE_INT32, FieldDescriptor.TYPE_INT64):
        if field.has_presence and n % 3 == 0:
            return None
        low, high = field_rules.int32.gte, field_rules.int32.lte or 2**31 - 1
        return low + (n * 37) % (high - low + 1)
    if field.type == FieldDescriptor.TYPE_BOOL:
        return n % 2 == 0
    return None


def broken_values(message: Descriptor) -> Iterator[tuple[str, Any, str]]:
    """(field, a value breaking one of its rules, the violation's field path)."""
    for field in input_fields(message):
        field_rules = rules(field)
        if field.is_repeated and field_rules.repeated.max_items:
            count = field_rules.repeated.max_items + 1
            yield field.name, [str(uuid.uuid4()) for _ in range(count)], field.name
            yield field.name, ["not an id"], f"{field.name}[0]"
        elif field.type == FieldDescriptor.TYPE_STRING and field_rules.string.max_len:
            yield field.name, "x" * (field_rules.string.max_len + 1), field.name
        if field_rules.string.Extensions[text_rules_pb2.single_line]:
            yield field.name, "bad\x00text", field.name
        if field_rules.string.Extensions[text_rules_pb2.multi_line]:
            yield field.name, "bad\x00text\n", field.name
        if field_rules.string.Extensions[text_rules_pb2.not_blank]:
            yield field.name, "   ", field.name
        if field_rules.HasField("int32"):
            if field_rules.int32.HasField("gte"):
                yield field.name, field_rules.int32.gte - 1, field.name
            if field_rules.int32.HasField("lte"):
                yield field.name, field_rules.int32.lte + 1, field.name
