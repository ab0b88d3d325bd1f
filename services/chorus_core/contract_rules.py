"""The field rules of the contracts (`buf.validate` annotations), checked with protovalidate.

Rules live in `protos/` only; this turns their violations into the field
violations Chorus answers with (INVALID_ARGUMENT, google.rpc.BadRequest),
with paths as clients write them: `song.year`, `playlist.song_ids[3]`.
"""

from typing import Any

import protovalidate

from chorus_core.errors import FieldViolation

_validator = protovalidate.Validator()


def rule_violations(message: Any, prefix: str = "") -> list[FieldViolation]:
    """Every broken rule of `message`; paths start with `prefix` (e.g. "song.")."""
    violations = []
    for violation in _validator.collect_violations(message):
        path = field_path(violation.proto.field)
        field = prefix + path if path else prefix.rstrip(".")
        violations.append(FieldViolation(field, violation.proto.message))
    return violations


def field_path(path: Any) -> str:
    """`playlist.song_ids[3]` from protovalidate's structured path."""
    if path is None:
        return ""
    parts: list[str] = []
    for element in path.elements:
        part = element.field_name
        subscript = element.subscript
        if subscript is not None and subscript.field == "index":
            part += f"[{subscript.value}]"
        elif subscript is not None:
            part += f"[{subscript.value!r}]"
        parts.append(part)
    return ".".join(parts)
