/** Open invitations of a tenant, with "Revoke": needs TenantService.ListInvitations (coming). */
export function PendingInvitations(_: { tenantId: string }) {
  return null;
}
