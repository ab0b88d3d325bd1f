/**
 * Tenant roles as the page shows them: owner > admin > editor > viewer.
 *
 * These rules only decide which controls to offer; the services enforce them
 * (a viewer's song change is PERMISSION_DENIED, a member change beyond one's
 * role too), so a stale page can at worst show a button that then says no.
 */
import { Role } from "../gen/chorus/auth/v1/auth_service_pb";

export const ROLE_NAMES: Record<Role, string> = {
  [Role.UNSPECIFIED]: "None",
  [Role.OWNER]: "Owner",
  [Role.ADMIN]: "Admin",
  [Role.EDITOR]: "Editor",
  [Role.VIEWER]: "Viewer",
};

/** Every role, highest first. */
export const ROLES: readonly Role[] = [Role.OWNER, Role.ADMIN, Role.EDITOR, Role.VIEWER];

const CLAIMS: Record<string, Role> = {
  owner: Role.OWNER,
  admin: Role.ADMIN,
  editor: Role.EDITOR,
  viewer: Role.VIEWER,
};

export function roleName(role: Role): string {
  return ROLE_NAMES[role] ?? "Unknown";
}

/** The access token's `role` claim ("editor") as a Role. */
export function roleFromClaim(claim: string): Role {
  return Object.hasOwn(CLAIMS, claim) ? (CLAIMS[claim] ?? Role.UNSPECIFIED) : Role.UNSPECIFIED;
}

/**
 * May this role create, edit and delete songs? Only viewers may not. An
 * unknown role (a token the page can't read) gets the controls: the server
 * decides.
 */
export function canChangeSongs(role: Role): boolean {
  return role !== Role.VIEWER;
}

/** Owners and admins manage members. */
export function canManageMembers(role: Role): boolean {
  return role === Role.OWNER || role === Role.ADMIN;
}

/** The roles `actor` may give: owners any, admins any below owner. */
export function assignableRoles(actor: Role): Role[] {
  if (actor === Role.OWNER) return [...ROLES];
  if (actor === Role.ADMIN) return ROLES.filter((r) => r !== Role.OWNER);
  return [];
}

/** May `actor` change the role of, or remove, a member who has `role`? */
export function canManageMember(actor: Role, role: Role): boolean {
  return actor === Role.OWNER || (actor === Role.ADMIN && role !== Role.OWNER);
}
