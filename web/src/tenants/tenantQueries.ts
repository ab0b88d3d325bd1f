/**
 * TanStack Query hooks for TenantService: my tenants, the members of one, my
 * invitations, and the changes to them.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { Client } from "@connectrpc/connect";
import { useServices } from "../api/ServicesContext";
import type { Role } from "../gen/chorus/auth/v1/auth_service_pb";
import type {
  Invitation,
  Member,
  TenantMembership,
  TenantService,
} from "../gen/chorus/auth/v1/tenant_service_pb";

/** Both lists change when someone else acts (an invite, a role change): look again this often. */
export const TENANT_POLL_MS = 60_000;
/** The most a page may hold; a person's tenants and a tenant's members fit in a few. */
const PAGE_SIZE = 100;
/** A stop for a server that keeps returning page tokens. */
const MAX_PAGES = 20;

export const tenantKeys = {
  all: ["tenants"] as const,
  mine: ["tenants", "mine"] as const,
  members: (tenantId: string) => ["tenants", "members", tenantId] as const,
  invitations: ["tenants", "invitations"] as const,
  pending: (tenantId: string) => ["tenants", "pending", tenantId] as const,
};

type Tenants = Client<typeof TenantService>;

/** Every item of a paged list, page after page (at most MAX_PAGES). */
async function allPages<T>(
  page: (pageToken: string) => Promise<{ items: T[]; nextPageToken: string }>,
): Promise<T[]> {
  const all: T[] = [];
  let pageToken = "";
  for (let count = 0; count < MAX_PAGES; count++) {
    const reply = await page(pageToken);
    all.push(...reply.items);
    pageToken = reply.nextPageToken;
    if (!pageToken) break;
  }
  return all;
}

function allMyTenants(tenants: Tenants, signal: AbortSignal): Promise<TenantMembership[]> {
  return allPages(async (pageToken) => {
    const reply = await tenants.listMyTenants({ pageSize: PAGE_SIZE, pageToken }, { signal });
    return { items: reply.memberships, nextPageToken: reply.nextPageToken };
  });
}

function allMembers(tenants: Tenants, tenantId: string, signal: AbortSignal): Promise<Member[]> {
  return allPages(async (pageToken) => {
    const reply = await tenants.listMembers({ tenantId, pageSize: PAGE_SIZE, pageToken }, { signal });
    return { items: reply.members, nextPageToken: reply.nextPageToken };
  });
}

function allPending(tenants: Tenants, tenantId: string, signal: AbortSignal): Promise<Invitation[]> {
  return allPages(async (pageToken) => {
    const reply = await tenants.listInvitations({ tenantId, pageSize: PAGE_SIZE, pageToken }, { signal });
    return { items: reply.invitations, nextPageToken: reply.nextPageToken };
  });
}

/** Every tenant I belong to, oldest first, with my role in each. */
export function useMyTenants() {
  const { tenants } = useServices();
  return useQuery({
    queryKey: tenantKeys.mine,
    queryFn: ({ signal }) => allMyTenants(tenants, signal),
    refetchInterval: TENANT_POLL_MS,
    refetchOnWindowFocus: true,
  });
}

/** The members of a tenant I belong to, in the order they joined. */
export function useMembers(tenantId: string) {
  const { tenants } = useServices();
  return useQuery({
    queryKey: tenantKeys.members(tenantId),
    queryFn: ({ signal }) => allMembers(tenants, tenantId, signal),
    refetchInterval: TENANT_POLL_MS,
    refetchOnWindowFocus: true,
  });
}

/** The open invitations of a tenant (owners and admins may ask). */
export function usePendingInvitations(tenantId: string) {
  const { tenants } = useServices();
  return useQuery({
    queryKey: tenantKeys.pending(tenantId),
    queryFn: ({ signal }) => allPending(tenants, tenantId, signal),
    refetchInterval: TENANT_POLL_MS,
    refetchOnWindowFocus: true,
  });
}

/** Open invitations to my email. */
export function useMyInvitations() {
  const { tenants } = useServices();
  return useQuery({
    queryKey: tenantKeys.invitations,
    queryFn: async ({ signal }) => (await tenants.listMyInvitations({}, { signal })).invitations,
    refetchInterval: TENANT_POLL_MS,
    refetchOnWindowFocus: true,
  });
}

/**
 * A mutation of TenantService after which every tenant list is fetched again:
 * after a success they changed, and a failure (NOT_FOUND, PERMISSION_DENIED)
 * usually means they were out of date.
 */
function useTenantMutation<V, R>(call: (tenants: Tenants, variables: V) => Promise<R>) {
  const { tenants } = useServices();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (variables: V) => call(tenants, variables),
    onSettled: () => queryClient.invalidateQueries({ queryKey: tenantKeys.all }),
  });
}

export function useCreateTenant() {
  return useTenantMutation((tenants, name: string) => tenants.createTenant({ name }));
}

export function useAcceptInvitation() {
  return useTenantMutation((tenants, invitationId: string) => tenants.acceptInvitation({ invitationId }));
}

export function useInviteMember() {
  return useTenantMutation((tenants, v: { tenantId: string; email: string; role: Role }) =>
    tenants.inviteMember(v),
  );
}

export function useRevokeInvitation() {
  return useTenantMutation((tenants, v: { tenantId: string; invitationId: string }) =>
    tenants.revokeInvitation(v),
  );
}

export function useChangeMemberRole() {
  return useTenantMutation((tenants, v: { tenantId: string; userId: string; role: Role }) =>
    tenants.changeMemberRole(v),
  );
}

export function useRemoveMember() {
  return useTenantMutation((tenants, v: { tenantId: string; userId: string }) => tenants.removeMember(v));
}

/**
 * Leave or delete a tenant. Either ends the sessions acting in it, so when it
 * is the active one the session first moves to `fallbackTenantId` (the
 * personal tenant), then the tenant is left or deleted.
 */
export function useLeaveOrDeleteTenant() {
  const { session } = useServices();
  return useTenantMutation(
    async (
      tenants,
      v: { action: "leave" | "delete"; tenantId: string; activeTenantId: string; fallbackTenantId: string },
    ) => {
      if (v.tenantId === v.activeTenantId) await session.switchTenant(v.fallbackTenantId);
      if (v.action === "leave") await tenants.leaveTenant({ tenantId: v.tenantId });
      else await tenants.deleteTenant({ tenantId: v.tenantId });
    },
  );
}

/** Switch the session to another of my tenants (new tokens; queries follow the new tenant). */
export function useSwitchTenant() {
  const { session } = useServices();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (tenantId: string) => session.switchTenant(tenantId),
    // NOT_FOUND: no longer a member; the list is out of date either way
    onSettled: () => queryClient.invalidateQueries({ queryKey: tenantKeys.all }),
  });
}
