import { useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { useServices, useSessionState } from "../api/ServicesContext";
import { AuthScreen } from "./AuthScreen";
import { HomeScreen } from "./HomeScreen";
import { Loading } from "./Loading";
import { LogoutButton } from "./LogoutButton";

export function App() {
  const { session } = useServices();
  const state = useSessionState();
  const queryClient = useQueryClient();

  useEffect(() => {
    void session.restore();
  }, [session]);

  // Nothing of one user's data may outlive their session.
  useEffect(() => {
    if (state.status === "signedOut") queryClient.clear();
  }, [state.status, queryClient]);

  return (
    <>
      <header className="topbar">
        <h1>Chorus</h1>
        {state.status === "signedIn" && <LogoutButton />}
      </header>
      <main className="content">
        {state.status === "restoring" ? (
          <Loading label="Resuming your session…" />
        ) : state.status === "signedOut" ? (
          <AuthScreen notice={state.notice} />
        ) : (
          <HomeScreen />
        )}
      </main>
    </>
  );
}
