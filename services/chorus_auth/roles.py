"""Tenant roles and what each may do with members.

owner > admin > editor > viewer. Owners may do everything; admins manage
members below owner; editors and viewers manage nobody.
"""

from chorus.auth.v1 import auth_service_pb2 as pb
from chorus_core.errors import PermissionDenied

OWNER, ADMIN, EDITOR, VIEWER = "owner", "admin", "editor", "viewer"

ROLE_MESSAGES = {
    OWNER: pb.ROLE_OWNER,
    ADMIN: pb.ROLE_ADMIN,
    EDITOR: pb.ROLE_EDITOR,
    VIEWER: pb.ROLE_VIEWER,
}
ROLE_NAMES = {message: name for name, message in ROLE_MESSAGES.items()}


def role_message(role: str) -> "pb.Role.ValueType":
    return ROLE_MESSAGES.get(role, pb.ROLE_UNSPECIFIED)


def require_manager(actor: str, *roles: str) -> None:
    """May `actor` manage members holding (or to be given) `roles`?

    Owners: anyone. Admins: only below owner. Editors and viewers: nobody.
    """
    if actor == OWNER or (actor == ADMIN and OWNER not in roles):
        return
    if actor == ADMIN:
        raise PermissionDenied("admins can manage members below owner only")
    raise PermissionDenied(f"a tenant {actor} cannot manage members")
