"""Errors without transport (issue 15): domain errors know nothing of gRPC, one
table in the error interceptor gives each kind its status code, and nothing
outside the interceptors (and the client) deals in status codes."""

import ast
import inspect
from pathlib import Path

import grpc

from chorus_core import errors
from chorus_core.interceptors.error_interceptor import STATUS_CODES, rich_status, status_code

SERVICES = Path(__file__).resolve().parents[2] / "services"
MAY_SPEAK_STATUS = ("chorus_core/interceptors/", "chorus_client/")
"""The interceptors turn errors into statuses; the client reads statuses."""


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_domain_errors_do_not_import_grpc() -> None:
    imported = imported_modules(Path(inspect.getfile(errors)))
    assert not {name for name in imported if name.split(".")[0] in ("grpc", "grpc_status")}


def test_only_the_interceptors_and_the_client_deal_in_status_codes() -> None:
    speaking = []
    for path in SERVICES.rglob("*.py"):
        relative = path.relative_to(SERVICES).as_posix()
        if relative.startswith(MAY_SPEAK_STATUS):
            continue
        text = path.read_text(encoding="utf-8")
        if "StatusCode" in text or "grpc_status" in imported_modules(path) or ".abort(" in text:
            speaking.append(relative)
    assert speaking == []


def test_every_domain_error_has_its_own_code_in_the_table() -> None:
    kinds = [
        kind
        for kind in vars(errors).values()
        if isinstance(kind, type) and issubclass(kind, errors.ServiceError)
    ]
    for kind in kinds:
        if kind is errors.ServiceError:
            continue
        assert any(issubclass(kind, mapped) for mapped in STATUS_CODES), kind
    assert status_code(errors.DatabaseUnavailable()) == grpc.StatusCode.UNAVAILABLE
    assert status_code(errors.NotFound("gone")) == grpc.StatusCode.NOT_FOUND


def test_invalid_arguments_carry_bad_request_details() -> None:
    violation = errors.FieldViolation("song.name", "must not be empty")
    status = rich_status(errors.InvalidArgument([violation]))
    assert status.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]
    assert [detail.type_url for detail in status.details] == [
        "type.googleapis.com/google.rpc.BadRequest"
    ]
