import { errorSentence } from "../errors/sentences";
import { useMyInvitations } from "../tenants/tenantQueries";
import { InvitationItem } from "./InvitationItem";
import type { Notice } from "./TenantNotice";

interface InvitationsSectionProps {
  /** An invitation was accepted (its row is gone): say so elsewhere and move focus there. */
  onAccepted: (text: string) => void;
  onNotice: (notice: Notice) => void;
}

/** Open invitations to my email, each with "Accept". Nothing at all when there are none. */
export function InvitationsSection({ onAccepted, onNotice }: InvitationsSectionProps) {
  const invitations = useMyInvitations();
  if (invitations.isPending) return null;
  if (invitations.isError && !invitations.data) {
    return (
      <section className="card invitations" aria-labelledby="invitations-heading">
        <h2 id="invitations-heading">Invitations</h2>
        <p role="alert">{`Your invitations could not be loaded. ${errorSentence(invitations.error)}`}</p>
      </section>
    );
  }
  if (invitations.data.length === 0) return null;
  return (
    <section className="card invitations" aria-labelledby="invitations-heading">
      <h2 id="invitations-heading">Invitations</h2>
      <ul className="invitation-list" aria-label="Invitations">
        {invitations.data.map((invitation) => (
          <InvitationItem
            key={invitation.id}
            invitation={invitation}
            onAccepted={onAccepted}
            onNotice={onNotice}
          />
        ))}
      </ul>
    </section>
  );
}
