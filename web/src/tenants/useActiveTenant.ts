import { useEffect } from "react";
import { useActing, useServices } from "../api/ServicesContext";
import { Role } from "../gen/chorus/auth/v1/auth_service_pb";
import { useMyTenants } from "./tenantQueries";

/**
 * The tenant the session acts in, found in my tenants list, and my personal
 * tenant. `role` is the access token's (what the services enforce).
 */
export function useActiveTenant() {
  const acting = useActing();
  const mine = useMyTenants();
  const tenantId = acting?.tenantId ?? "";
  const active = mine.data?.find((m) => m.tenant?.id === tenantId);
  const personal = mine.data?.find((m) => m.tenant?.personal);
  return { tenantId, role: acting?.role ?? Role.UNSPECIFIED, active, personal, mine };
}

/**
 * The token's role is the one it was issued with; the tenants list has the
 * current one. When they differ (someone changed my role), fetch new tokens
 * now rather than at the next scheduled refresh, so the page offers what the
 * services will allow.
 */
export function useRoleSync(): void {
  const { session } = useServices();
  const { role, active } = useActiveTenant();
  const listed = active?.role;
  useEffect(() => {
    if (listed === undefined || role === Role.UNSPECIFIED || listed === role) return;
    session.refresh().catch(() => {}); // a failed refresh schedules its own retry
  }, [session, role, listed]);
}
