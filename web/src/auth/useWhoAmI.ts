import { useQuery } from "@tanstack/react-query";
import { useServices } from "../api/ServicesContext";

/** WhoAmI for the current access token (email, tenant, role). */
export function useWhoAmI() {
  const { account } = useServices();
  return useQuery({
    queryKey: ["whoami"],
    queryFn: ({ signal }) => account.whoAmI({}, { signal }),
  });
}
