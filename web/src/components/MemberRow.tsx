import { useId, useState } from "react";
import type { Role } from "../gen/chorus/auth/v1/auth_service_pb";
import type { Member } from "../gen/chorus/auth/v1/tenant_service_pb";
import { assignableRoles, roleName } from "../tenants/roles";
import { tenantErrorSentence } from "../tenants/tenantErrors";
import { useChangeMemberRole, useRemoveMember } from "../tenants/tenantQueries";
import { RoleSelect } from "./RoleSelect";
import type { Notice } from "./TenantNotice";

interface MemberRowProps {
  tenantId: string;
  member: Member;
  /** This member is the signed-in user. */
  me: boolean;
  /** I may change this member's role and remove them. */
  manageable: boolean;
  myRole: Role;
  onNotice: (notice: Notice) => void;
  onRemoved: (text: string) => void;
}

/** A member and their role; for managers, "Role of <email>", "Change role" and "Remove". */
export function MemberRow({ tenantId, member, me, manageable, myRole, onNotice, onRemoved }: MemberRowProps) {
  // The role chosen in the select; it follows the member's role when that changes.
  const [draft, setDraft] = useState({ from: member.role, role: member.role });
  const role = draft.from === member.role ? draft.role : member.role;
  const setRole = (chosen: Role) => setDraft({ from: member.role, role: chosen });
  const changeRole = useChangeMemberRole();
  const removeMember = useRemoveMember();
  const emailId = useId();
  const busy = changeRole.isPending || removeMember.isPending;

  async function change() {
    if (busy) return;
    if (role === member.role) {
      onNotice({ text: "Nothing changed." });
      return;
    }
    try {
      const { member: changed } = await changeRole.mutateAsync({ tenantId, userId: member.userId, role });
      onNotice({ text: `${member.email} is now ${roleName(changed?.role ?? role)}.` });
    } catch (err) {
      setRole(member.role);
      onNotice({
        text: `The role of ${member.email} was not changed. ${tenantErrorSentence("changeRole", err)}`,
        error: true,
      });
    }
  }

  async function remove() {
    if (busy) return;
    try {
      await removeMember.mutateAsync({ tenantId, userId: member.userId });
      onRemoved(`Removed ${member.email}.`);
    } catch (err) {
      onNotice({
        text: `${member.email} was not removed. ${tenantErrorSentence("remove", err)}`,
        error: true,
      });
    }
  }

  return (
    <li className="member-row" aria-busy={busy}>
      <div className="member-info">
        <span className="member-email" id={emailId}>
          {member.email}
          {me && " (you)"}
        </span>
        <span className="member-role">{roleName(member.role)}</span>
      </div>
      {manageable && (
        <div className="member-actions">
          <RoleSelect
            label={`Role of ${member.email}`}
            hideLabel
            value={role}
            roles={assignableRoles(myRole)}
            onChange={setRole}
          />
          <button type="button" onClick={() => void change()} aria-describedby={emailId}>
            Change role
          </button>
          <button type="button" className="danger" onClick={() => void remove()} aria-describedby={emailId}>
            Remove
          </button>
        </div>
      )}
    </li>
  );
}
