import { Button, Group } from "@mantine/core";
import { useState } from "react";
import { useActing } from "../api/ServicesContext";
import { Role } from "../gen/chorus/auth/v1/auth_service_pb";
import type { Tenant } from "../gen/chorus/auth/v1/tenant_service_pb";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { toastDone, toastFailed } from "../ui/toasts";
import { tenantErrorSentence } from "./tenantErrors";
import { useLeaveOrDeleteTenant } from "./tenantQueries";

interface LeaveOrDeleteTenantProps {
  tenant: Tenant;
  myRole: Role;
  /** I am its only owner: I can't leave (the server would refuse too). */
  lastOwner: boolean;
  personalTenantId: string;
}

type Action = "leave" | "delete";

/**
 * "Leave tenant" for anyone, "Delete tenant" for owners, each asked once
 * more. The session moves to the personal tenant first: leaving or deleting
 * the tenant a session acts in ends that session.
 */
export function LeaveOrDeleteTenant({
  tenant,
  myRole,
  lastOwner,
  personalTenantId,
}: LeaveOrDeleteTenantProps) {
  const activeTenantId = useActing()?.tenantId ?? "";
  const leaveOrDelete = useLeaveOrDeleteTenant();
  const [asking, setAsking] = useState<Action | null>(null);

  async function run(action: Action) {
    try {
      await leaveOrDelete.mutateAsync({
        action,
        tenantId: tenant.id,
        activeTenantId,
        fallbackTenantId: personalTenantId,
      });
      toastDone(
        action === "leave"
          ? `You left “${tenant.name}”. You are working in your personal tenant.`
          : `Deleted “${tenant.name}”. You are working in your personal tenant.`,
      );
    } catch (err) {
      const what =
        action === "leave" ? `You did not leave “${tenant.name}”.` : `“${tenant.name}” was not deleted.`;
      toastFailed(`${what} ${tenantErrorSentence(action, err)}`);
    } finally {
      setAsking(null);
    }
  }

  function leave() {
    if (lastOwner) {
      toastFailed(
        `You are the only owner of “${tenant.name}”. Make someone else an owner before you leave, or delete the tenant.`,
      );
      return;
    }
    setAsking("leave");
  }

  return (
    <Group>
      <Button variant="default" onClick={leave}>
        Leave tenant
      </Button>
      {myRole === Role.OWNER && (
        <Button color="red" variant="light" onClick={() => setAsking("delete")}>
          Delete tenant
        </Button>
      )}
      <ConfirmDialog
        opened={asking === "leave"}
        title={`Leave “${tenant.name}”?`}
        body="You lose access to its songs and playlists until someone invites you again."
        confirmLabel="Leave tenant"
        busy={leaveOrDelete.isPending}
        onConfirm={() => void run("leave")}
        onClose={() => setAsking(null)}
      />
      <ConfirmDialog
        opened={asking === "delete"}
        title={`Delete “${tenant.name}”?`}
        body="It is deleted for all its members, with its songs and playlists. This can't be undone."
        confirmLabel="Delete tenant"
        busy={leaveOrDelete.isPending}
        onConfirm={() => void run("delete")}
        onClose={() => setAsking(null)}
      />
    </Group>
  );
}
