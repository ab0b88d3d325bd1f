import type { FormEvent } from "react";
import { useId, useRef, useState } from "react";
import { flushSync } from "react-dom";
import type { FormErrors } from "../errors/formErrors";
import { noErrors } from "../errors/formErrors";
import { Role } from "../gen/chorus/auth/v1/auth_service_pb";
import { assignableRoles, roleName } from "../tenants/roles";
import type { InviteField } from "../tenants/tenantErrors";
import { inviteErrors } from "../tenants/tenantErrors";
import { useInviteMember } from "../tenants/tenantQueries";
import { FormError } from "./FormError";
import { RoleSelect } from "./RoleSelect";
import { TextField } from "./TextField";

interface InviteMemberFormProps {
  tenantId: string;
  /** Owners may invite with any role, admins below owner. */
  myRole: Role;
  onInvited: (text: string) => void;
}

/** "Invite a member": an email (who may not have an account yet) and a role. */
export function InviteMemberForm({ tenantId, myRole, onInvited }: InviteMemberFormProps) {
  const inviteMember = useInviteMember();
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>(Role.VIEWER);
  const [errors, setErrors] = useState<FormErrors<InviteField>>(noErrors);
  const titleId = useId();
  const emailInput = useRef<HTMLInputElement>(null);
  const formErrorRef = useRef<HTMLParagraphElement>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (inviteMember.isPending) return;
    setErrors(noErrors);
    try {
      const { invitation } = await inviteMember.mutateAsync({ tenantId, email, role });
      setEmail("");
      const invited = invitation?.email ?? email;
      onInvited(
        `Invited ${invited} as ${roleName(invitation?.role ?? role)}. They join when they accept, after logging in with that email.`,
      );
      emailInput.current?.focus();
    } catch (err) {
      const found = inviteErrors(err);
      flushSync(() => setErrors(found));
      if (found.fields.email) emailInput.current?.focus();
      else formErrorRef.current?.focus();
    }
  }

  return (
    <form
      className="invite-member"
      aria-labelledby={titleId}
      aria-busy={inviteMember.isPending}
      noValidate
      onSubmit={(e) => void submit(e)}
    >
      <h3 id={titleId}>Invite a member</h3>
      <div className="invite-fields">
        <TextField
          ref={emailInput}
          label="Invite email"
          type="email"
          autoComplete="off"
          required
          value={email}
          onChange={setEmail}
          error={errors.fields.email}
        />
        <RoleSelect
          label="Role"
          value={role}
          roles={assignableRoles(myRole)}
          onChange={setRole}
          error={errors.fields.role}
        />
      </div>
      <FormError ref={formErrorRef} message={errors.form} />
      <button type="submit" className="primary">
        Invite
      </button>
    </form>
  );
}
