import { MantineProvider } from "@mantine/core";
import { Notifications } from "@mantine/notifications";
import type { QueryClient } from "@tanstack/react-query";
import { QueryClientProvider } from "@tanstack/react-query";
import type { ReactNode } from "react";
import type { Services } from "../api/services";
import { ServicesContext } from "../api/ServicesContext";
import { theme } from "./theme";

interface ProvidersProps {
  services: Services;
  queryClient: QueryClient;
  children: ReactNode;
}

/** Everything a page needs around it: services, query cache, theme, toasts. */
export function Providers({ services, queryClient, children }: ProvidersProps) {
  return (
    <ServicesContext.Provider value={services}>
      <QueryClientProvider client={queryClient}>
        <MantineProvider theme={theme} defaultColorScheme="auto">
          <Notifications position="bottom-right" limit={3} />
          {children}
        </MantineProvider>
      </QueryClientProvider>
    </ServicesContext.Provider>
  );
}
