import { useRef, useState } from "react";
import { useActing } from "../api/ServicesContext";
import { useRoleSync } from "../tenants/useActiveTenant";
import { InvitationsSection } from "./InvitationsSection";
import { SongsSection } from "./SongsSection";
import type { Notice } from "./TenantNotice";
import { TenantsSection } from "./TenantsSection";
import { WhoAmIPanel } from "./WhoAmIPanel";

/** What a signed-in user sees. */
export function HomeScreen() {
  const tenantId = useActing()?.tenantId ?? "";
  const [notice, setNotice] = useState<Notice>({ text: "" });
  const tenantsHeading = useRef<HTMLHeadingElement>(null);
  useRoleSync();

  return (
    <div className="home">
      <WhoAmIPanel />
      <InvitationsSection
        onNotice={setNotice}
        onAccepted={(text) => {
          setNotice({ text });
          tenantsHeading.current?.focus();
        }}
      />
      <TenantsSection notice={notice} onNotice={setNotice} headingRef={tenantsHeading} />
      {/* A tenant's own paging and edit state: a switch starts on its first page. */}
      <SongsSection key={tenantId} />
    </div>
  );
}
