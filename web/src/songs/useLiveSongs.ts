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

export function useLiveSongs(): LiveStatus {
  const { songs } = useServices();
  const queryClient = useQueryClient();
  const tenantId = useActing()?.tenantId ?? "";
  const [status, setStatus] = useState<LiveStatus>("connecting");
  useEffect(() => {
    if (!tenantId) return;
    const stop = new AbortController();
    void followSongs(songs, {
      signal: stop.signal,
      onStatus: setStatus,
      onChange: () => void queryClient.invalidateQueries({ queryKey: songKeys.all }),
    });
    return () => stop.abort();
  }, [songs, queryClient, tenantId]);
  return status;
}
