import { Button, Card, Group, Stack, Text, Title } from "@mantine/core";
import type { Invitation } from "../gen/chorus/auth/v1/tenant_service_pb";
import { toastDone, toastFailed } from "../ui/toasts";
import { roleName } from "./roles";
import type { TenantAction } from "./tenantErrors";
import { tenantErrorSentence } from "./tenantErrors";
import { useAcceptInvitation, useMyInvitations, useSwitchTenant } from "./tenantQueries";

/** Invitations to my email, each with "Accept" (which also switches to that tenant). */
export function MyInvitations() {
  const invitations = useMyInvitations();
  if (!invitations.data?.length) return null;
  return (
    <Card withBorder component="section" aria-labelledby="my-invitations">
      <Title order={2} size="h4" id="my-invitations" mb="xs">
        Invitations for you
      </Title>
      <Stack
        gap="xs"
        component="ul"
        aria-label="Invitations"
        style={{ listStyle: "none", padding: 0, margin: 0 }}
      >
        {invitations.data.map((invitation) => (
          <InvitationItem key={invitation.id} invitation={invitation} />
        ))}
      </Stack>
    </Card>
  );
}

function InvitationItem({ invitation }: { invitation: Invitation }) {
  const accept = useAcceptInvitation();
  const switchTenant = useSwitchTenant();
  const name = invitation.tenant?.name ?? "a tenant";
  const role = roleName(invitation.role);

  async function join() {
    let step: TenantAction = "accept";
    try {
      const { membership } = await accept.mutateAsync(invitation.id);
      step = "switch";
      const tenantId = membership?.tenant?.id ?? invitation.tenant?.id;
      if (tenantId) await switchTenant.mutateAsync(tenantId);
      toastDone(`You joined “${name}” as ${role}. You are working in it now.`);
    } catch (err) {
      const what = step === "accept" ? `You did not join “${name}”.` : `You joined “${name}”, but`;
      toastFailed(`${what} ${tenantErrorSentence(step, err)}`);
    }
  }

  return (
    <Group component="li" justify="space-between" wrap="nowrap">
      <Text className="wrap-anywhere">
        Join “{name}” as {role}
      </Text>
      <Button size="xs" loading={accept.isPending || switchTenant.isPending} onClick={() => void join()}>
        Accept
      </Button>
    </Group>
  );
}
