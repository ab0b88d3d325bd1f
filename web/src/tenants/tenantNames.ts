/** How tenants are named on the page. */
import type { Role } from "../gen/chorus/auth/v1/auth_service_pb";
import type { Tenant } from "../gen/chorus/auth/v1/tenant_service_pb";
import { roleName } from "./roles";

/** "The Band", or "Personal" for the tenant every user gets; with a role: "The Band (Viewer)". */
export function tenantLabel(tenant: Pick<Tenant, "name" | "personal">, role?: Role): string {
  const name = tenant.personal ? "Personal" : tenant.name;
  return role === undefined ? name : `${name} (${roleName(role)})`;
}
