"""Hypothesis strategies for any protobuf request, built from its descriptor.

Nothing names a message or a field: a new resource's requests are fuzzed as
soon as its service is in the contract. Values favour what breaks servers:
empty and huge text, NUL and other control characters, numbers at the edges
of their types, unknown enum values, nested messages a few levels deep.
"""

import uuid
from typing import Any

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message
from google.protobuf.message_factory import GetMessageClass
from hypothesis import strategies as st

MAX_DEPTH = 3
MAX_REPEATED = 3
INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)

TRICKY_TEXT = (
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x01\x1f\x7f",
    "x" * 10_000,
    "é" * 300,
    str(uuid.UUID(int=0)),
    str(uuid.uuid4()),
    "ROLE_OWNER",
    "name",
    "year",
    "update_time desc",
    'artist:"cage" AND year>2000',
    "(((((((((((",
    # a page token whose time overflows when moved to UTC
    "eyJ0IjoiMDAwMS0wMS0wMVQwMDowMDowMCsxNDowMCIsImkiOiIwMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDAifQ",
    "fuzz@example.com",
    "fuzz\x00@example.com",
)


def text() -> st.SearchStrategy[str]:
    return st.one_of(st.text(max_size=40), st.sampled_from(TRICKY_TEXT))


_BY_TYPE: dict[int, st.SearchStrategy[Any]] = {
    FieldDescriptor.TYPE_STRING: text(),
    FieldDescriptor.TYPE_BYTES: st.binary(max_size=64),
    FieldDescriptor.TYPE_BOOL: st.booleans(),
    FieldDescriptor.TYPE_UINT32: st.integers(0, 2**32 - 1),
    FieldDescriptor.TYPE_FIXED32: st.integers(0, 2**32 - 1),
    FieldDescriptor.TYPE_UINT64: st.integers(0, 2**64 - 1),
    FieldDescriptor.TYPE_FIXED64: st.integers(0, 2**64 - 1),
    FieldDescriptor.TYPE_INT64: st.one_of(st.integers(-5, 3000), st.integers(*INT64)),
    FieldDescriptor.TYPE_SINT64: st.one_of(st.integers(-5, 3000), st.integers(*INT64)),
    FieldDescriptor.TYPE_SFIXED64: st.one_of(st.integers(-5, 3000), st.integers(*INT64)),
    FieldDescriptor.TYPE_FLOAT: st.floats(width=32),
    FieldDescriptor.TYPE_DOUBLE: st.floats(),
}
_INT32 = st.one_of(st.integers(-5, 3000), st.integers(*INT32))


def _scalar(field: FieldDescriptor) -> st.SearchStrategy[Any]:
    if field.enum_type is not None:
        known = [value.number for value in field.enum_type.values]
        return st.one_of(st.sampled_from(known), st.integers(*INT32))
    return _BY_TYPE.get(field.type, _INT32)  # the rest: 32-bit integers


def _field(field: FieldDescriptor, depth: int) -> st.SearchStrategy[Any]:
    nested = field.message_type
    if nested is not None:
        if depth >= MAX_DEPTH or nested.GetOptions().map_entry:
            return st.none()
        single: st.SearchStrategy[Any] = messages(nested, depth + 1)
    else:
        single = _scalar(field)
    if field.is_repeated:
        return st.lists(single, max_size=MAX_REPEATED)
    return single


def messages(descriptor: Descriptor, depth: int = 0) -> st.SearchStrategy[Message]:
    """Messages of `descriptor`'s type, each field set or left unset."""
    fields = {f.name: st.none() | _field(f, depth) for f in descriptor.fields}
    cls = GetMessageClass(descriptor)
    return st.fixed_dictionaries(fields).map(lambda values: _build(cls, values))


def _build(cls: type[Message], values: dict[str, Any]) -> Message:
    message = cls()
    for name, value in values.items():
        if value is None:
            continue
        field = cls.DESCRIPTOR.fields_by_name[name]
        target = getattr(message, name)
        if field.is_repeated and field.type == FieldDescriptor.TYPE_MESSAGE:
            for item in value:
                if item is not None:
                    target.add().CopyFrom(item)
        elif field.is_repeated:
            target.extend(value)
        elif field.type == FieldDescriptor.TYPE_MESSAGE:
            target.CopyFrom(value)
        else:
            setattr(message, name, value)
    return message


EDGE_INTEGERS = (0, -1, 1, 2**31 - 1, -(2**31))


def edge_cases(descriptor: Descriptor, depth: int = 0) -> list[Message]:
    """Messages with exactly one field set (nested ones through their parents) to each
    tricky text or edge number: what random draws rarely reach alone."""
    cls = GetMessageClass(descriptor)
    cases = []
    for field in descriptor.fields:
        if field.is_repeated and field.message_type is None:
            values: list[Any] = []
            if field.type == FieldDescriptor.TYPE_STRING:
                values = [[text] for text in TRICKY_TEXT]
            for value in values:
                message = cls()
                getattr(message, field.name).extend(value)
                cases.append(message)
        elif field.message_type is not None:
            if depth >= MAX_DEPTH - 1 or field.message_type.GetOptions().map_entry:
                continue
            for inner in edge_cases(field.message_type, depth + 1):
                message = cls()
                target = getattr(message, field.name)
                (target.add() if field.is_repeated else target).CopyFrom(inner)
                cases.append(message)
        elif field.type == FieldDescriptor.TYPE_STRING:
            cases += [cls(**{field.name: text}) for text in TRICKY_TEXT]
        elif field.type in (FieldDescriptor.TYPE_INT32, FieldDescriptor.TYPE_INT64):
            cases += [cls(**{field.name: number}) for number in EDGE_INTEGERS]
    return cases
