import { Button, Card, Table, Text, Title } from "@mantine/core";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { useState } from "react";
import type { Invitation } from "../gen/chorus/auth/v1/tenant_service_pb";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { LoadFailure } from "../ui/LoadFailure";
import { toastDone, toastFailed } from "../ui/toasts";
import { roleName } from "./roles";
import { tenantErrorSentence } from "./tenantErrors";
import { usePendingInvitations, useRevokeInvitation } from "./tenantQueries";
import { TableHead } from "../ui/TableHead";

/** The tenant's open invitations (for owners and admins), each with "Revoke" (asked once more). */
export function PendingInvitations({ tenantId }: { tenantId: string }) {
  const pending = usePendingInvitations(tenantId);
  const revoke = useRevokeInvitation();
  const [revoking, setRevoking] = useState<Invitation | null>(null);

  async function confirm(invitation: Invitation) {
    try {
      await revoke.mutateAsync({ tenantId, invitationId: invitation.id });
      toastDone(`Revoked the invitation of ${invitation.email}.`);
    } catch (err) {
      toastFailed(
        `The invitation of ${invitation.email} was not revoked. ${tenantErrorSentence("revoke", err)}`,
      );
    } finally {
      setRevoking(null);
    }
  }

  return (
    <Card withBorder component="section" aria-labelledby="pending-title">
      <Title order={2} size="h4" id="pending-title" mb="xs">
        Pending invitations
      </Title>
      {pending.isError ? (
        <LoadFailure what="The invitations" error={pending.error} onRetry={() => void pending.refetch()} />
      ) : !pending.data?.length ? (
        <Text size="sm" c="dimmed">
          {pending.isPending ? "Loading…" : "No open invitations."}
        </Text>
      ) : (
        <Table aria-label="Pending invitations" verticalSpacing="xs">
          <TableHead
            columns={[
              "Email",
              "Role",
              { label: "Invited by", visibleFrom: "sm" },
              { label: "Valid until", visibleFrom: "sm" },
            ]}
            actions
          />
          <Table.Tbody>
            {pending.data.map((invitation) => (
              <Table.Tr key={invitation.id} data-testid="pending-invitation">
                <Table.Td className="wrap-anywhere">{invitation.email}</Table.Td>
                <Table.Td>{roleName(invitation.role)}</Table.Td>
                <Table.Td visibleFrom="sm" className="wrap-anywhere">
                  {invitation.inviterEmail}
                </Table.Td>
                <Table.Td visibleFrom="sm">
                  {invitation.expireTime ? timestampDate(invitation.expireTime).toLocaleDateString() : ""}
                </Table.Td>
                <Table.Td>
                  <Button
                    size="xs"
                    variant="subtle"
                    color="red"
                    aria-label={`Revoke the invitation of ${invitation.email}`}
                    onClick={() => setRevoking(invitation)}
                  >
                    Revoke
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <ConfirmDialog
        opened={revoking !== null}
        title={`Revoke the invitation of ${revoking?.email ?? ""}?`}
        body="The link in their invitation stops working. You can invite them again later."
        confirmLabel="Revoke invitation"
        busy={revoke.isPending}
        onConfirm={() => revoking && void confirm(revoking)}
        onClose={() => setRevoking(null)}
      />
    </Card>
  );
}
