import type { FormEvent } from "react";
import { useId } from "react";
import type { TenantMembership } from "../gen/chorus/auth/v1/tenant_service_pb";
import { tenantErrorSentence } from "../tenants/tenantErrors";
import { tenantLabel } from "../tenants/tenantNames";
import { useSwitchTenant } from "../tenants/tenantQueries";
import type { Notice } from "./TenantNotice";

interface TenantSwitcherProps {
  memberships: readonly TenantMembership[];
  activeTenantId: string;
  /** The tenant chosen in the select (the active one until the user picks another). */
  selected: string;
  onSelect: (tenantId: string) => void;
  onNotice: (notice: Notice) => void;
}

/**
 * "Active tenant" (my tenants, with my role in each) and "Switch": moves the
 * session to the chosen tenant (new tokens; songs and who-am-i follow).
 */
export function TenantSwitcher({
  memberships,
  activeTenantId,
  selected,
  onSelect,
  onNotice,
}: TenantSwitcherProps) {
  const switchTenant = useSwitchTenant();
  const selectId = useId();
  const chosen = memberships.find((m) => m.tenant?.id === selected);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (switchTenant.isPending || !chosen?.tenant) return;
    const name = tenantLabel(chosen.tenant);
    if (chosen.tenant.id === activeTenantId) {
      onNotice({ text: `You are already working in “${name}”.` });
      return;
    }
    try {
      await switchTenant.mutateAsync(chosen.tenant.id);
      onNotice({ text: `Now working in “${name}”.` });
    } catch (err) {
      onNotice({ text: `Could not switch to “${name}”. ${tenantErrorSentence("switch", err)}`, error: true });
    }
  }

  return (
    <form
      className="tenant-switcher"
      aria-label="Switch tenant"
      aria-busy={switchTenant.isPending}
      onSubmit={(e) => void submit(e)}
    >
      <div className="field">
        <label htmlFor={selectId}>Active tenant</label>
        <select id={selectId} value={selected} onChange={(event) => onSelect(event.target.value)}>
          {memberships.map(
            (m) =>
              m.tenant && (
                <option key={m.tenant.id} value={m.tenant.id}>
                  {tenantLabel(m.tenant, m.role)}
                </option>
              ),
          )}
        </select>
      </div>
      <button type="submit" className="primary">
        Switch
      </button>
    </form>
  );
}
