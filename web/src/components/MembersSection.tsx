import { useId, useRef, useState } from "react";
import { useActing } from "../api/ServicesContext";
import { errorSentence } from "../errors/sentences";
import { Role } from "../gen/chorus/auth/v1/auth_service_pb";
import type { Tenant } from "../gen/chorus/auth/v1/tenant_service_pb";
import { canManageMember, canManageMembers } from "../tenants/roles";
import { useMembers } from "../tenants/tenantQueries";
import { InviteMemberForm } from "./InviteMemberForm";
import { Loading } from "./Loading";
import { MemberRow } from "./MemberRow";
import { TenantActions } from "./TenantActions";
import type { Notice } from "./TenantNotice";
import { TenantNotice } from "./TenantNotice";

interface MembersSectionProps {
  /** The active tenant, a shared one. */
  tenant: Tenant;
  /** My role in it, as the tenants list says (what TenantService checks). */
  myRole: Role;
  personalTenantId: string;
  /** Outcomes of leaving and deleting: shown by the tenants section, which stays. */
  onTenantNotice: (notice: Notice) => void;
  /** The session moved to my personal tenant (I left or deleted this one): this section goes. */
  onGone: (notice: Notice) => void;
}

/**
 * The members of the active shared tenant with their roles. Owners and admins
 * invite, change roles and remove (admins only below owner); anyone can
 * leave; owners can delete the tenant.
 */
export function MembersSection({
  tenant,
  myRole,
  personalTenantId,
  onTenantNotice,
  onGone,
}: MembersSectionProps) {
  const acting = useActing();
  const members = useMembers(tenant.id);
  const [notice, setNotice] = useState<Notice>({ text: "" });
  const headingId = useId();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const manage = canManageMembers(myRole);
  const list = members.data ?? [];
  const owners = list.filter((m) => m.role === Role.OWNER).length;

  return (
    <section className="card members" aria-labelledby={headingId}>
      <h2 id={headingId} ref={headingRef} tabIndex={-1}>
        Members of “{tenant.name}”
      </h2>
      <TenantNotice notice={notice} />
      {manage && (
        <InviteMemberForm tenantId={tenant.id} myRole={myRole} onInvited={(text) => setNotice({ text })} />
      )}
      {members.isPending ? (
        <Loading label="Loading members…" />
      ) : members.isError && !members.data ? (
        <div className="load-error">
          <p role="alert">{`The members could not be loaded. ${errorSentence(members.error)}`}</p>
          <button type="button" onClick={() => void members.refetch()}>
            Try again
          </button>
        </div>
      ) : (
        <ul className="member-list" aria-label="Members" aria-busy={members.isFetching}>
          {list.map((member) => (
            <MemberRow
              key={member.userId}
              tenantId={tenant.id}
              member={member}
              me={member.userId === acting?.userId}
              manageable={member.userId !== acting?.userId && canManageMember(myRole, member.role)}
              myRole={myRole}
              onNotice={setNotice}
              onRemoved={(text) => {
                setNotice({ text });
                headingRef.current?.focus();
              }}
            />
          ))}
        </ul>
      )}
      <TenantActions
        tenant={tenant}
        myRole={myRole}
        lastOwner={myRole === Role.OWNER && owners === 1}
        personalTenantId={personalTenantId}
        onNotice={onTenantNotice}
        onGone={onGone}
      />
    </section>
  );
}
