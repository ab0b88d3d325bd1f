/** Sentences for failed TenantService calls, and the invite and new-tenant forms' field errors. */
import { Code, ConnectError } from "@connectrpc/connect";
import type { FieldTarget, FormErrors } from "../errors/formErrors";
import { formErrorsFrom } from "../errors/formErrors";
import { asSentence, errorSentence } from "../errors/sentences";

export type TenantAction =
  "switch" | "accept" | "invite" | "revoke" | "changeRole" | "remove" | "leave" | "delete";

/** What PERMISSION_DENIED means for each action, in words. */
const DENIED: Record<TenantAction, string> = {
  switch: "You can't switch to that tenant.",
  accept: "You can't accept that invitation.",
  invite: "Only owners and admins can invite members, and only owners can invite owners.",
  revoke: "Only owners and admins can revoke invitations.",
  changeRole:
    "Only owners and admins can change roles, and only owners can change an owner's role or make someone an owner.",
  remove: "Only owners and admins can remove members, and only owners can remove an owner.",
  leave: "You can't leave this tenant.",
  delete: "Only owners can delete a tenant.",
};

/** What NOT_FOUND means for each action. */
const NOT_FOUND: Record<TenantAction, string> = {
  switch: "You are no longer a member of that tenant.",
  accept: "That invitation is no longer open: it was accepted, withdrawn or has expired.",
  invite: "This tenant no longer exists, or you are no longer a member.",
  revoke: "That invitation is no longer open: it was accepted, revoked or has expired.",
  changeRole: "That person is no longer a member of this tenant.",
  remove: "That person is no longer a member of this tenant.",
  leave: "This tenant no longer exists, or you are no longer a member.",
  delete: "This tenant no longer exists, or you are no longer a member.",
};

/**
 * A sentence for a failed tenant action. FAILED_PRECONDITION keeps the
 * server's reason, which already is one ("The last owner cannot be demoted:
 * make someone else owner first.").
 */
export function tenantErrorSentence(action: TenantAction, reason: unknown): string {
  const err = ConnectError.from(reason);
  switch (err.code) {
    case Code.PermissionDenied:
      return DENIED[action];
    case Code.NotFound:
      return NOT_FOUND[action];
    case Code.FailedPrecondition:
      return asSentence(err.rawMessage) || "That can't be done in this tenant.";
    case Code.AlreadyExists:
      return asSentence(err.rawMessage) || "That is already the case.";
    default:
      return errorSentence(err);
  }
}

export type InviteField = "email" | "role";
export const INVITE_FIELDS: readonly InviteField[] = ["email", "role"];

const inviteTargets: Record<string, FieldTarget<InviteField>> = {
  email: { key: "email", label: "Email" },
  role: { key: "role", label: "Role" },
};

export function inviteErrors(reason: unknown): FormErrors<InviteField> {
  const err = ConnectError.from(reason);
  if (err.code === Code.InvalidArgument) return formErrorsFrom(err, inviteTargets);
  if (err.code === Code.AlreadyExists) {
    return { fields: { email: "This person is already a member of this tenant." } };
  }
  return { fields: {}, form: tenantErrorSentence("invite", err) };
}

export type TenantNameField = "name";

const nameTargets: Record<string, FieldTarget<TenantNameField>> = {
  name: { key: "name", label: "Tenant name" },
};

export function newTenantErrors(reason: unknown): FormErrors<TenantNameField> {
  return formErrorsFrom(reason, nameTargets);
}
