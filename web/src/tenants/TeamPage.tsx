import { Card, Group, Stack, Text, Title } from "@mantine/core";
import { useActing } from "../api/ServicesContext";
import { Role } from "../gen/chorus/auth/v1/auth_service_pb";
import type { Tenant } from "../gen/chorus/auth/v1/tenant_service_pb";
import { LoadFailure } from "../ui/LoadFailure";
import { Loading } from "../ui/Loading";
import { PageHeading } from "../ui/PageHeading";
import { InviteForm } from "./InviteForm";
import { LeaveOrDeleteTenant } from "./LeaveOrDeleteTenant";
import { MembersTable } from "./MembersTable";
import { MyInvitations } from "./MyInvitations";
import { NewTenantButton } from "./NewTenantButton";
import { PendingInvitations } from "./PendingInvitations";
import { canManageMembers, roleName } from "./roles";
import { useMembers } from "./tenantQueries";
import { useActiveTenant } from "./useActiveTenant";

/**
 * The people of the active tenant: members and roles, invitations, leaving
 * and deleting; invitations for me; a new tenant.
 */
export function TeamPage() {
  const { active, personal, role, mine } = useActiveTenant();
  const tenant = active?.tenant;

  return (
    <Stack maw={860}>
      <PageHeading title="Team">
        <NewTenantButton />
      </PageHeading>
      <MyInvitations />
      {mine.isError ? (
        <LoadFailure what="Your tenants" error={mine.error} onRetry={() => void mine.refetch()} />
      ) : !tenant ? (
        <Loading label="Loading your tenant…" />
      ) : tenant.personal ? (
        <Card withBorder>
          <Text>
            You are working in your personal tenant: its songs are yours alone. To share songs, create a
            tenant with <b>New tenant</b> and invite people to it.
          </Text>
        </Card>
      ) : (
        <SharedTenant tenant={tenant} myRole={role} personalTenantId={personal?.tenant?.id ?? ""} />
      )}
    </Stack>
  );
}

interface SharedTenantProps {
  tenant: Tenant;
  myRole: Role;
  personalTenantId: string;
}

function SharedTenant({ tenant, myRole, personalTenantId }: SharedTenantProps) {
  const members = useMembers(tenant.id);
  const myUserId = useActing()?.userId ?? "";
  const owners = members.data?.filter((m) => m.role === Role.OWNER).length ?? 0;
  const managing = canManageMembers(myRole);

  return (
    <>
      <Card withBorder component="section" aria-labelledby="members-title">
        <Group justify="space-between" mb="xs">
          <Title order={2} size="h4" id="members-title" className="wrap-anywhere">
            Members of “{tenant.name}”
          </Title>
          <Text size="sm" c="dimmed" data-testid="my-role">
            You are {roleName(myRole)}
          </Text>
        </Group>
        {members.isError ? (
          <LoadFailure what="The members" error={members.error} onRetry={() => void members.refetch()} />
        ) : members.isPending ? (
          <Loading label="Loading the members…" />
        ) : (
          <MembersTable
            tenantId={tenant.id}
            tenantName={tenant.name}
            members={members.data}
            myUserId={myUserId}
            myRole={myRole}
          />
        )}
      </Card>
      {managing && <InviteForm tenantId={tenant.id} tenantName={tenant.name} myRole={myRole} />}
      {managing && <PendingInvitations tenantId={tenant.id} />}
      <LeaveOrDeleteTenant
        tenant={tenant}
        myRole={myRole}
        lastOwner={myRole === Role.OWNER && owners === 1}
        personalTenantId={personalTenantId}
      />
    </>
  );
}
