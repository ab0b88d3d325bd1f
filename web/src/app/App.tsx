import { useQueryClient } from "@tanstack/react-query";
import { lazy, Suspense, useEffect } from "react";
import { Navigate, Route, Routes } from "react-router";
import { useServices, useSessionState } from "../api/ServicesContext";
import { AccountPage } from "../auth/AccountPage";
import { AuthPage } from "../auth/AuthPage";
import { PlaylistPage } from "../playlists/PlaylistPage";
import { PlaylistsPage } from "../playlists/PlaylistsPage";
import { SongsPage } from "../songs/SongsPage";
import { TeamPage } from "../tenants/TeamPage";
import { Loading } from "../ui/Loading";
import { NotFoundPage } from "./NotFoundPage";
import { Shell } from "./Shell";

// The explorer carries every contract's descriptors: loaded when opened.
const ExplorerPage = lazy(() => import("../explorer/ExplorerPage"));

/** The session decides between the login pages and the app; the address decides the page. */
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

  if (state.status === "restoring") return <Loading label="Resuming your session…" />;
  if (state.status === "signedOut") return <AuthPage notice={state.notice} />;
  return (
    <Routes>
      <Route element={<Shell />}>
        <Route index element={<SongsPage />} />
        <Route path="playlists" element={<PlaylistsPage />} />
        <Route path="playlists/:playlistId" element={<PlaylistPage />} />
        <Route path="team" element={<TeamPage />} />
        <Route path="account" element={<AccountPage />} />
        <Route
          path="explorer/*"
          element={
            <Suspense fallback={<Loading label="Loading the API explorer…" />}>
              <ExplorerPage />
            </Suspense>
          }
        />
        <Route path="login" element={<Navigate to="/" replace />} />
        <Route path="signup" element={<Navigate to="/" replace />} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}
