import { timestampDate } from "@bufbuild/protobuf/wkt";
import { useId } from "react";
import type { Invitation } from "../gen/chorus/auth/v1/tenant_service_pb";
import { roleName } from "../tenants/roles";
import { tenantErrorSentence } from "../tenants/tenantErrors";
import { useAcceptInvitation } from "../tenants/tenantQueries";
import type { Notice } from "./TenantNotice";

interface InvitationItemProps {
  invitation: Invitation;
  onAccepted: (text: string) => void;
  onNotice: (notice: Notice) => void;
}

/** "Join The Band as Editor", until when, and "Accept". */
export function InvitationItem({ invitation, onAccepted, onNotice }: InvitationItemProps) {
  const accept = useAcceptInvitation();
  const titleId = useId();
  const name = invitation.tenant?.name ?? "a tenant";
  const role = roleName(invitation.role);
  const expires = invitation.expireTime ? timestampDate(invitation.expireTime).toLocaleDateString() : "";

  async function acceptIt() {
    if (accept.isPending) return;
    try {
      const { membership } = await accept.mutateAsync(invitation.id);
      onAccepted(
        `You joined “${name}” as ${roleName(membership?.role ?? invitation.role)}. Choose it under Active tenant and press Switch to work in it.`,
      );
    } catch (err) {
      onNotice({ text: `You did not join “${name}”. ${tenantErrorSentence("accept", err)}`, error: true });
    }
  }

  return (
    <li className="invitation" aria-busy={accept.isPending}>
      <div className="invitation-info">
        <span id={titleId} className="invitation-tenant">
          Join “{name}” as {role}
        </span>
        {expires && <span className="invitation-expiry">Open until {expires}</span>}
      </div>
      <button type="button" className="primary" onClick={() => void acceptIt()} aria-describedby={titleId}>
        Accept
      </button>
    </li>
  );
}
