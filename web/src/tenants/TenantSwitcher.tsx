import { Select } from "@mantine/core";
import { tenantErrorSentence } from "./tenantErrors";
import { tenantLabel } from "./tenantNames";
import { useSwitchTenant } from "./tenantQueries";
import { useActiveTenant } from "./useActiveTenant";
import { toastDone, toastFailed } from "../ui/toasts";

/**
 * "Active tenant": my tenants with my role in each; choosing one switches
 * the session to it at once (new tokens; every page follows).
 */
export function TenantSwitcher() {
  const { tenantId, mine } = useActiveTenant();
  const switchTenant = useSwitchTenant();
  const data = (mine.data ?? []).flatMap((m) =>
    m.tenant ? [{ value: m.tenant.id, label: tenantLabel(m.tenant, m.role) }] : [],
  );

  async function choose(chosen: string | null) {
    const option = data.find((d) => d.value === chosen);
    if (!option || chosen === tenantId || switchTenant.isPending) return;
    const name = option.label.replace(/ \([^)]*\)$/, "");
    try {
      await switchTenant.mutateAsync(option.value);
      toastDone(`Now working in “${name}”.`);
    } catch (err) {
      toastFailed(`Could not switch to “${name}”. ${tenantErrorSentence("switch", err)}`);
    }
  }

  return (
    <Select
      aria-label="Active tenant"
      data-testid="tenant-switcher"
      data={data}
      value={data.some((d) => d.value === tenantId) ? tenantId : null}
      placeholder={mine.isPending ? "Loading…" : "Choose a tenant"}
      onChange={(value) => void choose(value)}
      allowDeselect={false}
      disabled={switchTenant.isPending}
      w={{ base: 150, xs: 220 }}
      comboboxProps={{ width: 260, position: "bottom-end" }}
    />
  );
}
