import type { RefObject } from "react";
import { useState } from "react";
import { errorSentence } from "../errors/sentences";
import { roleName } from "../tenants/roles";
import { tenantLabel } from "../tenants/tenantNames";
import { useActiveTenant } from "../tenants/useActiveTenant";
import { Loading } from "./Loading";
import { MembersSection } from "./MembersSection";
import { NewTenantPanel } from "./NewTenantPanel";
import type { Notice } from "./TenantNotice";
import { TenantNotice } from "./TenantNotice";
import { TenantSwitcher } from "./TenantSwitcher";

interface TenantsSectionProps {
  notice: Notice;
  onNotice: (notice: Notice) => void;
  /** The "Tenants" heading: focus goes there when the control in use disappears. */
  headingRef: RefObject<HTMLHeadingElement | null>;
}

/**
 * Which tenant I work in and as what, switching to another, creating one;
 * and for a shared active tenant, its members.
 */
export function TenantsSection({ notice, onNotice, headingRef }: TenantsSectionProps) {
  const { tenantId, role, active, personal, mine } = useActiveTenant();
  const [choice, setChoice] = useState<string | null>(null);
  const memberships = mine.data ?? [];
  const selected = choice !== null && memberships.some((m) => m.tenant?.id === choice) ? choice : tenantId;

  /** The members section is gone (the tenant was left or deleted): say so where focus lands. */
  function gone(notice: Notice) {
    setChoice(null);
    onNotice(notice);
    headingRef.current?.focus();
  }

  return (
    <>
      <section className="card tenants" aria-labelledby="tenants-heading">
        <h2 id="tenants-heading" ref={headingRef} tabIndex={-1}>
          Tenants
        </h2>
        {active?.tenant && (
          <p className="active-tenant" data-testid="active-tenant">
            You are working in <strong>{tenantLabel(active.tenant)}</strong> as{" "}
            <strong>{roleName(role)}</strong>.
          </p>
        )}
        <TenantNotice notice={notice} />
        {mine.isPending ? (
          <Loading label="Loading your tenants…" />
        ) : mine.isError && !mine.data ? (
          <p role="alert">{`Your tenants could not be loaded. ${errorSentence(mine.error)}`}</p>
        ) : (
          <TenantSwitcher
            memberships={memberships}
            activeTenantId={tenantId}
            selected={selected}
            onSelect={setChoice}
            onNotice={onNotice}
          />
        )}
        <NewTenantPanel
          onCreated={(tenant) => {
            setChoice(tenant.id);
            onNotice({ text: `Created “${tenant.name}”. Switch to it to invite members.` });
          }}
        />
      </section>
      {active?.tenant && !active.tenant.personal && (
        <MembersSection
          key={active.tenant.id}
          tenant={active.tenant}
          myRole={active.role}
          personalTenantId={personal?.tenant?.id ?? ""}
          onTenantNotice={onNotice}
          onGone={gone}
        />
      )}
    </>
  );
}
