import { createContext, useContext, useSyncExternalStore } from "react";
import type { SessionState } from "../auth/sessionManager";
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
