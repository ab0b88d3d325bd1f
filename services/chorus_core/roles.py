"""Tenant roles: their names, and what each may do (the one policy table).

The contract declares the roles (`chorus.auth.v1.Role`); a role's name, as
access tokens carry it in their `role` claim and the auth database stores
it, is its enum value's name without `ROLE_`, in lower case ("owner").
Every permission check of both services reads `POLICY`.
"""

from enum import Enum
from typing import TypeAlias

from chorus.auth.v1 import auth_service_pb2 as pb
from chorus_core.errors import PermissionDenied

RoleMessage: TypeAlias = "pb.Role.ValueType"


def _name(value: RoleMessage) -> str:
    return pb.Role.Name(value).removeprefix("ROLE_").lower()


ROLE_MESSAGES: dict[str, RoleMessage] = {
    _name(value): value for value in pb.Role.values() if value != pb.ROLE_UNSPECIFIED
}
"""Every role by name, strongest first (the contract's order)."""
ROLE_NAMES: dict[RoleMessage, str] = {value: name for name, value in ROLE_MESSAGES.items()}

OWNER, ADMIN, EDITOR, VIEWER = (
    _name(v) for v in (pb.ROLE_OWNER, pb.ROLE_ADMIN, pb.ROLE_EDITOR, pb.ROLE_VIEWER)
)


class Permission(Enum):
    READ_RESOURCES = "read the tenant's resources"
    CHANGE_RESOURCES = "create, change and delete the tenant's resources"
    MANAGE_MEMBERS = "invite, change and remove members below owner"
    MANAGE_OWNERS = "make, change and remove owners"
    DELETE_TENANT = "delete the tenant"


POLICY: dict[str, frozenset[Permission]] = {
    OWNER: frozenset(Permission),
    ADMIN: frozenset(
        {Permission.READ_RESOURCES, Permission.CHANGE_RESOURCES, Permission.MANAGE_MEMBERS}
    ),
    EDITOR: frozenset({Permission.READ_RESOURCES, Permission.CHANGE_RESOURCES}),
    VIEWER: frozenset({Permission.READ_RESOURCES}),
}
"""What each role may do in its tenant. Every member may also list the
members and leave (the last owner excepted): those need no permission."""


def allows(role: str, permission: Permission) -> bool:
    """Whether `role` (a name; unknown names may do nothing) has `permission`."""
    return permission in POLICY.get(role, frozenset())


def role_message(role: str) -> RoleMessage:
    return ROLE_MESSAGES.get(role, pb.ROLE_UNSPECIFIED)


def require(role: str, permission: Permission) -> None:
    """PERMISSION_DENIED unless `role` has `permission`."""
    if not allows(role, permission):
        raise PermissionDenied(f"a tenant {role} may not {permission.value}")


def require_manager(actor: str, *roles: str) -> None:
    """May `actor` manage members holding (or to be given) `roles`?

    Managing an owner (or making one) needs MANAGE_OWNERS; anyone else, MANAGE_MEMBERS.
    """
    require(actor, Permission.MANAGE_OWNERS if OWNER in roles else Permission.MANAGE_MEMBERS)
