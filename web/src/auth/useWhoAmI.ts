import { useQuery } from "@tanstack/react-query";
import { useActing, useServices } from "../api/ServicesContext";

/**
 * WhoAmI for the current access token (email, tenant, role). Asked again
 * whenever a switch or a refresh changes the token's tenant or role.
 */
export function useWhoAmI() {
  const { account } = useServices();
  const acting = useActing();
  return useQuery({
    queryKey: ["whoami", acting?.tenantId ?? "", acting?.role ?? 0],
    queryFn: ({ signal }) => account.whoAmI({}, { signal }),
  });
}
