import { useRef, useState } from "react";
import { flushSync } from "react-dom";
import { useActing, useServices } from "../api/ServicesContext";
import { Role } from "../gen/chorus/auth/v1/auth_service_pb";
import type { Tenant } from "../gen/chorus/auth/v1/tenant_service_pb";
import { tenantErrorSentence } from "../tenants/tenantErrors";
import { useLeaveOrDeleteTenant } from "../tenants/tenantQueries";
import type { Notice } from "./TenantNotice";

interface TenantActionsProps {
  tenant: Tenant;
  myRole: Role;
  /** I am its only owner: I can't leave (the server would refuse too). */
  lastOwner: boolean;
  personalTenantId: string;
  onNotice: (notice: Notice) => void;
  /** The session moved to the personal tenant: these buttons go away. */
  onGone: (notice: Notice) => void;
}

/**
 * "Leave tenant" for anyone, "Delete tenant" for owners (asked once more).
 * The session moves to the personal tenant first: leaving or deleting the
 * tenant a session acts in ends that session.
 */
export function TenantActions({
  tenant,
  myRole,
  lastOwner,
  personalTenantId,
  onNotice,
  onGone,
}: TenantActionsProps) {
  const { session } = useServices();
  const activeTenantId = useActing()?.tenantId ?? "";
  const leaveOrDelete = useLeaveOrDeleteTenant();
  const [confirming, setConfirming] = useState(false);
  const deleteButton = useRef<HTMLButtonElement>(null);

  async function run(action: "leave" | "delete") {
    if (leaveOrDelete.isPending) return;
    if (!personalTenantId) {
      onNotice({
        text: "Your personal tenant could not be found. Reload the page and try again.",
        error: true,
      });
      return;
    }
    try {
      await leaveOrDelete.mutateAsync({
        action,
        tenantId: tenant.id,
        activeTenantId,
        fallbackTenantId: personalTenantId,
      });
      onGone({
        text:
          action === "leave"
            ? `You left “${tenant.name}”. You are working in your personal tenant.`
            : `Deleted “${tenant.name}”. You are working in your personal tenant.`,
      });
    } catch (err) {
      setConfirming(false);
      const what =
        action === "leave" ? `You did not leave “${tenant.name}”.` : `“${tenant.name}” was not deleted.`;
      const notice = { text: `${what} ${tenantErrorSentence(action, err)}`, error: true };
      // the session may have moved to the personal tenant before the refusal
      if (session.getActing()?.tenantId === tenant.id) onNotice(notice);
      else onGone(notice);
    }
  }

  function leave() {
    if (lastOwner) {
      onNotice({
        text: `You are the only owner of “${tenant.name}”. Make someone else an owner before you leave, or delete the tenant.`,
        error: true,
      });
      return;
    }
    void run("leave");
  }

  function cancelDelete() {
    flushSync(() => setConfirming(false));
    deleteButton.current?.focus(); // back to the button that opened the question
  }

  return (
    <div className="tenant-actions" aria-busy={leaveOrDelete.isPending}>
      <button type="button" onClick={leave}>
        Leave tenant
      </button>
      {myRole === Role.OWNER &&
        (confirming ? (
          <div className="confirm" role="group" aria-label="Confirm deleting the tenant">
            <p>
              Delete “{tenant.name}” for all its members? Its songs can no longer be reached. This can't be
              undone.
            </p>
            <button type="button" className="danger" onClick={() => void run("delete")} autoFocus>
              Yes, delete tenant
            </button>
            <button type="button" onClick={cancelDelete}>
              Keep tenant
            </button>
          </div>
        ) : (
          <button type="button" className="danger" ref={deleteButton} onClick={() => setConfirming(true)}>
            Delete tenant
          </button>
        ))}
    </div>
  );
}
