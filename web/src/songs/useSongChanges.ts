/**
 * Live updates: while the songs page is open, WatchSongs reports every change
 * in the active tenant, by anyone; the list is fetched again after each burst
 * of them. A dropped stream is opened again from the last cursor, so nothing
 * in between is missed.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useActing, useServices } from "../api/ServicesContext";
import { ChangeType } from "../gen/chorus/resource/v1/change_type_pb";
import { songKeys } from "./songQueries";

/** Wait before opening a dropped stream again. */
export const RECONNECT_MS = 3_000;
/** Changes closer together than this are one refetch (an import sends thousands). */
const BURST_MS = 300;

export type LiveState = "connecting" | "live";

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });
}

export function useSongChanges(): LiveState {
  const { songs } = useServices();
  const tenantId = useActing()?.tenantId ?? "";
  const queryClient = useQueryClient();
  const [state, setState] = useState<LiveState>("connecting");

  useEffect(() => {
    const stop = new AbortController();
    let cursor = "";
    let refetch: ReturnType<typeof setTimeout> | undefined;
    const changed = () => {
      refetch ??= setTimeout(() => {
        refetch = undefined;
        void queryClient.invalidateQueries({ queryKey: songKeys.all });
      }, BURST_MS);
    };
    async function follow() {
      while (!stop.signal.aborted) {
        try {
          // a stream lasts while the page is open: no call timeout
          for await (const event of songs.watchSongs({ cursor }, { signal: stop.signal, timeoutMs: 0 })) {
            cursor = event.cursor || cursor;
            if (event.type === ChangeType.CAUGHT_UP) setState("live");
            else changed();
          }
        } catch {
          // dropped (network, gateway, a new token needed): open it again below
        }
        if (stop.signal.aborted) break;
        setState("connecting");
        await pause(RECONNECT_MS, stop.signal);
      }
    }
    void follow();
    return () => {
      stop.abort();
      clearTimeout(refetch);
    };
  }, [songs, tenantId, queryClient]);

  return state;
}
