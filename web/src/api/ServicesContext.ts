import { createContext, useContext, useSyncExternalStore } from "react";
import type { Acting, SessionState } from "../auth/sessionManager";
import type { Services } from "./services";

export const ServicesContext = createContext<Services | null>(null);

export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (!services) throw new Error("useServices needs a <ServicesContext.Provider>");
  return services;
}

/** The session's state, re-rendering on every change. */
export function useSessionState(): SessionState {
  const { session } = useServices();
  return useSyncExternalStore(session.subscribe, session.getState);
}

/**
 * Who the access token acts as (user, tenant, role); re-renders when a
 * switch or a refresh changes it. Null when signed out.
 */
export function useActing(): Acting | null {
  const { session } = useServices();
  return useSyncExternalStore(session.subscribe, session.getActing);
}
