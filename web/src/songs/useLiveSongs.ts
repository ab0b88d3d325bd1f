/**
 * Keeps the songs list current: every change in the active tenant (made in
 * another tab or by another member) refreshes the song queries. Returns the
 * stream's status for a small "live / reconnecting" indicator.
 */
import { useEffect, useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { useActing, useServices } from "../api/ServicesContext";
import { followSongs, type LiveStatus } from "./liveSongs";
import { songKeys } from "./songQueries";

const BURST_MS = 300;

export function useLiveSongs(): LiveStatus {
  const { songs } = useServices();
  const queryClient = useQueryClient();
  const tenantId = useActing()?.tenantId ?? "";
  const [status, setStatus] = useState<LiveStatus>("connecting");
  useEffect(() => {
    if (!tenantId) return;
    const stop = new AbortController();
    // a change is shown at once; the changes after it are one refetch per BURST_MS (an import sends thousands)
    let refetch: ReturnType<typeof setTimeout> | undefined;
    let lastMs = -Infinity;
    void followSongs(songs, {
      signal: stop.signal,
      onStatus: setStatus,
      onChange: () => {
        refetch ??= setTimeout(
          () => {
            refetch = undefined;
            lastMs = Date.now();
            void queryClient.invalidateQueries({ queryKey: songKeys.all });
          },
          Math.max(0, lastMs + BURST_MS - Date.now()),
        );
      },
    });
    return () => {
      stop.abort();
      clearTimeout(refetch);
    };
  }, [songs, queryClient, tenantId]);
  return status;
}
