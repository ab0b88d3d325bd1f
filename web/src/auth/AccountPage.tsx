import { Badge, Button, Card, Group, Stack, Table, Text, Title } from "@mantine/core";
import { LoadFailure } from "../ui/LoadFailure";
import { Loading } from "../ui/Loading";
import { PageHeading } from "../ui/PageHeading";
import { toastDone, toastFailed } from "../ui/toasts";
import { roleName } from "../tenants/roles";
import { tenantErrorSentence } from "../tenants/tenantErrors";
import { tenantLabel } from "../tenants/tenantNames";
import { useSwitchTenant } from "../tenants/tenantQueries";
import { useActiveTenant } from "../tenants/useActiveTenant";
import { useWhoAmI } from "./useWhoAmI";
import { TableHead } from "../ui/TableHead";

/** Who I am: email, the tenant I work in and my role there, and all my tenants. */
export function AccountPage() {
  const whoAmI = useWhoAmI();
  const { tenantId, role, active, mine } = useActiveTenant();
  const switchTenant = useSwitchTenant();

  async function switchTo(id: string, name: string) {
    try {
      await switchTenant.mutateAsync(id);
      toastDone(`Now working in “${name}”.`);
    } catch (err) {
      toastFailed(`Could not switch to “${name}”. ${tenantErrorSentence("switch", err)}`);
    }
  }

  return (
    <Stack maw={720}>
      <PageHeading title="Account" />
      {whoAmI.isError ? (
        <LoadFailure what="Your account" error={whoAmI.error} onRetry={() => void whoAmI.refetch()} />
      ) : (
        <Card withBorder>
          <Stack gap={4}>
            <Text size="sm" c="dimmed">
              Email
            </Text>
            <Text data-testid="account-email" className="wrap-anywhere" fw={600}>
              {whoAmI.data?.user?.email ?? "…"}
            </Text>
            <Text size="sm" c="dimmed" mt="sm">
              Working in
            </Text>
            <Text data-testid="active-tenant">
              {active?.tenant ? tenantLabel(active.tenant) : "…"} as {roleName(role)}
            </Text>
          </Stack>
        </Card>
      )}
      <Title order={2} size="h4">
        Your tenants
      </Title>
      {mine.isError ? (
        <LoadFailure what="Your tenants" error={mine.error} onRetry={() => void mine.refetch()} />
      ) : mine.isPending ? (
        <Loading label="Loading your tenants…" />
      ) : (
        <Table aria-label="Your tenants" verticalSpacing="xs">
          <TableHead columns={["Tenant", "Your role"]} actions />
          <Table.Tbody>
            {mine.data.map(({ tenant, role: myRole }) =>
              tenant ? (
                <Table.Tr key={tenant.id}>
                  <Table.Td className="wrap-anywhere">{tenantLabel(tenant)}</Table.Td>
                  <Table.Td>{roleName(myRole)}</Table.Td>
                  <Table.Td>
                    <Group justify="flex-end">
                      {tenant.id === tenantId ? (
                        <Badge variant="light">Active</Badge>
                      ) : (
                        <Button
                          size="xs"
                          variant="default"
                          aria-label={`Switch to ${tenantLabel(tenant)}`}
                          onClick={() => void switchTo(tenant.id, tenantLabel(tenant))}
                        >
                          Switch
                        </Button>
                      )}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ) : null,
            )}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
